import type { ChangeEvent, RouteDelta } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { isWorldEquivalent, publicCidrs, shareText, tryParseCidr } from '../shared/net/cidr.ts';
import { exposureChanges, type ExposureChange } from '../shared/net/exposure.ts';
import { worldHitOf } from '../shared/net/world-reach.ts';
import { ec2, IGW, routeChange, routeDelta } from './cases/build.ts';

const IGW_TARGET = { kind: 'internet-gateway', id: IGW } as const;

/**
 * IGW routes reaching at least this share of the public internet (shared/net/special-purpose.ts) are medium: most of
 * the internet can reach the subnet's public IPs; all of it is a default route (high).
 */
const HALF_THE_INTERNET = 0.5;

/** The change took the table's internet-gateway routes (one family) to half the public internet or more. */
function reachedHalf(c: ExposureChange): boolean {
  if (!c.isNew || c.exposure.world || (c.exposure.share ?? 0) < HALF_THE_INTERNET) return false;
  return shareBefore(c) < HALF_THE_INTERNET;
}

function shareBefore(c: ExposureChange): number {
  return c.view.exposures.before.find((e) => e.group === c.exposure.group)?.share ?? 0;
}

/** Why a partial route exposure of half the internet or more is medium. */
function shareReason(c: ExposureChange): string {
  const before = shareBefore(c);
  return `internet-gateway routes of ${c.view.id} (${c.exposure.via.map((v) => v.text).join(' + ')}) reach ${shareText(c.exposure.share ?? 0)} of the public IPv${c.exposure.family ?? 4} internet${before > 0 ? ` (${shareText(before)} before this change)` : ''}: graded by the share of public space`;
}

/** How a world route exposure is the whole internet: one default(-equivalent) route, or routes together. */
function worldWhy(c: ExposureChange): string {
  const family = c.exposure.family ?? 4;
  const hit = worldHitOf(
    c.exposure.via.flatMap((v) => (v.cidr !== undefined ? [v.cidr] : [])),
    family,
  );
  const single = hit.viaUnion ? undefined : hit.cidrs[0];
  if (single !== undefined)
    return tryParseCidr(single)?.prefix === 0
      ? `${single} is a default route`
      : `${single} holds every public IPv${family} address: a default route in all but name`;
  return `internet-gateway routes ${c.exposure.via.map((v) => v.cidr ?? v.text).join(' + ')} together cover ${hit.publicOnly ? `every public IPv${family} address: a default route in all but name` : `the whole IPv${family} space`}${c.existing.length > 0 ? ' (with routes already in the table)' : ''}`;
}

function target(d: RouteDelta): string {
  return `${d.target.kind}${d.target.id ? ` ${d.target.id}` : ''}`;
}

/**
 * Grades routes by the state the change leaves: the public addresses the table sends to an internet gateway after
 * longest-prefix match (shared/net/exposure.ts). A route that makes that the whole internet (a default route, a
 * world-equivalent one such as 2000::/3, split halves added over several calls, a prefix list holding 0.0.0.0/0) is
 * high when it is new; one that takes it to half the public internet or more is medium (issue 12: graded by the share
 * of public space); an internet-gateway route to less is low; removing or re-pointing one is a tightening (info).
 */
