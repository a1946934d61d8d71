/**
 * Split a CloudTrail log file `{"Records":[{…},{…}]}` into the text span of each record without parsing the file,
 * so the classify fast path can pre-scan each record and JSON.parse only the few that matter. The scan is
 * string-aware (quotes, escapes) and jumps from quote to quote with indexOf, so it runs far faster than JSON.parse.
 *
 * It answers only for the exact log-file shape — one object whose only member is a `Records` array of objects —
 * and returns undefined for anything else (other members, nested arrays of non-objects, unbalanced text), which then
 * takes the normal path and gets the normal, precise errors.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */

/** `[start, end)` of one record's text. */
export type Span = readonly [start: number, end: number];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The spans of the records of a `{"Records":[…]}` text, or undefined when the text is not exactly that shape. */
export function splitRecordsArray(text: string): Span[] | undefined {
  let i = skipSpace(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  i = skipSpace(text, i + 1);
  if (!text.startsWith('"Records"', i)) return undefined;
  i = skipSpace(text, i + 9);
  if (text.charCodeAt(i) !== COLON) return undefined;
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) !== OPEN_BRACKET) return undefined;
  i = skipSpace(text, i + 1);
  const spans: Span[] = [];
  if (text.charCodeAt(i) === CLOSE_BRACKET) {
    i++;
  } else {
    for (;;) {
      if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
      const end = objectEnd(text, i);
      if (end === -1) return undefined;
      spans.push([i, end]);
      i = skipSpace(text, end);
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACKET) {
        i++;
        break;
      }
      if (c !== COMMA) return undefined;
      i = skipSpace(text, i + 1);
    }
  }
  i = skipSpace(text, i);
  if (text.charCodeAt(i) !== CLOSE_BRACE) return undefined;
  return skipSpace(text, i + 1) === text.length ? spans : undefined;
}

/**
 * JSON objects or arrays written back to back: `{…}{…}` or `{…}\n{…}` — what `zcat *.json.gz` makes of several
 * CloudTrail log files, which end without a newline. `spans` are the values in order; `tail` is where an unterminated
 * last value starts (a damaged or cut stream). Undefined unless there are at least two values, the text holds
 * nothing between them but whitespace, and every value but the last is balanced: a single document, JSON Lines and
 * plain bad JSON are not this, and keep their own handling and errors.
 */
export function splitConcatenated(text: string): { spans: Span[]; tail?: number } | undefined {
  const spans: Span[] = [];
  let i = skipSpace(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== OPEN_BRACE && c !== OPEN_BRACKET) return undefined;
    const end = objectEnd(text, i, c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET);
    if (end === -1) return spans.length >= 1 ? { spans, tail: i } : undefined;
    spans.push([i, end]);
    i = skipSpace(text, end);
  }
  return spans.length >= 2 ? { spans } : undefined;
}

/**
 * Index just past the object (or, with `closer` `]`, the array) opening at `open`, or -1 when it is unbalanced or never
 * ends.
 */
function objectEnd(text: string, open: number, closer = CLOSE_BRACE): number {
  let depth = 0;
  let i = open;
  const length = text.length;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let close = text.indexOf('"', i + 1);
      for (;;) {
        if (close === -1) return -1;
        let slashes = 0;
        for (let j = close - 1; text.charCodeAt(j) === BACKSLASH; j--) slashes++;
        if (slashes % 2 === 0) break;
        close = text.indexOf('"', close + 1);
      }
      i = close + 1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return c === closer ? i + 1 : -1;
      if (depth < 0) return -1;
    }
    i++;
  }
  return -1;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}
