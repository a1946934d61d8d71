import type { DigestNotice, Notice } from '../../../model/notice.ts';
import { digestKey, noticeKey } from './digest.ts';
import { renderEmail } from './email.ts';
import { headline } from './headline.ts';
import { truncateChars, truncateUtf8 } from './truncate.ts';

/**
 * What the ticket sinks (ServiceNow, Jira, Security Hub) share: which ticket a notice belongs to, the marker that makes
 * a retried update idempotent, and the encoders that keep attacker-controlled text (tag values, group names,
 * descriptions, user agents — anything in a record) from becoming markup in the remote system.
 *
 * One ticket per **exposure episode** (a finding about an exposure: the episode id), otherwise per finding (its
 * fingerprint), or per digest (its key). Both are deterministic, so a redelivery, the second source of a change and a
 * later change of the same episode all find the same ticket; a hole closed and opened again is a new episode, a new
 * ticket.
 */

/** The ticket identity of a notice: `ep-…` (episode), the fingerprint, or `digest-…`. */
export function ticketKey(notice: Notice | DigestNotice): string {
  if (notice.kind === 'digest') return digestKey(notice);
  return notice.finding.episode?.id ?? notice.finding.fingerprint;
}

/**
 * The marker written into every description / note / comment a ticket sink adds: `[netwatch:<notice key>]` (the
 * fingerprint, `<fingerprint>.traffic` for a traffic follow-up, or the digest key). Before adding a note the sink
 * looks for the marker, so a retried or redelivered notice never adds its note twice.
 */
export function noticeMarker(notice: Notice | DigestNotice): string {
  return `[netwatch:${noticeKey(notice)}]`;
}

/** True when the notice is the record of a closed exposure episode: the ticket is resolved, not created. */
export function isClose(notice: Notice | DigestNotice): notice is Notice {
  return notice.kind === 'finding' && notice.finding.episode?.state === 'closed' && notice.traffic === undefined;
}

/** Control characters other than tab and newline (C0, DEL, C1) and the Unicode line / paragraph separators. */
function isControl(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029
  );
}

/** Plain text safe to store anywhere: control characters removed, lines kept (CR LF and CR become LF). */
export function plainText(text: string): string {
  let out = '';
  for (const ch of text.replace(/\r\n?/g, '\n')) if (!isControl(ch.codePointAt(0) ?? 0)) out += ch;
  return out;
}

/** One line (titles, short descriptions): whitespace runs collapsed, at most `max` characters. */
export function oneLine(text: string, max: number): string {
  return truncateChars(plainText(text).replace(/\s+/g, ' ').trim(), max);
}

/**
 * Text for ServiceNow fields and journal entries (work notes). ServiceNow renders `[code]…[/code]` in journal fields as
 * HTML, so a tag value carrying `[code]<img onerror=…>[/code]` would be markup in every agent's browser: the tags are
 * defanged (brackets become parentheses). A value starting with `javascript:` is prefixed, so no field ever holds
 * something ServiceNow could read as a script value.
 * @see https://www.servicenow.com/docs/bundle/utah-platform-administration/page/administer/security/reference/r_HTMLSanitizer.html
 */
export function serviceNowText(text: string): string {
  const defanged = plainText(text).replace(/\[(\s*\/?\s*code\s*)\]/gi, '($1)');
  return /^\s*javascript:/i.test(defanged) ? `text: ${defanged}` : defanged;
}

/**
 * Text for Jira Data Center's wiki markup (REST v2 descriptions and comments): every markup character is escaped
 * with a backslash, so `*bold*`, `[link|…]`, `{noformat}`, `!image.png!`, tables and macros in a record stay text, and a
 * line cannot start a heading (`h1.`) or a quote (`bq.`).
 * @see https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa?section=all
 */
export function jiraWikiText(text: string): string {
  return plainText(text)
    .replace(/([\\{}[\]|*_+^~!#?\-&@<>()])/g, '\\$1')
    .replace(/^(\s*)(h[1-6]|bq)\./gim, '$1$2\\.');
}

/**
 * Atlassian Document Format (Jira Cloud, REST v3): one paragraph per line, each a plain `text` node — ADF has no
 * markup to inject, the text is data. Empty lines are kept as empty paragraphs.
 * @see https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
 */
export function adfDocument(lines: readonly string[]): Record<string, unknown> {
  return {
    type: 'doc',
    version: 1,
    content: lines.map((line) => {
      const text = plainText(line);
      return text === ''
        ? { type: 'paragraph', content: [] }
        : { type: 'paragraph', content: [{ type: 'text', text }] };
    }),
  };
}

/** The ticket's title: the headline (severity, title, resource, account/region), one line. */
export function ticketTitle(notice: Notice | DigestNotice, max: number): string {
  return oneLine(headline(notice), max);
}

/**
 * The ticket's body as lines: the same text a paged human reads by email (what changed, who, when/where, why, what
 * to check, approval, links, fingerprint), then the marker. Cut to `maxBytes` (the marker always kept).
 */
export function ticketBody(notice: Notice | DigestNotice, maxBytes: number): string[] {
  const marker = noticeMarker(notice);
  const text = truncateUtf8(plainText(renderEmail(notice)), Math.max(1024, maxBytes - marker.length - 2));
  return [...text.split('\n'), '', marker];
}

/** The lines of a later note on an existing ticket: a new change of the episode, a traffic follow-up, or the close. */
export function ticketNote(notice: Notice | DigestNotice, maxBytes: number): string[] {
  if (isClose(notice)) {
    const e = notice.finding.episode;
    const open = e?.openSeconds !== undefined ? ` after ${Math.round(e.openSeconds / 60)} min` : '';
    return [
      `RESOLVED: the exposure closed${open} (${e?.closedAt ?? notice.finding.at}${e?.closedBy ? ` by ${e.closedBy}` : ''}).`,
      notice.finding.summary,
      '',
      noticeMarker(notice),
    ].map(plainText);
  }
  return ticketBody(notice, maxBytes);
}
