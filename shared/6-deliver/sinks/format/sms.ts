import type { DigestNotice, Notice } from '../../../model/notice.ts';
import { digestCategory, digestSeverity } from './digest.ts';
import { severityLabel } from './headline.ts';
import { shortActor } from './text.ts';
import { asciiLine } from './truncate.ts';

/**
 * SMS text, at most 140 characters, ASCII only. SNS counts 140 ASCII characters per SMS but only 70 once one UCS-2
 * character appears, and splits longer texts into several messages — so the page is built ASCII, most important first:
 * severity, category, resource, account, region, who, approval, short fingerprint.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Message constraints: SMS)
 */
export const SMS_MAX = 140;

export function renderSms(notice: Notice | DigestNotice): string {
  if (notice.kind === 'digest') {
    const text = `NETWATCH ${severityLabel(digestSeverity(notice))} ${notice.findings.length}x ${digestCategory(notice)} acct ${notice.account} ${notice.windowStart.slice(11, 16)}-${notice.windowEnd.slice(11, 16)}Z rule ${notice.ruleId}`;
    return asciiLine(text, SMS_MAX);
  }
  const f = notice.finding;
  if (notice.traffic)
    return asciiLine(
      `NETWATCH FOLLOW-UP ${f.resource.id} ${notice.traffic.summary} fp ${f.fingerprint.slice(0, 8)}`,
      SMS_MAX,
    );
  const who = shortActor(f.actor);
  const parts = [
    `NETWATCH ${severityLabel(f.severity)}`,
    f.category,
    f.resource.id,
    f.account,
    f.region,
    who !== undefined ? `by ${who}` : undefined,
    notice.approval.state.toUpperCase(),
    `fp ${f.fingerprint.slice(0, 8)}`,
  ];
  return asciiLine(parts.filter((p) => p !== undefined).join(' '), SMS_MAX);
}
