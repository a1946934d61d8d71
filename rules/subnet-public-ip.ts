import type { ChangeEvent } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { change, ec2, subnetAttribute, VPC } from './cases/build.ts';

function classify(change: ChangeEvent): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const d of change.deltas) {
    if (d.kind !== 'subnet-attribute' || !d.after || d.before === true) continue;
    if (d.attribute === 'map-public-ip-on-launch') {
      out.push({
        severity: 'medium',
        summary: `subnet ${d.subnetId} now assigns public IPv4 addresses on launch`,
        evidence: [d],
        why: [
          'MapPublicIpOnLaunch=true: every instance launched here gets a public IPv4 address, reachable from the internet if the route table has an IGW route',
        ],
      });
    } else {
      out.push({
        severity: 'low',
        summary: `subnet ${d.subnetId}: ${d.attribute} turned on`,
        evidence: [d],
        why: [
          d.attribute === 'assign-ipv6-on-creation'
            ? 'new ENIs get globally unique IPv6 addresses (reachable only via an IGW route and open security groups)'
            : 'instances get customer-owned (Outposts) addresses',
        ],
      });
    }
  }
  return out;
}

const SUBNET = { type: 'AWS::EC2::Subnet', id: 'subnet-07a3c5e9b1d2f4680', vpcId: VPC };
const api = ec2('ModifySubnetAttribute');

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'New instances in this subnet now get public IPs automatically. Confirm the subnet is meant to be public and its route table and security groups match.';

/** A subnet made to give instances public IPs. */
export const rule: Rule = {
  id: 'subnet-public-ip',
  title: 'Subnet assigns public IPs on launch',
  description:
    'A subnet now auto-assigns public IPv4 addresses to instances launched in it (MapPublicIpOnLaunch). Combined with ' +
    'a route to an internet gateway, every new instance is directly internet-addressable, including ones whose ' +
    'owners expect a private subnet. Check whether the subnet is meant to be public and which route table it uses. ' +
    'IPv6-on-creation is recorded at low; turning either off is not reported.',
  whatToCheck,
  category: 'subnet-public-ip',
  deltaKinds: ['subnet-attribute'],
  resourceTypes: ['AWS::EC2::Subnet'],
  apiCalls: [{ source: 'ec2.amazonaws.com', names: ['ModifySubnetAttribute'] }],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'map-public-ip-on-launch true',
      change: change(SUBNET, [subnetAttribute(true, false)], { api }),
      expect: 'medium',
    },
    {
      name: 'map-public-ip-on-launch true (before unknown)',
      change: change(SUBNET, [subnetAttribute(true)], { api }),
      expect: 'medium',
    },
    {
      name: 'assign-ipv6-on-creation true',
      change: change(SUBNET, [subnetAttribute(true, false, 'assign-ipv6-on-creation')], { api }),
      expect: 'low',
    },
    {
      name: 'map-public-ip-on-launch false',
      change: change(SUBNET, [subnetAttribute(false, true)], { api }),
      expect: null,
    },
    { name: 'already true', change: change(SUBNET, [subnetAttribute(true, true)]), expect: null },
  ];
}
