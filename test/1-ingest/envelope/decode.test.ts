import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBytes, isGzip } from '../../../shared/1-ingest/envelope/decode.ts';

const rec = (i: number) => ({ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeVpcs', eventID: `id-${i}` });
const bytes = (text: string) => new Uint8Array(Buffer.from(text));

describe('decodeBytes', () => {
  it('reads one pretty-printed JSON document', () => {
    const out = [...decodeBytes(bytes(JSON.stringify({ Records: [rec(1), rec(2)] }, null, 2)), 'f.json')];
    expect(out).toEqual([{ kind: 'value', value: { Records: [rec(1), rec(2)] }, file: 'f.json' }]);
  });

  it('reads JSON Lines with line numbers, reporting a bad line and keeping the others', () => {
    const text = `${JSON.stringify(rec(1))}\n{"eventSource": \n${JSON.stringify(rec(3))}\n`;
    const out = [...decodeBytes(bytes(text), 'f.jsonl')];
    expect(out.map((d) => d.kind)).toEqual(['value', 'error', 'value']);
    expect(out[2]).toMatchObject({ kind: 'value', line: 3, value: rec(3) });
    expect(out[1]?.kind === 'error' && out[1].error.describe()).toMatch(/^f\.jsonl:2: not valid JSON/);
  });

  it('detects gzip by content, not by name', () => {
    const gz = gzipSync(Buffer.from(`${JSON.stringify(rec(1))}\n${JSON.stringify(rec(2))}\n`));
    expect(isGzip(gz)).toBe(true);
    const out = [...decodeBytes(gz, 'stdin')];
    expect(out.map((d) => d.kind === 'value' && (d.value as { eventID: string }).eventID)).toEqual(['id-1', 'id-2']);
  });

  it('keeps the records before the damage in a truncated gzip stream and names the file', () => {
    // Prepare: 200 lines, cut the compressed stream in the middle.
    const lines = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({ ...rec(i), pad: 'x'.repeat(200 + (i % 7)) }),
    ).join('\n');
    const gz = gzipSync(Buffer.from(lines));
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    // Act
    const out = [...decodeBytes(cut, 'logs/part.json.gz')];
    // Assess
    const values = out.filter((d) => d.kind === 'value');
    const errors = out.filter((d) => d.kind === 'error');
    expect(values.length).toBeGreaterThan(10);
    expect(values.length).toBeLessThan(200);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.kind === 'error' && errors[0].error.describe()).toMatch(
      /^logs\/part\.json\.gz: gzip stream is damaged/,
    );
  });

  it('reports a single broken document once', () => {
    const out = [...decodeBytes(bytes('{"Records": [ {"eventName": '), 'f.json')];
    expect(out).toHaveLength(1);
    // The text stops inside the document: said as such (issue 18), not as V8's "Unexpected end of JSON input".
    expect(out[0]?.kind === 'error' && out[0].error.describe()).toMatch(
      /^f\.json: truncated at line 1: the JSON document stops before it is complete/,
    );
    const broken = [...decodeBytes(bytes('{"Records": [ {"eventName": "x" "y"} ] }'), 'f.json')];
    expect(broken).toHaveLength(1);
    expect(broken[0]?.kind === 'error' && broken[0].error.describe()).toBe(
      "f.json: not valid JSON at column 33: Expected ',' or '}' after property value",
    );
  });
});
