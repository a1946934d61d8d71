import type { ChangeEvent, NaclEntry, NaclEntryDelta } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import type { Severity } from '../shared/model/severity.ts';
import { contains, isWorldEquivalent, publicCidrs, tryParseCidr } from '../shared/net/cidr.ts';
import { exposureOf, portLabel, rangeCovers, type ExposureClass } from '../shared/net/ports.ts';
import { reachShares, worldHits, worldReason, type ReachCandidate } from '../shared/net/world-reach.ts';
import { ec2, naclChange, naclDelta, naclEntry } from './cases/build.ts';

/**
 * NACLs are a subnet-wide second layer: an allow from the world removes that layer for every instance in the
 * subnet, but security groups still apply, so the ceiling is high, not critical.
 */
const SEVERITY_BY_CLASS: Readonly<Record<ExposureClass, Severity>> = {
  'all-traffic': 'high',
  admin: 'high',
  'data-store': 'high',
  web: 'medium',
  other: 'medium',
  icmp: 'low',
};

/** An ingress allow reaching at least this share of the public internet (not all of it) is medium. */
const HALF_THE_INTERNET = 0.5;

function range(e: NaclEntry): { protocol: string; fromPort?: number; toPort?: number } {
  return {
    protocol: e.protocol,
    ...(e.fromPort !== undefined ? { fromPort: e.fromPort } : {}),
    ...(e.toPort !== undefined ? { toPort: e.toPort } : {}),
  };
}

function isWorld(e: NaclEntry): boolean {
  const c = e.cidr === undefined ? undefined : tryParseCidr(e.cidr.value);
  return c !== undefined && isWorldEquivalent(c);
}

/** The entry was already an allow from the world on at least the same traffic (a no-op replace). */
function alreadyOpen(d: NaclEntryDelta): boolean {
  const b = d.before;
  return (
    b !== undefined &&
    b.action === 'allow' &&
    b.egress === d.entry.egress &&
    isWorld(b) &&
    rangeCovers(range(b), range(d.entry))
  );
}

/** The entry already allowed at least the same sources on the same traffic before this change. */
function alreadyAllowed(d: NaclEntryDelta): boolean {
  const b = d.before;
  const before = b?.cidr === undefined ? undefined : tryParseCidr(b.cidr.value);
  const after = d.entry.cidr === undefined ? undefined : tryParseCidr(d.entry.cidr.value);
  return (
    b !== undefined &&
    b.action === 'allow' &&
    b.egress === d.entry.egress &&
    before !== undefined &&
    after !== undefined &&
    contains(before, after) &&
    rangeCovers(range(b), range(d.entry))
  );
}

function classify(change: ChangeEvent): FindingDraft[] {
  const deltas = change.deltas.filter((d): d is NaclEntryDelta => d.kind === 'nacl-entry');
  const out: FindingDraft[] = [];
  const ingressAllows: ReachCandidate<NaclEntryDelta>[] = deltas
    .filter((d) => d.op !== 'removed' && d.entry.action === 'allow' && !d.entry.egress)
    .map((d) => ({ item: d, scope: d.naclId, cidr: d.entry.cidr.value, range: range(d.entry) }));
  for (const hit of worldHits(ingressAllows)) {
    const exposure = exposureOf(hit.range.protocol, hit.range.fromPort, hit.range.toPort);
    const first = hit.items[0]!;
    const why = [
      worldReason(hit),
      exposure.class === 'all-traffic'
        ? 'all traffic allowed'
        : `exposure class ${exposure.class}${exposure.ports.length ? `: ${exposure.ports.map((p) => p.name).join(', ')}` : ''}`,
      'security groups still filter; a lower-numbered deny entry (not visible in this change) may also take precedence',
    ];
    let severity = SEVERITY_BY_CLASS[exposure.class];
    if (!hit.viaUnion && hit.items.every(alreadyOpen)) {
      severity = 'info';
      why.push('the entry already allowed the same traffic from the world before this change');
    }
    const rules = hit.items.map((d) => `#${d.entry.ruleNumber}`).join(', ');
    out.push({
      severity,
      summary: `${exposure.label} allowed from ${hit.cidrs.join(' + ')} on ${first.naclId} (ingress allow ${rules})`,
      evidence: hit.items,
      why,
    });
  }
  const reported = new Set(out.flatMap((f) => f.evidence));
  // Partial coverage is graded by the share of the public internet it reaches: half or more is medium.
  for (const [d, reach] of reachShares(ingressAllows)) {
    if (reported.has(d) || reach.share < HALF_THE_INTERNET || alreadyAllowed(d)) continue;
    const exposure = exposureOf(d.entry.protocol, d.entry.fromPort, d.entry.toPort);
    out.push({
      severity: 'medium',
      summary: `${exposure.label} allowed from ${reach.cidrs.join(' + ')} on ${d.naclId} (ingress allow #${d.entry.ruleNumber}, ${d.op})`,
      evidence: [d],
      why: [
        `${reach.cidrs.join(' + ')} ${reach.cidrs.length > 1 ? 'together reach' : 'reaches'} ${(reach.share * 100).toFixed(1)} % of the public IPv${reach.version} internet: graded by the share of public space`,
        'security groups still filter; a lower-numbered deny entry (not visible in this change) may also take precedence',
      ],
    });
    reported.add(d);
  }
  for (const d of deltas) {
    if (reported.has(d)) continue;
    const e = d.entry;
    const label = `${portLabel(range(e))} ${e.action} ${e.egress ? 'to' : 'from'} ${e.cidr.value} on ${d.naclId} (${e.egress ? 'egress' : 'ingress'} #${e.ruleNumber}, ${d.op})`;
    if (d.op === 'removed') {
      // Deleting a deny can loosen the ACL, but we cannot see what the remaining entries allow: record, never page.
      if (e.action === 'deny')
        out.push({
          severity: 'low',
          summary: `deny entry deleted: ${label}`,
          evidence: [d],
          why: ['a deny entry was deleted; traffic it blocked may now match a later allow'],
        });
      continue;
    }
    if (e.action === 'allow' && e.egress && isWorld(e)) {
      out.push({
        severity: 'low',
        summary: `egress ${label}`,
        evidence: [d],
        why: ['outbound allow to the world: usual for NACLs (return traffic needs ephemeral ports), recorded only'],
      });
    }
  }
  return out;
}

