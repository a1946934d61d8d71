import type { InvocationDeadline } from '../platform/deadline.ts';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { type EvidenceDeps, gatherTrafficEvidence, wantsEvidence } from '../2-enrich/traffic/evidence.ts';
import type { ApprovalSource } from '../5-decide/approvals/model.ts';
import { deliverTrafficFollowUp, type FollowUpOutcome, trafficKey } from '../6-deliver/follow-up.ts';
import type { DeliveryDeps } from '../6-deliver/orchestrate.ts';
import { CATEGORIES } from '../model/category.ts';
import { resourceRefFields } from '../model/fields.ts';
import type { NetworkDelta } from '../model/change.ts';
import type { Finding } from '../model/finding.ts';
import { SEVERITIES } from '../model/severity.ts';
import { deliveringBatchHandler } from './partial-batch.ts';
import type { TrafficEvidence } from '../model/traffic.ts';
import { ConfigError, DeliveryError, MalformedInputError } from '../platform/errors.ts';

/**
 * The traffic-evidence function: fed by its own SQS queue (the `evidence-queue` sink of the stack's config: a `record`
 * route for risky findings of the evidence categories, delivered like any change record, with a queue delay so the
 * flow logs of the first minutes have arrived). Per record: parse the change record, claim the query for the
 * finding's fingerprint (one query at a time per finding; a finished one is never repeated), gather the evidence,
 * send it as a follow-up to the sinks that received the finding. The page never waits for any of this.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html (delivery: ~5 min to CloudWatch Logs)
 */

const findingSchema = z.lazy(() =>
  z.object({
    fingerprint: z.string().min(1).max(128),
    ruleId: z.string().min(1),
    title: z.string(),
    summary: z.string(),
    severity: z.enum(SEVERITIES),
    category: z.enum(CATEGORIES),
    resource: z.object({ ...resourceRefFields(), id: z.string().min(1) }),
    account: z.string(),
    region: z.string(),
    actor: z.looseObject({}).optional(),
    api: z.object({ source: z.string(), name: z.string() }).optional(),
    at: z.string(),
    source: z.enum(['cloudtrail', 'config']),
    changeId: z.string(),
    evidence: z.array(z.looseObject({ kind: z.string(), op: z.string() })),
    why: z.array(z.string()),
    related: z.array(z.string()).optional(),
  }),
);

const requestSchema = z.lazy(() =>
  z.looseObject({
    kind: z.enum(['finding', 'digest', 'evidence']),
    finding: findingSchema.optional(),
    /** Set by an episode trigger (issue 14): when the exposure opened. */
    openedAt: z.string().optional(),
  }),
);

/** What one queue message asks for. */
export type ParsedRequest =
  | { kind: 'evidence'; finding: Finding; since?: string }
  | { kind: 'ignored'; reason: string };

/**
 * Parse a queue message: a change record (`kind: finding` with its `finding`); follow-ups and digests are ignored
 * (the evidence queue never answers its own output). A body that is not a change record is a typed error.
 */
