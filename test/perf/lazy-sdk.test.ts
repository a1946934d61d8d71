import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slsEsbuildOptions } from '../../bench/esbuild-options.ts';
import { RULE_CASES } from '../../rules/index.ts';
import { REPO_ROOT } from '../support/corpus.ts';

/**
 * Cold start: the Lambda bundles leave `@aws-sdk/*` to the runtime, and a top-level import of one SDK client costs
 * ≈ 300 ms. Every SDK module (and Powertools Parameters, which imports client-ssm) must therefore be loaded on first
 * use through shared/platform/aws/sdk.ts, never imported statically — esbuild would hoist such an import to the top of the
 * ESM bundle even behind `import()`. This builds the bundles with serverless.yml's esbuild options and checks them.
 */
const FUNCTIONS = ['cloudtrail-events', 'config-changes', 'cloudtrail-s3', 'digest'];
mkdirSync(join(REPO_ROOT, '.bench'), { recursive: true });
// Inside the repo, so the SDK resolves from node_modules the way the runtime's does from NODE_PATH.
const dir = mkdtempSync(join(REPO_ROOT, '.bench', 'lazy-sdk-'));
const built = new Map<string, { text: string; imports: Metafile['outputs'][string]['imports']; inputs: string[] }>();

beforeAll(async () => {
  for (const name of FUNCTIONS) {
    const outfile = join(dir, `${name}.mjs`);
    const result = await build({
      ...slsEsbuildOptions(),
      sourcemap: false,
      entryPoints: [join(REPO_ROOT, 'functions', `${name}.ts`)],
      outfile,
      metafile: true,
    });
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined)!;
    built.set(name, {
      text: readFileSync(outfile, 'utf8'),
      imports: output.imports,
      inputs: Object.keys(output.inputs),
    });
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(FUNCTIONS)('bundle %s', (name) => {
  it('holds one build of Powertools commons (serverless.yml `alias`)', () => {
    const commons = built.get(name)!.inputs.filter((p) => p.includes('@aws-lambda-powertools/commons/'));
    expect(commons.length).toBeGreaterThan(0);
    expect(commons.filter((p) => !p.includes('/lib/esm/'))).toEqual([]);
  });

  it("leaves the rules' cases out (RULE_CASES is pure; nothing in a function reaches it)", () => {
    const { text } = built.get(name)!;
    const names = [...RULE_CASES.values()]
      .flatMap((cases) => cases().map((c) => c.name))
      .filter((n) => n.length > 24 && n.includes(' '));
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((n) => text.includes(JSON.stringify(n)))).toEqual([]);
  });

  it('has no static import of @aws-sdk/*', () => {
    const { text, imports } = built.get(name)!;
    // The text: `import{…}from"@aws-sdk/…"`, `import*as x from"@aws-sdk/…"`, `import"@aws-sdk/…"`, `export … from`.
    const statements = text.match(/\b(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?["']@aws-sdk\/[^"']+["']/g) ?? [];
    expect(statements).toEqual([]);
    // esbuild's own account of the output's external imports.
    expect(imports.filter((i) => i.path.startsWith('@aws-sdk/') && i.kind !== 'require-call')).toEqual([]);
  });

  /** Import the bundle, let the cold-start build finish, print its logs and the AWS SDK modules in the module cache. */
  function coldStart(env: Record<string, string> = {}): { sdkModules: string[]; logs: string; jitless: unknown } {
    const file = pathToFileURL(join(dir, `${name}.mjs`)).href;
    const script = `await import(${JSON.stringify(file)}); await new Promise((r) => setTimeout(r, 100)); const { createRequire } = await import('node:module'); const cache = createRequire(import.meta.url).cache; process.stdout.write('\\n' + JSON.stringify({ sdkModules: Object.keys(cache).filter((k) => k.includes('@aws-sdk')), jitless: globalThis.__zod_globalConfig?.jitless ?? null }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        NODE_PATH: '',
        AWS_REGION: 'eu-west-1',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...env,
      },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    return {
      ...(JSON.parse(lines.at(-1)!) as { sdkModules: string[]; jitless: unknown }),
      logs: lines.slice(0, -1).join('\n'),
    };
  }

  it('loads no AWS SDK module when imported, nor in its cold-start build (built-in default config)', () => {
    const { sdkModules, logs } = coldStart();
    expect(logs).toContain('"message":"config loaded"');
    expect(sdkModules).toEqual([]);
  });

  it('nor with a deployed config: DynamoDB ledger and approvals tables, SNS and S3 sinks (clients built on first use)', () => {
    const { sdkModules, logs } = coldStart({ NETWATCH_CONFIG_PATH: join(REPO_ROOT, 'bench', 'deployed-config.json') });
    // Not vacuous: the build read that config (a failed build would load nothing either).
    expect(logs).toMatch(/"message":"config loaded".*"origin":\{"kind":"file"/);
    expect(sdkModules).toEqual([]);
  });

  it("turns zod's JIT off before its schemas are built (shared/lambda/zod-jitless.ts is the handler's first import)", () => {
    expect(coldStart().jitless).toBe(true);
    expect(readFileSync(join(REPO_ROOT, 'functions', `${name}.ts`), 'utf8')).toMatch(
      /^(?:\/\*\*[^\n]*\*\/\n)?import '\.\.\/shared\/lambda\/zod-jitless\.ts';/,
    );
  });
});

it('the bundles still reach the SDK, lazily', () => {
  // Not vacuous: the sinks' clients and Powertools Parameters' SSM client are in there, as calls.
  const text = built.get('cloudtrail-events')!.text;
  for (const pkg of ['@aws-sdk/client-sns', '@aws-sdk/client-ssm', '@aws-sdk/lib-dynamodb'])
    expect(text).toContain(`"${pkg}"`);
  expect(text).toContain('SSMProvider');
});
