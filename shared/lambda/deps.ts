import { RULES } from '../../rules/index.ts';
import {
  liveConfigHistory,
  liveLookupEvents,
  livePrefixListEntries,
  liveResourceConfig,
} from '../2-enrich/live-clients.ts';
import { ApiStateLookup } from '../2-enrich/state-lookup.ts';
import { DynamoStateStore } from '../3-state/dynamodb-store.ts';
import { StateEngine } from '../3-state/engine.ts';
import { lazyDocumentClient } from '../platform/aws/dynamodb.ts';
import { TrailLookup } from '../2-enrich/trail-lookup.ts';
import type { EnrichDeps } from '../2-enrich/enrich.ts';
import { ConfigError } from '../platform/errors.ts';
import type { Telemetry } from './cold-start.ts';
import { ruleContextFromConfig } from '../config/routes.ts';
import { buildDeliveryRuntime, type DeliveryRuntime } from './runtime.ts';
import { scheduleFromConfig } from './respond-handler.ts';
import type { PipelineDeps } from './process-record.ts';

/**
 * Composition root for the SQS-driven Lambda functions: everything built once per cold start (config, sinks, stores,
 * rules, context). Handlers receive these and stay wiring only. A bad config throws a ConfigError listing every
 * problem, so the function fails at init instead of mis-routing.
 */
export interface LambdaDeps extends PipelineDeps, Pick<DeliveryRuntime, 'logger' | 'metrics'> {
  /** The invocation deadline the sinks read (begun per invocation by the batch handler); absent in some tests. */
  deadline?: DeliveryRuntime['deadline'];
}

/** Build the dependencies for one function (config from NETWATCH_CONFIG_PATH / NETWATCH_CONFIG_PARAMETER / default). */
export async function buildLambdaDeps(
  serviceName: string,
  env: NodeJS.ProcessEnv = process.env,
  telemetry?: Telemetry,
): Promise<LambdaDeps> {
  const runtime = await buildDeliveryRuntime(serviceName, env, telemetry);
  const deps: LambdaDeps = {
    rules: RULES,
    context: ruleContextFromConfig(runtime.config),
    delivery: runtime.delivery,
    approvals: runtime.approvals,
    logger: runtime.logger,
    metrics: runtime.metrics,
    deadline: runtime.deadline,
  };
  const enrich = enrichFromEnv(env);
  if (enrich !== undefined) deps.enrich = enrich;
  const respond = scheduleFromConfig(runtime);
  if (respond !== undefined) deps.respond = respond;
  const table = runtime.config.state.tableName;
  if (table !== undefined) {
    deps.state = new StateEngine({
      store: new DynamoStateStore(lazyDocumentClient(), table),
      knownAccounts: deps.context.knownAccounts,
      // Unknown state is looked up where enrichment is on (the same read-only permissions, plus EC2's prefix lists).
      ...(enrich !== undefined
        ? {
            lookup: new ApiStateLookup({
              resources: liveResourceConfig(),
              prefixListEntries: livePrefixListEntries(),
              ...(enrich.retry !== undefined ? { retry: enrich.retry } : {}),
            }),
          }
        : {}),
    });
  } else {
    runtime.logger.warn(
      'no state table configured (state.tableName / NETWATCH_STATE_TABLE): each change is judged on its own deltas; no episodes, no resolve',
    );
  }
  return deps;
}

/**
 * Enrichment from the environment: `NETWATCH_ENRICH=on` turns on the AWS look-ups (the function role needs
 * config:GetResourceConfigHistory, config:BatchGetResourceConfig and cloudtrail:LookupEvents);
 * `NETWATCH_ENRICH_WAIT_MS` bounds the actor look-up (default 2000). Off by default.
 */
export function enrichFromEnv(env: NodeJS.ProcessEnv = process.env): EnrichDeps | undefined {
  if (env['NETWATCH_ENRICH'] !== 'on') return undefined;
  const raw = env['NETWATCH_ENRICH_WAIT_MS'];
  const wait = Number(raw ?? '');
  if (raw !== undefined && (!Number.isInteger(wait) || wait < 0))
    throw new ConfigError('bad environment', [`NETWATCH_ENRICH_WAIT_MS: must be a whole number of ms, not "${raw}"`]);
  return {
    configHistory: liveConfigHistory(),
    trail: new TrailLookup(liveLookupEvents()),
    resources: liveResourceConfig(),
    ...(raw !== undefined ? { waitMs: wait } : {}),
  };
}
