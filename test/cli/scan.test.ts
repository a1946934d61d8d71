import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netwatch } from '../support/cli.ts';

/**
 * `netwatch scan` from a laptop, offline: the advanced query answered from recorded responses (the same files the
 * deployed-stack test answers the reconcile function with), the posture report printed, as JSON, or written as HTML.
 */
describe('netwatch scan', () => {
  it('prints the posture report of the recorded account (first run)', () => {
    const r = netwatch(['scan', '--recorded-aws', 'aws-responses', '--region', 'eu-west-1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Netwatch posture report');
    expect(r.stdout).toContain('Open exposures: 3 (1 critical, 1 high, 0 medium, 0 low, 1 info)');
    expect(r.stdout).toMatch(/CRITICAL\s+sg-open-world\s+sg-0aaa0000000000022\s+111122223333\/eu-west-1\s+reachable/);
    expect(r.stderr).toContain('10 resources from 1 advanced-query request in');
  });

  it('an aggregator over two accounts, written as the self-contained HTML report', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'netwatch-scan-')), 'posture.html');
    const r = netwatch([
      'scan',
      '--recorded-aws',
      'test/fixtures/advanced-query/org',
      '--aggregator',
      'org-network-aggregator',
      '--format',
      'html',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<li>111122223333 / eu-west-1: 2 resources');
    expect(html).toContain('<li>444455556666 / eu-west-1: 2 resources');
    expect(html).not.toMatch(/<script/i);
    expect(r.stderr).toContain('4 resources from 2 advanced-query requests');
  });

  it('json: the posture findings with their reachability', () => {
    const r = netwatch(['scan', '--recorded-aws', 'test/fixtures/advanced-query/day1', '--format', 'json']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as {
      requests: number;
      posture: { findings: { ruleId: string; severity: string; reach?: { verdict: string } }[] };
    };
    expect(body.requests).toBe(3);
    expect(body.posture.findings.map((f) => `${f.severity} ${f.ruleId} ${f.reach?.verdict ?? '-'}`)).toEqual([
      'critical sg-open-world reachable',
      'high nacl-open reachable',
      'info internet-path -',
    ]);
  });

  it('--deliver and --state dynamodb need a config', () => {
    expect(netwatch(['scan', '--deliver']).code).toBe(64);
    expect(netwatch(['scan', '--state', 'dynamodb']).stderr).toContain('--state dynamodb needs --config FILE');
  });
});
