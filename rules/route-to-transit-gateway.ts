import type { ChangeEvent } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { routesToTarget, routeToTargetCases } from './common/route-to-target.ts';

const TGW = { kind: 'transit-gateway', id: 'tgw-0a1b2c3d4e5f60718' } as const;

/**
 * VPC routes to a transit gateway. An attachment joins the VPC to the transit gateway; the VPC's route tables decide
 * what goes there. A default route to a transit gateway sends everything without a more specific route to whatever
 * the transit gateway's own route tables reach — other VPCs, VPN and Direct Connect, other accounts (a hub-and-spoke
 * egress design does this on purpose, which is why it is medium, not high).
 */
function classify(change: ChangeEvent): FindingDraft[] {
  return routesToTarget(change, 'transit-gateway', {
    label: 'transit gateway',
    goesTo: 'the transit gateway',
    defaultWhy:
      "what it reaches is decided by the transit gateway's route tables (other VPCs, on-premises, other accounts)",
    recorded: 'recorded: a path into the transit-gateway network',
  });
}

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'A path to on-premises or another network changed. Confirm the peer (account, address, CIDR) is known and approved, and check the routes propagated through it.';

/** Routes through a transit gateway. */
export const rule: Rule = {
  id: 'route-to-transit-gateway',
  title: 'Route to a transit gateway',
  description:
    'A route table sends traffic to a transit gateway. The attachment joins the VPC to the transit gateway; routes ' +
    'decide what uses it. A default route to a transit gateway sends all traffic this VPC has no specific route for ' +
    'into the transit-gateway network (medium); a specific prefix is recorded (low); removals at info. Check the ' +
    "transit gateway's route tables: what does the default route reach from there?",
  whatToCheck,
  category: 'hybrid-link',
  deltaKinds: ['route'],
  resourceTypes: ['AWS::EC2::RouteTable'],
  apiCalls: [{ source: 'ec2.amazonaws.com', names: ['CreateRoute', 'ReplaceRoute', 'DeleteRoute'] }],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. */
export function cases(): RuleCase[] {
  return routeToTargetCases(TGW, 'tgw');
}
