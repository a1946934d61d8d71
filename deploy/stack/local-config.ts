import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { loadConfigFile } from '../../shared/config/load.ts';

/**
 * `serverless invoke local -e NETWATCH_CONFIG_PATH=FILE` as the README writes it: the function runs in
 * serverless-esbuild's work directory (`.esbuild/.build`), where a relative path finds nothing, and the functions read
 * JSON only (no YAML parser in their bundles). So, for a local invoke only, the path is taken relative to the service
 * directory, the file is validated like `netwatch config` does (every problem at once, before anything is built),
 * and a YAML file is converted to JSON beside the build. A deployed function is not affected: it reads its config
 * from SSM (NETWATCH_CONFIG_PARAMETER), which the stack writes as JSON.
 * Returns the path the function should read, absolute.
 */
export async function localConfigPath(value: string, serviceDir: string): Promise<string> {
  const path = isAbsolute(value) ? value : resolve(serviceDir, value);
  const config = await loadConfigFile(path);
  if (/\.json$/i.test(path)) return path;
  const dir = join(serviceDir, '.esbuild');
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'netwatch.config.local.json');
  writeFileSync(json, `${JSON.stringify(config, null, 2)}\n`);
  return json;
}
