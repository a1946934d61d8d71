import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { RULES } from '../../rules/index.ts';
import { liveSelect } from '../2-enrich/live-clients.ts';
import type { SelectApi } from '../2-enrich/inventory.ts';
import { DynamoStateStore } from '../3-state/dynamodb-store.ts';
import { StateEngine } from '../3-state/engine.ts';
import { InvocationApprovalCache } from '../5-decide/approvals/providers.ts';
import { ruleContextFromConfig } from '../config/routes.ts';
import { createAwsClients } from '../platform/aws/clients.ts';
import { lazyDocumentClient } from '../platform/aws/dynamodb.ts';
import { sdk } from '../platform/aws/sdk.ts';
import { ConfigError } from '../platform/errors.ts';
import type { Telemetry } from './cold-start.ts';
import { runReconciliation } from './reconcile-run.ts';
import { buildDeliveryRuntime, type DeliveryRuntime } from './runtime.ts';

/**
 * The scheduled reconciliation function (EventBridge schedule, daily by default: the `reconcileSchedule` deploy
 * parameter): reads the network resource types from AWS Config's advanced query, reconciles the state table, routes
 * what no event said, and on the first run sends the posture report (digest + HTML in the reports bucket). Throws when
 * a rule or a delivery failed — the invocation shows as an error (alarm) and Lambda's retry of the scheduled event
 * (the same `time`: the same run) sends only what is missing.
 *
 * Environment: `NETWATCH_RECONCILE_REGIONS` (Regions to query in this account, default the function's Region),
 * `NETWATCH_RECONCILE_AGGREGATOR` (org mode: query this Config aggregator instead), `NETWATCH_REPORTS_BUCKET` (where
 * posture reports go), and the state table of the config (`state.tableName` / `NETWATCH_STATE_TABLE`).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html (retries of asynchronous invocations)
 */

/** What the reconciliation function needs, built once per cold start. */
export interface ReconcileDeps
  extends Pick<DeliveryRuntime, 'delivery' | 'approvals' | 'logger' | 'metrics' | 'config'> {
  engine: StateEngine;
  select: SelectApi;
  regions: string[];
  aggregator?: string;
  writeReport?: (html: string, key: string) => Promise<string>;
}

/** Build the dependencies from the environment (fails fast: no state table, no Region). */
export async function buildReconcileDeps(
  serviceName: string,
  env: NodeJS.ProcessEnv = process.env,
  telemetry?: Telemetry,
): Promise<ReconcileDeps> {
  const runtime = await buildDeliveryRuntime(serviceName, env, telemetry);
  const table = runtime.config.state.tableName;
  if (table === undefined)
    throw new ConfigError('state table missing', [
      'state.tableName: required for reconciliation (or set NETWATCH_STATE_TABLE): the state it reconciles lives there',
    ]);
  const regions = (env['NETWATCH_RECONCILE_REGIONS'] ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const home = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  if (regions.length === 0 && home !== undefined) regions.push(home);
  if (regions.length === 0)
    throw new ConfigError('no Region', [
      'NETWATCH_RECONCILE_REGIONS: set it (or AWS_REGION) to the Regions to reconcile',
    ]);
  const aggregator = env['NETWATCH_RECONCILE_AGGREGATOR'] || undefined;
  const bucket = env['NETWATCH_REPORTS_BUCKET'] || undefined;
  const s3 = bucket !== undefined ? createAwsClients().s3 : undefined;
  return {
    config: runtime.config,
    delivery: runtime.delivery,
    approvals: runtime.approvals,
    logger: runtime.logger,
    metrics: runtime.metrics,
    engine: new StateEngine({
      store: new DynamoStateStore(lazyDocumentClient(), table),
      knownAccounts: ruleContextFromConfig(runtime.config).knownAccounts,
    }),
    select: liveSelect(),
    regions,
    ...(aggregator !== undefined ? { aggregator } : {}),
    ...(bucket !== undefined && s3 !== undefined
      ? {
          writeReport: async (html: string, key: string) => {
            await s3.send(
              new (sdk.s3().PutObjectCommand)({
                Bucket: bucket,
                Key: key,
                Body: html,
                ContentType: 'text/html; charset=utf-8',
              }),
            );
            return `s3://${bucket}/${key}`;
          },
        }
      : {}),
  };
}

/** The handler body: one run per scheduled event (its `time` names the run). */
export function reconcileHandler(deps: ReconcileDeps): (event: { time?: string } | undefined) => Promise<{
  resources: number;
  findings: number;
  posture: number | null;
}> {
  return async (event) => {
    const scheduled = Date.parse(event?.time ?? '');
    const now = Number.isFinite(scheduled) ? new Date(scheduled) : new Date();
    const result = await runReconciliation({
      engine: deps.engine,
      select: deps.select,
      regions: deps.regions,
      ...(deps.aggregator !== undefined ? { aggregator: deps.aggregator } : {}),
      rules: RULES,
      context: ruleContextFromConfig(deps.config),
      delivery: { deps: deps.delivery, approvals: new InvocationApprovalCache(deps.approvals) },
      ...(deps.writeReport !== undefined ? { writeReport: deps.writeReport } : {}),
      now: () => now,
    });
    deps.metrics.addMetric('ReconciledResources', MetricUnit.Count, result.resources);
    deps.metrics.addMetric('ReconcileRequests', MetricUnit.Count, result.requests);
    deps.metrics.addMetric('ReconcileFindings', MetricUnit.Count, result.findings.length);
    deps.logger.info('reconciliation', {
      requests: result.requests,
      throttled: result.throttled,
      resources: result.resources,
      saved: result.reconciliation.saved,
      unchanged: result.reconciliation.unchanged,
      scopes: result.reconciliation.scopes,
      findings: result.findings.length,
      posture: result.posture?.findings.length ?? null,
      report: result.postureLocation ?? null,
      rowErrors: result.rowErrors,
    });
    if (result.failures.length > 0)
      throw new AggregateError(result.failures, result.failures.map((f) => f.message).join('; '));
    return {
      resources: result.resources,
      findings: result.findings.length,
      posture: result.posture?.findings.length ?? null,
    };
  };
}
