import { constants, gunzipSync } from 'node:zlib';
import { MalformedInputError } from '../../platform/errors.ts';

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
      if (first === -1 || truncated) {
        if (!truncated)
          yield {
            kind: 'error',
            error: new MalformedInputError(`not valid JSON: ${(cause as Error).message}`, { file }, { cause }),
          };
        return;
      }
      // Fall through: maybe JSON Lines whose first line is long.
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
