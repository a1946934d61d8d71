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


/** Every event name the normalizer turns into changes, under any event source. */
const HANDLED_NAMES: ReadonlySet<string> = new Set(CLOUDTRAIL_API_CALLS.flatMap((call) => call.names));

const NAME_KEY = '"eventName":"';
const SOURCE_KEY = '"eventSource":"';
const NAME_VALUE = /^[A-Za-z0-9_]+$/;
/** A service host name and its closing quote, matched in place (sticky) so no substring is made. */
const SOURCE_VALUE = /[a-z0-9-]+(\.[a-z0-9-]+)*"/y;

/**
 * One pass over the text finds every quoted occurrence of the two keys and of the wrapper keys (a single regex run
 * costs about a quarter of the eight indexOf scans it replaces). Occurrences not preceded by a quote cannot be JSON
 * keys, raw or escaped, so they cannot make a finding and need not be seen.
 */
const KEYS = new RegExp(`"(eventName|eventSource|${WRAPPER_MARKERS.map((m) => m.slice(1).replace(/[-]/g, '\\-')).join('|')})`, 'g');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * True when the text of one JSON value can be skipped: a JSON Lines line, or one entry of a log file's Records array
 * (pass the entry's own slice — V8 slices share the parent's characters — so every search stops at the entry's
 * end). Allocation-free on the skip path but for the event name (a Set lookup needs a string): at hundreds of
 * thousands of records a second, garbage is what costs.
 */
export function canSkipRecord(text: string): boolean {
  const end = text.length;
  let first = 0;
  while (first < end && isSpace(text.charCodeAt(first))) first++;
  let last = end - 1;
  while (last > first && isSpace(text.charCodeAt(last))) last--;
  if (text.charCodeAt(first) !== OPEN_BRACE || text.charCodeAt(last) !== CLOSE_BRACE) return false;
  let nameAt = -1;
  let sourceAt = -1;
  KEYS.lastIndex = first;
  while (KEYS.test(text)) {
    // The match ends at lastIndex; which key it was is told by where it started.
    const after = KEYS.lastIndex;
    if (after - 10 >= 0 && text.startsWith('"eventName', after - 10)) {
      if (nameAt !== -1) return false;
      nameAt = after - 10;
    } else if (after - 12 >= 0 && text.startsWith('"eventSource', after - 12)) {
      if (sourceAt !== -1) return false;
      sourceAt = after - 12;
    } else {
      return false;
    }
  }
  if (nameAt === -1 || sourceAt === -1 || !text.startsWith(NAME_KEY, nameAt) || !text.startsWith(SOURCE_KEY, sourceAt)) return false;
  const nameStart = nameAt + NAME_KEY.length;
  const nameEnd = text.indexOf('"', nameStart);
  if (nameEnd === -1) return false;
  const name = text.slice(nameStart, nameEnd);
  if (!NAME_VALUE.test(name) || HANDLED_NAMES.has(name)) return false;
  SOURCE_VALUE.lastIndex = sourceAt + SOURCE_KEY.length;
  if (!SOURCE_VALUE.test(text)) return false;
  return atTopLevel(text, first, nameAt, sourceAt);
}

/**
 * True when both key positions sit directly in the outermost object. Brackets are counted only between strings:
 * each string is jumped over with indexOf (escapes honoured), which is several times faster than visiting every
 * character, and exact.
 */
function atTopLevel(text: string, first: number, a: number, b: number): boolean {
  const stop = Math.max(a, b);
  let depth = 0;
  let i = first;
  while (i <= stop) {
    const quote = text.indexOf('"', i);
    const segmentEnd = quote === -1 || quote > stop ? stop + 1 : quote;
    for (let j = i; j < segmentEnd; j++) {
      const c = text.charCodeAt(j);
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    }
    if (segmentEnd > stop) return true;
    if ((quote === a || quote === b) && depth !== 1) return false;
    i = stringEnd(text, quote);
    if (i === -1) return false;
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