function classify(change: ChangeEvent): FindingDraft[] {
  const routes = change.deltas.filter((d): d is RouteDelta => d.kind === 'route');
  const out: FindingDraft[] = [];
  const igw = exposureChanges(change, 'route-internet').filter((c) => c.exposure.key.endsWith('|igw'));
  const eigw = exposureChanges(change, 'route-internet').filter((c) => c.exposure.key.endsWith('|eigw'));
  const used = new Set<RouteDelta>();
  for (const d of routes) {
    const dest = d.destination.value;
    const parsed = d.destination.kind === 'prefix-list' ? undefined : tryParseCidr(dest);
    const where = `${dest} -> ${target(d)} in ${d.routeTableId}`;
    if (d.op === 'removed') {
      if (d.target.kind === 'internet-gateway')
        out.push({
          severity: 'info',
          summary: `route removed: ${where}`,
          evidence: [d],
          why: ['a route to an internet gateway was removed (tightening)'],
        });
      continue;
    }
    if (d.target.kind === 'internet-gateway') {
      const world = igw.find((c) => c.exposure.world && c.evidence.includes(d));
      if (world !== undefined) {
        used.add(d);
        const unchanged = !world.isNew;
        out.push({
          severity: unchanged ? 'info' : 'high',
          summary: `default route ${where} (${d.op})`,
          evidence: [d],
          why: [
            worldWhy(world),
            unchanged
              ? 'it already pointed at an internet gateway before the change'
              : `subnets associated with ${d.routeTableId} become public: instances with public IPs are reachable from and can reach the internet${d.op === 'changed' ? ` (before: ${d.beforeTarget?.kind ?? 'unknown target'})` : ''}`,
            ...(world.exposure.assumed ?? []).map((a) => `worst case: ${a}`),
          ],
          exposures: [world.exposure.key],
        });
      } else {
        const partial = igw.find((c) => c.evidence.includes(d));
        const most = partial !== undefined && reachedHalf(partial);
        out.push({
          severity: most ? 'medium' : 'low',
          summary: `route ${where} (${d.op})`,
          evidence: [d],
          why: [
            most
              ? shareReason(partial)
              : parsed
                ? `${dest} is one specific prefix, not a default route`
                : `destination ${dest} is a prefix list${partial ? ` (${partial.exposure.label})` : ' (contents not visible here)'}`,
            'traffic to that prefix leaves through the internet gateway',
          ],
          ...(partial ? { exposures: [partial.exposure.key] } : {}),
        });
      }
      continue;
    }
    if (d.target.kind === 'egress-only-internet-gateway' && parsed && isWorldEquivalent(parsed)) {
      const e = eigw.find((c) => c.evidence.includes(d));
      out.push({
        severity: 'low',
        summary: `IPv6 default route ${where} (${d.op})`,
        evidence: [d],
        why: ['an egress-only internet gateway allows outbound IPv6 only; nothing becomes reachable from the internet'],
        ...(e ? { exposures: [e.exposure.key] } : {}),
      });
      continue;
    }
    if (d.op === 'changed' && d.beforeTarget?.kind === 'internet-gateway') {
      out.push({
        severity: 'info',
        summary: `route ${where} no longer points at an internet gateway`,
        evidence: [d],
        why: [`re-pointed from ${d.beforeTarget.kind} to ${d.target.kind} (tightening)`],
      });
    }
  }
  // Exposures no route delta of this change explains: a prefix list the table routes to the gateway changed, or a
  // Config item caught the state up.
  for (const c of igw) {
    if (!c.isNew || c.evidence.some((d) => d.kind === 'route')) continue;
    out.push({
      severity: c.exposure.world ? 'high' : reachedHalf(c) ? 'medium' : 'low',
      summary: `${c.exposure.label} in ${c.view.id}${change.state?.cause ? ` (via ${change.state.cause.resource.id})` : ''}`,
      evidence: c.evidence,
      why: [
        c.exposure.world
          ? `the table's internet-gateway routes now cover every public IPv${c.exposure.family ?? 4} address: ${c.exposure.via.map((v) => v.text).join(' + ')}`
          : reachedHalf(c)
            ? shareReason(c)
            : `more of the public internet now leaves through the internet gateway: ${c.exposure.via.map((v) => v.text).join(' + ')}`,
        ...(c.exposure.assumed ?? []).map((a) => `worst case: ${a}`),
      ],
      exposures: [c.exposure.key],
    });
  }
  return out;
}

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'Which subnets use this route table? They become public: every instance with a public IP is reachable. Confirm the subnet is meant to be public and that its instances have no public IPs otherwise.';

