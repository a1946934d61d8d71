import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Decoded } from '../../../shared/1-ingest/envelope/decode.ts';
import { decodeStream, type DecodeLimits } from '../../../shared/1-ingest/envelope/decode-stream.ts';
import { REPO_ROOT } from '../../support/corpus.ts';
import { describeRecord } from '../../support/records.ts';

/**
 * Issue 12, "Denial of service": JSON Lines decoding rescanned the pending text on every chunk, so one long line cost
 * time quadratic in its length (a 64 MB line: 80 s; a 5 MB gzip of one long line: hours). Decoding is now linear, and a
 * line longer than the limit is skipped with an error naming the file and line.
 */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function decodeAll(bytes: Uint8Array, size: number, limits?: DecodeLimits): Promise<Decoded[]> {
  const out: Decoded[] = [];
  for await (const d of decodeStream(chunked(bytes, size), 'big.jsonl', limits)) out.push(d);
  return out;
}

const record = JSON.stringify(describeRecord());
/** The command users run: package.json's `bin`. */
const NETWATCH = join(
  REPO_ROOT,
  (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: { netwatch: string } }).bin.netwatch,
);

describe('one long line', () => {
  it('a 6 MB line fed in 1 KB chunks decodes in one pass (it took minutes: every chunk rescanned the pending text)', async () => {
    // Prepare: a JSON Lines file whose second line is one 6 MB JSON string, then a record.
    const long = JSON.stringify({ pad: 'x'.repeat(6 * 1024 * 1024) });
    const bytes = Buffer.from(`${record}\n${long}\n${record}\n`);
    // Act: 6,000+ chunks; a quadratic split scans ~20 GB here and runs far past this test's timeout.
    const decoded = await decodeAll(bytes, 1024);
    // Assess
    expect(decoded.map((d) => (d.kind === 'value' ? d.line : d.error.message))).toEqual([1, 2, 3]);
  }, 20_000);

  it('a line over the limit is skipped with an error naming file and line; the lines around it are read', async () => {
    const bytes = Buffer.from(`${record}\n${JSON.stringify({ pad: 'y'.repeat(5000) })}\n${record}\n`);
    for (const size of [1, 7, 64, 4096, bytes.length]) {
      const decoded = await decodeAll(bytes, size, { maxLineChars: 1000 });
      expect(decoded.map((d) => (d.kind === 'value' ? `value ${d.line}` : d.error.describe()))).toEqual([
        'value 1',
        expect.stringMatching(/^big\.jsonl:2: line is longer than 1,000 characters .*skipped/),
        'value 3',
      ]);
    }
  });

  it('the last line over the limit (no final newline), and inside gzip', async () => {
    const bytes = gzipSync(Buffer.from(`${record}\n${record}\n${'z'.repeat(3000)}`));
    const decoded = await decodeAll(bytes, 512, { maxLineChars: 1000 });
    expect(decoded.map((d) => (d.kind === 'value' ? `value ${d.line}` : d.error.describe()))).toEqual([
      'value 1',
      'value 2',
      expect.stringMatching(/^big\.jsonl:3: line is longer than 1,000 characters/),
    ]);
  });

  it('a one-line document over its limit is not read (error naming the file), memory stays bounded', async () => {
    const bytes = Buffer.from(JSON.stringify({ Records: [{ pad: 'w'.repeat(5000) }] }));
    const decoded = await decodeAll(bytes, 100, { maxDocumentChars: 1000 });
    expect(decoded.map((d) => (d.kind === 'error' ? d.error.describe() : 'value'))).toEqual([
      expect.stringMatching(/^big\.jsonl: document is longer than 1,000 characters .*not read/),
    ]);
  });

  it('netwatch classify --max-line-mb: the limit is configurable and the error names file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwatch-long-line-'));
    const file = join(dir, 'trail.jsonl');
    writeFileSync(file, `${record}\n${JSON.stringify({ pad: 'v'.repeat(2 * 1024 * 1024) })}\n${record}\n`);
    const run = (extra: string[]) =>
      spawnSync(process.execPath, [NETWATCH, 'classify', ...extra, file], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
    const limited = run(['--max-line-mb', '1']);
    expect(limited.status).toBe(2);
    expect(limited.stderr).toContain(
      `${file}:2: line is longer than 1,048,576 characters (1 Mi; the limit is --max-line-mb)`,
    );
    const allowed = run(['--max-line-mb', '4']);
    expect(allowed.status).toBe(2); // the 2 MB line is read, and is not a CloudTrail record
    expect(allowed.stderr).not.toContain('longer than');
    expect(run(['--max-line-mb', 'lots']).status).toBe(64);
  });
});
