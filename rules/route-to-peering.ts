import type { ChangeEvent } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { routesToTarget, routeToTargetCases } from './common/route-to-target.ts';

const PCX = { kind: 'vpc-peering', id: 'pcx-0a1b2c3d4e5f60718' } as const;

/**
 * VPC routes to a peering connection. Accepting a peering opens nothing by itself: the route tables decide which
 * subnets send what to the peer VPC, so a route is where a peering starts to carry traffic — and a default route
 * (`0.0.0.0/0`, `::/0`, or halves that cover the space) hands the peer every destination this VPC does not know.
 */
function classify(change: ChangeEvent): FindingDraft[] {
  return routesToTarget(change, 'vpc-peering', {
    label: 'peering',
    goesTo: 'the peer VPC',
    defaultWhy: 'peering is not transitive, but the peer sees all such traffic: check who owns it and why it needs it',
    recorded: 'recorded: the path through the peering that the accepted connection allows',
  });
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
  return routeToTargetCases(PCX, 'pcx');
}
