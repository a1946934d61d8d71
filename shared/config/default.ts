import type { NetwatchConfig } from './schema.ts';
import type { SinkSpecInput } from '../6-deliver/sinks/registry.ts';
import { validateConfig } from './load-core.ts';

/**
 * The built-in config: what `npm start` and `netwatch replay` use without `--config`. Local JSON Lines sinks
 * (`netwatch-out/pages.jsonl` for paging, `netwatch-out/changes.jsonl` for change management); risky findings
 * (medium and above) page unless an approval or an allowlist covers them; every finding is recorded.
 */
export function defaultConfig(outDir = 'netwatch-out'): NetwatchConfig {
  return validateConfig(
    defaultConfigInput({
      paging: { type: 'file', path: `${outDir}/pages.jsonl` },
      'change-log': { type: 'file', path: `${outDir}/changes.jsonl` },
    }),
    '(built-in default config)',
  );
}

/**
 * The Lambda functions' config when none is given (no NETWATCH_CONFIG_PATH / NETWATCH_CONFIG_PARAMETER): the same
 * routing with structured-log sinks (CloudWatch Logs), so findings are never only in memory. Validated once, at cold
 * start (not built from {@link defaultConfig} and validated again: each validation is milliseconds of a cold start).
 */
export function defaultLambdaConfig(): NetwatchConfig {
  return validateConfig(
    defaultConfigInput({ paging: { type: 'log' }, 'change-log': { type: 'log' } }),
    '(built-in Lambda default config)',
  );
}

/** The default routing over two sinks named `paging` and `change-log`. */
function defaultConfigInput(sinks: { paging: SinkSpecInput; 'change-log': SinkSpecInput }): unknown {
  return {
    version: 1,
    sinks,
    routes: [
      {
        name: 'page-risky',
        kind: 'paging',
        match: { minSeverity: 'medium', approval: ['unapproved', 'expired'] },
        sinks: ['paging'],
      },
      { name: 'change-management', kind: 'record', sinks: ['change-log'] },
    ],
  };
}
