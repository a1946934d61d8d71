/**
 * Text from a record, made safe to show to a person. Anyone who can make an API call controls most strings Netwatch
 * reads (descriptions, names, tags, user agents, policy values); shown raw, a newline forges a table row or an email
 * section, an ANSI / OSC escape sets the terminal title or clears the screen, a bidi override reorders what is read.
 *
 * {@link printable} replaces, in one pass:
 * - line breaks (CR, LF, VT, FF, NEL, U+2028, U+2029) with `⏎`, so a field always stays on its line;
 * - TAB with a space;
 * - every other C0 control, DEL and C1 control (ESC, CSI, OSC … — the terminal escapes), and the bidi embedding /
 *   override / isolate controls (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), with U+FFFD;
 * - lone UTF-16 surrogates with U+FFFD (they are not text, and `encodeURIComponent` throws on them).
 * Machine formats (JSON Lines, webhook / SQS / EventBridge / S3 bodies) keep the original text: JSON escapes it.
 */

const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` with line breaks shown as `⏎`, tabs as spaces, other control characters and lone surrogates as U+FFFD. */
export function printable(text: string): string {
  return wellFormed(text).replace(LINE_BREAK, '⏎').replace(/\t/g, ' ').replace(CONTROL, '\uFFFD');
}

/** `text` with lone UTF-16 surrogates replaced by U+FFFD (`String.prototype.toWellFormed`, ES2024). */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** True when `text` holds nothing {@link printable} would replace. */
export function isPrintable(text: string): boolean {
  LINE_BREAK.lastIndex = 0;
  CONTROL.lastIndex = 0;
  return !LINE_BREAK.test(text) && !text.includes('\t') && !CONTROL.test(text) && wellFormed(text) === text;
}

/**
 * A deep copy of `value` with every string passed through {@link printable} (keys too): the view of a finding or
 * notice that human renderings (email, Slack, SMS, terminal tables) are built from.
 */
export function printableCopy<T>(value: T): T {
  return mapStrings(value, printable) as T;
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[fn(k)] = mapStrings(v, fn);
    return out;
  }
  return value;
}
