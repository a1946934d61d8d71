import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { RULES } from '../../rules/index.ts';
import { DynamoStateStore } from '../3-state/dynamodb-store.ts';
import { StateEngine } from '../3-state/engine.ts';
import { stateOfRecord } from '../3-state/lww.ts';
import { emptyClassified, judgeStateful } from '../4-classify/classify.ts';
import { InvocationApprovalCache } from '../5-decide/approvals/providers.ts';
import type { RespondPolicy, RevertCall } from '../5-decide/respond.ts';
import { deliverFindings } from '../6-deliver/orchestrate.ts';
import { respond, type ResponderDeps, type RevertApi } from '../6-deliver/respond/act.ts';
import type { QueueSend, RevertRequest, ScheduleDeps } from '../6-deliver/respond/schedule.ts';
import { allowlistsFromConfig, ruleContextFromConfig } from '../config/routes.ts';
import type { NetwatchConfig } from '../config/schema.ts';
import { elementKey, permissionKey } from '../model/state.ts';
import { createAwsClients } from '../platform/aws/clients.ts';
import { lazyDocumentClient } from '../platform/aws/dynamodb.ts';
import { sdk } from '../platform/aws/sdk.ts';
import { ConfigError, MalformedInputError } from '../platform/errors.ts';
import type { Telemetry } from './cold-start.ts';
import { partialBatchHandler } from './partial-batch.ts';
import { buildDeliveryRuntime, type DeliveryRuntime } from './runtime.ts';

/**
 * Composition of the opt-in response (docs/response.md): the scheduling side the ingest functions use, and the respond
 * function — an SQS consumer of the respond queue that acts on each revert request when its grace period ends.
 */

/** The response policy of a validated config's `respond` section. */
export function respondPolicy(section: NonNullable<NetwatchConfig['respond']>): RespondPolicy {
  return {
    dryRun: section.dryRun,
    graceMs: section.graceMinutes * 60_000,
    categories: section.categories,
    accounts: section.accounts,
  };
}

/** SQS SendMessage to the respond queue (through shared/platform/aws), delayed. */
export function respondQueue(queueUrl: string): QueueSend {
  const sqs = createAwsClients().sqs;
  return async (body, delaySeconds) => {
    await sqs.send(
      new (sdk.sqs().SendMessageCommand)({ QueueUrl: queueUrl, MessageBody: body, DelaySeconds: delaySeconds }),
    );
  };
}

/** The ingest functions' scheduling side, from the config (undefined without a `respond` section). */
export function scheduleFromConfig(runtime: Pick<DeliveryRuntime, 'config' | 'delivery'>): ScheduleDeps | undefined {
  const section = runtime.config.respond;
  if (section === undefined) return undefined;
  return {
    policy: respondPolicy(section),
    store: runtime.delivery.store,
    send: respondQueue(section.queueUrl),
    dedupWindowMs: runtime.delivery.dedupWindowMs,
    claimLeaseMs: runtime.delivery.claimLeaseMs,
  };
}

/** The EC2 calls of a revert, through the SDK clients (one per Region). */
export function liveRevertApi(): RevertApi {
  const clients = new Map<string, ReturnType<typeof createAwsClients>>();
  return async (call: RevertCall, region: string) => {
    let c = clients.get(region);
    if (c === undefined) clients.set(region, (c = createAwsClients({ region })));
    const ec2 = sdk.ec2();
    const command =
      call.api === 'RevokeSecurityGroupIngress'
        ? new ec2.RevokeSecurityGroupIngressCommand(call.input)
        : call.api === 'DeleteRoute'
          ? new ec2.DeleteRouteCommand(call.input as never)
          : new ec2.ReplaceRouteCommand(call.input as never);
    const answer = (await c.ec2.send(command as never)) as { $metadata?: { requestId?: string } };
    return answer.$metadata?.requestId !== undefined ? { requestId: answer.$metadata.requestId } : {};
  };
}

const RevertRequestSchema = z.lazy(() =>
  z.looseObject({
    kind: z.literal('revert'),
    fingerprint: z.string(),
    dueAt: z.string(),
    dryRun: z.boolean(),
    calls: z.array(
      z.looseObject({ api: z.enum(['RevokeSecurityGroupIngress', 'DeleteRoute', 'ReplaceRoute']), text: z.string() }),
    ),
    finding: z.looseObject({ fingerprint: z.string(), account: z.string(), region: z.string(), at: z.string() }),
  }),
);

/** What the respond function needs, built once per cold start. */
export interface RespondFunctionDeps
  extends Pick<DeliveryRuntime, 'logger' | 'metrics' | 'approvals' | 'delivery' | 'config'> {
  engine?: StateEngine;
  ec2: RevertApi;
  requeue: QueueSend;
}

