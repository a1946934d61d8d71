import { constants, gunzipSync } from 'node:zlib';
import { MalformedInputError } from '../../platform/errors.ts';
import { splitConcatenated, type Span } from './records-split.ts';

/**
 * Bytes → JSON values. Detects gzip by its magic bytes (not the file name: CloudTrail S3 objects are `.json.gz`, but
 * users pipe them through stdin too), then reads either one JSON document (a record, a `{"Records":[…]}` log file, an
 * envelope, an array) or JSON Lines (one value per line).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */

/** One decoded value with where it came from, or an error naming the file and line. */
export type Decoded =
  | { kind: 'value'; value: unknown; file: string; line?: number }
  | { kind: 'error'; error: MalformedInputError };

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;
}

/**
 * Gunzip, keeping what could be decompressed when the stream is truncated or corrupt: the intact records before the
 * damage are still processed, and the damage is reported as an error naming the file.
 */
export function gunzipLenient(bytes: Uint8Array, file: string): { text: string; error?: MalformedInputError } {
  try {
    return { text: gunzipSync(bytes).toString('utf8') };
  } catch (cause) {
    let partial = '';
    try {
      partial = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    } catch {
      partial = '';
    }
    const error = new MalformedInputError(
      `gzip stream is damaged (${(cause as Error).message}); ${partial.length} bytes recovered before the damage`,
      { file },
      { cause },
    );
    return { text: partial, error };
  }
}

/**
 * Decode a whole input. A trailing partial line after a damaged gzip stream is reported once (as the gzip error),
 * not a second time as bad JSON.
 */
export function* decodeBytes(bytes: Uint8Array, file: string): Generator<Decoded> {
  let text: string;
  let gzipError: MalformedInputError | undefined;
  if (isGzip(bytes)) {
    const result = gunzipLenient(bytes, file);
    text = result.text;
    gzipError = result.error;
  } else {
    text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }
  yield* decodeText(text, file, gzipError !== undefined);
  if (gzipError) yield { kind: 'error', error: gzipError };
}

/** Decode text: one JSON document, else JSON Lines. `truncated` drops a final partial line silently. */
export function* decodeText(text: string, file: string, truncated = false): Generator<Decoded> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return;
  const first = firstLineBreak(body);
  // A single JSON document (possibly pretty-printed over many lines).
  if (first === -1 || !looksLikeJsonLines(body, first)) {
    try {
      yield { kind: 'value', value: JSON.parse(body), file };
      return;
    } catch (cause) {
      const parts = splitConcatenated(body);
      if (parts !== undefined) {
        yield* concatenatedValues(body, parts, file, truncated);
        return;
      }
      if (first === -1 || truncated) {
        if (!truncated) yield { kind: 'error', error: documentError(body, cause, file) };
        return;
      }
      // One document spread over lines (pretty-printed), cut short or broken: one error saying where, not one per
      // line. Otherwise JSON Lines whose first line is bad: fall through, each line on its own.
      if (!mostlyJsonLines(body)) {
        yield { kind: 'error', error: documentError(body, cause, file) };
        return;
      }
    }
  }
  const lines = body.split('\n');
  const last = lines.length - 1;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    try {
      yield { kind: 'value', value: JSON.parse(line), file, line: i + 1 };
    } catch (cause) {
      if (truncated && i === last) continue;
      yield {
        kind: 'error',
        error: new MalformedInputError(`not valid JSON: ${(cause as Error).message}`, { file, line: i + 1 }, { cause }),
      };
    }
  }
}

function firstLineBreak(text: string): number {
  const i = text.indexOf('\n');
  return i === -1 || i === text.length - 1 || text.slice(i).trim() === '' ? -1 : i;
}

/** JSON Lines when the first line is itself a complete JSON value (a pretty-printed document's first line is `{`). */
function looksLikeJsonLines(text: string, firstBreak: number): boolean {
  const line = text.slice(0, firstBreak).trim();
  if (!(line.startsWith('{') && line.endsWith('}')) && !(line.startsWith('[') && line.endsWith(']'))) return false;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/**
 * The values of JSON documents written back to back (`zcat` of several log files): each parsed on its own, so one
 * broken document costs only itself; `only` picks some of them (the fast path read the others). An unterminated last one is reported as cut off (unless the stream was
 * damaged, which is reported already).
 */
export function* concatenatedValues(
  body: string,
  parts: { spans: Span[]; tail?: number },
  file: string,
  truncated: boolean,
  only: (k: number) => boolean = () => true,
): Generator<Decoded> {
  const count = parts.spans.length + (parts.tail !== undefined ? 1 : 0);
  for (let k = 0; k < parts.spans.length; k++) {
    if (!only(k)) continue;
    const [start, end] = parts.spans[k] as Span;
    try {
      yield { kind: 'value', value: JSON.parse(body.slice(start, end)), file };
    } catch (cause) {
      const where = `document ${k + 1} of ${count} (documents back to back): `;
      yield {
        kind: 'error',
        error: documentError(body.slice(start, end), cause, file, lineAt(body, start) - 1, where),
      };
    }
  }
  if (parts.tail !== undefined && !truncated) {
    const cut = new SyntaxError('Unexpected end of JSON input');
    const where = `document ${count} of ${count} (documents back to back): `;
    yield {
      kind: 'error',
      error: documentError(body.slice(parts.tail), cut, file, lineAt(body, parts.tail) - 1, where),
    };
  }
}

/** 1-based line of the character at `index`. */
function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * One error for a JSON document that does not parse, saying where: "truncated at line N" when the text stops before
 * the document ends (a cut file, a partial download), else the line and column of the first bad character. V8's
 * messages give a character position (Node 22 adds line and column); people read lines. `lineOffset`: lines before
 * `text` in its file; `prefix` starts the message.
 */
function documentError(text: string, cause: unknown, file: string, lineOffset = 0, prefix = ''): MalformedInputError {
  const message = (cause as Error).message;
  const end = text.trimEnd().length;
  const position = /at position (\d+)/.exec(message)?.[1];
  const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
  if (/Unexpected end of JSON input/.test(message) || (position !== undefined && Number(position) >= end - 1)) {
    return new MalformedInputError(
      `${prefix}truncated at line ${lineAt(text, end) + lineOffset}: the JSON document stops before it is complete (${reason})`,
      { file },
      { cause },
    );
  }
  if (position === undefined)
    return new MalformedInputError(`${prefix}not valid JSON: ${message}`, { file }, { cause });
  const at = Number(position);
  const column = at - (text.lastIndexOf('\n', at - 1) + 1) + 1;
  const line = lineAt(text, at) + lineOffset;
  // A document on one line keeps the file alone as its location, as before.
  const multiline = text.includes('\n') || lineOffset > 0;
  return new MalformedInputError(
    `${prefix}not valid JSON at column ${column}: ${reason}`,
    multiline ? { file, line } : { file },
    { cause },
  );
}

/**
 * True when at least half of the first non-blank lines (up to 20) are JSON objects or arrays on their own: JSON Lines
 * with some bad lines. A pretty-printed document has almost none (`{`, `"key": "value",`, `},` do not parse).
 */
function mostlyJsonLines(text: string): boolean {
  let seen = 0;
  let values = 0;
  for (const raw of text.split('\n', 2000)) {
    const line = raw.trim();
    if (line === '') continue;
    seen += 1;
    if ((line.startsWith('{') && line.endsWith('}')) || (line.startsWith('[') && line.endsWith(']'))) {
      try {
        JSON.parse(line);
        values += 1;
      } catch {
        // not a line of JSON Lines
      }
    }
    if (seen === 20) break;
  }
  return values * 2 >= seen;
}
