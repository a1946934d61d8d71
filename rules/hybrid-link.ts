import type { ChangeEvent, HybridLinkDelta } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase, RuleContext } from '../shared/model/rule.ts';
import { isWholeSpace, tryParseCidr } from '../shared/net/cidr.ts';
import { change, ec2, FOREIGN_ACCOUNT, hybrid, igwAttach, VPC } from './cases/build.ts';

const LINK_NAMES: Readonly<Record<HybridLinkDelta['link'], string>> = {
  'vpn-connection': 'Site-to-Site VPN connection',
  'vpn-gateway-attachment': 'virtual private gateway attachment',
  'customer-gateway': 'customer gateway',
  'transit-gateway-vpc-attachment': 'transit gateway VPC attachment',
  'transit-gateway-peering': 'transit gateway peering attachment',
  'transit-gateway-route': 'transit gateway route',
  'direct-connect-virtual-interface': 'Direct Connect virtual interface',
  'direct-connect-gateway-association': 'Direct Connect gateway association',
  'transit-gateway-attachment': 'transit gateway attachment',
};

/** Uses `context.knownAccounts` only to say in `why` when the other side is a foreign account (severity unchanged). */
function linkFinding(change: ChangeEvent, d: HybridLinkDelta, context: RuleContext): FindingDraft {
  const name = LINK_NAMES[d.link];
  const details = [
    d.id,
    d.vpcId && `vpc ${d.vpcId}`,
    d.cidr && `cidr ${d.cidr}`,
    d.peerAccount && `peer account ${d.peerAccount}`,
    d.peerRegion && `peer region ${d.peerRegion}`,
    d.peerAddress && `peer ${d.peerAddress}`,
  ]
    .filter(Boolean)
    .join(', ');
  const verb = d.stage ?? (d.op === 'removed' ? 'deleted' : d.op === 'added' ? 'created' : 'changed');
  const summary = `${name} ${verb}${details ? `: ${details}` : ''}`;
  if (d.op === 'removed')
    return { severity: 'info', summary, evidence: [d], why: ['a hybrid path was removed (no new connectivity)'] };
  const why: string[] = [];
  let severity: FindingDraft['severity'] = 'medium';
  if (d.stage === 'accepted')
    why.push('the other side accepted: from now on the link can carry traffic between the two networks');
  else if (d.stage === 'associated')
    why.push(
      'associated with a transit-gateway route table: the attachment now follows its routes and carries traffic',
    );
  if (d.link === 'transit-gateway-route') {
    const c = d.cidr === undefined ? undefined : tryParseCidr(d.cidr);
    if (c && isWholeSpace(c))
      why.push(`a default route (${d.cidr}) on the transit gateway: all unmatched traffic of attached VPCs follows it`);
    else {
      severity = 'low';
      why.push(`route to ${d.cidr ?? 'an unknown destination'}: a specific prefix, recorded only`);
    }
  } else if (d.stage === undefined) {
    why.push(
      'a new path between the VPC network and another network (on-premises, another VPC or account) that bypasses internet-edge controls',
    );
  }
  if (d.peerAccount && d.peerAccount !== change.account && !context.knownAccounts.has(d.peerAccount))
    why.push(`peer account ${d.peerAccount} is not in context.knownAccounts`);
  return { severity, summary, evidence: [d], why };
}

function classify(change: ChangeEvent, context: RuleContext): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const d of change.deltas) {
    if (d.kind === 'hybrid-link') out.push(linkFinding(change, d, context));
    else if (d.kind === 'gateway-attachment' && d.gateway.kind === 'virtual-private-gateway') {
      const vpc = d.vpcId ?? change.resource.vpcId ?? 'a VPC';
      out.push(
        d.op === 'added'
          ? {
              severity: 'medium',
              summary: `virtual private gateway ${d.gateway.id} attached to ${vpc}`,
              evidence: [d],
              why: ['a VPN / Direct Connect path into the VPC becomes possible'],
            }
          : {
              severity: 'info',
              summary: `virtual private gateway ${d.gateway.id} detached from ${vpc}`,
              evidence: [d],
              why: ['hybrid path removed'],
            },
      );
    }
  }
  return out;
}

const TGW_ATTACH = 'tgw-attach-0b1c2d3e4f5a69788';

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'A path to on-premises or another network changed. Confirm the peer (account, address, CIDR) is known and approved, and check the routes propagated through it.';

