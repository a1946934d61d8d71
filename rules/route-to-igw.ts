import type { ChangeEvent, RouteDelta } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import {
  coverUnion,
  isWholeSpace,
  isWorldEquivalent,
  publicCidrs,
  publicShare,
  tryParseCidr,
} from '../shared/net/cidr.ts';
import { ec2, IGW, routeChange, routeDelta } from './cases/build.ts';

const IGW_TARGET = { kind: 'internet-gateway', id: IGW } as const;

/**
 * IGW routes reaching at least this share of the public internet (shared/net/special-purpose.ts) are medium: most of
 * the internet can reach the subnet's public IPs; all of it is a default route (high).
 */
const HALF_THE_INTERNET = 0.5;

function target(d: RouteDelta): string {
  return `${d.target.kind}${d.target.id ? ` ${d.target.id}` : ''}`;
}

function classify(change: ChangeEvent): FindingDraft[] {
  const routes = change.deltas.filter((d): d is RouteDelta => d.kind === 'route');
  const out: FindingDraft[] = [];
  const toIgw = routes.filter((d) => d.op !== 'removed' && d.target.kind === 'internet-gateway');
  // Split default routes (0.0.0.0/1 + 128.0.0.0/1) to an IGW are a default route in all but name.
  const cidrs = toIgw.filter((d) => d.destination.kind !== 'prefix-list').map((d) => d.destination.value);
  const union = coverUnion(cidrs);
  const share = publicShare(cidrs);
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
      const isDefault =
        parsed !== undefined && (isWorldEquivalent(parsed) || (parsed.version === 4 ? union.v4 : union.v6));
      if (isDefault) {
        const unchanged = d.op === 'changed' && d.beforeTarget?.kind === 'internet-gateway';
        out.push({
          severity: unchanged ? 'info' : 'high',
          summary: `default route ${where} (${d.op})`,
          evidence: [d],
          why: [
            isWholeSpace(parsed)
              ? `${dest} is a default route`
              : isWorldEquivalent(parsed)
                ? `${dest} holds every public IPv${parsed.version} address: a default route in all but name`
                : `IGW routes added together (${cidrs.join(' + ')}) cover every public IPv${parsed.version} address: a default route in all but name`,
            unchanged
              ? 'it already pointed at an internet gateway before the change'
              : `subnets associated with ${d.routeTableId} become public: instances with public IPs are reachable from and can reach the internet${d.op === 'changed' ? ` (before: ${d.beforeTarget?.kind ?? 'unknown target'})` : ''}`,
          ],
        });
      } else {
        const reached = parsed === undefined ? 0 : parsed.version === 4 ? share.v4 : share.v6;
        const most = reached >= HALF_THE_INTERNET;
        out.push({
          severity: most ? 'medium' : 'low',
          summary: `route ${where} (${d.op})`,
          evidence: [d],
          why: [
            most
              ? `IGW routes in this change (${cidrs.join(' + ')}) reach ${(reached * 100).toFixed(1)} % of the public IPv${parsed?.version} internet: graded by the share of public space`
              : parsed
                ? `${dest} is one specific prefix, not a default route`
                : `destination ${dest} is a prefix list (contents not visible here)`,
            'traffic to that prefix leaves through the internet gateway',
          ],
        });
      }
      continue;
    }
    if (d.target.kind === 'egress-only-internet-gateway' && parsed && isWorldEquivalent(parsed)) {
      out.push({
        severity: 'low',
        summary: `IPv6 default route ${where} (${d.op})`,
        evidence: [d],
        why: ['an egress-only internet gateway allows outbound IPv6 only; nothing becomes reachable from the internet'],
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
  return out;
}

/** A default route to an internet gateway: the subnet becomes public. */
export const rule: Rule = {
  id: 'route-to-igw',
  title: 'Default route to an internet gateway',
  description:
    'A route table gained a default route (0.0.0.0/0 or ::/0, split halves, or blocks covering every public address such ' +
    'as 2000::/3) to an internet ' +
    'gateway, or an existing default route was re-pointed to one. Every subnet associated with the table becomes a ' +
    'public subnet: instances with public or Elastic IPs are directly reachable from the internet, limited only by ' +
    'security groups and NACLs. Check: which subnets use the table (private/data subnets must not), who made the ' +
    'change, and whether a NAT gateway was intended. IGW routes reaching half or more of the public internet are medium; ' +
    'egress-only gateways and IGW routes to one specific prefix are recorded at low.',
  category: 'route-to-igw',
  deltaKinds: ['route'],
  resourceTypes: ['AWS::EC2::RouteTable'],
  apiCalls: [{ source: 'ec2.amazonaws.com', names: ['CreateRoute', 'ReplaceRoute', 'DeleteRoute'] }],
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
