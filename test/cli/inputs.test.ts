import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { netwatch } from '../support/cli.ts';
import { describeRecord, sshWorldRecord } from '../support/records.ts';

/**
 * What a newcomer feeds the command in the first hour (issue 18): several log files through `zcat`, a file cut short,
 * the wrong file, an empty one — each gets a result or one clear sentence.
 */

const dir = mkdtempSync(join(tmpdir(), 'netwatch-inputs-'));
const EVENTS = 'events/cloudtrail';

/** A CloudTrail log file as CloudTrail writes it: `{"Records":[…]}`, no newline at the end, gzipped. */
function logFile(name: string, records: readonly unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
  return path;
}

/** What `zcat a.gz b.gz …` writes: the files' bytes back to back. */
function zcat(...files: string[]): string {
  return files.map((f) => gunzipSync(readFileSync(f)).toString('utf8')).join('');
}

describe('the README example: zcat …_CloudTrail_*.json.gz | netwatch classify -', () => {
  it('reads several log files concatenated without newlines, every record of each', () => {
    // Prepare: two log files, a risky record in the second.
    const a = logFile('111122223333_CloudTrail_eu-west-1_20261120T0910Z_a.json.gz', [describeRecord()]);
    const b = logFile('111122223333_CloudTrail_eu-west-1_20261120T0915Z_b.json.gz', [
      describeRecord(),
      sshWorldRecord(),
    ]);
    // Act
    const { code, stdout, stderr } = netwatch(['classify', '--stats', '-'], { input: zcat(a, b) });
    // Assess
    expect(stderr).not.toContain('not valid JSON');
    expect(code).toBe(0);
    expect(stderr).toMatch(/^3 records \(2 values, 1 file\)/m);
    const findings = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { category: string; resource: { id: string } });
    expect(findings.map((f) => [f.category, f.resource.id])).toContainEqual(['sg-open-world', 'sg-0a1b2c3d4e5f60718']);
  });

  it('the same with --full-parse, and with the files joined by newlines or mixed', () => {
    const a = logFile('c.json.gz', [sshWorldRecord()]);
    const b = logFile('d.json.gz', [describeRecord()]);
    for (const [args, input] of [
      [['classify', '--full-parse', '-'], zcat(a, b)],
      [['classify', '-'], `${zcat(a)}\n${zcat(b)}${zcat(a)}`],
    ] as const) {
      const { code, stdout, stderr } = netwatch(args, { input });
      expect(stderr, args.join(' ')).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain('"sg-open-world"');
    }
  });

  it('a broken document among them costs only itself, named by its place', () => {
    const a = logFile('e.json.gz', [sshWorldRecord()]);
    const { code, stdout, stderr } = netwatch(['classify', '-'], {
      input: `${zcat(a)}{"Records": [ {"eventName": "x" "y"} ] }${zcat(a)}`,
    });
    expect(code).toBe(2);
    expect(stderr).toContain('-: document 2 of 3 (documents back to back): not valid JSON at column 33');
    // Both good documents are read: classify prints a finding per record, the one before and the one after.
    const findings = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { category: string });
    expect(findings.map((f) => f.category)).toEqual(['sg-open-world', 'sg-open-world']);
  });
});

