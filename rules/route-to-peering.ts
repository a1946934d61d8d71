import type { ChangeEvent, RouteDelta } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { coverUnion, isWholeSpace, tryParseCidr } from '../shared/net/cidr.ts';
import { ec2, routeChange, routeDelta } from './cases/build.ts';

const PCX = { kind: 'vpc-peering', id: 'pcx-0a1b2c3d4e5f60718' } as const;

/**
 * VPC routes to a peering connection. Accepting a peering opens nothing by itself: the route tables decide which
 * subnets send what to the peer VPC, so a route is where a peering starts to carry traffic — and a default route
 * (`0.0.0.0/0`, `::/0`, or halves that cover the space) hands the peer every destination this VPC does not know.
 */
function classify(change: ChangeEvent): FindingDraft[] {
  const routes = change.deltas.filter((d): d is RouteDelta => d.kind === 'route');
  const toPeer = routes.filter((d) => d.op !== 'removed' && d.target.kind === 'vpc-peering');
  const union = coverUnion(toPeer.filter((d) => d.destination.kind !== 'prefix-list').map((d) => d.destination.value));
  const out: FindingDraft[] = [];
  for (const d of routes) {
    if (d.target.kind !== 'vpc-peering') continue;
    const where = `${d.destination.value} -> peering ${d.target.id ?? '(unknown)'} in ${d.routeTableId}`;
    if (d.op === 'removed') {
      out.push({
        severity: 'info',
        summary: `route removed: ${where}`,
        evidence: [d],
        why: ['traffic to the peer VPC narrowed'],
      });
      continue;
    }
    if (d.op === 'changed' && d.beforeTarget?.kind === 'vpc-peering' && d.beforeTarget.id === d.target.id) continue;
    const parsed = d.destination.kind === 'prefix-list' ? undefined : tryParseCidr(d.destination.value);
    const isDefault = parsed !== undefined && (isWholeSpace(parsed) || (parsed.version === 4 ? union.v4 : union.v6));
    out.push(
      isDefault
        ? {
            severity: 'medium',
            summary: `default route ${where} (${d.op})`,
            evidence: [d],
            why: [
              'every destination this VPC has no more specific route for now goes to the peer VPC',
              'peering is not transitive, but the peer sees all such traffic: check who owns it and why it needs it',
            ],
          }
        : {
            severity: 'low',
            summary: `route ${where} (${d.op})`,
            evidence: [d],
            why: [
              parsed
                ? `${d.destination.value}: traffic to this prefix goes to the peer VPC`
                : `destination ${d.destination.value} is a prefix list (contents not visible here)`,
              'recorded: the path through the peering that the accepted connection allows',
            ],
          },
    );
  }
  return out;
}

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'Whose VPC is on the other side (account, region, CIDR)? Check the route tables and security groups that now reference the peer, and whether the peer account is one of ours.';

/** Routes through a VPC peering connection. */
export const rule: Rule = {
  id: 'route-to-peering',
  title: 'Route to a VPC peering connection',
  description:
    'A route table sends traffic to a VPC peering connection. The peering (requested, accepted) allows the path; ' +
    'routes decide what uses it. A default route to a peering hands the peer VPC all traffic this VPC has no ' +
    'specific route for (medium); a specific prefix is recorded (low); removals at info. Check which subnets use the ' +
    'table, who owns the peer VPC, and whether its security groups expect this traffic.',
  whatToCheck,
  category: 'peering',
  deltaKinds: ['route'],
  resourceTypes: ['AWS::EC2::RouteTable'],
  apiCalls: [{ source: 'ec2.amazonaws.com', names: ['CreateRoute', 'ReplaceRoute', 'DeleteRoute'] }],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'CreateRoute 0.0.0.0/0 -> pcx',
      change: routeChange([routeDelta('added', '0.0.0.0/0', PCX)], { api: ec2('CreateRoute') }),
      expect: 'medium',
    },
    {
      name: 'CreateRoute 10.20.0.0/16 -> pcx',
      change: routeChange([routeDelta('added', '10.20.0.0/16', PCX)], { api: ec2('CreateRoute') }),
      expect: 'low',
    },
    {
      name: 'DeleteRoute to pcx',
      change: routeChange([routeDelta('removed', '10.20.0.0/16', PCX)], { api: ec2('DeleteRoute') }),
      expect: 'info',
    },
    {
      name: 'route to a NAT gateway is not this rule',
      change: routeChange([routeDelta('added', '0.0.0.0/0', { kind: 'nat-gateway', id: 'nat-0c1d2e3f4a5b69788' })], {
        api: ec2('CreateRoute'),
      }),
      expect: null,
    },
  ];
}
