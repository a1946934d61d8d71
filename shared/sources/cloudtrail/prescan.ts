import { WRAPPER_MARKERS } from '../../envelope/unwrap.ts';
import { CLOUDTRAIL_API_CALLS } from './index.ts';

/**
 * The classify fast path's pre-scan: decide from the *text* of one JSON value whether it can be skipped without
 * JSON.parse. On the CloudTrail firehose nearly every record is a Describe, Get or List call or another service's
 * event; parsing each one only to read `eventName` and drop it costs more than the rules do.
 *
 * A text is skipped only when the full pipeline would certainly make nothing of it but one ignored record:
 * - it is one JSON object (`{` … `}`) holding no wrapper key (see {@link WRAPPER_MARKERS}), so unwrap would treat it
 *   as a bare CloudTrail record;
 * - `eventName` and `eventSource` each occur exactly once, as plain top-level `"key":"value"` members (depth 1,
 *   found by a string-aware brace count up to them), `eventSource` a service host name (never `aws:…`, never a
 *   redacted `...`);
 * - the event name is not one the CloudTrail normalizer handles ({@link CLOUDTRAIL_API_CALLS}), under any source.
 * Anything else — envelopes, Config messages, escaped JSON, odd spacing, duplicate keys, handled calls — says
 * `parse`, and takes the normal path. What the scan cannot see is a syntax error elsewhere in a skipped text: such a
 * line is counted as ignored instead of reported as malformed (`--no-fast` parses everything).
 */

/** The scan's answer: skip (with what it read, for the ignored reason) or parse normally. */
export type Prescan = { skip: true; source: string; name: string } | { skip: false };

const PARSE: Prescan = { skip: false };

/** Every event name the normalizer turns into changes, under any event source. */
const HANDLED_NAMES: ReadonlySet<string> = new Set(CLOUDTRAIL_API_CALLS.flatMap((call) => call.names));

const NAME_KEY = '"eventName":"';
const SOURCE_KEY = '"eventSource":"';
const NAME_VALUE = /^[A-Za-z0-9_]+$/;
const SOURCE_VALUE = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Pre-scan the text of one JSON value: a JSON Lines line, or one entry of a log file's Records array (pass the
 * entry's own slice — V8 slices share the parent's characters — so every search stops at the entry's end).
 */
export function prescanRecord(text: string): Prescan {
  const end = text.length;
  let first = 0;
  while (first < end && isSpace(text.charCodeAt(first))) first++;
  let last = end - 1;
  while (last > first && isSpace(text.charCodeAt(last))) last--;
  if (text.charCodeAt(first) !== OPEN_BRACE || text.charCodeAt(last) !== CLOSE_BRACE) return PARSE;
  const name = onlyMember(text, NAME_KEY, 'eventName', first, end);
  if (name === undefined || !NAME_VALUE.test(name.value) || HANDLED_NAMES.has(name.value)) return PARSE;
  const source = onlyMember(text, SOURCE_KEY, 'eventSource', first, end);
  if (source === undefined || !SOURCE_VALUE.test(source.value)) return PARSE;
  for (const marker of WRAPPER_MARKERS) {
    const at = text.indexOf(marker, first);
    if (at !== -1 && at < end) return PARSE;
  }
  if (!atTopLevel(text, first, name.at, source.at)) return PARSE;
  return { skip: true, source: source.value, name: name.value };
}

/**
 * The value of the single `"key":"value"` member, or undefined when the bare word occurs other than exactly once in
 * that exact form (escaped, spaced, repeated, or mentioned inside some other string).
 */
function onlyMember(text: string, keyed: string, word: string, from: number, end: number): { value: string; at: number } | undefined {
  const at = text.indexOf(keyed, from);
  if (at === -1 || at >= end) return undefined;
  const again = text.indexOf(word, at + keyed.length);
  if (again !== -1 && again < end) return undefined;
  const before = text.indexOf(word, from);
  if (before !== at + 1) return undefined;
  const valueStart = at + keyed.length;
  const valueEnd = text.indexOf('"', valueStart);
  if (valueEnd === -1 || valueEnd >= end) return undefined;
  return { value: text.slice(valueStart, valueEnd), at };
}

/** True when both key positions sit directly in the outermost object (string-aware brace/bracket count). */
function atTopLevel(text: string, first: number, a: number, b: number): boolean {
  const stop = Math.max(a, b);
  let depth = 0;
  let i = first;
  while (i <= stop) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (i === a || i === b) {
        if (depth !== 1) return false;
      }
      i = stringEnd(text, i);
      if (i === -1) return false;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    i++;
  }
  return true;
}

/** Index just past the string starting at the quote `open`, or -1 when it never closes. */
export function stringEnd(text: string, open: number): number {
  let close = text.indexOf('"', open + 1);
  while (close !== -1) {
    let slashes = 0;
    for (let j = close - 1; text.charCodeAt(j) === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return close + 1;
    close = text.indexOf('"', close + 1);
  }
  return -1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
