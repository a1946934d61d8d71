import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { ApprovalStoreError, DynamoApprovalStore } from '../5-decide/approvals/dynamodb-store.ts';
import { approvalSchema, toApproval } from '../5-decide/approvals/model.ts';
import { planLines, syncSecretRefs, syncSource, type SyncPlan } from '../6-deliver/change-systems/approvals-sync.ts';
import { loadRuntimeConfig } from '../config/runtime-config.ts';
import type { NetwatchConfig } from '../config/schema.ts';
import { createAwsClients } from '../platform/aws/clients.ts';
import { lazyDocumentClient } from '../platform/aws/dynamodb.ts';
import { ParametersSecretResolver, type SecretResolver } from '../platform/aws/secrets.ts';
import { ConfigError, errorText } from '../platform/errors.ts';
import { createTelemetry, type Telemetry } from './cold-start.ts';

/**
 * The two ways approved changes come in from the change-management system (docs/change-management.md):
 * - the scheduled **approvals sync** (function `approvalsSync`): every source of the config's `approvals.sync` read and
 *   written into the approvals table (shared/6-deliver/change-systems/approvals-sync.ts);
 * - the **inbound endpoint** (function `approvalsInbound`, a Lambda function URL): a change system that pushes sends
 *   one approval (or its cancellation) as an HMAC-signed request.
 */

/** The approvals table of a config, or a ConfigError saying how to name one. */
function approvalsTable(config: NetwatchConfig): string {
  const table = config.approvals.dynamodb?.tableName;
  if (!table)
    throw new ConfigError('approvals table missing', [
      'approvals.dynamodb.tableName: required to write approvals (or set NETWATCH_APPROVALS_TABLE)',
    ]);
  return table;
}

export interface SyncRuntime {
  config: NetwatchConfig;
  store: DynamoApprovalStore;
  secrets: SecretResolver;
  logger: Logger;
  metrics: Metrics;
  fetch?: typeof fetch;
}

/** Cold start of the sync function: config, table, and every source's credentials resolved up front. */
export async function buildSyncRuntime(
  env: NodeJS.ProcessEnv = process.env,
  telemetry: Telemetry = createTelemetry('netwatch-approvals-sync'),
): Promise<SyncRuntime> {
  const { config } = await loadRuntimeConfig(env);
  const secrets = new ParametersSecretResolver(createAwsClients());
  await secrets.prefetch(config.approvals.sync.flatMap(syncSecretRefs));
  return {
    config,
    store: new DynamoApprovalStore(lazyDocumentClient(), approvalsTable(config)),
    secrets,
    ...telemetry,
  };
}

/**
 * The sync function's body: each source in turn; one source failing (its system down) does not stop the others, and
 * the invocation then fails (alarm), to be retried by the next schedule.
 */
export function approvalsSyncHandler(runtime: SyncRuntime): () => Promise<{ sources: SyncPlan[] }> {
  return async () => {
    const plans: SyncPlan[] = [];
    const failures: string[] = [];
    if (runtime.config.approvals.sync.length === 0)
      runtime.logger.warn('no approvals.sync sources in the config: nothing to sync');
    for (const source of runtime.config.approvals.sync) {
      try {
        const plan = await syncSource(source, runtime.store, {
          secrets: runtime.secrets,
          ...(runtime.fetch ? { fetch: runtime.fetch } : {}),
        });
        plans.push(plan);
        runtime.logger.info('approvals sync', { source: source.name, plan: planLines(plan, false) });
        runtime.metrics.addMetric('ApprovalsSynced', MetricUnit.Count, plan.upserts.length);
        runtime.metrics.addMetric('ApprovalsRemoved', MetricUnit.Count, plan.deletes.length);
        // A request that could not become an approval is news for the change team, not an error of the function.
        runtime.metrics.addMetric('ApprovalsNotUsable', MetricUnit.Count, plan.reported.length);
        for (const r of plan.reported)
          runtime.logger.warn('change request not approved', { source: source.name, ...r });
      } catch (error) {
        failures.push(`${source.name}: ${errorText(error)}`);
        runtime.logger.error('approvals sync failed', { source: source.name, error: errorText(error) });
      }
    }
    if (failures.length) throw new Error(`approvals sync failed for ${failures.join('; ')}`);
    return { sources: plans };
  };
}

// ── Inbound endpoint ───────────────────────────────────────────────────────────────────────────────────────────

/** What a change system pushes: an approval (the config's approval fields) or the cancellation of a ticket. */
export const inboundRequestSchema = z.lazy(() =>
  z.discriminatedUnion('action', [
    z.strictObject({ action: z.literal('approve'), approval: approvalSchema }),
    z.strictObject({ action: z.literal('cancel'), ticket: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/) }),
  ]),
);