export function parseEvidenceRequest(body: string, where: { file: string }): ParsedRequest {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new MalformedInputError(
      `not valid JSON: ${(cause as Error).message}`,
      { ...where, path: '/body' },
      { cause },
    );
  }
  const parsed = requestSchema.safeParse(value);
  if (!parsed.success)
    throw new MalformedInputError(
      `not a change record: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
      { ...where, path: '/body' },
    );
  if (parsed.data.kind !== 'finding' || !parsed.data.finding)
    return { kind: 'ignored', reason: `change record of kind ${parsed.data.kind}` };
  const f = parsed.data.finding;
  const finding: Finding = { ...f, evidence: f.evidence as unknown as NetworkDelta[] } as Finding;
  if (!wantsEvidence(finding))
    return { kind: 'ignored', reason: `category ${finding.category} has no traffic evidence` };
  return { kind: 'evidence', finding, ...(parsed.data.openedAt ? { since: parsed.data.openedAt } : {}) };
}

/** Everything the function needs, built at cold start. */
export interface EvidenceHandlerDeps {
  evidence: EvidenceDeps;
  delivery: DeliveryDeps;
  approvals: ApprovalSource;
  /** Sinks never followed up on (the evidence queue's own sink). */
  exclude: readonly string[];
  logger: Logger;
  metrics: Metrics;
  /** The invocation deadline the sinks read (HTTP retries stop before it); begun per invocation by the handler. */
  deadline?: InvocationDeadline;
  /** Replaceable for tests. */
  gather?: typeof gatherTrafficEvidence;
}

/** One record's result. */
export interface EvidenceResult {
  state: 'ignored' | 'already-done' | 'gathered';
  evidence?: TrafficEvidence;
  followUp?: FollowUpOutcome;
}

/**
 * The query claim's pseudo-sink (`#` cannot start a sink name, so it never collides with one): leased for the query's
 * time limit plus a margin (a crashed holder's claim expires then).
 */
const QUERY_SINK = '#query';

/** Process one queue record; throws (SQS retries, then dead-letters) when a follow-up could not be delivered. */
export async function processEvidenceRecord(
  record: SQSRecord,
  deps: EvidenceHandlerDeps,
  approvals: ApprovalSource = deps.approvals,
): Promise<EvidenceResult> {
  const request = parseEvidenceRequest(record.body, { file: `sqs:${record.messageId}` });
  if (request.kind === 'ignored') {
    deps.logger.debug('evidence request ignored', { messageId: record.messageId, reason: request.reason });
    return { state: 'ignored' };
  }
  const { finding } = request;
  const delivery = deps.delivery;
  const now = delivery.now?.() ?? new Date();
  const leaseMs = (deps.evidence.timeoutMs ?? 120_000) + 60_000;
  const clock = { now, ttlMs: delivery.dedupWindowMs, leaseMs };
  const fingerprint = await delivery.store.canonicalFingerprint(finding, clock);
  const key = trafficKey(fingerprint);
  const claim = await delivery.store.claim(key, QUERY_SINK, clock);
  if (claim.state === 'done') return { state: 'already-done' };
  if (claim.state === 'busy')
    throw new DeliveryError(
      QUERY_SINK,
      `${key}: another invocation is querying these flow logs right now; retried later`,
    );
  let evidence: TrafficEvidence;
  let followUp: FollowUpOutcome;
  try {
    evidence = await (deps.gather ?? gatherTrafficEvidence)(
      { finding, ...(request.since ? { since: request.since } : {}) },
      deps.evidence,
    );
    deps.metrics
      .singleMetric()
      .addDimension('status', evidence.status)
      .addMetric('TrafficEvidence', MetricUnit.Count, 1);
    emitDeniedActions(deps, fingerprint, evidence);
    followUp = await deliverTrafficFollowUp(finding, evidence, approvals, delivery, deps.exclude);
  } catch (error) {
    await delivery.store.release(key, QUERY_SINK, claim.token);
    throw error;
  }
  deps.logger.info('traffic evidence', {
    fingerprint,
    status: evidence.status,
    summary: evidence.summary,
    delivered: followUp.delivered,
    already: followUp.alreadyDelivered,
    failed: followUp.failed.map((f) => f.message),
  });
  if (followUp.failed.length > 0) {
    // The retry queries again (bounded by the queue's maxReceiveCount) and sends only to the sinks still missing.
    await delivery.store.release(key, QUERY_SINK, claim.token);
    throw new AggregateError(followUp.failed, followUp.failed.map((f) => f.message).join('; '));
  }
  await delivery.store.complete(key, QUERY_SINK, 'delivered', clock);
  return { state: 'gathered', evidence, followUp };
}

/**
 * `AwsCallsDenied`: the calls AWS refused while gathering (`logs:StartQuery`, `ec2:Describe*`, a `logs:StopQuery` that
 * leaves a query running). The follow-up still goes out — saying "traffic unknown: logs:StartQuery denied" — but
 * every later finding would be just as blind, so each refused action counts (the `<function>-aws-calls-denied` alarm
 * pages on the first) and is logged with the finding's fingerprint. Never a silent downgrade.
 */
function emitDeniedActions(
  deps: Pick<EvidenceHandlerDeps, 'metrics' | 'logger'>,
  fingerprint: string,
  evidence: TrafficEvidence,
): void {
  const denied = evidence.denied ?? [];
  if (denied.length === 0) return;
  deps.metrics.addMetric('AwsCallsDenied', MetricUnit.Count, denied.length);
  for (const action of denied)
    deps.logger.warn('AWS call denied', { fingerprint, step: 'traffic-evidence', action, summary: evidence.summary });
}

/**
 * Cold-start deps from the environment the stack sets: `NETWATCH_FLOW_LOG_GROUPS` (the groups the role may query),
 * `NETWATCH_EVIDENCE_TIMEOUT_SECONDS` (time limit of the queries of one finding, default 120),
 * `NETWATCH_EVIDENCE_SINK` (the sink that feeds the queue: never followed up on), `NETWATCH_EVIDENCE_SAVED_QUERY`.
 */
export function evidenceSettingsFromEnv(env: NodeJS.ProcessEnv): {
  allowedLogGroups?: string[];
  timeoutMs: number;
  exclude: string[];
  savedQueryName?: string;
} {
  const list = (v: string | undefined) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const raw = env['NETWATCH_EVIDENCE_TIMEOUT_SECONDS'];
  const seconds = raw === undefined || raw === '' ? 120 : Number(raw);
  if (!Number.isInteger(seconds) || seconds < 5 || seconds > 840)
    throw new ConfigError('bad environment', [
      `NETWATCH_EVIDENCE_TIMEOUT_SECONDS: a whole number of seconds from 5 to 840, not "${raw}"`,
    ]);
  const groups = list(env['NETWATCH_FLOW_LOG_GROUPS']);
  return {
    ...(groups.length ? { allowedLogGroups: groups } : {}),
    timeoutMs: seconds * 1000,
    exclude: list(env['NETWATCH_EVIDENCE_SINK']),
    ...(env['NETWATCH_EVIDENCE_SAVED_QUERY'] ? { savedQueryName: env['NETWATCH_EVIDENCE_SAVED_QUERY'] } : {}),
  };
}

/** The SQS batch handler body (partial batch responses; approvals read once per account per invocation). */
export function evidenceBatchHandler(
  deps: EvidenceHandlerDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return deliveringBatchHandler(deps, async (record: SQSRecord, approvals): Promise<void> => {
    try {
      await processEvidenceRecord(record, deps, approvals);
    } catch (error) {
      deps.metrics.addMetric('RecordFailures', MetricUnit.Count, 1);
      deps.logger.error('evidence record failed', { messageId: record.messageId, error: error as Error });
      throw error;
    }
  });
}
