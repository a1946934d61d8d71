import { APPROVALS_INDEX } from '../5-decide/approvals/table.ts';
import { powertools } from '../platform/aws/sdk.ts';
import { ConfigError } from '../platform/errors.ts';
import { defaultLambdaConfig } from './default.ts';
import { loadConfigFile, loadConfigText } from './load-core.ts';
import type { NetwatchConfig } from './schema.ts';

/** Where the running function's config came from (logged at cold start). */
export type ConfigOrigin = { kind: 'file'; path: string } | { kind: 'ssm'; name: string } | { kind: 'default' };

/**
 * The functions' config (JSON), read once at cold start: `NETWATCH_CONFIG_PATH` (a file bundled with the function), or
 * `NETWATCH_CONFIG_PARAMETER` (an SSM parameter holding the JSON text, read through Powertools Parameters —
 * change routing without a deploy; a new cold start picks it up), or the built-in default. Env overrides for table
 * names the deploy stack creates: `NETWATCH_DEDUP_TABLE`, `NETWATCH_GROUPING_TABLE`, `NETWATCH_APPROVALS_TABLE`,
 * `NETWATCH_STATE_TABLE`.
 * Any problem throws {@link ConfigError} listing everything, so the function fails at init, visibly.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/parameters/
 */
export async function loadRuntimeConfig(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ config: NetwatchConfig; origin: ConfigOrigin }> {
  const path = env['NETWATCH_CONFIG_PATH'];
  const parameter = env['NETWATCH_CONFIG_PARAMETER'];
  if (path && parameter)
    throw new ConfigError('ambiguous config', ['set NETWATCH_CONFIG_PATH or NETWATCH_CONFIG_PARAMETER, not both']);
  let config: NetwatchConfig;
  let origin: ConfigOrigin;
  if (path) {
    config = await loadConfigFile(path);
    origin = { kind: 'file', path };
  } else if (parameter) {
    const text = await powertools.ssm().getParameter(parameter, { decrypt: true, maxAge: 24 * 3600 });
    if (typeof text !== 'string' || text.trim() === '')
      throw new ConfigError(`SSM parameter ${parameter} holds no config`, [`${parameter}: empty or missing`], {
        file: `ssm:${parameter}`,
      });
    config = loadConfigText(text, `ssm:${parameter}`);
    origin = { kind: 'ssm', name: parameter };
  } else {
    config = defaultLambdaConfig();
    origin = { kind: 'default' };
  }
  return { config: withTableOverrides(config, env), origin };
}

/** Apply the deploy stack's table-name env vars over the file's values. */
export function withTableOverrides(config: NetwatchConfig, env: NodeJS.ProcessEnv): NetwatchConfig {
  const dedup = env['NETWATCH_DEDUP_TABLE'];
  const grouping = env['NETWATCH_GROUPING_TABLE'];
  const approvals = env['NETWATCH_APPROVALS_TABLE'];
  const state = env['NETWATCH_STATE_TABLE'];
  return {
    ...config,
    state: state ? { ...config.state, tableName: state } : config.state,
    dedup: dedup ? { ...config.dedup, tableName: dedup } : config.dedup,
    grouping: grouping ? { ...config.grouping, tableName: grouping } : config.grouping,
    approvals: approvals
      ? {
          ...config.approvals,
          dynamodb: {
            indexName: APPROVALS_INDEX,
            expiredLookbackDays: 7,
            ...config.approvals.dynamodb,
            tableName: approvals,
          },
        }
      : config.approvals,
  };
}
