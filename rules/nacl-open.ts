import type { ChangeEvent, NaclEntry, NaclEntryDelta } from '../shared/model/change.ts';
import type { StateView } from '../shared/model/exposure.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import type { Severity } from '../shared/model/severity.ts';
import { elementKey } from '../shared/model/state.ts';
import { isWorldEquivalent, publicCidrs, shareText, tryParseCidr } from '../shared/net/cidr.ts';
import { exposureChanges, naclIngressReach, stateBefore, viewOf, type NaclReach } from '../shared/net/exposure.ts';
import { exposureOf, portLabel, type ExposureClass } from '../shared/net/ports.ts';
import { worldHitOf, worldReason } from '../shared/net/world-reach.ts';
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

/** Admitting at least this share of the public internet (not all of it) on some traffic is medium. */
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

/**
 * Where this delta takes what the ACL admits from the public internet to half of it or more (and not all: that is an
 * exposure, graded above), comparing the state before the change with the state after it on the same traffic
 * segments: an ingress allow added or replaced that takes part in the admitted share, or a deny deleted in front of
 * allows. The segment with the largest share, or undefined.
 */
function halfOpened(
  change: ChangeEvent,
  view: StateView,
  d: NaclEntryDelta,
): { after: NaclReach; before: NaclReach } | undefined {
  const e = d.entry;
  if (e.egress || e.cidr === undefined) return undefined;
  const opening = d.op === 'removed' ? e.action === 'deny' : e.action === 'allow';
  if (!opening) return undefined;
  const family = tryParseCidr(e.cidr.value)?.version;
  const resource = view.resources[d.naclId];
  if (family === undefined || resource === undefined) return undefined;
  const [before, after] = naclIngressReach([stateBefore(change, resource), resource.after], range(e), family);
  const element = elementKey({ kind: 'nacl-entry', entry: e });
  let best: { after: NaclReach; before: NaclReach } | undefined;
  for (const [i, a] of (after ?? []).entries()) {
    const b = before?.[i];
    if (b === undefined || a.share < HALF_THE_INTERNET || a.share >= 1 || b.share >= HALF_THE_INTERNET) continue;
    if (d.op !== 'removed' && !a.via.some((v) => v.element === element)) continue;
    if (best === undefined || a.share > best.after.share) best = { after: a, before: b };
  }
  return best;
}

/**
 * Grades what the ACL admits from the whole internet after rule ordering, in the state the change leaves: traffic
 * newly admitted is graded by what it exposes; traffic already admitted that the change only touched is info. Entries
 * that are no part of such an exposure fall through to the per-entry checks below (egress allow-all, deny deleted).
 */