/** The HTTP event of a Lambda function URL (payload format 2.0), as much of it as is read. */
export interface FunctionUrlEvent {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string } };
}

export interface InboundDeps {
  store: Pick<DynamoApprovalStore, 'putSynced' | 'deleteSynced' | 'ticketRows' | 'rememberRequest'>;
  /** The HMAC key shared with the change system. */
  secret: () => Promise<string>;
  now?: () => Date;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Accepted clock skew / replay window, seconds (default 300). */
  windowSeconds?: number;
}

const SOURCE = 'inbound';

function answer(statusCode: number, body: Record<string, unknown>) {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): the webhook sink's own scheme, the other way. */
export function inboundSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/**
 * The inbound endpoint: `POST` with `X-Netwatch-Timestamp` (unix seconds) and `X-Netwatch-Signature`
 * (`sha256=` HMAC-SHA256 of `timestamp.body` with the shared secret). Refused: a bad or missing signature (401), a
 * timestamp outside ±5 minutes (401), the same signed request again (409: each is remembered for the window), a
 * body that is not a valid approval — checked like `approvals.static` in the config — (400, every problem listed).
 * Accepted: the approval's rows written (one per account, `syncedBy: inbound`; rows someone else wrote are left alone,
 * 409), or a cancellation's rows removed.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
export function inboundHandler(deps: InboundDeps) {
  const window = deps.windowSeconds ?? 300;
  return async (event: FunctionUrlEvent) => {
    const method = event.requestContext?.http?.method ?? 'POST';
    if (method !== 'POST') return answer(405, { error: 'POST only' });
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
    const timestamp = headers['x-netwatch-timestamp'] ?? '';
    const signature = headers['x-netwatch-signature'] ?? '';
    const now = (deps.now?.() ?? new Date()).getTime();
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > window)
      return answer(401, { error: `X-Netwatch-Timestamp missing or more than ${window} s from now` });
    const expected = Buffer.from(inboundSignature(await deps.secret(), timestamp, body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return answer(401, { error: 'bad X-Netwatch-Signature' });
    const id = createHash('sha256').update(signature).digest('hex');
    if (!(await deps.store.rememberRequest(id, new Date((Number(timestamp) + window * 2) * 1000))))
      return answer(409, { error: 'this signed request was received already (replay)' });
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return answer(400, { problems: ['the body is not JSON'] });
    }
    const parsed = inboundRequestSchema.safeParse(value);
    if (!parsed.success)
      return answer(400, {
        problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
      });
    const request = parsed.data;
    const ticket = request.action === 'approve' ? request.approval.ticket : request.ticket;
    const rows = await deps.store.ticketRows(ticket);
    const ours = rows.filter((r) => r['syncedBy'] === SOURCE);
    if (request.action === 'cancel') {
      let removed = 0;
      for (const r of ours) if (await deps.store.deleteSynced(ticket, String(r['sk']), SOURCE)) removed += 1;
      deps.logger?.info('inbound cancellation', { ticket, removed });
      return answer(200, { ticket, removed });
    }
    const approval = toApproval(request.approval, 'dynamodb');
    const accounts = !approval.accounts || approval.accounts.includes('*') ? ['*'] : approval.accounts;
    try {
      for (const account of accounts)
        await deps.store.putSynced(approval, account, SOURCE, { changeState: 'approved' });
    } catch (error) {
      if (error instanceof ApprovalStoreError) return answer(409, { error: error.message });
      throw error;
    }
    let removed = 0;
    for (const r of ours)
      if (!accounts.includes(String(r['sk']).replace(/^ACCOUNT#/, '')))
        if (await deps.store.deleteSynced(ticket, String(r['sk']), SOURCE)) removed += 1;
    deps.logger?.info('inbound approval', { ticket, accounts, removed });
    return answer(200, { ticket, accounts, removed });
  };
}

/** Cold start of the inbound function: config (the table), the HMAC secret's SSM parameter. */
export async function buildInbound(env: NodeJS.ProcessEnv = process.env, telemetry?: Telemetry) {
  const { config } = await loadRuntimeConfig(env);
  const parameter = env['NETWATCH_INBOUND_SECRET_PARAMETER'];
  if (!parameter)
    throw new ConfigError('inbound secret missing', [
      'NETWATCH_INBOUND_SECRET_PARAMETER: the SSM parameter holding the HMAC key (deploy param approvalsInboundSecretParameter)',
    ]);
  const secrets = new ParametersSecretResolver(createAwsClients());
  await secrets.prefetch([{ ssm: parameter }]);
  return inboundHandler({
    store: new DynamoApprovalStore(lazyDocumentClient(), approvalsTable(config)),
    secret: () => secrets.resolve({ ssm: parameter }),
    ...(telemetry ? { logger: telemetry.logger } : {}),
  });
}
