import type { ChangeEvent, SgPermission, SgPermissionDelta } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import type { Severity } from '../shared/model/severity.ts';
import { isWorldEquivalent, publicCidrs, tryParseCidr } from '../shared/net/cidr.ts';
import { exposureOf, rangeCovers, type ExposureClass } from '../shared/net/ports.ts';
import { worldHits, worldReason, type ReachCandidate } from '../shared/net/world-reach.ts';
import { cidr, ec2, perm, SG, sgChange, sgDelta } from './cases/build.ts';

/**
 * Severity by what the world can reach. All traffic is critical; admin and data-store ports high (brute force and
 * unauthenticated databases are the classic breaches); web and other ports medium (reachable, often intended);
 * ICMP low (diagnostics; PMTUD needs some ICMP from anywhere).
 */
const SEVERITY_BY_CLASS: Readonly<Record<ExposureClass, Severity>> = {
  'all-traffic': 'critical',
  admin: 'high',
  'data-store': 'high',
  web: 'medium',
  other: 'medium',
  icmp: 'low',
};

function peerCidr(p: SgPermission): string | undefined {
  return p.peer.kind === 'cidr4' || p.peer.kind === 'cidr6' ? p.peer.cidr : undefined;
}

/** True when `before` was already open to the world on at least the same traffic: no new exposure. */
function alreadyOpen(delta: SgPermissionDelta): boolean {
  const before = delta.before;
  if (!before || before.direction !== 'ingress') return false;
  const text = peerCidr(before);
  const parsed = text === undefined ? undefined : tryParseCidr(text);
  const after = peerCidr(delta.permission);
  const afterParsed = after === undefined ? undefined : tryParseCidr(after);
  return (
    parsed !== undefined &&
    isWorldEquivalent(parsed) &&
    afterParsed?.version === parsed.version &&
    rangeCovers(before, delta.permission)
  );
}

function classify(change: ChangeEvent): FindingDraft[] {
  const candidates: ReachCandidate<SgPermissionDelta>[] = [];
  for (const d of change.deltas) {
    if (d.kind !== 'sg-permission' || d.op === 'removed' || d.permission.direction !== 'ingress') continue;
    const text = peerCidr(d.permission);
    if (text !== undefined) candidates.push({ item: d, scope: d.groupId, cidr: text, range: d.permission });
  }
  return worldHits(candidates).map((hit): FindingDraft => {
    const exposure = exposureOf(hit.range.protocol, hit.range.fromPort, hit.range.toPort);
    const group = hit.items[0]!.groupId;
    const groupName = hit.items[0]!.groupName;
    const where = `${hit.cidrs.join(' + ')}`;
    const why: string[] = [worldReason(hit)];
    let severity = SEVERITY_BY_CLASS[exposure.class];
    why.push(
      exposure.class === 'all-traffic'
        ? 'all traffic: every port and protocol'
        : exposure.ports.length
          ? `exposes ${exposure.class} ports: ${exposure.ports.map((p) => `${p.name} (${p.from === p.to ? p.from : `${p.from}-${p.to}`})`).join(', ')}`
          : `exposure class ${exposure.class}`,
    );
    if (!hit.viaUnion && hit.items.every(alreadyOpen)) {
      severity = 'info';
      why.push(
        'the rule was already open to the world on the same traffic before this change (edit, not new exposure)',
      );
    }
    const ops = [...new Set(hit.items.map((d) => d.op))].join('/');
    return {
      severity,
      summary: `${exposure.label} open to ${where} on ${group}${groupName ? ` (${groupName})` : ''} (ingress, ${ops})`,
      evidence: hit.items,
      why,
    };
  });
}

const api = ec2('AuthorizeSecurityGroupIngress');

