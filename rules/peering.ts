import type { ChangeEvent, PeeringSide } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase, RuleContext } from '../shared/model/rule.ts';
import {
  ACCOUNT,
  ec2,
  FOREIGN_ACCOUNT,
  ORG_ACCOUNT,
  peeringChange,
  peeringDelta,
  REGION,
  routeChange,
  routeDelta,
} from './cases/build.ts';

/** `vpc-…@account@region`, leaving out what the event does not say; `undefined` when it says nothing. */
function side(s: PeeringSide): string | undefined {
  const parts = [s.vpcId, s.account, s.region].filter(Boolean);
  return parts.length ? parts.join('@') : undefined;
}

/**
 * Uses `context.knownAccounts` (plus the change's own account): peering with an account outside them is high.
 */
function classify(change: ChangeEvent, context: RuleContext): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const d of change.deltas) {
    if (d.kind !== 'peering') continue;
    const id = d.connectionId ?? 'peering connection';
    const [from, to] = [side(d.requester), side(d.accepter)];
    const link = from || to ? `${from ?? 'unknown VPC'} <-> ${to ?? 'unknown VPC'}` : 'VPCs not named in the event';
    const opening =
      (d.op === 'added' && d.state !== 'deleted' && d.state !== 'rejected') ||
      (d.op === 'changed' && d.state === 'accepted');
    if (!opening) {
      out.push({
        severity: 'info',
        summary: `${id} ${d.state}: ${link}`,
        evidence: [d],
        why: [`peering ${d.state} (no new connectivity)`],
      });
      continue;
    }
    const why: string[] = [
      `peering ${d.state}: routes between the two VPCs can now carry traffic both ways (security groups and route tables still apply)`,
    ];
    const accounts = [d.requester.account, d.accepter.account].filter((a): a is string => a !== undefined);
    const crossAccount =
      d.requester.account !== undefined &&
      d.accepter.account !== undefined &&
      d.requester.account !== d.accepter.account;
    const crossRegion =
      d.requester.region !== undefined && d.accepter.region !== undefined && d.requester.region !== d.accepter.region;
    const foreign = accounts.filter((a) => a !== change.account && !context.knownAccounts.has(a));
    if (crossAccount) why.push(`cross-account: ${d.requester.account} -> ${d.accepter.account}`);
    if (crossRegion) why.push(`cross-region: ${d.requester.region} -> ${d.accepter.region}`);
    if (foreign.length)
      why.push(`account ${foreign.join(', ')} is not in context.knownAccounts: a VPC outside the organisation`);
    const tags = [
      crossAccount ? 'cross-account' : '',
      crossRegion ? 'cross-region' : '',
      foreign.length ? 'foreign account' : '',
    ].filter(Boolean);
    out.push({
      severity: foreign.length ? 'high' : 'medium',
      summary: `${id} ${d.state}: ${link}${tags.length ? ` (${tags.join(', ')})` : ''}`,
      evidence: [d],
      why,
    });
  }
  return out;
}

const PEER_VPC = 'vpc-09f8e7d6c5b4a3921';

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'Whose VPC is on the other side (account, region, CIDR)? Check the route tables and security groups that now reference the peer, and whether the peer account is one of ours.';

/** A VPC peering connection requested or accepted. */
export const rule: Rule = {
  id: 'peering',
  title: 'VPC peering connection requested or accepted',
  description:
    'A VPC peering connection was requested or accepted. Once accepted and routed, the two VPCs exchange traffic ' +
    'directly, bypassing inspection at the edge; a peer in another account (especially one outside the organisation) ' +
    'is a trust boundary crossing. Check: who owns the other VPC, whether the request was expected, which route ' +
    'tables and security groups reference the peer CIDR, and DNS resolution settings.',
  whatToCheck,
  category: 'peering',
  deltaKinds: ['peering'],
  resourceTypes: ['AWS::EC2::VPCPeeringConnection'],
  apiCalls: [
    {
      source: 'ec2.amazonaws.com',
      names: ['CreateVpcPeeringConnection', 'AcceptVpcPeeringConnection', 'DeleteVpcPeeringConnection'],
    },
  ],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'same-account request',
      change: peeringChange(
        [peeringDelta('added', 'requested', { vpcId: PEER_VPC, account: ACCOUNT, region: REGION })],
        { api: ec2('CreateVpcPeeringConnection') },
      ),
      expect: 'medium',
    },
    {
      name: 'cross-region accept',
      change: peeringChange(
        [peeringDelta('changed', 'accepted', { vpcId: PEER_VPC, account: ACCOUNT, region: 'us-east-1' })],
        { api: ec2('AcceptVpcPeeringConnection') },
      ),
      expect: 'medium',
    },
    {
      name: 'cross-account to a foreign account',
      change: peeringChange(
        [peeringDelta('added', 'requested', { vpcId: PEER_VPC, account: FOREIGN_ACCOUNT, region: REGION })],
        { api: ec2('CreateVpcPeeringConnection') },
      ),
      expect: 'high',
    },
    {
      name: 'cross-account inside the org (needs context; high without it)',
      change: peeringChange(
        [peeringDelta('changed', 'accepted', { vpcId: PEER_VPC, account: ORG_ACCOUNT, region: REGION })],
        { api: ec2('AcceptVpcPeeringConnection') },
      ),
      expect: 'high',
    },
    {
      name: 'deleted',
      change: peeringChange(
        [peeringDelta('removed', 'deleted', { vpcId: PEER_VPC, account: FOREIGN_ACCOUNT, region: REGION })],
        { api: ec2('DeleteVpcPeeringConnection') },
      ),
      expect: 'info',
    },
    {
      name: 'a route through the peering is not the peering itself',
      change: routeChange([routeDelta('added', '10.42.0.0/16', { kind: 'vpc-peering', id: 'pcx-0e4d6c8a2b1f37590' })], {
        api: ec2('CreateRoute'),
      }),
      expect: null,
    },
  ];
}
