import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { netwatch } from '../support/cli.ts';
import { describeRecord, sshWorldRecord } from '../support/records.ts';

const dir = mkdtempSync(join(tmpdir(), 'netwatch-cli-'));

describe('netwatch classify', () => {
  it('prints one JSON finding per line with the documented fields, from a gzip log file', () => {
    // Prepare: a CloudTrail log file with one risky and one read-only record, gzipped.
    const file = join(dir, '111122223333_CloudTrail_eu-west-1_20261120T0915Z_x.json.gz');
    writeFileSync(file, gzipSync(JSON.stringify({ Records: [sshWorldRecord(), describeRecord()] })));
    // Act
    const { code, stdout, stderr } = netwatch(['classify', file]);
    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const findings = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const page = findings.find((f) => f['category'] === 'sg-open-world');
    expect(page).toMatchObject({
      ruleId: expect.any(String),
      severity: expect.stringMatching(/^(high|critical)$/),
      resource: {
        type: 'AWS::EC2::SecurityGroup',
        id: 'sg-0a1b2c3d4e5f60718',
        account: '111122223333',
        region: 'eu-west-1',
      },
      actor: { arn: 'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice' },
      source: 'cloudtrail',
      changeId: '9d3a8e5c-2f41-4b7a-8c6d-0e1f2a3b4c5d',
      fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(String(page?.['summary'])).toMatch(/22/);
    expect(String(page?.['summary'])).toContain('0.0.0.0/0');
  });

  it('reads stdin and prints a table', () => {
    const { code, stdout } = netwatch(['classify', '--format', 'table', '-'], {
      input: `${JSON.stringify(sshWorldRecord())}\n`,
    });
    expect(code).toBe(0);
    const [header, row] = stdout.split('\n');
    expect(header).toMatch(/^SEVERITY\s+RULE\s+RESOURCE\s+ACCOUNT\/REGION\s+ACTOR\s+SUMMARY/);
    expect(row).toContain('sg-0a1b2c3d4e5f60718');
    expect(row).toContain('111122223333/eu-west-1');
    expect(row).toContain('NetworkAdmin');
  });

  it('exits 2 on malformed input, naming file and line, and still classifies the good lines', () => {
    const file = join(dir, 'mixed.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify(describeRecord()),
        '{"eventSource": "ec2.amazonaws.com", "eventName"',
        JSON.stringify(sshWorldRecord()),
      ].join('\n'),
    );
    const { code, stdout, stderr } = netwatch(['classify', file]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:2: not valid JSON`);
    expect(stdout).toContain('"sg-open-world"');
  });

  it('prints help on --help, and help plus exit 64 on a usage error', () => {
    const help = netwatch(['classify', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: netwatch classify');
    const bad = netwatch(['classify', '--format', 'xml', '-'], { input: '' });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--format must be jsonl or table');
    expect(bad.stderr).toContain('Usage: netwatch classify');
    const unknown = netwatch(['frobnicate']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });
});

describe('netwatch replay', () => {
  it('routes risky findings to paging and every finding to the change log, once per change', () => {
    // Prepare: the same change delivered twice.
    const file = join(dir, 'replay.jsonl');
    writeFileSync(file, `${JSON.stringify(sshWorldRecord())}\n${JSON.stringify(sshWorldRecord())}\n`);
    const out = join(dir, 'out');
    // Act
    const { code, stdout, stderr } = netwatch(['replay', '--out', out, file]);
    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(/ROUTED TO/);
    expect(stdout).toContain('paging, change-log');
    expect(stderr).toContain('1 duplicate merged'); // one, singular (issue 18)
    const pages = spawnSync('cat', [join(out, 'pages.jsonl')], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n');
    expect(pages).toHaveLength(1);
    expect(JSON.parse(pages[0] ?? '{}')).toMatchObject({
      category: 'sg-open-world',
      resource: { id: 'sg-0a1b2c3d4e5f60718' },
    });
  });
});
