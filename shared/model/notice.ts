import type { Finding } from './finding.ts';
import type { TrafficEvidence } from './traffic.ts';

/**
 * What a sink receives: a finding plus the delivery decisions made about it (approval reconciliation, routes). Sinks
 * format notices; they never decide routing.
 */

/**
 * How a finding relates to approved change requests: `approved` (an active approval covers it), `expired` (an approval
 * covered it but its window had ended before the change), `allowlisted` (known automation for this category), or
 * `unapproved`.
 */
export const APPROVAL_STATES = ['approved', 'unapproved', 'expired', 'allowlisted'] as const;

/** How a finding relates to approved change requests. */
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/** The approved change (ticket) a finding was reconciled with. */
export interface ApprovalRef {
  ticket: string;
  description?: string;
  /** ISO-8601 window start / end. */
  windowStart: string;
  windowEnd: string;
  /** Where the approval came from. */
  source: 'dynamodb' | 'config';
}

/** The verdict of reconciliation, with the reason a person reads. */
export interface ApprovalVerdict {
  state: ApprovalState;
  /** The approval that applied (or that had expired). */
  approval?: ApprovalRef;
  /** For `allowlisted`: the allowlist entry name. */
  allowlist?: string;
  reason: string;
}

/** One finding on its way to sinks. */
export interface Notice {
  kind: 'finding';
  finding: Finding;
  approval: ApprovalVerdict;
  /** Names of the routes that matched. */
  routes: string[];
  /**
   * Set on a follow-up: the traffic evidence gathered after the finding went out (flow logs since the exposure
   * opened). Sinks attach it to what they sent before — the same PagerDuty alert (same dedup_key), the same ticket
   * (the record's fingerprint) — under their own idempotency key (`<fingerprint>.traffic`).
   */
  traffic?: TrafficEvidence;
  /**
   * For the record of a closed episode (`finding.episode.state === 'closed'`) sent to a sink that paged it: the dedup
   * keys of its pages (their fingerprints) — PagerDuty sends `resolve` for each.
   */
  resolves?: string[];
}

/** Several findings of one (account, rule) collected during a storm window, paged once when the window closes. */
export interface DigestNotice {
  kind: 'digest';
  account: string;
  ruleId: string;
  /** ISO-8601 window start / end. */
  windowStart: string;
  windowEnd: string;
  findings: Finding[];
  /** A headline of its own (the posture report of a first reconciliation), instead of the rule's. */
  title?: string;
  /** Where the full report is (the posture report's HTML: `s3://bucket/key`). */
  report?: string;
}

/** The default verdict when no approvals are configured. */
export const UNAPPROVED: ApprovalVerdict = { state: 'unapproved', reason: 'no approved change covers this finding' };
