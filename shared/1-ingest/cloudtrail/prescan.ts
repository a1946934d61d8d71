import { WRAPPER_MARKERS } from '../envelope/unwrap.ts';
import { CLOUDTRAIL_API_CALLS } from './index.ts';

/**
 * The classify fast path's pre-scan: decide from the *text* of one JSON value whether it can be skipped without
 * JSON.parse. On the CloudTrail firehose nearly every record is a Describe, Get or List call or another service's
 * event; parsing each one only to read `eventName` and drop it costs more than the rules do.
 *
 * A text is skipped only when the full pipeline would certainly make nothing of it but one ignored record:
 * - it is one JSON object (`{` … `}`) holding no wrapper key anywhere (see {@link WRAPPER_MARKERS}), so unwrap
 *   would treat it as a bare CloudTrail record;
 * - `eventSource` and `eventName` each occur exactly once, as adjacent plain top-level members
 *   (`"eventSource":"<host>","eventName":"<Name>"`, the order CloudTrail writes them, or the reverse), the source a
 *   service host name (never `aws:…`, never a redacted `...`);
 * - the event name is not one the CloudTrail normalizer handles ({@link CLOUDTRAIL_API_CALLS}), under any source.
 * Anything else — envelopes, Config messages, escaped JSON, odd spacing, duplicate keys, handled calls — says
 * `parse`, and takes the normal path. What the scan cannot see is a syntax error elsewhere in a skipped text: such a
 * line is counted as ignored instead of reported as malformed (`--full-parse` parses everything).
 *
 * How, in four native scans and no per-character JavaScript (on this machine a JavaScript character loop costs about
 * what JSON.parse does per character, so only the regex engine and indexOf can beat the parser):
 * 1. {@link PREFIX} tokenizes the object from its `{` — plain characters, strings, nested objects and arrays up to
 *    {@link MAX_DEPTH} deep — and stops at the first string that starts with a key the scan looks for. Where it stops
 *    is at depth 1, outside any string, so a key found there is a top-level member. Strings with a backslash stop it
 *    too (an escaped quote would need real string parsing): such records are parsed.
 * 2. {@link PAIR_SOURCE_FIRST} (or {@link NAME_FIRST}, then {@link SOURCE_AFTER_NAME}) reads the two members there,
 *    in place.
 * 3. A Set look-up of the event name (the only allocation on the skip path).
 * 4. {@link KEYS} checks that no key of interest occurs anywhere after them (duplicates, wrapper keys).
 * Measured with `npm run bench` (docs/performance.md): 2.5–2.8× faster than JSON.parse per record, with or without a
 * `userIdentity` in front (the earlier character-walking scan was 1.05× there).
 */

/** Every event name the normalizer turns into changes, under any event source. */
const HANDLED_NAMES: ReadonlySet<string> = new Set(CLOUDTRAIL_API_CALLS.flatMap((call) => call.names));

/** The keys the scan must see: the two members it reads and every wrapper's key, as a regex alternation. */
const KEY_NAMES = ['eventName', 'eventSource', ...WRAPPER_MARKERS.map((m) => m.slice(1))]
  .map((k) => k.replace(/-/g, '\\-'))
  .join('|');

/** A string without backslashes that does not start with a key of interest. */
const PLAIN_STRING = `"(?!${KEY_NAMES})[^"\\\\]*"`;
/** A character outside strings that is no bracket, quote or backslash. */
const PLAIN_CHAR = '[^{}\\[\\]"\\\\]';

/**
 * Nesting the prefix tokenizer follows before giving up (CloudTrail's `userIdentity.sessionContext.sessionIssuer`
 * is depth 4 counting the record). Deeper nesting before the two keys means "parse", not a wrong answer.
 */
export const MAX_DEPTH = 8;

/**
 * Sticky: `{` then any run of top-level tokens; it stops (without failing) before the first token it cannot take.
 * Every alternative starts with a different character and a nested value has one extent, so the engine never
 * backtracks more than linearly. Nothing follows the top-level star, so stopping early is a match, never a retry.
 */
const PREFIX = (() => {
  let nested = '(?!)';
  for (let depth = 0; depth < MAX_DEPTH - 1; depth++)
    nested = `[{\\[](?:${PLAIN_CHAR}|${PLAIN_STRING}|${nested})*[}\\]]`;
  return new RegExp(`\\{(?:${PLAIN_CHAR}|${PLAIN_STRING}|${nested})*`, 'y');
})();

const HOST = '[a-z0-9-]+(?:\\.[a-z0-9-]+)*';
/** Sticky: the two members, source first; lastIndex lands on the first character of the event name. */
const PAIR_SOURCE_FIRST = new RegExp(`"eventSource":"${HOST}","eventName":"`, 'y');
/** Sticky: the two members, name first; checked with {@link SOURCE_AFTER_NAME} once the name is read. */
const NAME_FIRST = /"eventName":"/y;
const SOURCE_AFTER_NAME = new RegExp(`,"eventSource":"${HOST}"`, 'y');
/** Sticky: an event name and its closing quote. */
const NAME_VALUE = /[A-Za-z0-9_]+"/y;
/** Any quoted occurrence of a key of interest (an escaped `\"Records` included). */
const KEYS = new RegExp(`"(?:${KEY_NAMES})`, 'g');

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

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
  PREFIX.lastIndex = first;
  if (!PREFIX.test(text)) return false;
  const at = PREFIX.lastIndex;
  let nameStart: number;
  let after: number;
  PAIR_SOURCE_FIRST.lastIndex = at;
  NAME_FIRST.lastIndex = at;
  if (PAIR_SOURCE_FIRST.test(text)) {
    nameStart = PAIR_SOURCE_FIRST.lastIndex;
    NAME_VALUE.lastIndex = nameStart;
    if (!NAME_VALUE.test(text)) return false;
    after = NAME_VALUE.lastIndex;
  } else if (NAME_FIRST.test(text)) {
    nameStart = NAME_FIRST.lastIndex;
    NAME_VALUE.lastIndex = nameStart;
    if (!NAME_VALUE.test(text)) return false;
    SOURCE_AFTER_NAME.lastIndex = NAME_VALUE.lastIndex;
    if (!SOURCE_AFTER_NAME.test(text)) return false;
    after = SOURCE_AFTER_NAME.lastIndex;
  } else {
    return false;
  }
  const nameEnd = NAME_VALUE.lastIndex - 1;
  if (HANDLED_NAMES.has(text.slice(nameStart, nameEnd))) return false;
  KEYS.lastIndex = after;
  return !KEYS.test(text);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
