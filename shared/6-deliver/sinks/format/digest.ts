import { createHash } from 'node:crypto';
import type { Finding } from '../../../model/finding.ts';
import type { DigestNotice, Notice } from '../../../model/notice.ts';
import { maxSeverity, severityRank, type Severity } from '../../../model/severity.ts';

/**
 * Facts about a digest every sink needs the same way: its severity (the worst finding's), its category, and a stable
 * identity. The identity is a hash of account + rule + window, so a redelivered digest dedups in PagerDuty and in
 * change-management tools exactly like a redelivered finding.
 */

/** Stable key of a digest: `digest-<32 hex>` over account, rule and window. */
export function digestKey(digest: Pick<DigestNotice, 'account' | 'ruleId' | 'windowStart' | 'windowEnd'>): string {
  const text = ['digest', digest.account, digest.ruleId, digest.windowStart, digest.windowEnd].join('\n');
  return `digest-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}

/** Worst severity in the digest. */
export function digestSeverity(digest: DigestNotice): Severity {
  return maxSeverity(...digest.findings.map((f) => f.severity));
}

/** The digest's category (one rule, so one category; the worst finding's when a rule ever emits several). */
export function digestCategory(digest: DigestNotice): string {
  return worstFinding(digest)?.category ?? 'unknown';
}

/** Region of the digest's findings: the single region, or `multiple`. */
export function digestRegion(digest: DigestNotice): string {
  const regions = new Set(digest.findings.map((f) => f.region));
  return regions.size === 1 ? ([...regions][0] ?? 'unknown') : regions.size === 0 ? 'unknown' : 'multiple';
}

/** The most severe finding (first of equals), or undefined for an empty digest. */
export function worstFinding(digest: DigestNotice): Finding | undefined {
  let worst: Finding | undefined;
  for (const f of digest.findings)
    if (worst === undefined || severityRank(f.severity) > severityRank(worst.severity)) worst = f;
  return worst;
}

/** `3 high, 1 medium`. */
export function severityCounts(findings: readonly Finding[]): string {
  const counts = new Map<Severity, number>();
  for (const f of findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => severityRank(b[0]) - severityRank(a[0]))
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

/**
 * The idempotency key of any notice: the finding's fingerprint, `<fingerprint>.traffic` for its traffic follow-up
 * (a second delivery about the same finding, which receivers must not drop as a duplicate), or the digest key.
 */
export function noticeKey(notice: Notice | DigestNotice): string {
  if (notice.kind === 'digest') return digestKey(notice);
  return notice.traffic ? `${notice.finding.fingerprint}.traffic` : notice.finding.fingerprint;
}
