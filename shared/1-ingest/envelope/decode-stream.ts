import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { MalformedInputError } from '../../platform/errors.ts';
import { decodeText, isGzip, type Decoded } from './decode.ts';
import { splitConcatenated } from './records-split.ts';

/**
 * Streaming counterpart of {@link decodeText}: bytes arrive in chunks (a file, stdin, an S3 object body) and JSON
 * Lines input is handed out line by line, so a multi-gigabyte stream never sits in memory whole. A single JSON
 * document (a CloudTrail log file `{"Records":[…]}`, an envelope, a pretty-printed record) is still collected whole:
 * JSON.parse needs all of it, and CloudTrail writes a log file every ~5 minutes per region, so each stays small.
 *
 * The mode is decided exactly as {@link decodeText} decides it (the first line is a complete JSON value → JSON Lines),
 * so both give the same values, the same locations (`file:line`) and the same errors.
 */

/**
 * One unit of text, not parsed yet: a JSON Lines line (with its 1-based number) or a whole document. Callers that
 * can skip records without parsing them (the classify fast path) take these; others use {@link decodeStream}.
 */
export type DecodedText =
  | {
      kind: 'line';
      text: string;
      file: string;
      line: number /** The last line of a damaged gzip stream: drop it quietly if it does not parse. */;
      mayBeCut: boolean;
    }
  | {
      kind: 'document';
      text: string;
      file: string /** The gzip stream was damaged: see {@link decodeText}'s `truncated`. */;
      truncated: boolean;
    }
  | { kind: 'error'; error: MalformedInputError };

/** Chunks of a byte stream: a Node Readable, `process.stdin`, an S3 `Body`, or any async iterable of bytes. */
export type ByteChunks = AsyncIterable<Uint8Array>;

/** Decode a byte stream into JSON values, as {@link decodeBytes} would for the same bytes. */
export async function* decodeStream(
  chunks: ByteChunks,
  file: string,
  limits: DecodeLimits = {},
): AsyncGenerator<Decoded> {
  for await (const item of decodeStreamText(chunks, file, limits)) {
    if (item.kind === 'error') yield item;
    else if (item.kind === 'document') yield* decodeText(item.text, file, item.truncated);
    else yield* parseLineValues(item);
  }
}

/**
 * {@link parseLine}, and a line holding several JSON values back to back (`{…}{…}`: log files without a final newline
 * concatenated by `zcat`) gives each of them.
 */
export function parseLineValues(item: Extract<DecodedText, { kind: 'line' }>): Decoded[] {
  const one = parseLine(item);
  if (one === undefined) return [];
  if (one.kind !== 'error') return [one];
  const parts = splitConcatenated(item.text);
  if (parts === undefined || parts.tail !== undefined) return [one];
  return parts.spans.map(([start, end]) => {
    const parsed = parseLine({ ...item, text: item.text.slice(start, end) });
    return parsed ?? one;
  });
}

/** Parse one JSON Lines line the way {@link decodeText} does (same message, same location). */
export function parseLine(item: Extract<DecodedText, { kind: 'line' }>): Decoded | undefined {
  try {
    return { kind: 'value', value: JSON.parse(item.text), file: item.file, line: item.line };
  } catch (cause) {
    if (item.mayBeCut) return undefined;
    return {
      kind: 'error',
      error: new MalformedInputError(
        `not valid JSON: ${(cause as Error).message}`,
        { file: item.file, line: item.line },
        { cause },
      ),
    };
  }
}

/** Decode a byte stream into lines or one document, gunzipping when the first bytes are the gzip magic number. */
export async function* decodeStreamText(
  chunks: ByteChunks,
  file: string,
  limits: DecodeLimits = {},
): AsyncGenerator<DecodedText> {
  for await (const batch of decodeStreamBatches(chunks, file, limits)) yield* batch;
}

/**
 * {@link decodeStreamText} a chunk at a time: every line the chunk completed, in one array. Hot loops (backtest,
 * bench) take these: one await per chunk instead of one per line, which on small records costs as much as parsing.
 */
export async function* decodeStreamBatches(
  chunks: ByteChunks,
  file: string,
  limits: DecodeLimits = {},
): AsyncGenerator<DecodedText[]> {
  const source = chunks[Symbol.asyncIterator]();
  // The gzip magic number is two bytes, other formats' up to six; a stream may hand them over one at a time.
  let head: Uint8Array = new Uint8Array(0);
  while (head.length < 8) {
    const next = await source.next();
    if (next.done) break;
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  if (head.length === 0) return;
  const gzipped = isGzip(head);
  const other = gzipped ? undefined : otherFormat(head);
  if (other !== undefined) {
    await source.return?.();
    yield [{ kind: 'error', error: new MalformedInputError(`${other}: ${NOT_TEXT}`, { file }) }];
    return;
  }
  const texts = new TextChunks();
  const bytes = prepend(head, source);
  if (!gzipped) {
    yield* splitText(texts.feed(bytes), file, () => undefined, limits);
    return;
  }
  const gunzip = createGunzip();
  const input = Readable.from(bytes);
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  let damage: MalformedInputError | undefined;
  let recovered = 0;
  async function* inflated(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of gunzip) {
        recovered += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    } catch (cause) {
      damage = new MalformedInputError(
        `gzip stream is damaged (${(cause as Error).message}); ${recovered} bytes recovered before the damage`,
        { file },
        { cause },
      );
    }
  }
  yield* splitText(texts.feed(inflated()), file, () => damage, limits);
  if (damage) yield [{ kind: 'error', error: damage }];
}