/** A default route to an internet gateway: the subnet becomes public. */
export const rule: Rule = {
  id: 'route-to-igw',
  title: 'Default route to an internet gateway',
  description:
    'A route table gained a default route (0.0.0.0/0 or ::/0, split halves, or routes covering every public address ' +
    'such as 2000::/3, in one call or over several, prefix lists resolved) to an internet gateway, or an existing ' +
    'default route was re-pointed to one. Every subnet associated with the table becomes a ' +
    'public subnet: instances with public or Elastic IPs are directly reachable from the internet, limited only by ' +
    'security groups and NACLs. Check: which subnets use the table (private/data subnets must not), who made the ' +
    'change, and whether a NAT gateway was intended. IGW routes reaching half or more of the public internet are medium; ' +
    'egress-only gateways and IGW routes to one specific prefix are recorded at low.',
  whatToCheck,
  category: 'route-to-igw',
  deltaKinds: ['route', 'prefix-list-entry'],
  exposureKinds: ['route-internet'],
  resourceTypes: ['AWS::EC2::RouteTable', 'AWS::EC2::PrefixList'],
  apiCalls: [
    {
      source: 'ec2.amazonaws.com',
      names: [
        'CreateRoute',
        'ReplaceRoute',
        'DeleteRoute',
        'CreateManagedPrefixList',
        'ModifyManagedPrefixList',
        'RestoreManagedPrefixListVersion',
      ],
    },
  ],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'CreateRoute 0.0.0.0/0 -> igw',
      change: routeChange([routeDelta('added', '0.0.0.0/0', IGW_TARGET)], { api: ec2('CreateRoute') }),
      expect: 'high',
    },
    {
      name: 'CreateRoute ::/0 -> igw',
      change: routeChange([routeDelta('added', '::/0', IGW_TARGET)], { api: ec2('CreateRoute') }),
      expect: 'high',
    },
    {
      name: 'ReplaceRoute nat -> igw (before unknown)',
      change: routeChange([routeDelta('changed', '0.0.0.0/0', IGW_TARGET)], { api: ec2('ReplaceRoute') }),
      expect: 'high',
    },
    {
      name: 'split default route halves',
      change: routeChange([
        routeDelta('added', '0.0.0.0/1', IGW_TARGET),
        routeDelta('added', '128.0.0.0/1', IGW_TARGET),
      ]),
      expect: 'high',
    },
    {
      name: '2000::/3 -> igw is a default route in all but name',
      change: routeChange([routeDelta('added', '2000::/3', IGW_TARGET)], { api: ec2('CreateRoute') }),
      expect: 'high',
    },
    {
      name: 'every public IPv4 block -> igw',
      change: routeChange(publicCidrs(4).map((c) => routeDelta('added', c, IGW_TARGET))),
      expect: 'high',
    },
    {
      name: '0.0.0.0/1 -> igw reaches half the internet',
      change: routeChange([routeDelta('added', '0.0.0.0/1', IGW_TARGET)], { api: ec2('CreateRoute') }),
      expect: 'medium',
    },
    {
      name: 'specific public /16 -> igw (borderline)',
      change: routeChange([routeDelta('added', '192.1.0.0/16', IGW_TARGET)], { api: ec2('CreateRoute') }),
      expect: 'low',
    },
    {
      name: '::/0 -> egress-only igw',
      change: routeChange(
        [routeDelta('added', '::/0', { kind: 'egress-only-internet-gateway', id: 'eigw-015e2d7c9a4b3f680' })],
        { api: ec2('CreateRoute') },
      ),
      expect: 'low',
    },
    {
      name: 'default route deleted',
      change: routeChange([routeDelta('removed', '0.0.0.0/0', IGW_TARGET)], { api: ec2('DeleteRoute') }),
      expect: 'info',
    },
    {
      name: '0.0.0.0/0 -> NAT gateway',
      change: routeChange([routeDelta('added', '0.0.0.0/0', { kind: 'nat-gateway', id: 'nat-0c1d2e3f4a5b69788' })], {
        api: ec2('CreateRoute'),
      }),
      expect: null,
    },
    {
      name: 'local route on a new table',
      change: routeChange([routeDelta('added', '10.0.0.0/16', { kind: 'local', id: 'local' })]),
      expect: null,
    },
  ];
}
