import type { Finding } from '../../../model/finding.ts';
import type { DigestNotice, Notice } from '../../../model/notice.ts';
import { eventLink, findingLink } from './console-link.ts';
import { digestKey, severityCounts } from './digest.ts';
import { digestHeadline, findingHeadline } from './headline.ts';
import { renderActor, renderApproval, renderDelta } from './text.ts';
import { trafficLines } from './traffic.ts';
import { whatToCheck } from './what-to-check.ts';
import { printableCopy } from '../../../platform/printable.ts';

/**
 * The full plain-text page a human reads (SNS email, the body of tickets): what changed (before → after where known),
 * who, when and where, why it is risky, what to check, approval state, links, fingerprint. Plain text because SNS email
 * subscriptions deliver text only.
 */

/** How much to leave out when a message must shrink (see the sinks' size budgets). */
export interface ShortenOptions {
  /** Show at most this many deltas / findings; the rest are counted, not listed. */
  maxItems?: number;
  /** Why items were left out, appended to the "… N more" line. */
  reason?: string;
}

const DEFAULT_REASON =
  'this message was shortened to fit the delivery size limit; the full finding is in the change record / audit archive';

function section(title: string, lines: readonly string[]): string {
  return `${title}\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

function listed<T>(items: readonly T[], render: (item: T) => string, options: ShortenOptions, noun: string): string[] {
  const max = options.maxItems ?? items.length;
  const lines = items.slice(0, max).map((item) => `- ${render(item)}`);
  const left = items.length - Math.min(max, items.length);
  if (left > 0) lines.push(`… and ${left} more ${noun} not shown (SHORTENED: ${options.reason ?? DEFAULT_REASON})`);
  return lines;
}

/** The section titles; each appears exactly once, at the start of a line, and no record text can start a line. */
export const EMAIL_SECTIONS = [
  'WHAT CHANGED',
  'WHO',
  'WHEN / WHERE',
  'WHY IT IS RISKY',
  'WHAT TO CHECK',
  'APPROVAL',
  'LINKS',
] as const;

/**
 * The email text for one finding. Record strings are {@link printableCopy}'d first: a newline in a name or a policy
 * value cannot start a line, so it cannot forge an `APPROVAL` or `LINKS` section; the summary is indented like
 * section bodies for the same reason.
 */
export function renderFindingEmail(input: Notice, options: ShortenOptions = {}): string {
  const notice = printableCopy(input);
  const f = notice.finding;
  const link = findingLink(f);
  const event = eventLink(f);
  const approval = notice.approval;
  const who = [renderActor(f.actor)];
  if (f.api) who.push(`API call: ${f.api.source} ${f.api.name}`);
  return [
    ...(notice.traffic
      ? [
          `FOLLOW-UP ${findingHeadline(f)}`,
          section('TRAFFIC SINCE IT OPENED (VPC flow logs)', trafficLines(notice.traffic)),
          'The finding this follows up:',
        ]
      : [findingHeadline(f)]),
    `  ${f.summary}`,
    section('WHAT CHANGED', [
      `${f.resource.type} ${f.resource.id}${f.resource.name !== undefined ? ` (${f.resource.name})` : ''}${f.resource.vpcId !== undefined ? ` in ${f.resource.vpcId}` : ''}`,
      ...listed(f.evidence, renderDelta, options, 'change(s)'),
    ]),
    section('WHO', who),
    section('WHEN / WHERE', [
      `${f.at}, account ${f.account}, region ${f.region} (seen in ${f.source}, change ${f.changeId})`,
    ]),
    section(
      'WHY IT IS RISKY',
      f.why.length ? f.why.map((w) => `- ${w}`) : [`- rule ${f.ruleId} graded this ${f.severity}`],
    ),
    section('WHAT TO CHECK', [whatToCheck(f)]),
    section('APPROVAL', [renderApproval(approval)]),
    section('LINKS', [`Console: ${link}`, ...(event !== undefined ? [`CloudTrail event: ${event}`] : [])]),
    `Rule: ${f.ruleId}  Category: ${f.category}  Severity: ${f.severity}`,
    `Fingerprint: ${f.fingerprint}`,
    `Routes: ${notice.routes.join(', ') || '(none)'}`,
  ].join('\n\n');
}

function digestLine(f: Finding): string {
  const who = f.actor?.arn ?? 'unknown actor';
  return `${f.at} [${f.severity}] ${f.resource.id} (${f.region}): ${f.summary} by ${who} — ${findingLink(f)} fp ${f.fingerprint}`;
}

/** The email text for a digest: one page summarizing the N findings of one (account, rule) in a window. */
export function renderDigestEmail(input: DigestNotice, options: ShortenOptions = {}): string {
  const digest = printableCopy(input);
  const first = digest.findings[0];
  return [
    digestHeadline(digest),
    digest.title !== undefined
      ? `${digest.findings.length} open exposures (${severityCounts(digest.findings)}), as of ${digest.windowEnd}.${digest.report !== undefined ? ` Full report: ${digest.report}` : ''}`
      : `${digest.findings.length} findings of rule ${digest.ruleId} in account ${digest.account} between ${digest.windowStart} and ${digest.windowEnd} were collected into this one page (${severityCounts(digest.findings)}).`,
    section('FINDINGS', listed(digest.findings, digestLine, options, 'finding(s)')),
    ...(first
      ? [
          section(
            'WHY IT IS RISKY',
            first.why.map((w) => `- ${w}`),
          ),
          section('WHAT TO CHECK', [whatToCheck(first)]),
        ]
      : []),
    `Digest key: ${digestKey(digest)}`,
  ].join('\n\n');
}

export function renderEmail(notice: Notice | DigestNotice, options: ShortenOptions = {}): string {
  return notice.kind === 'finding' ? renderFindingEmail(notice, options) : renderDigestEmail(notice, options);
}

/** Number of listable items (deltas or findings): what shortening steps through. */
export function itemCount(notice: Notice | DigestNotice): number {
  return notice.kind === 'finding' ? notice.finding.evidence.length : notice.findings.length;
}
