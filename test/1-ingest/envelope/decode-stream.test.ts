import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBytes, type Decoded } from '../../../shared/1-ingest/envelope/decode.ts';
import { decodeStream } from '../../../shared/1-ingest/envelope/decode-stream.ts';
import { CORPUS_DIR, corpusAvailable } from '../../support/corpus.ts';

const rec = (i: number) => ({
  eventSource: 'ec2.amazonaws.com',
  eventName: 'DescribeVpcs',
  eventID: `id-${i}`,
  note: 'é — ü 😀',
});

/** Feed `bytes` in chunks of `size` (every chunk boundary, including inside multi-byte characters). */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Comparable form: values, locations and error texts. */
function shape(list: readonly Decoded[]): unknown[] {
  return list.map((d) =>
    d.kind === 'value'
      ? { value: d.value, file: d.file, line: d.line }
      : { error: d.error.describe().replace(/\d+ bytes recovered/, 'N bytes recovered') },
  );
}

async function streamed(bytes: Uint8Array, size: number, file: string): Promise<Decoded[]> {
  const out: Decoded[] = [];
  for await (const d of decodeStream(chunked(bytes, size), file)) out.push(d);
  return out;
}

const CASES: Record<string, string> = {
  'pretty document': JSON.stringify({ Records: [rec(1), rec(2)] }, null, 2),
  'one-line document with trailing blank lines': `${JSON.stringify({ Records: [rec(1)] })}\n\n\n`,
  'document without newline': JSON.stringify(rec(1)),
  'JSON Lines with a bad line': `${JSON.stringify(rec(1))}\n{"eventSource": \n${JSON.stringify(rec(3))}\n`,
  'JSON Lines, CRLF, blank lines, no final newline': `${JSON.stringify(rec(1))}\r\n\r\n${JSON.stringify(rec(2))}\r\n${JSON.stringify(rec(3))}`,
  'JSON Lines after a BOM': `\ufeff${JSON.stringify(rec(1))}\n${JSON.stringify(rec(2))}\n`,
  'one-line log file after a BOM, no newline': `\ufeff${JSON.stringify({ Records: [rec(1), rec(2), rec(3)] })}`,
  'pretty document after a BOM': `\ufeff${JSON.stringify({ Records: [rec(1)] }, null, 2)}\n`,
  'broken document': '{"Records": [ {"eventName": ',
  'pretty document that is really JSON Lines with a long first value': `{"a":\n1}\n`,
  'blank input': '  \n \n',
};

const HAS_STREAM = corpusAvailable('decodeStream over the console-sessions stream');

describe('decodeStream gives what decodeBytes gives', () => {
  for (const [name, text] of Object.entries(CASES)) {
    for (const gz of [false, true]) {
      it(`${name}${gz ? ' (gzip)' : ''}, at every chunk size`, async () => {
        const bytes = gz ? new Uint8Array(gzipSync(Buffer.from(text))) : new Uint8Array(Buffer.from(text));
        const expected = shape([...decodeBytes(bytes, 'f')]);
        for (const size of [1, 2, 3, 7, 64, 1 << 16]) expect(shape(await streamed(bytes, size, 'f'))).toEqual(expected);
      });
    }
  }

  it('keeps the records before the damage in a truncated gzip stream, and reports the damage once', async () => {
    const lines = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({ ...rec(i), pad: 'x'.repeat(200 + (i % 7)) }),
    ).join('\n');
    const gz = gzipSync(Buffer.from(lines));
    const cut = new Uint8Array(gz.subarray(0, Math.floor(gz.length / 2)));
    const out = await streamed(cut, 4096, 'logs/part.json.gz');
    const values = out.filter((d) => d.kind === 'value');
    const errors = out.filter((d) => d.kind === 'error');
    expect(values.length).toBeGreaterThan(10);
    expect(values.length).toBeLessThan(200);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.kind === 'error' && errors[0].error.describe()).toMatch(
      /^logs\/part\.json\.gz: gzip stream is damaged/,
    );
    // Every intact line before the damage is there, in order.
    expect(values.map((d) => d.kind === 'value' && d.line)).toEqual(values.map((_, i) => i + 1));
  });

  it.skipIf(!HAS_STREAM)('reads the console-sessions stream (8,170 records) identically', async () => {
    const bytes = new Uint8Array(readFileSync(join(CORPUS_DIR, 'streams/console-sessions.jsonl.gz')));
    const out = await streamed(bytes, 65536, 'console.jsonl.gz');
    expect(out).toHaveLength(8170);
    expect(shape(out)).toEqual(shape([...decodeBytes(bytes, 'console.jsonl.gz')]));
  });
});
