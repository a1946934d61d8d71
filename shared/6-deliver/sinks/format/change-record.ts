import type { ResourceRef } from '../../../model/change.ts';
import type { EpisodeRef } from '../../../model/exposure.ts';
import type { Finding } from '../../../model/finding.ts';
import type { ApprovalState, DigestNotice, Notice } from '../../../model/notice.ts';
import type { TrafficEvidence } from '../../../model/traffic.ts';
import { eventLink, findingLink } from './console-link.ts';
import { digestCategory, digestKey, digestRegion, digestSeverity, worstFinding } from './digest.ts';
import { headline } from './headline.ts';
import { trafficLines } from './traffic.ts';
import { renderActor, renderDelta } from './text.ts';
import { truncateChars, utf8Bytes } from './truncate.ts';

/**
 * The "change record": one JSON document per notice for machines — change-management tools (ServiceNow, Jira, any
 * webhook), SQS consumers, EventBridge rules and the S3 audit archive all receive the same shape, published as
 * `schemas/change-record.schema.json`, generated (`npm run generate:docs`) from the zod schema in
 * change-record-schema.ts; a field added here goes there too, or the tests that validate real records fail.
 * Additive changes keep `schemaVersion`; removing or retyping a field bumps it.
 */
export const CHANGE_RECORD_SCHEMA_VERSION = 1 as const;

export interface ChangeRecordApproval {
  state: ApprovalState;
  /** The change ticket that approved (or whose window expired), else null. */
  ticket: string | null;
  window: { start: string; end: string } | null;
  reason: string;
  allowlist: string | null;
}

export interface ChangeRecord {
  schemaVersion: typeof CHANGE_RECORD_SCHEMA_VERSION;
  /** `evidence`: a follow-up carrying the traffic evidence of a finding delivered before (same `fingerprint`). */
  kind: 'finding' | 'digest' | 'evidence';
  /**
   * Finding fingerprint, or the digest key: the key a receiver dedups on and finds its ticket by. A follow-up
   * (`kind: evidence`) carries the fingerprint of the finding it belongs to; its own delivery key (webhook
   * `Idempotency-Key`, FIFO deduplication id) is `<fingerprint>.traffic`.
   */
  fingerprint: string;
  ruleId: string;
  severity: string;
  category: string;
  account: string;
  region: string;
  /** The full finding (kind `finding`). */
  finding?: Finding;
  /** Traffic evidence (kind `evidence`): flow logs of the affected interfaces since the exposure opened. */
  traffic?: TrafficEvidence;
  /** The digest (kind `digest`). */
  digest?: { windowStart: string; windowEnd: string; count: number; findings: Finding[] };
  /** The change in human terms, for ticket titles and descriptions. */
  change: {
    title: string;
    summary: string;
    resource: ResourceRef | null;
    actor: string | null;
    at: string;
    /** One line per delta (or per finding for a digest). */
    details: string[];
    consoleUrl: string | null;
    eventUrl: string | null;
  };
  approval: ChangeRecordApproval;
  /** True only when an approved change covers the finding (state `approved`); allowlisted is not "approved". */
  approved: boolean;
  /**
   * The exposure episode the finding is about (kept state): `state: 'closed'` marks the record of a close, with who
   * closed it, when, and how long it was open (`openSeconds`).
   */
  episode?: EpisodeRef;
  routes: string[];
  /** Present when evidence or findings were left out to fit a size limit. */
  shortened?: { omitted: number; reason: string };
  /** ISO-8601 time this record was built for delivery. */
  deliveredAt: string;
}

const DIGEST_APPROVAL: ChangeRecordApproval = {
  state: 'unapproved',
  ticket: null,
  window: null,
  reason: 'digest: approvals are reconciled per finding, not per digest',
  allowlist: null,
};

