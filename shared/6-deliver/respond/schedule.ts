import { planResponse, withPlan, type RespondPolicy, type RevertCall } from '../../5-decide/respond.ts';
import type { Finding } from '../../model/finding.ts';
import { DeliveryError, errorText } from '../../platform/errors.ts';
import { findingKey, type DeliveryStore } from '../ledger/store.ts';
import type { FindingOutcome } from '../orchestrate.ts';

/**
 * The first half of the opt-in response: plan it on the findings before they are delivered (so the page says what will
 * be reverted, or in dry run what would be), then — once delivered and known unapproved — put one revert request per
 * finding on the respond queue, delayed until the grace period ends. The ledger claims each request (`RESPOND`), so a
 * redelivered record never queues a second one. The responder (act.ts) decides at the end of the grace period.
 */

/** What a revert request on the queue holds. */
export interface RevertRequest {
  kind: 'revert';
  fingerprint: string;
  /** ISO time the grace period ends. */
  dueAt: string;
  dryRun: boolean;
  calls: RevertCall[];
  /** The finding as delivered (its `response` says what is planned). */
  finding: Finding;
}

/** Sends a message to the respond queue (SQS SendMessage with DelaySeconds). */
export type QueueSend = (body: string, delaySeconds: number) => Promise<void>;

/** What scheduling needs. */
export interface ScheduleDeps {
  policy: RespondPolicy;
  store: DeliveryStore;
  send: QueueSend;
  /** SQS delays a message 900 s at most; a longer grace is carried on by the responder (default 900). */
  maxDelaySeconds?: number;
  dedupWindowMs: number;
  claimLeaseMs: number;
  now?: () => Date;
}

/** The findings with their planned response (those that qualify); the others unchanged. */
export function planResponses(findings: readonly Finding[], policy: RespondPolicy, now: Date): Finding[] {
  return findings.map((f) => {
    const plan = planResponse(f, policy, now);
    return plan === undefined ? f : withPlan(f, plan, policy);
  });
}

/** The sink name revert requests are claimed under in the ledger. */
export const RESPOND_SINK = 'respond';

/**
 * Queue a revert request for each delivered finding with a planned response that no approval or allowlist covers.
 * Returns the failures (the record then fails and is retried: nothing scheduled twice, nothing lost).
 */
export async function scheduleResponses(
  outcomes: readonly FindingOutcome[],
  deps: ScheduleDeps,
): Promise<{ scheduled: string[]; failed: DeliveryError[] }> {
  const out = { scheduled: [] as string[], failed: [] as DeliveryError[] };
  const now = deps.now?.() ?? new Date();
  const clock = { now, ttlMs: deps.dedupWindowMs, leaseMs: deps.claimLeaseMs };
  for (const o of outcomes) {
    const f = o.finding;
    if (f.response === undefined || f.response.dueAt === undefined) continue;
    if (o.approval.state === 'approved' || o.approval.state === 'allowlisted') continue;
    const plan = planResponse(f, deps.policy, new Date(Date.parse(f.response.dueAt) - deps.policy.graceMs));
    if (plan === undefined) continue;
    const key = `${findingKey(f.fingerprint)}#RESPOND`;
    const claim = await deps.store.claim(key, RESPOND_SINK, clock);
    if (claim.state === 'done') continue;
    if (claim.state === 'busy') {
      out.failed.push(
        new DeliveryError(RESPOND_SINK, `another invocation is scheduling the response to ${f.fingerprint}`),
      );
      continue;
    }
    const request: RevertRequest = {
      kind: 'revert',
      fingerprint: f.fingerprint,
      dueAt: f.response.dueAt,
      dryRun: deps.policy.dryRun,
      calls: plan.calls,
      finding: f,
    };
    const wait = Math.ceil((Date.parse(f.response.dueAt) - now.getTime()) / 1000);
    try {
      await deps.send(JSON.stringify(request), Math.max(0, Math.min(deps.maxDelaySeconds ?? 900, wait)));
    } catch (error) {
      out.failed.push(
        new DeliveryError(RESPOND_SINK, `could not queue the response: ${errorText(error)}`, { cause: error }),
      );
      await deps.store.release(key, RESPOND_SINK, claim.token);
      continue;
    }
    await deps.store.complete(key, RESPOND_SINK, 'delivered', clock);
    out.scheduled.push(f.fingerprint);
  }
  return out;
}
