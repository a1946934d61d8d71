import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parsePorts } from '../../cli/commands/evidence.ts';
import { netwatch as run } from '../support/cli.ts';
import { REPO_ROOT } from '../support/corpus.ts';

/** `netwatch evidence` offline, as a user runs it (the built command, dist/netwatch.js) over real-shaped flow-log files. */
function netwatchEvidence(args: string[]) {
  return run(['evidence', ...args], { env: { AWS_REGION: 'eu-west-1' } });
}

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'flow-logs');
const WINDOW = ['--until', '2026-11-20T10:14:03Z'];
const ENIS = ['--eni', 'eni-0a1b2c3d4e5f60718,eni-0b2c3d4e5f6071829'];
const dir = mkdtempSync(join(tmpdir(), 'netwatch-evidence-'));

describe('netwatch evidence (offline, flow-log files)', () => {
  it('a fingerprint from saved findings: since the change, on the ports it opened, from a default-format file', () => {
    const { code, stdout, stderr } = netwatchEvidence([
      'd41c4ed8',
      '--findings',
      join(FIXTURES, 'finding-ssh-world.jsonl'),
      '--files',
      join(FIXTURES, 'default-format.log'),
      ...ENIS,
      ...WINDOW,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n').slice(0, 5)).toEqual([
      'since it opened: 13 external sources reached tcp/22, 5 accepted',
      'window 2026-11-20T09:14:03.000Z → 2026-11-20T10:14:03.000Z; 2 interfaces; ports tcp/22',
      'accepted: 5 external sources, 9 flows, 48.2 KB; rejected: 8 external sources, 16 flows, 10.9 KB',
      'port tcp/22: 13 external sources (5 accepted), 59.1 KB',
      'top 1: 45.155.205.44 — 16.1 KB, 3 flows, ACCEPT (tcp/22)',
    ]);
  });

  it('the same file gzipped and renamed reads the same (gzip by content); a directory is walked', () => {
    const gz = join(dir, 'eni-flows.gz');
    writeFileSync(gz, gzipSync(readFileSync(join(FIXTURES, 'default-format.log'))));
    const args = ['sg-0a1b2c3d4e5f60718', '--since', '2026-11-20T09:14:03Z', ...WINDOW, '--ports', 'tcp/22', ...ENIS];
    const plain = netwatchEvidence([...args, '--files', join(FIXTURES, 'default-format.log'), '--format', 'json']);
    const zipped = netwatchEvidence([...args, '--files', dir, '--format', 'json']);
    expect(zipped.code).toBe(0);
    const a = JSON.parse(plain.stdout) as Record<string, unknown>;
    const b = JSON.parse(zipped.stdout) as Record<string, unknown>;
    for (const key of ['summary', 'externalSources', 'accepted', 'rejected', 'ports', 'topSources'])
      expect(b[key]).toEqual(a[key]);
  });

  it('a custom v5 format from the S3 header line; egress records are not counted as sources reaching in', () => {
    const { code, stdout } = netwatchEvidence([
      'sg-0a1b2c3d4e5f60718',
      '--files',
      join(FIXTURES, 'custom-v5.log.gz'),
      '--since',
      '2026-11-20T09:14:03Z',
      ...WINDOW,
      '--ports',
      'tcp/22',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    const evidence = JSON.parse(stdout) as { summary: string; topSources: { address: string }[]; notes: string[] };
    expect(evidence.summary).toBe('since it opened: 3 external sources reached tcp/22, 2 accepted');
    expect(evidence.topSources.map((s) => s.address).sort()).toEqual([
      '185.220.101.7',
      '45.155.205.3',
      '89.248.165.12',
    ]);
    expect(evidence.notes).toContain('no interfaces named: every interface in the files counted (1)');
  });

  it('a custom v3 format given with --fields: TEST-NET sources are not external; a damaged line exits 2 naming file:line', () => {
    copyFileSync(join(FIXTURES, 'custom-v3.log'), join(dir, 'v3.log'));
    const { code, stdout, stderr } = netwatchEvidence([
      'sg-0a1b2c3d4e5f60718',
      '--files',
      join(dir, 'v3.log'),
      '--fields',
      '${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status}',
      '--since',
      '2026-11-20T09:14:03Z',
      ...WINDOW,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${join(dir, 'v3.log')}:3: flow-log record has 3 fields, the format has 21`);
    expect(stdout.split('\n')[0]).toBe('since it opened: 1 external source reached tcp/22, 1 accepted');
  });

  it('html: one self-contained page with the summary, ports and top sources, strings escaped', () => {
    const out = join(dir, 'evidence.html');
    const { code } = netwatchEvidence([
      'd41c4ed8',
      '--findings',
      join(FIXTURES, 'finding-ssh-world.jsonl'),
      '--files',
      join(FIXTURES, 'default-format.log'),
      ...ENIS,
      ...WINDOW,
      '--format',
      'html',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<p class="summary">since it opened: 13 external sources reached tcp/22, 5 accepted</p>');
    expect(html).toContain('<code>45.155.205.44</code>');
    expect(html).not.toMatch(/<script|https?:\/\/(?!\S*console\.aws)/);
  });

  it('usage errors exit 64 with the reason', () => {
    expect(netwatchEvidence(['i-0abc']).stderr).toContain(
      '"i-0abc" is not a fingerprint, sg-…, vpce-…, vpce-svc-… or rtb-… id',
    );
    expect(netwatchEvidence(['d41c4ed8']).code).toBe(64);
    expect(netwatchEvidence(['sg-0a1b2c3d4e5f60718', '--ports', 'tcp/99999']).stderr).toContain(
      '--ports: bad range "tcp/99999"',
    );
    expect(() => parsePorts(['ssh/22'])).toThrow(/not like tcp\/22/);
    expect(parsePorts(['tcp/22', 'udp/53', 'tcp/8000-8080', 'icmp'])).toEqual([
      { protocol: 6, from: 22, to: 22 },
      { protocol: 17, from: 53, to: 53 },
      { protocol: 6, from: 8000, to: 8080 },
      { protocol: 1 },
    ]);
  });
});