/** Security group ingress reachable from the whole internet. */
export const rule: Rule = {
  id: 'sg-open-world',
  title: 'Security group ingress open to the internet',
  description:
    'A security group now accepts inbound traffic from the whole internet: 0.0.0.0/0, ::/0, any other /0 (AWS ignores ' +
    'host bits, so 208.236.235.254/0 is the internet too), or several CIDRs added together that cover the address ' +
    'space. Anything attached to the group (instances, ENIs, load balancers, databases) is reachable from everywhere ' +
    'on those ports. Check: who made the change and whether it was planned; which resources use the group; whether ' +
    'the port is an admin or database port; restrict the source to known ranges or use SSM Session Manager / a ' +
    'load balancer instead.',
  category: 'sg-open-world',
  deltaKinds: ['sg-permission'],
  resourceTypes: ['AWS::EC2::SecurityGroup'],
  apiCalls: [{ source: 'ec2.amazonaws.com', names: ['AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules'] }],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'ssh from 0.0.0.0/0',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('0.0.0.0/0')))], { api }),
      expect: 'high',
    },
    {
      name: 'all traffic from ::/0',
      change: sgChange([sgDelta('added', perm('ingress', 'all', undefined, cidr('::/0')))], { api }),
      expect: 'critical',
    },
    {
      name: '/0 with host bits set',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 3389, cidr('208.236.235.254/0')))], { api }),
      expect: 'high',
    },
    {
      name: 'postgres from the world',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 5432, cidr('0.0.0.0/0')))]),
      expect: 'high',
    },
    {
      name: 'https from the world',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 443, cidr('0.0.0.0/0')))], { api }),
      expect: 'medium',
    },
    {
      name: 'range 1000-2000 from the world',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', [1000, 2000], cidr('0.0.0.0/0')))], { api }),
      expect: 'high',
    },
    {
      name: 'two /1 halves added together',
      change: sgChange(
        [
          sgDelta('added', perm('ingress', 'tcp', 22, cidr('0.0.0.0/1'))),
          sgDelta('added', perm('ingress', 'tcp', 22, cidr('128.0.0.0/1'))),
        ],
        { api },
      ),
      expect: 'high',
    },
    {
      name: 'ModifySecurityGroupRules to the world (before unknown)',
      change: sgChange(
        [sgDelta('changed', perm('ingress', 'tcp', 8080, cidr('0.0.0.0/0')), { ruleId: 'sgr-0a2b4c6d8e0f13579' })],
        { api: ec2('ModifySecurityGroupRules') },
      ),
      expect: 'medium',
    },
    {
      name: 'description edit of an existing world rule',
      change: sgChange([
        sgDelta('changed', perm('ingress', 'tcp', 443, cidr('0.0.0.0/0')), {
          before: perm('ingress', 'tcp', 443, cidr('0.0.0.0/0')),
        }),
      ]),
      expect: 'info',
    },
    {
      name: 'ping from the world',
      change: sgChange([sgDelta('added', perm('ingress', 'icmp', [8, -1], cidr('0.0.0.0/0')))], { api }),
      expect: 'low',
    },
    {
      name: 'every routable IPv6 address (2000::/3) is the internet',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('2000::/3')))], { api }),
      expect: 'high',
    },
    {
      name: 'every public IPv4 block, private and reserved ranges skipped, is the internet',
      change: sgChange(
        publicCidrs(4).map((c) => sgDelta('added', perm('ingress', 'all', undefined, cidr(c)))),
        { api },
      ),
      expect: 'critical',
    },
    {
      name: '0.0.0.0/16 is not the internet',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 443, cidr('0.0.0.0/16')))], { api }),
      expect: null,
    },
    {
      name: 'ssh from a private range',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('10.0.0.0/8')))], { api }),
      expect: null,
    },
    {
      name: 'egress to the world',
      change: sgChange([sgDelta('added', perm('egress', 'all', undefined, cidr('0.0.0.0/0')))], {
        api: ec2('AuthorizeSecurityGroupEgress'),
      }),
      expect: null,
    },
    {
      name: 'revoke of a world rule',
      change: sgChange([sgDelta('removed', perm('ingress', 'tcp', 22, cidr('0.0.0.0/0')))], {
        api: ec2('RevokeSecurityGroupIngress'),
      }),
      expect: null,
    },
    {
      name: 'one /1 half on different ports does not cover',
      change: sgChange(
        [
          sgDelta('added', perm('ingress', 'tcp', 22, cidr('0.0.0.0/1'))),
          sgDelta('added', perm('ingress', 'tcp', 443, cidr('128.0.0.0/1'))),
        ],
        { api },
      ),
      expect: null,
    },
    {
      name: 'another group referenced',
      change: sgChange(
        [
          sgDelta(
            'added',
            perm('ingress', 'tcp', 5432, { kind: 'security-group', groupId: SG.replace('0123', '0999') }),
          ),
        ],
        { api },
      ),
      expect: null,
    },
  ];
}
