import type { Finding } from '../../../model/finding.ts';
import type { DigestNotice, Notice } from '../../../model/notice.ts';
import { digestSeverity, worstFinding } from './digest.ts';

/**
 * The one line every channel starts with (email subject, SNS default text, Slack header, PagerDuty summary). Built
 * most-important-first, so any cut at the end keeps severity, what and where.
 */

/** `HIGH` etc. */
export function severityLabel(severity: string): string {
  return severity.toUpperCase();
}

/**
 * `[HIGH] Security group open to the world: sg-0a1b… (111122223333/eu-west-1)`; `[RESOLVED] … — closed: …` for the
 * record of a closed exposure episode.
 */
export function findingHeadline(finding: Finding): string {
  // A closed exposure episode is news of a resolution, whatever its (info) severity.
  if (finding.episode?.state === 'closed')
    return `[RESOLVED] ${finding.title}: ${finding.resource.id} (${finding.account}/${finding.region})`;
  return `[${severityLabel(finding.severity)}] ${finding.title}: ${finding.resource.id} (${finding.account}/${finding.region})`;
}

/** `[HIGH] 12 findings of sg-open-world in 111122223333, 09:00–09:15Z`. */
export function digestHeadline(digest: DigestNotice): string {
  if (digest.title !== undefined)
    return `[${severityLabel(digestSeverity(digest))}] ${digest.title}: ${digest.findings.length} findings in ${digest.account}`;
  const title = worstFinding(digest)?.title ?? digest.ruleId;
  return `[${severityLabel(digestSeverity(digest))}] ${digest.findings.length} findings: ${title} (${digest.ruleId}) in ${digest.account}, ${digest.windowStart} to ${digest.windowEnd}`;
}

export function headline(notice: Notice | DigestNotice): string {
  if (notice.kind === 'digest') return digestHeadline(notice);
  return notice.traffic ? `[FOLLOW-UP] ${findingHeadline(notice.finding)}` : findingHeadline(notice.finding);
}

/** The one-line summary of a notice: the finding's, or the traffic evidence's for a follow-up. */
export function noticeSummary(notice: Notice): string {
  return notice.traffic ? notice.traffic.summary : notice.finding.summary;
}
