import type { ApprovalSource } from '../5-decide/approvals/model.ts';
import type { Finding } from '../model/finding.ts';
import type { Notice } from '../model/notice.ts';
import type { TrafficEvidence } from '../model/traffic.ts';
import type { DeliveryError } from '../platform/errors.ts';
import { findingKey } from './ledger/store.ts';
import { decide, type DeliveryDeps } from './orchestrate.ts';
import { sendOnce } from './send.ts';

/**
 * Traffic follow-ups: the evidence gathered after a finding went out is sent to exactly the sinks that received the
 * finding — the ledger says which (`FP#<fingerprint>` rows with status `delivered`) — so it lands on the same
 * PagerDuty alert and the same ticket, and never pages anyone the finding did not page (approved, allowlisted or
 * storm-digested findings get no follow-up on the paging sinks that skipped them). Each (follow-up, sink) goes through
 * the ledger under `TRAFFIC#<fingerprint>`: a retry after a partial failure sends only what is missing.
 */

/** Ledger key of a finding's traffic follow-up (also the key the evidence step claims while it queries). */
export const trafficKey = (fingerprint: string): string => `TRAFFIC#${fingerprint}`;

/** What happened to one follow-up. */
export interface FollowUpOutcome {
  fingerprint: string;
  delivered: string[];
  alreadyDelivered: string[];
  /** Sinks that did not get the finding itself (so get no follow-up). */
  skipped: string[];
  failed: DeliveryError[];
}

/**
 * Send `traffic` as a follow-up of `finding`. `exclude` names sinks never to follow up on (the queue that carried the
 * evidence request). Failures are returned, not thrown: the caller fails its SQS record so the retry completes them.
 */
export async function deliverTrafficFollowUp(
  finding: Finding,
  traffic: TrafficEvidence,
  approvals: ApprovalSource,
  deps: DeliveryDeps,
  exclude: readonly string[] = [],
): Promise<FollowUpOutcome> {
  const now = deps.now?.() ?? new Date();
  const clock = { now, ttlMs: deps.dedupWindowMs, leaseMs: deps.claimLeaseMs };
  const fingerprint = await deps.store.canonicalFingerprint(finding, clock);
  const outcome: FollowUpOutcome = { fingerprint, delivered: [], alreadyDelivered: [], skipped: [], failed: [] };
  const rows = await deps.store.ledger(findingKey(fingerprint));
  const reached = new Set(rows.filter((r) => r.status === 'delivered').map((r) => r.sink));
  for (const r of rows) if (r.status !== 'delivered' && !exclude.includes(r.sink)) outcome.skipped.push(r.sink);
  const { approval, decision } = await decide(finding, approvals, deps);
  const notice: Notice = { kind: 'finding', finding, approval, routes: decision.routes, traffic };
  const key = trafficKey(fingerprint);
  for (const name of [...reached].filter((s) => !exclude.includes(s)).sort()) {
    const result = await sendOnce(deps, key, name, notice, clock, {
      context: 'traffic follow-up',
      busy: `another invocation is sending ${key} right now; retry later`,
    });
    if (result === 'sent') outcome.delivered.push(name);
    else if (result === 'already') outcome.alreadyDelivered.push(name);
    else outcome.failed.push(result);
  }
  return outcome;
}
