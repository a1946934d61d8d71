import { describe, expect, it } from 'vitest';
import { netwatch } from '../support/cli.ts';

describe('netwatch classify --recorded-aws --context', () => {
  it('an oversized change fetched, a Config change with its actor, a compliance flip: each explained', () => {
    // Act
    const { code, stdout, stderr } = netwatch([
      'classify',
      '--format',
      'jsonl',
      '--recorded-aws',
      'aws-responses',
      '--context',
      'netwatch.context.json',
      'events/config/oversized-sg.json',
      'events/config/igw-attached-internal-vpc.json',
      'events/config/compliance-custom-rule-eventbridge.json',
    ]);
    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const findings = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ruleId: string; severity: string; actor?: { arn?: string }; why: string[] });
    expect(findings.map((f) => [f.ruleId, f.severity, f.actor?.arn])).toEqual([
      ['sg-open-world', 'critical', 'arn:aws:iam::111122223333:user/legacy-admin'],
      ['igw-attach', 'critical', 'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/bob@example.com'],
      ['compliance-change', 'medium', undefined],
    ]);
    expect(findings[0]!.why).toContain(
      'item-fetch: oversized item fetched with GetResourceConfigHistory and diffed against the previous item',
    );
    expect(findings[1]!.why).toContain(
      'vpc-0c0ffee0c0ffee012 is tagged netwatch:exposure=internal (internal-only): it must have no internet gateway',
    );
  });

  it('offline by default: the oversized change is reported as not fetched', () => {
    const { stdout } = netwatch(['classify', '--format', 'jsonl', 'events/config/oversized-sg.json']);
    expect(JSON.parse(stdout)).toMatchObject({ ruleId: 'change-uninspected', severity: 'low' });
  });

  it('rejects a bad context file and conflicting enrichment options as usage errors', () => {
    expect(netwatch(['classify', '--context', 'package.json', 'events/config/oversized-sg.json']).code).toBe(64);
    expect(
      netwatch(['classify', '--enrich', '--recorded-aws', 'aws-responses', 'events/config/oversized-sg.json']).code,
    ).toBe(64);
  });
});