/** NACL ingress allow from the whole internet. */
export const rule: Rule = {
  id: 'nacl-open',
  title: 'Network ACL allows inbound traffic from the internet',
  description:
    'A network ACL entry now allows inbound traffic from the whole internet (0.0.0.0/0, ::/0 or any /0, or entries ' +
    'added together that cover the space). NACLs apply to every instance in the associated subnets, so this removes ' +
    'the subnet-level layer of defence for those ports. Check: which subnets use the ACL, whether a lower-numbered ' +
    'deny still blocks the traffic, and whether the opening was planned. Deny entries, narrow sources and deletions ' +
    'are recorded at low/info only.',
  category: 'nacl-open',
  deltaKinds: ['nacl-entry'],
  resourceTypes: ['AWS::EC2::NetworkAcl'],
  apiCalls: [
    {
      source: 'ec2.amazonaws.com',
      names: ['CreateNetworkAclEntry', 'ReplaceNetworkAclEntry', 'DeleteNetworkAclEntry'],
    },
  ],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'ingress allow all from 0.0.0.0/0',
      change: naclChange([naclDelta('added', naclEntry(100, false, 'allow', 'all', '0.0.0.0/0'))], {
        api: ec2('CreateNetworkAclEntry'),
      }),
      expect: 'high',
    },
    {
      name: 'ingress allow ssh from ::/0',
      change: naclChange([naclDelta('added', naclEntry(110, false, 'allow', 'tcp', '::/0', 22))], {
        api: ec2('CreateNetworkAclEntry'),
      }),
      expect: 'high',
    },
    {
      name: 'ingress allow https from world',
      change: naclChange([naclDelta('added', naclEntry(120, false, 'allow', 'tcp', '0.0.0.0/0', 443))], {
        api: ec2('CreateNetworkAclEntry'),
      }),
      expect: 'medium',
    },
    {
      name: 'replace deny with allow from world',
      change: naclChange(
        [
          naclDelta(
            'changed',
            naclEntry(100, false, 'allow', 'tcp', '0.0.0.0/0', 3389),
            naclEntry(100, false, 'deny', 'tcp', '0.0.0.0/0', 3389),
          ),
        ],
        { api: ec2('ReplaceNetworkAclEntry') },
      ),
      expect: 'high',
    },
    {
      name: 'ingress allow all from ::/1 (holds every routable IPv6 address)',
      change: naclChange([naclDelta('added', naclEntry(100, false, 'allow', 'all', '::/1'))], {
        api: ec2('CreateNetworkAclEntry'),
      }),
      expect: 'high',
    },
    {
      name: 'ingress allow ssh from every public IPv4 block',
      change: naclChange(
        publicCidrs(4).map((c, i) => naclDelta('added', naclEntry(100 + i, false, 'allow', 'tcp', c, 22))),
        { api: ec2('CreateNetworkAclEntry') },
      ),
      expect: 'high',
    },
    {
      name: 'ingress allow ssh from 0.0.0.0/1 (56 % of the public internet)',
      change: naclChange([naclDelta('added', naclEntry(100, false, 'allow', 'tcp', '0.0.0.0/1', 22))], {
        api: ec2('CreateNetworkAclEntry'),
      }),
      expect: 'medium',
    },
    {
      name: 'egress allow all (borderline)',
      change: naclChange([naclDelta('added', naclEntry(100, true, 'allow', 'all', '0.0.0.0/0'))], {
        api: ec2('CreateNetworkAclEntry'),
      }),
      expect: 'low',
    },
    {
      name: 'ingress deny from world',
      change: naclChange([naclDelta('added', naclEntry(90, false, 'deny', 'all', '0.0.0.0/0'))], {
        api: ec2('CreateNetworkAclEntry'),
      }),
      expect: null,
    },
    {
      name: 'ingress allow from a /32',
      change: naclChange([naclDelta('added', naclEntry(130, false, 'allow', 'tcp', '81.2.69.160/32', 22))], {
        api: ec2('CreateNetworkAclEntry'),
      }),
      expect: null,
    },
    {
      name: 'delete an allow entry',
      change: naclChange([naclDelta('removed', naclEntry(100, false, 'allow', 'all', '0.0.0.0/0'))], {
        api: ec2('DeleteNetworkAclEntry'),
      }),
      expect: null,
    },
    {
      name: 'delete a deny entry',
      change: naclChange([naclDelta('removed', naclEntry(90, false, 'deny', 'tcp', '0.0.0.0/0', 22))], {
        api: ec2('DeleteNetworkAclEntry'),
      }),
      expect: 'low',
    },
  ];
}