function classify(change: ChangeEvent): FindingDraft[] {
  const deltas = change.deltas.filter((d): d is NaclEntryDelta => d.kind === 'nacl-entry');
  const out: FindingDraft[] = [];
  for (const { exposure, isNew, evidence: written, view } of exposureChanges(change, 'nacl-ingress')) {
    // A deny deleted in front of an allow opens what the allow admits: it is evidence of the new exposure.
    const evidence = isNew
      ? [
          ...written,
          ...deltas.filter(
            (d) => d.op === 'removed' && d.entry.action === 'deny' && d.naclId === view.id && !d.entry.egress,
          ),
        ]
      : written;
    const range = exposure.range ?? { protocol: 'all' };
    const family = exposure.family ?? 4;
    const exposed = exposureOf(range.protocol, range.fromPort, range.toPort);
    const cidrs = [...new Set(exposure.via.flatMap((v) => (v.cidr !== undefined ? [v.cidr] : [])))];
    const why = [
      worldReason(worldHitOf(cidrs, family)),
      exposed.class === 'all-traffic'
        ? 'all traffic allowed'
        : `exposure class ${exposed.class}${exposed.ports.length ? `: ${exposed.ports.map((p) => p.name).join(', ')}` : ''}`,
      view.before !== undefined || change.state?.source === 'kept'
        ? 'after rule ordering: no lower-numbered deny of the ACL takes this traffic first; security groups still filter'
        : 'security groups still filter; a lower-numbered deny entry (not visible in this change) may also take precedence',
    ];
    let severity = SEVERITY_BY_CLASS[exposed.class];
    if (!isNew) {
      severity = 'info';
      why.push('the entry already allowed the same traffic from the world before this change');
    }
    const naclEvidence = evidence.filter((d): d is NaclEntryDelta => d.kind === 'nacl-entry');
    const rules = exposure.via
      .map((v) => /#(\d+)/.exec(v.text)?.[0])
      .filter((r) => r !== undefined)
      .join(', ');
    out.push({
      severity,
      summary: `${exposed.label} allowed from ${cidrs.join(' + ')} on ${view.id} (ingress allow ${rules}${naclEvidence.some((d) => d.op === 'removed') ? '; a deny in front of it was deleted' : ''})`,
      evidence,
      why,
      exposures: [exposure.key],
    });
  }
  const reported = new Set(out.flatMap((f) => f.evidence));
  // Partial coverage is graded by the share of the public internet it lets through (issue 12): half or more is medium.
  const view = viewOf(change);
  for (const d of deltas) {
    if (reported.has(d)) continue;
    const half = halfOpened(change, view, d);
    if (half === undefined) continue;
    const e = d.entry;
    const family = tryParseCidr(e.cidr?.value ?? '')?.version ?? 4;
    const exposed = exposureOf(half.after.range.protocol, half.after.range.fromPort, half.after.range.toPort);
    const sources = half.after.via.flatMap((v) => (v.cidr !== undefined ? [v.cidr] : []));
    const what =
      d.op === 'removed'
        ? `deny entry #${e.ruleNumber} deleted: ${exposed.label} now allowed from ${sources.join(' + ')}`
        : `${exposed.label} allowed from ${sources.join(' + ')}`;
    out.push({
      severity: 'medium',
      summary: `${what} on ${d.naclId} (ingress ${d.op === 'removed' ? 'deny' : 'allow'} #${e.ruleNumber}, ${d.op})`,
      evidence: [d],
      why: [
        `${sources.join(' + ')} ${sources.length > 1 ? 'together let' : 'lets'} ${shareText(half.after.share)} of the public IPv${family} internet through on ${portLabel(half.after.range)}${half.before.share > 0 ? ` (${shareText(half.before.share)} before this change)` : ''}: graded by the share of public space`,
        view.source === 'kept'
          ? 'after rule ordering: what lower-numbered denies take is left out; security groups still filter'
          : 'security groups still filter; a lower-numbered deny entry (not visible in this change) may also take precedence',
      ],
    });
    reported.add(d);
  }
  for (const d of deltas) {
    if (reported.has(d)) continue;
    const e = d.entry;
    if (d.op === 'removed' && e.action === 'unknown') {
      // CloudTrail's DeleteNetworkAclEntry: which entry went away is known, what it said is not.
      out.push({
        severity: 'low',
        summary: `${e.egress ? 'egress' : 'ingress'} entry #${e.ruleNumber} deleted from ${d.naclId} (contents not logged by CloudTrail)`,
        evidence: [d],
        why: [
          'an entry was deleted and CloudTrail does not say what it was: if it was a deny, traffic it blocked may now match a later allow',
          "AWS Config's item of the same change shows the entry; recorded, not paged",
        ],
      });
      continue;
    }
    const label = `${portLabel(range(e))} ${e.action} ${e.egress ? 'to' : 'from'} ${e.cidr?.value ?? 'an unknown source'} on ${d.naclId} (${e.egress ? 'egress' : 'ingress'} #${e.ruleNumber}, ${d.op})`;
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

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'Which subnets use this network ACL? A broad allow above the deny entries overrides them for the whole subnet. Confirm the rule order and the intended CIDR.';

/** NACL ingress allow from the whole internet. */
export const rule: Rule = {
  id: 'nacl-open',
  title: 'Network ACL allows inbound traffic from the internet',
  description:
    'A network ACL entry now allows inbound traffic from the whole internet (0.0.0.0/0, ::/0 or any /0, one CIDR ' +
    'holding every routable address such as ::/1, or entries that together cover every public address), after rule ' +
    'ordering. NACLs apply to every instance in the associated subnets, so this removes ' +
    'the subnet-level layer of defence for those ports. Check: which subnets use the ACL, whether a lower-numbered ' +
    'deny still blocks the traffic, and whether the opening was planned. Letting half or more of the public internet ' +
    'through is medium; deny entries, narrow sources and deletions are recorded at low/info only.',
  whatToCheck,
  category: 'nacl-open',
  deltaKinds: ['nacl-entry'],
  exposureKinds: ['nacl-ingress'],
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
      name: 'CloudTrail DeleteNetworkAclEntry: entry deleted, contents not logged → recorded low',
      change: naclChange(
        [naclDelta('removed', { ruleNumber: 90, egress: false, action: 'unknown', protocol: 'unknown' })],
        { api: ec2('DeleteNetworkAclEntry') },
      ),
      expect: 'low',
    },
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
      name: 'ingress allow ssh from 0.0.0.0/1 behind a deny of 0.0.0.0/2: a quarter gets through (not graded by share)',
      change: naclChange(
        [
          naclDelta('added', naclEntry(90, false, 'deny', 'tcp', '0.0.0.0/2', 22)),
          naclDelta('added', naclEntry(100, false, 'allow', 'tcp', '0.0.0.0/1', 22)),
        ],
        { api: ec2('CreateNetworkAclEntry') },
      ),
      expect: null,
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
