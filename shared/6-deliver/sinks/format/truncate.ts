/**
 * Length limits live at the edges (SNS subject < 100 ASCII characters, SMS 140, PagerDuty summary 1024, Slack block
 * texts, 256 KB messages). These helpers cut without splitting a UTF-16 surrogate pair or a UTF-8 sequence, and
 * always say that something was cut.
 */

/** Cut to at most `max` characters (code points), ending with `ellipsis` when cut. */
export function truncateChars(text: string, max: number, ellipsis = '…'): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const keep = Math.max(0, max - Array.from(ellipsis).length);
  return chars.slice(0, keep).join('') + ellipsis;
}

/** UTF-8 size of a string, the unit AWS message limits are expressed in ("262,144 bytes, not characters"). */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cut to at most `maxBytes` UTF-8 bytes, appending `marker` (counted) when cut. Never splits a character. */
export function truncateUtf8(text: string, maxBytes: number, marker = '\n… [truncated]'): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - utf8Bytes(marker));
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const size = utf8Bytes(ch);
    if (bytes + size > budget) break;
    bytes += size;
    out += ch;
  }
  return out + marker;
}

const REPLACEMENTS: ReadonlyArray<[RegExp, string]> = [
  [/→/g, '->'],
  [/⇄/g, '<->'],
  [/…/g, '...'],
  [/[‘’]/g, "'"],
  [/[“”]/g, '"'],
  [/[–—]/g, '-'],
];

/**
 * One line of printable ASCII, at most `max` characters: what SNS accepts as an email subject ("ASCII text that
 * begins with a letter, number, or punctuation mark; no line breaks or control characters; less than 100
 * characters"). Non-ASCII is transliterated where obvious, else replaced by `?`.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export function asciiLine(text: string, max: number): string {
  let out = text;
  for (const [pattern, replacement] of REPLACEMENTS) out = out.replace(pattern, replacement);
  out = out
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  if (out.length > max) out = `${out.slice(0, Math.max(0, max - 3)).trimEnd()}...`;
  return out === '' ? 'Netwatch' : out;
}
