import { describe, expect, it } from 'vitest';
import {
  cidr,
  ec2,
  loggingChange,
  logging,
  naclChange,
  naclDelta,
  naclEntry,
  perm,
  routeChange,
  routeDelta,
  sgChange,
  sgDelta,
} from '../../rules/cases/build.ts';
import { rule as naclOpen } from '../../rules/nacl-open.ts';
import { rule as routeToIgw } from '../../rules/route-to-igw.ts';
import { rule as sgOpenWorld } from '../../rules/sg-open-world.ts';
import { rule as sgWidened } from '../../rules/sg-widened.ts';
import { rule as trailStopped } from '../../rules/trail-stopped.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';

/** What a responder reads: the specifics (port, CIDR, group, direction) must be in the one-line summary. */
describe('finding content', () => {
  it('sg-open-world names port, CIDR, group and direction, and explains host bits', () => {
    const [f, ...rest] = sgOpenWorld.classify(
      sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('208.236.235.254/0')))], {
        api: ec2('AuthorizeSecurityGroupIngress'),
      }),
      EMPTY_CONTEXT,
    );
    expect(rest).toEqual([]);
    expect(f!.summary).toBe('tcp/22 open to 208.236.235.254/0 on sg-0123456789abcdef0 (ingress, added)');
    expect(f!.why.join(' ')).toMatch(/host bits/);
    expect(f!.why.join(' ')).toMatch(/ssh \(22\)/);
  });

  it('sg-open-world reports v4 and v6 world rules of one call separately', () => {
    const change = sgChange([
      sgDelta('added', perm('ingress', 'all', undefined, cidr('0.0.0.0/0'))),
      sgDelta('added', perm('ingress', 'all', undefined, cidr('::/0'))),
    ]);
    const findings = sgOpenWorld.classify(change, EMPTY_CONTEXT);
    expect(findings.map((f) => [f.severity, f.summary])).toEqual([
      ['critical', 'all traffic open to 0.0.0.0/0 on sg-0123456789abcdef0 (ingress, added)'],
      ['critical', 'all traffic open to ::/0 on sg-0123456789abcdef0 (ingress, added)'],
    ]);
  });

  it('sg-open-world names the group and the union CIDRs', () => {
    const change = sgChange([
      sgDelta('added', perm('ingress', 'tcp', 6379, cidr('0.0.0.0/1')), { groupName: 'cache' }),
      sgDelta('added', perm('ingress', 'tcp', 6379, cidr('128.0.0.0/1')), { groupName: 'cache' }),
    ]);
    const [f] = sgOpenWorld.classify(change, EMPTY_CONTEXT);
    expect(f!.severity).toBe('high');
    expect(f!.summary).toBe(
      'tcp/6379 open to 0.0.0.0/1 + 128.0.0.0/1 on sg-0123456789abcdef0 (cache) (ingress, added)',
    );
    expect(f!.evidence).toHaveLength(2);
  });

  it('sg-widened shows before -> after', () => {
    const change = sgChange([
      sgDelta('removed', perm('ingress', 'tcp', 22, cidr('81.2.69.160/32'))),
      sgDelta('added', perm('ingress', 'tcp', 22, cidr('81.2.0.0/16'))),
    ]);
    const [f] = sgWidened.classify(change, EMPTY_CONTEXT);
    expect(f!.summary).toBe(
      'ingress widened: tcp/22 from 81.2.69.160/32 -> tcp/22 from 81.2.0.0/16 on sg-0123456789abcdef0',
    );
    expect(f!.evidence).toEqual(change.deltas);
  });

  it('nacl-open names ports, CIDR, ACL and rule number', () => {
    const [f] = naclOpen.classify(
      naclChange([naclDelta('added', naclEntry(100, false, 'allow', 'tcp', '0.0.0.0/0', 22))]),
      EMPTY_CONTEXT,
    );
    expect(f!.summary).toBe('tcp/22 allowed from 0.0.0.0/0 on acl-0f1e2d3c4b5a69788 (ingress allow #100)');
  });

  it('route-to-igw names destination, gateway and table', () => {
    const [f] = routeToIgw.classify(
      routeChange([routeDelta('added', '0.0.0.0/0', { kind: 'internet-gateway', id: 'igw-0d7c5b3a19e8f2046' })]),
      EMPTY_CONTEXT,
    );
    expect(f!.summary).toBe(
      'default route 0.0.0.0/0 -> internet-gateway igw-0d7c5b3a19e8f2046 in rtb-04c8e2f1a9b7d3e65 (added)',
    );
  });

  it('trail-stopped lists every weakening', () => {
    const [f] = trailStopped.classify(
      loggingChange(
        logging('trail', 'updated', 'org-audit', { weakenings: ['log-file validation off', 'multi-region off'] }),
      ),
      EMPTY_CONTEXT,
    );
    expect(f!.severity).toBe('high');
    expect(f!.summary).toBe('CloudTrail trail org-audit weakened: log-file validation off, multi-region off');
  });
});