describe('input edge cases', () => {
  it('a pretty-printed file cut short: one error, "truncated at line N", not one per line', () => {
    // Prepare: a sample event as pretty-printed JSON, cut in the middle of line 20.
    const text = JSON.stringify(sshWorldRecord(), null, 2);
    const cut = text.split('\n').slice(0, 20).join('\n').slice(0, -3);
    const file = join(dir, 'cut.json');
    writeFileSync(file, cut);
    // Act
    const { code, stderr } = netwatch(['classify', file]);
    // Assess
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^netwatch: ${file}: truncated at line 20: the JSON document stops before it is complete`),
      ),
    ]);
  });

  it('a pretty-printed file with a syntax error: the line and column of the first bad character', () => {
    const lines = JSON.stringify(sshWorldRecord(), null, 2).split('\n');
    lines[5] = `${lines[5]} oops`;
    const file = join(dir, 'typo.json');
    writeFileSync(file, lines.join('\n'));
    const { code, stderr } = netwatch(['classify', file]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^netwatch: ${file}:6: not valid JSON at column \\d+: `)),
    ]);
  });

  it('JSON Lines with one bad line still reports that line alone', () => {
    const file = join(dir, 'lines.jsonl');
    writeFileSync(
      file,
      ['{"eventSource": "ec2', JSON.stringify(describeRecord()), JSON.stringify(sshWorldRecord())].join('\n'),
    );
    const { code, stdout, stderr } = netwatch(['classify', file]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^netwatch: ${file}:1: not valid JSON`)),
    ]);
    expect(stdout).toContain('"sg-open-world"');
  });

  it('a binary file: one clear sentence, no bytes echoed back; a zip archive is named as one', () => {
    const binary = join(dir, 'core.json');
    writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0xff, 0xfe, 0x00, 0x10]));
    const zip = join(dir, 'logs.json.gz');
    writeFileSync(zip, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]));
    const { code, stdout, stderr } = netwatch(['classify', binary, zip]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      `netwatch: ${binary}: binary data: not JSON, JSON Lines or gzip — skipped (unpack it, or give the .json / .json.gz files)`,
      `netwatch: ${zip}: a zip archive: not JSON, JSON Lines or gzip — skipped (unpack it, or give the .json / .json.gz files)`,
    ]);
    expect(stderr).not.toMatch(/ELF|\uFFFD/);
  });

  it('an empty file and empty stdin say "no records" and exit 2', () => {
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '');
    const file = netwatch(['classify', empty]);
    expect(file.code).toBe(2);
    expect(file.stderr).toBe(`netwatch: ${empty}: no records: the file is empty\n`);
    const stdin = netwatch(['classify', '-'], { input: '\n  \n' });
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toBe('netwatch: -: no records: standard input was empty\n');
  });

  it('counts read in the singular when there is one', () => {
    const file = join(dir, 'one.jsonl');
    writeFileSync(file, `${JSON.stringify(sshWorldRecord())}\n`);
    const stats = netwatch(['classify', '--stats', file]);
    expect(stats.stderr).toMatch(
      /^1 record \(1 value, 1 file\) in [\d.]+ s = \d+ records\/s; 1 change, 1 finding, 0 ignored, 0 errors\n$/,
    );
    const config = join(dir, 'one.yml');
    writeFileSync(
      config,
      'version: 1\nsinks: { log: { type: log } }\nroutes: [{ name: all, kind: record, sinks: [log] }]\n',
    );
    expect(netwatch(['config', config]).stdout).toBe(
      `${config}: valid — 1 sink (log: log), 1 route (0 paging: none), 0 static approvals, 0 allowlists, dedup 24 h, grouping 5 min\n`,
    );
    const replay = netwatch(['replay', '--out', join(dir, 'one-out'), file]);
    expect(replay.stderr).toMatch(
      /1 record from 1 file in [\d.]+ s: 1 network change, 1 finding \(0 duplicates merged\)/,
    );
  });
});

describe('replay shows what was delivered', () => {
  it('records merged into one delivery show the delivered one: the page, not the other record', () => {
    // Prepare: an endpoint created with a policy, then the same policy put again by ModifyVpcEndpoint — judged each
    // on its own (--state off), they leave the same state: one fingerprint, one delivery, the MEDIUM page.
    const out = join(dir, 'vpce-out');
    // Act
    const { code, stdout, stderr } = netwatch([
      'replay',
      '--state',
      'off',
      '--out',
      out,
      '--format',
      'table',
      `${EVENTS}/create-vpc-endpoint-gateway-s3-wildcard-policy.json`,
      `${EVENTS}/modify-vpc-endpoint-policy-wildcard.json`,
    ]);
    // Assess: the one row is the MEDIUM page that went to paging, as pages.jsonl holds it.
    expect(code).toBe(0);
    expect(stderr).toContain('1 finding (1 duplicate merged)');
    const rows = stdout.trim().split('\n').slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(
      /^MEDIUM\s+endpoint-policy-loosened .*policy replaced with a broad grant\s+paging, change-log$/,
    );
    const pages = readFileSync(join(out, 'pages.jsonl'), 'utf8').trim().split('\n');
    expect(pages.map((p) => (JSON.parse(p) as { severity: string; summary: string }).summary)).toEqual([
      'endpoint vpce-0a1b2c3d4e5f60718 policy replaced with a broad grant',
    ]);
  });

  it('npm start: every row routed to paging is a page in pages.jsonl with the same severity and summary', () => {
    const out = join(dir, 'start-out');
    const { code, stdout } = netwatch([
      'replay',
      '--recorded-aws',
      'aws-responses',
      '--context',
      'netwatch.context.json',
      '--out',
      out,
      '--format',
      'jsonl',
      'events',
    ]);
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { severity: string; summary: string; sinks: string[]; fingerprint: string });
    const pages = readFileSync(join(out, 'pages.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { severity?: string; summary?: string; fingerprint?: string })
      .filter((p) => p.fingerprint !== undefined);
    const paged = rows.filter((r) => r.sinks.includes('paging'));
    expect(paged.length).toBeGreaterThan(0);
    for (const row of paged)
      expect(pages, row.summary).toContainEqual(
        expect.objectContaining({ fingerprint: row.fingerprint, severity: row.severity, summary: row.summary }),
      );
  });
});
