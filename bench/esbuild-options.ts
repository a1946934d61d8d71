import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { parse as parseYaml } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface ServerlessYml {
  provider: { environment?: Record<string, string> };
  custom: { esbuild: Record<string, unknown> };
}

function serverlessYml(): ServerlessYml {
  return parseYaml(readFileSync(join(ROOT, 'serverless.yml'), 'utf8'), { logLevel: 'error' }) as ServerlessYml;
}

/** The functions' NODE_OPTIONS (serverless.yml provider.environment): the cold-start bench runs the bundles with it. */
export function slsNodeOptions(): string {
  return serverlessYml().provider.environment?.['NODE_OPTIONS'] ?? '';
}

/**
 * serverless.yml's custom.esbuild, as esbuild BuildOptions (the bench and test/perf/lazy-sdk.test.ts build with it),
 * source map settings included.
 */
export function slsEsbuildOptions(): BuildOptions {
  const o = serverlessYml().custom.esbuild;
  return {
    bundle: o['bundle'] as boolean,
    minify: o['minify'] as boolean,
    format: o['format'] as 'esm',
    target: o['target'] as string,
    platform: o['platform'] as 'node',
    mainFields: o['mainFields'] as string[],
    external: [
      ...((o['exclude'] as string[] | undefined) ?? []),
      ...((o['external'] as string[] | undefined) ?? []),
    ].filter((x) => x !== '*'),
    banner: o['banner'] as Record<string, string>,
    ...(o['sourcemap'] !== undefined ? { sourcemap: o['sourcemap'] as boolean } : {}),
    ...(o['sourcesContent'] !== undefined ? { sourcesContent: o['sourcesContent'] as boolean } : {}),
    ...(o['alias'] !== undefined ? { alias: o['alias'] as Record<string, string> } : {}),
    // serverless-esbuild builds from the service directory; `alias` paths are relative to it.
    absWorkingDir: ROOT,
    logLevel: 'silent',
  };
}