/** What the reader takes, said when it gets something else. */
const NOT_TEXT = 'not JSON, JSON Lines or gzip — skipped (unpack it, or give the .json / .json.gz files)';

/** Compressed and archive formats people hand over by mistake, by their magic bytes (the file name is not trusted). */
const MAGIC: readonly [string, readonly number[]][] = [
  ['a zip archive', [0x50, 0x4b, 0x03, 0x04]],
  ['bzip2-compressed', [0x42, 0x5a, 0x68]],
  ['xz-compressed', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd-compressed', [0x28, 0xb5, 0x2f, 0xfd]],
  ['a 7-zip archive', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
];

function otherFormat(head: Uint8Array): string | undefined {
  return MAGIC.find(([, magic]) => magic.every((b, i) => head[i] === b))?.[0];
}

/**
 * True when the first text of an input is not text: it holds a NUL, or more than a tenth of it is U+FFFD (bytes that
 * are not UTF-8). JSON never contains a raw NUL, and JSON.parse's error on such input quotes the bytes back as
 * mojibake.
 */
function looksBinary(text: string): boolean {
  const sample = text.slice(0, 4096);
  if (sample.includes('\u0000')) return true;
  let replaced = 0;
  for (let i = sample.indexOf('\uFFFD'); i !== -1; i = sample.indexOf('\uFFFD', i + 1)) replaced++;
  return replaced * 10 > sample.length;
}

async function* prepend(head: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield head;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/** UTF-8 bytes → text chunks, never splitting a multi-byte character. */
class TextChunks {
  private readonly decoder = new StringDecoder('utf8');
  async *feed(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
    for await (const chunk of bytes) {
      const text = this.decoder.write(
        Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      );
      if (text !== '') yield text;
    }
    const rest = this.decoder.end();
    if (rest !== '') yield rest;
  }
}

/** Limits on what one unit of text may hold; text beyond them is skipped with an error naming file and line. */
export interface DecodeLimits {
  /** Longest JSON Lines line, in characters (default {@link DEFAULT_MAX_LINE_CHARS}). */
  maxLineChars?: number;
  /** Longest single document (a log file `{"Records":[…]}` on one line, a pretty-printed value), in characters. */
  maxDocumentChars?: number;
}

/**
 * 32 Mi characters: a CloudTrail record is at most a few hundred KB (EventBridge caps events at 256 KB), so a longer
 * line is not a record — and a 5 MB gzip can inflate to gigabytes of one line.
 */
export const DEFAULT_MAX_LINE_CHARS = 32 * 1024 * 1024;
/** 256 Mi characters, as the org-trail reader's object cap (and safely below V8's ~512 Mi-character string limit). */
export const DEFAULT_MAX_DOCUMENT_CHARS = 256 * 1024 * 1024;

const MIB = 1024 * 1024;

/**
 * Text chunks → JSON Lines lines, or one document. `damaged()` is asked once the text has ended (the gzip error, if
 * any, is known only then).
 *
 * Linear in the input: every character is looked at a constant number of times. Only the new chunk is searched for
 * newlines; the part of a line seen so far is kept as a list of pieces and joined once, when its newline arrives
 * (before, the pending text was re-scanned from its start on every chunk: one 64 MB line took 80 s). A line longer
 * than `maxLineChars` (a document longer than `maxDocumentChars`) is not kept at all: its pieces are dropped as they
 * arrive and one error names the file and line.
 */
async function* splitText(
  texts: AsyncIterable<string>,
  file: string,
  damaged: () => MalformedInputError | undefined,
  limits: DecodeLimits = {},
): AsyncGenerator<DecodedText[]> {
  const maxLine = limits.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const maxDocument = limits.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS;
  let lineNo = 0;
  let mode: 'undecided' | 'lines' | 'document' = 'undecided';
  /** In lines mode, the first line is held until something non-blank follows it (else it is a single document). */
  let heldFirst: string | undefined;
  let heldBlank = '';
  /** Text of a document (or of a first line still without its newline), as chunks joined once. */
  let parts: string[] = [];
  let partsLength = 0;
  /** Lines mode: the pieces of the current line seen so far, and whether it is being skipped (too long). */
  let line: string[] = [];
  let lineLength = 0;
  let skipping = false;
  /** Set once a document outgrew its limit, or the input turned out to be binary: the rest of the input is dropped. */
  let tooLong: MalformedInputError | undefined;
  let first = true;

  const tooLongLine = (n: number): DecodedText => ({
    kind: 'error',
    error: new MalformedInputError(
      `line is longer than ${maxLine.toLocaleString('en-US')} characters (${(maxLine / MIB).toFixed(maxLine < MIB ? 3 : 0)} Mi; the limit is --max-line-mb): skipped — a CloudTrail record is at most a few hundred KB`,
      { file, line: n },
    ),
  });
  const documentTooLong = (): MalformedInputError =>
    new MalformedInputError(
      `document is longer than ${maxDocument.toLocaleString('en-US')} characters (${(maxDocument / MIB).toFixed(0)} Mi): not read — a CloudTrail log file is a few MB`,
      { file },
    );

  /** One complete line of lines mode. */
  const complete = (text: string, batch: DecodedText[]): void => {
    lineNo += 1;
    if (lineNo === 1) {
      heldFirst = text;
      return;
    }
    if (heldFirst !== undefined) {
      if (text.trim() === '') {
        heldBlank += '\n';
        return;
      }
      batch.push({ kind: 'line', text: heldFirst.trim(), file, line: 1, mayBeCut: false });
      heldFirst = undefined;
    }
    const trimmed = text.trim();
    if (trimmed !== '') batch.push({ kind: 'line', text: trimmed, file, line: lineNo, mayBeCut: false });
  };

  /** Lines mode: split one chunk, searching only it. */
  const feedLines = (text: string): DecodedText[] => {
    const batch: DecodedText[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (skipping || lineLength + piece.length > maxLine) {
        lineNo += 1;
        if (heldFirst !== undefined) {
          batch.push({ kind: 'line', text: heldFirst.trim(), file, line: 1, mayBeCut: false });
          heldFirst = undefined;
        }
        batch.push(tooLongLine(lineNo));
      } else complete(line.length === 0 ? piece : line.join('') + piece, batch);
      line = [];
      lineLength = 0;
      skipping = false;
    }
    const rest = text.slice(start);
    if (rest !== '' && !skipping) {
      if (lineLength + rest.length > maxLine) {
        skipping = true;
        line = [];
        lineLength = 0;
      } else {
        line.push(rest);
        lineLength += rest.length;
      }
    }
    return batch;
  };

  for await (const text of texts) {
    if (tooLong) continue; // drain: the document is over its limit (or not text)
    if (first) {
      first = false;
      if (looksBinary(text)) {
        tooLong = new MalformedInputError(`binary data: ${NOT_TEXT}`, { file });
        continue;
      }
    }
    if (mode !== 'lines') {
      partsLength += text.length;
      if (partsLength > maxDocument) {
        tooLong = documentTooLong();
        parts = [];
        continue;
      }
      parts.push(text);
      // The mode is known at the first newline; until one arrives, only the new text needs looking at.
      if (mode === 'document' || !text.includes('\n')) continue;
      const pending = withoutBom(parts.join(''));
      mode = decideMode(pending) ?? 'document';
      if (mode === 'document') {
        parts = [pending];
        continue;
      }
      parts = [];
      partsLength = 0;
      const batch = feedLines(pending);
      if (batch.length > 0) yield batch;
      continue;
    }
    const batch = feedLines(text);
    if (batch.length > 0) yield batch;
  }
  const damage = damaged();
  if (tooLong) {
    yield [{ kind: 'error', error: tooLong }];
    return;
  }
  if (mode !== 'lines') {
    // A single document, or input too short to have a second line: exactly what decodeText reads.
    const pending = mode === 'undecided' ? withoutBom(parts.join('')) : parts.join('');
    if (pending.trim() !== '') yield [{ kind: 'document', text: pending, file, truncated: damage !== undefined }];
    return;
  }
  const batch: DecodedText[] = [];
  if (skipping) {
    if (heldFirst !== undefined) {
      batch.push({ kind: 'line', text: heldFirst.trim(), file, line: 1, mayBeCut: false });
      heldFirst = undefined;
    }
    batch.push(tooLongLine(lineNo + 1));
    yield batch;
    return;
  }
  const pending = line.join('');
  const tail = pending.trim();
  if (heldFirst !== undefined) {
    if (tail === '') {
      // One JSON value followed by blank lines only: decodeText reads it as a document (no line number).
      yield [{ kind: 'document', text: `${heldFirst}\n${heldBlank}${pending}`, file, truncated: damage !== undefined }];
      return;
    }
    batch.push({ kind: 'line', text: heldFirst.trim(), file, line: 1, mayBeCut: false });
  }
  if (tail !== '') batch.push({ kind: 'line', text: tail, file, line: lineNo + 1, mayBeCut: damage !== undefined });
  if (batch.length > 0) yield batch;
}

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * JSON Lines when the first line is a complete JSON object or array (as decodeText's `looksLikeJsonLines`), a
 * document otherwise; undefined while the first line is still incomplete.
 */
function decideMode(text: string): 'lines' | 'document' | undefined {
  const nl = text.indexOf('\n');
  if (nl === -1) return undefined;
  const line = text.slice(0, nl).trim();
  if (!((line.startsWith('{') && line.endsWith('}')) || (line.startsWith('[') && line.endsWith(']'))))
    return 'document';
  try {
    JSON.parse(line);
    return 'lines';
  } catch {
    return 'document';
  }
}