/** Build from the environment: the config must have a `respond` section (the queue comes from it). */
export async function buildRespondDeps(
  serviceName: string,
  env: NodeJS.ProcessEnv = process.env,
  telemetry?: Telemetry,
): Promise<RespondFunctionDeps> {
  const runtime = await buildDeliveryRuntime(serviceName, env, telemetry);
  const section = runtime.config.respond;
  if (section === undefined)
    throw new ConfigError('respond section missing', [
      'respond: the respond function runs only with a respond section (queueUrl, accounts); deploy with respondAccounts',
    ]);
  const table = runtime.config.state.tableName;
  return {
    config: runtime.config,
    logger: runtime.logger,
    metrics: runtime.metrics,
    approvals: runtime.approvals,
    delivery: runtime.delivery,
    ...(table !== undefined
      ? {
          engine: new StateEngine({
            store: new DynamoStateStore(lazyDocumentClient(), table),
            knownAccounts: ruleContextFromConfig(runtime.config).knownAccounts,
          }),
        }
      : {}),
    ec2: liveRevertApi(),
    requeue: respondQueue(section.queueUrl),
  };
}

/** The responder's dependencies for one invocation (approvals read once per account). */
export function responderDeps(deps: RespondFunctionDeps, account: string, now?: () => Date): ResponderDeps {
  const approvals = new InvocationApprovalCache(deps.approvals);
  const recordRoutes = deps.delivery.routes.filter((r) => (r.kind ?? 'record') === 'record');
  const context = ruleContextFromConfig(deps.config);
  const engine = deps.engine;
  const failIfAny = (outcomes: Awaited<ReturnType<typeof deliverFindings>>) => {
    const failed = outcomes.flatMap((o) => o.failed);
    if (failed.length > 0) throw new AggregateError(failed, failed.map((f) => f.message).join('; '));
  };
  return {
    approvals,
    allowlists: allowlistsFromConfig(deps.config),
    ec2: deps.ec2,
    requeue: deps.requeue,
    account,
    ...(now !== undefined ? { now } : {}),
    record: async (findings) =>
      failIfAny(await deliverFindings(findings, approvals, { ...deps.delivery, routes: recordRoutes })),
    deliverCloses: async (findings) => failIfAny(await deliverFindings(findings, approvals, deps.delivery)),
    ...(engine !== undefined
      ? {
          stillThere: (request: RevertRequest) => stillThere(engine, request),
          applyRevert: async (change) => {
            const result = emptyClassified();
            await judgeStateful(change, { file: change.id }, { rules: RULES, context, state: engine }, result);
            if (result.errors.length > 0)
              throw new AggregateError(result.errors, result.errors.map((e) => e.message).join('; '));
            return result.findings.filter((f) => f.episode?.state === 'closed');
          },
        }
      : {}),
  };
}

/** Is what the request would undo still in the kept state? */
async function stillThere(engine: StateEngine, request: RevertRequest): Promise<boolean | undefined> {
  const region = request.finding.region;
  for (const call of request.calls) {
    const undo = call.undo;
    if (undo.kind === 'sg-permission') {
      const item = (await engine.store.load(region, [{ kind: 'security-group', id: undo.groupId }])).get(undo.groupId);
      if (item === undefined) return undefined;
      const state = stateOfRecord(item.record);
      if (
        state.kind === 'security-group' &&
        state.permissions.some((p) => permissionKey(p) === permissionKey(undo.permission))
      )
        return true;
    } else if (undo.kind === 'route') {
      const item = (await engine.store.load(region, [{ kind: 'route-table', id: undo.routeTableId }])).get(
        undo.routeTableId,
      );
      if (item === undefined) return undefined;
      const state = stateOfRecord(item.record);
      const added = elementKey({
        kind: 'route',
        destination: undo.destination,
        target: undo.beforeTarget ?? undo.target,
      });
      if (state.kind === 'route-table' && state.routes.some((r) => elementKey({ kind: 'route', ...r }) === added))
        return true;
    }
  }
  return false;
}

/** The respond function's SQS batch handler: each revert request alone (a failed one is retried alone). */
export function respondBatchHandler(
  deps: RespondFunctionDeps,
  now?: () => Date,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return partialBatchHandler((context) => {
    const account = context.invokedFunctionArn?.split(':')[4] ?? '';
    const responder = responderDeps(deps, account, now);
    return async (record: SQSRecord): Promise<void> => {
      const where = { file: `sqs:${record.messageId}`, path: '/body' };
      let parsed: unknown;
      try {
        parsed = JSON.parse(record.body);
      } catch (cause) {
        throw new MalformedInputError('revert request is not JSON', where, { cause });
      }
      const checked = RevertRequestSchema.safeParse(parsed);
      if (!checked.success)
        throw new MalformedInputError(`not a revert request: ${checked.error.issues[0]?.message ?? 'invalid'}`, where);
      const outcome = await respond(parsed as RevertRequest, responder);
      deps.metrics.addMetric(
        outcome.action === 'reverted'
          ? 'Reverted'
          : outcome.action === 'waiting'
            ? 'RevertsWaiting'
            : outcome.action === 'failed'
              ? 'RevertsFailed'
              : 'RevertsNotDone',
        MetricUnit.Count,
        1,
      );
      // A revert AWS refused for lack of permission: the <function>-aws-calls-denied alarm pages on the first.
      if (outcome.denied) deps.metrics.addMetric('AwsCallsDenied', MetricUnit.Count, outcome.denied);
      deps.logger.info('response', {
        fingerprint: (parsed as RevertRequest).fingerprint,
        action: outcome.action,
        result: outcome.response?.result ?? null,
        closes: outcome.closes.length,
      });
    };
  });
}