/** VPN, transit gateway and Direct Connect links created. */
export const rule: Rule = {
  id: 'hybrid-link',
  title: 'Hybrid network link created',
  description:
    'A link between the VPC network and another network was created, accepted or associated: a Site-to-Site VPN ' +
    'connection or customer gateway, a virtual private gateway attached, a transit gateway VPC or peering attachment ' +
    '(created, accepted, associated with a route table), a transit gateway default route, or a Direct Connect ' +
    'virtual interface (created, allocated, confirmed) / gateway association (proposed, accepted, created). Such ' +
    'links carry traffic around the internet edge and join trust zones. Check who owns the other side, which routes ' +
    'propagate, and whether the link was planned. Deletions and disassociations are recorded at info.',
  whatToCheck,
  category: 'hybrid-link',
  deltaKinds: ['hybrid-link', 'gateway-attachment'],
  resourceTypes: [
    'AWS::EC2::VPNConnection',
    'AWS::EC2::VPNGateway',
    'AWS::EC2::CustomerGateway',
    'AWS::EC2::TransitGateway',
    'AWS::EC2::TransitGatewayAttachment',
    'AWS::DirectConnect::VirtualInterface',
    'AWS::DirectConnect::Gateway',
  ],
  apiCalls: [
    {
      source: 'ec2.amazonaws.com',
      names: [
        'CreateVpnConnection',
        'CreateCustomerGateway',
        'AttachVpnGateway',
        'CreateTransitGatewayVpcAttachment',
        'CreateTransitGatewayPeeringAttachment',
        'AcceptTransitGatewayPeeringAttachment',
        'CreateTransitGatewayRoute',
        'DetachVpnGateway',
        'DeleteTransitGatewayVpcAttachment',
        'AcceptTransitGatewayVpcAttachment',
        'DeleteTransitGatewayPeeringAttachment',
        'AssociateTransitGatewayRouteTable',
        'DisassociateTransitGatewayRouteTable',
      ],
    },
    {
      source: 'directconnect.amazonaws.com',
      names: [
        'CreatePrivateVirtualInterface',
        'CreatePublicVirtualInterface',
        'CreateTransitVirtualInterface',
        'AllocatePrivateVirtualInterface',
        'AllocatePublicVirtualInterface',
        'AllocateTransitVirtualInterface',
        'CreateDirectConnectGatewayAssociation',
        'ConfirmPrivateVirtualInterface',
        'ConfirmPublicVirtualInterface',
        'ConfirmTransitVirtualInterface',
        'DeleteVirtualInterface',
        'CreateDirectConnectGatewayAssociationProposal',
        'AcceptDirectConnectGatewayAssociationProposal',
        'DeleteDirectConnectGatewayAssociation',
      ],
    },
  ],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  const tgwAttachment = { type: 'AWS::EC2::TransitGatewayAttachment', id: TGW_ATTACH };
  return [
    {
      name: 'cross-account TGW VPC attachment accepted',
      change: change(
        tgwAttachment,
        [
          hybrid('changed', 'transit-gateway-vpc-attachment', {
            id: TGW_ATTACH,
            stage: 'accepted',
            peerAccount: FOREIGN_ACCOUNT,
          }),
        ],
        { api: ec2('AcceptTransitGatewayVpcAttachment') },
      ),
      expect: 'medium',
    },
    {
      name: 'TGW attachment associated with a route table',
      change: change(
        tgwAttachment,
        [hybrid('changed', 'transit-gateway-attachment', { id: TGW_ATTACH, stage: 'associated' })],
        {
          api: ec2('AssociateTransitGatewayRouteTable'),
        },
      ),
      expect: 'medium',
    },
    {
      name: 'TGW attachment disassociated',
      change: change(
        tgwAttachment,
        [hybrid('removed', 'transit-gateway-attachment', { id: TGW_ATTACH, stage: 'disassociated' })],
        { api: ec2('DisassociateTransitGatewayRouteTable') },
      ),
      expect: 'info',
    },
    {
      name: 'VPN connection created',
      change: change(
        { type: 'AWS::EC2::VPNConnection', id: 'vpn-0f1e2d3c4b5a69788' },
        [hybrid('added', 'vpn-connection', { id: 'vpn-0f1e2d3c4b5a69788', peerAddress: '81.2.69.142' })],
        { api: ec2('CreateVpnConnection') },
      ),
      expect: 'medium',
    },
    {
      name: 'TGW peering with a foreign account',
      change: change(
        { type: 'AWS::EC2::TransitGatewayAttachment', id: TGW_ATTACH },
        [
          hybrid('added', 'transit-gateway-peering', {
            id: TGW_ATTACH,
            peerAccount: FOREIGN_ACCOUNT,
            peerRegion: 'us-east-1',
          }),
        ],
        {
          api: ec2('CreateTransitGatewayPeeringAttachment'),
        },
      ),
      expect: 'medium',
    },
    {
      name: 'TGW default route',
      change: change(
        { type: 'AWS::EC2::TransitGateway', id: 'tgw-0a1b2c3d4e5f67890' },
        [hybrid('added', 'transit-gateway-route', { cidr: '0.0.0.0/0', id: TGW_ATTACH })],
        { api: ec2('CreateTransitGatewayRoute') },
      ),
      expect: 'medium',
    },
    {
      name: 'TGW specific route',
      change: change(
        { type: 'AWS::EC2::TransitGateway', id: 'tgw-0a1b2c3d4e5f67890' },
        [hybrid('added', 'transit-gateway-route', { cidr: '10.64.0.0/16', id: TGW_ATTACH })],
        { api: ec2('CreateTransitGatewayRoute') },
      ),
      expect: 'low',
    },
    {
      name: 'VGW attached',
      change: change(
        { type: 'AWS::EC2::VPNGateway', id: 'vgw-0a9b8c7d6e5f43210' },
        [igwAttach('added', VPC, 'virtual-private-gateway', 'vgw-0a9b8c7d6e5f43210')],
        { api: ec2('AttachVpnGateway') },
      ),
      expect: 'medium',
    },
    {
      name: 'TGW attachment deleted',
      change: change(
        { type: 'AWS::EC2::TransitGatewayAttachment', id: TGW_ATTACH },
        [hybrid('removed', 'transit-gateway-vpc-attachment', { id: TGW_ATTACH, vpcId: VPC })],
        { api: ec2('DeleteTransitGatewayVpcAttachment') },
      ),
      expect: 'info',
    },
    {
      name: 'internet gateway attach is igw-attach’s',
      change: change({ type: 'AWS::EC2::InternetGateway', id: 'igw-0d7c5b3a19e8f2046' }, [igwAttach('added', VPC)], {
        api: ec2('AttachInternetGateway'),
      }),
      expect: null,
    },
  ];
}
