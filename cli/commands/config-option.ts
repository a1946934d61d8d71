import { defaultConfig } from '../../shared/config/default.ts';
import { loadConfigFile } from '../../shared/config/load.ts';
import type { NetwatchConfig } from '../../shared/config/schema.ts';
import { withTableOverrides } from '../../shared/config/runtime-config.ts';

/** `--config FILE`, or the built-in default config (local sinks under `outDir`). Table-name env overrides apply. */
export async function configOption(
  path: string | undefined,
  outDir = 'netwatch-out',
): Promise<{ config: NetwatchConfig; name: string }> {
  const config = path ? await loadConfigFile(path) : defaultConfig(outDir);
  return { config: withTableOverrides(config, process.env), name: path ?? '(built-in default config)' };
}