/** Build the change record of a notice. */
export function buildChangeRecord(notice: Notice | DigestNotice, now: Date): ChangeRecord {
  if (notice.kind === 'finding') {
    const f = notice.finding;
    const a = notice.approval;
    return {
      schemaVersion: CHANGE_RECORD_SCHEMA_VERSION,
      kind: notice.traffic ? 'evidence' : 'finding',
      fingerprint: f.fingerprint,
      ruleId: f.ruleId,
      severity: f.severity,
      category: f.category,
      account: f.account,
      region: f.region,
      finding: f,
      ...(notice.traffic ? { traffic: notice.traffic } : {}),
      change: {
        title: headline(notice),
        summary: notice.traffic ? notice.traffic.summary : f.summary,
        resource: f.resource,
        actor: f.actor ? renderActor(f.actor) : null,
        at: f.at,
        details: notice.traffic ? trafficLines(notice.traffic) : f.evidence.map(renderDelta),
        consoleUrl: findingLink(f),
        eventUrl: eventLink(f) ?? null,
      },
      approval: {
        state: a.state,
        ticket: a.approval?.ticket ?? null,
        window: a.approval ? { start: a.approval.windowStart, end: a.approval.windowEnd } : null,
        reason: a.reason,
        allowlist: a.allowlist ?? null,
      },
      approved: a.state === 'approved',
      ...(f.episode !== undefined ? { episode: f.episode } : {}),
      routes: [...notice.routes],
      deliveredAt: now.toISOString(),
    };
  }
  const worst = worstFinding(notice);
  return {
    schemaVersion: CHANGE_RECORD_SCHEMA_VERSION,
    kind: 'digest',
    fingerprint: digestKey(notice),
    ruleId: notice.ruleId,
    severity: digestSeverity(notice),
    category: digestCategory(notice),
    account: notice.account,
    region: digestRegion(notice),
    digest: {
      windowStart: notice.windowStart,
      windowEnd: notice.windowEnd,
      count: notice.findings.length,
      findings: notice.findings,
    },
    change: {
      title: headline(notice),
      summary: `${notice.findings.length} findings of rule ${notice.ruleId} in account ${notice.account} between ${notice.windowStart} and ${notice.windowEnd}`,
      resource: null,
      actor: null,
      at: notice.windowEnd,
      details: notice.findings.map((f) => `${f.at} [${f.severity}] ${f.resource.id}: ${f.summary}`),
      consoleUrl: worst ? findingLink(worst) : null,
      eventUrl: null,
    },
    approval: DIGEST_APPROVAL,
    approved: false,
    routes: [],
    deliveredAt: now.toISOString(),
  };
}

/** The record with only the first `keep` deltas (or digest findings) and their detail lines. */
function keepItems(record: ChangeRecord, keep: number, total: number, reason: string): ChangeRecord {
  const omitted = total - keep;
  const out: ChangeRecord = {
    ...record,
    // A follow-up's details are the traffic lines (a few dozen at most), not one per delta: kept whole.
    change: {
      ...record.change,
      details: record.kind === 'evidence' ? record.change.details : record.change.details.slice(0, keep),
    },
    shortened: { omitted, reason },
  };
  if (record.finding) out.finding = { ...record.finding, evidence: record.finding.evidence.slice(0, keep) };
  if (record.digest) out.digest = { ...record.digest, findings: record.digest.findings.slice(0, keep) };
  return out;
}

/**
 * Shrink a record to at most `maxBytes` of JSON: keep as many deltas (digest: findings) as fit and record how many
 * were left out in `shortened`; if even none fit, cut the free texts. Never throws on size: a page that says "shortened"
 * beats a finding stuck in a DLQ.
 */
export function fitChangeRecord(
  record: ChangeRecord,
  maxBytes: number,
  reason = `shortened to fit ${maxBytes} bytes`,
): ChangeRecord {
  const size = (r: ChangeRecord) => utf8Bytes(JSON.stringify(r));
  if (size(record) <= maxBytes) return record;
  if (record.finding?.stateAfter !== undefined) {
    // The state after the change goes first: it can be large (a group with hundreds of rules) and is in AWS Config.
    const { stateAfter: _dropped, ...finding } = record.finding;
    return fitChangeRecord({ ...record, finding, shortened: { omitted: 0, reason } }, maxBytes, reason);
  }
  const total = record.finding ? record.finding.evidence.length : (record.digest?.findings.length ?? 0);
  let lo = 0;
  let hi = total;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(keepItems(record, mid, total, reason)) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  const fitted = keepItems(record, lo, total, reason);
  if (size(fitted) <= maxBytes) return fitted;
  const cut = (text: string) => truncateChars(text, 1000);
  const small: ChangeRecord = {
    ...fitted,
    change: { ...fitted.change, summary: cut(fitted.change.summary), title: cut(fitted.change.title) },
    ...(fitted.finding
      ? {
          finding: {
            ...fitted.finding,
            summary: cut(fitted.finding.summary),
            why: fitted.finding.why.slice(0, 10).map(cut),
          },
        }
      : {}),
  };
  return small;
}

/** The fitted record's JSON. */
export function changeRecordJson(
  notice: Notice | DigestNotice,
  now: Date,
  maxBytes?: number,
  reason?: string,
): { record: ChangeRecord; json: string } {
  const built = buildChangeRecord(notice, now);
  const record = maxBytes === undefined ? built : fitChangeRecord(built, maxBytes, reason);
  return { record, json: JSON.stringify(record) };
}
