import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { reconcile } from '../../shared/5-decide/approvals/match.ts';
import { classifyValue } from '../../shared/4-classify/classify.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { publicCidrs } from '../../shared/net/cidr.ts';
import { sshWorldRecord } from '../support/records.ts';

/**
 * Issue 12, "World-equivalent ranges": ranges that are the internet in all but name must be graded as the internet
 * (category sg-open-world / route-to-igw / nacl-open, same severity as /0), through the whole pipeline from a real-shaped
 * CloudTrail record — so an allowlist for `sg-widened` cannot hide them. Before the fix: `2000::/3` on ssh was
 * sg-widened medium, every public IPv4 block was 116 × sg-widened, `2000::/3 -> igw` was route-to-igw low.
 */
const classify = (record: unknown): Finding[] =>
  classifyValue(record, { file: 'test' }, { rules: RULES, context: EMPTY_CONTEXT }).findings;

function sgIngress(ipRanges: string[], ipv6Ranges: string[], protocol = 'tcp', port = 22): Record<string, unknown> {
  const record = sshWorldRecord();
  record['requestParameters'] = {
    groupId: 'sg-0a1b2c3d4e5f60718',
    ipPermissions: {
      items: [
        {
          ipProtocol: protocol,
          fromPort: port,
          toPort: port,
          groups: {},
          ipRanges: { items: ipRanges.map((cidrIp) => ({ cidrIp })) },
          ipv6Ranges: { items: ipv6Ranges.map((cidrIpv6) => ({ cidrIpv6 })) },
          prefixListIds: {},
        },
      ],
    },
  };
  delete record['responseElements'];
  return record;
}

function sample(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../events/cloudtrail/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

describe('world-equivalent ranges are the internet', () => {
  it('ssh from 2000::/3 (every routable IPv6 address) is sg-open-world high, like ::/0', () => {
    const world = classify(sgIngress([], ['::/0']));
    const findings = classify(sgIngress([], ['2000::/3']));
    expect(findings.map((f) => [f.ruleId, f.category, f.severity])).toEqual([
      ['sg-open-world', 'sg-open-world', 'high'],
    ]);
    expect(findings[0]!.severity).toBe(world[0]!.severity);
    expect(findings[0]!.why[0]).toMatch(/every public IPv6 address/);
  });

  it('ssh from every public IPv4 block (RFC 1918, loopback, reserved skipped) is one sg-open-world finding', () => {
    const findings = classify(sgIngress(publicCidrs(4), []));
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([['sg-open-world', 'high']]);
    expect(findings[0]!.evidence).toHaveLength(publicCidrs(4).length);
  });

  it('an allowlist for sg-widened no longer hides it', () => {
    const [finding] = classify(sgIngress([], ['2000::/3']));
    const verdict = reconcile(
      finding!,
      [],
      [
        {
          name: 'partners',
          actorArnPatterns: ['arn:aws:iam::111122223333:role/NetworkAdmin'],
          categories: ['sg-widened'],
          reason: 'partner ranges',
        },
      ],
      new Date('2026-11-20T10:00:00Z'),
    );
    expect(verdict.state).toBe('unapproved');
  });

  it('a route to an IGW for 2000::/3 is a default route (route-to-igw high)', () => {
    const record = sample('create-route-default-to-igw.json');
    record['requestParameters'] = {
      routeTableId: 'rtb-0a1b2c3d4e5f60718',
      destinationIpv6CidrBlock: '2000::/3',
      gatewayId: 'igw-0a1b2c3d4e5f60718',
    };
    expect(classify(record).map((f) => [f.ruleId, f.severity])).toEqual([['route-to-igw', 'high']]);
  });

  it('a NACL ingress allow from ::/1 is nacl-open high, like ::/0', () => {
    const record = sample('create-nacl-entry-ingress-world-allow.json');
    const params = record['requestParameters'] as Record<string, unknown>;
    delete params['cidrBlock'];
    params['ipv6CidrBlock'] = '::/1';
    params['portRange'] = { from: 22, to: 22 };
    expect(classify(record).map((f) => [f.ruleId, f.severity])).toEqual([['nacl-open', 'high']]);
  });

  it('partial coverage is graded by its share: ssh from 0.0.0.0/1 (56.5 % of public IPv4) is high, not low/medium', () => {
    const findings = classify(sgIngress(['0.0.0.0/1'], []));
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([['sg-widened', 'high']]);
    expect(findings[0]!.why.join(' ')).toMatch(/56\.5 % of the public IPv4 internet/);
  });
});
