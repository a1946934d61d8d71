import type { ChangeEvent, RouteDelta } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { isWholeSpace, tryParseCidr } from '../shared/net/cidr.ts';
import { exposureChanges } from '../shared/net/exposure.ts';
import { ec2, IGW, routeChange, routeDelta } from './cases/build.ts';

const IGW_TARGET = { kind: 'internet-gateway', id: IGW } as const;

function target(d: RouteDelta): string {
  return `${d.target.kind}${d.target.id ? ` ${d.target.id}` : ''}`;
}

/**
 * Grades routes by the state the change leaves: the addresses the table sends to an internet gateway after
 * longest-prefix match (shared/net/exposure.ts). A route that makes that the whole internet (a default route, split
 * halves added over several calls, a prefix list holding 0.0.0.0/0) is high when it is new; an internet-gateway route
 * to part of the space is low; removing or re-pointing one is a tightening (info).
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
        const split = !world.exposure.via.some((v) => v.cidr !== undefined && tryParseCidr(v.cidr)?.prefix === 0);
        out.push({
          severity: unchanged ? 'info' : 'high',
          summary: `default route ${where} (${d.op})`,
          evidence: [d],
          why: [
            !split && parsed !== undefined
              ? `${dest} is a default route`
              : `internet-gateway routes ${world.exposure.via.map((v) => v.cidr ?? v.text).join(' + ')} together cover the whole IPv${world.exposure.family ?? 4} space${world.existing.length > 0 ? ' (with routes already in the table)' : ''}`,
            unchanged
              ? 'it already pointed at an internet gateway before the change'
              : `subnets associated with ${d.routeTableId} become public: instances with public IPs are reachable from and can reach the internet${d.op === 'changed' ? ` (before: ${d.beforeTarget?.kind ?? 'unknown target'})` : ''}`,
            ...(world.exposure.assumed ?? []).map((a) => `worst case: ${a}`),
          ],
          exposures: [world.exposure.key],
        });
      } else {
        const partial = igw.find((c) => c.evidence.includes(d));
        out.push({
          severity: 'low',
          summary: `route ${where} (${d.op})`,
          evidence: [d],
          why: [
            parsed
              ? `${dest} is one specific prefix, not a default route`
              : `destination ${dest} is a prefix list${partial ? ` (${partial.exposure.label})` : ' (contents not visible here)'}`,
            'traffic to that prefix leaves through the internet gateway',
          ],
          ...(partial ? { exposures: [partial.exposure.key] } : {}),
        });
      }
      continue;
    }
    if (d.target.kind === 'egress-only-internet-gateway' && parsed && isWholeSpace(parsed)) {
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
      severity: c.exposure.world ? 'high' : 'low',
      summary: `${c.exposure.label} in ${c.view.id}${change.state?.cause ? ` (via ${change.state.cause.resource.id})` : ''}`,
      evidence: c.evidence,
      why: [
        c.exposure.world
          ? `the table's internet-gateway routes now cover the whole IPv${c.exposure.family ?? 4} space: ${c.exposure.via.map((v) => v.text).join(' + ')}`
          : `more of the address space now leaves through the internet gateway: ${c.exposure.via.map((v) => v.text).join(' + ')}`,
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
    'A route table gained a default route (0.0.0.0/0 or ::/0, or split halves covering the space) to an internet ' +
    'gateway, or an existing default route was re-pointed to one. Every subnet associated with the table becomes a ' +
    'public subnet: instances with public or Elastic IPs are directly reachable from the internet, limited only by ' +
    'security groups and NACLs. Check: which subnets use the table (private/data subnets must not), who made the ' +
    'change, and whether a NAT gateway was intended. Egress-only gateways and IGW routes to one specific prefix are ' +
    'recorded at low.',
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
