import type { HybridLinkDelta, ResourceRef } from '../../model/change.ts';
import { EC2, one, skip } from './call.ts';
import type { Call, CallEntry, Outcome } from './call.ts';
import type { Shape } from './request-shape.ts';

/**
 * Hybrid connectivity → {@link HybridLinkDelta}: site-to-site VPN, virtual private gateway attachments, transit
 * gateway attachments/peerings/routes and Direct Connect. Each of these joins the VPC to a network outside it, so the
 * delta records the far side (account, region, address) when the call says it.
 *
 * Virtual private gateway attach/detach is modelled as a hybrid link (`vpn-gateway-attachment`), not a gateway
 * attachment: a VGW only carries VPN / Direct Connect traffic, never internet traffic.
 *
 * Transit-gateway calls are logged only in the wrapped shape, and one with an abbreviated wrapper
 * (`DelTGwVpcAttachReq`); {@link Call.params} unwraps both.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpnConnection.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AttachVpnGateway.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTransitGatewayVpcAttachment.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTransitGatewayPeeringAttachment.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTransitGatewayRoute.html
 * @see https://docs.aws.amazon.com/directconnect/latest/APIReference/API_CreatePrivateVirtualInterface.html
 * @see https://docs.aws.amazon.com/directconnect/latest/APIReference/API_CreateDirectConnectGatewayAssociation.html
 */

const DIRECT_CONNECT = 'directconnect.amazonaws.com';

function link(
  op: HybridLinkDelta['op'],
  kind: HybridLinkDelta['link'],
  fields: Partial<Omit<HybridLinkDelta, 'kind' | 'op' | 'link'>>,
): HybridLinkDelta {
  const delta: HybridLinkDelta = { kind: 'hybrid-link', op, link: kind };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) Object.assign(delta, { [key]: value });
  return delta;
}

function resource(type: string, id: string, vpcId?: string): ResourceRef {
  return vpcId !== undefined ? { type, id, vpcId } : { type, id };
}

function vpnConnection(call: Call): Outcome {
  const id = call.required(call.response.field('vpnConnection').field('vpnConnectionId'));
  const gateway = call.params.field('vpnGatewayId').str() ?? call.params.field('transitGatewayId').str();
  const customerGateway = call.params.field('customerGatewayId').str();
  const notes = [`customer gateway ${customerGateway ?? '(not logged)'} ↔ ${gateway ?? '(no gateway: unattached)'}`];
  return one(resource('AWS::EC2::VPNConnection', id), [link('added', 'vpn-connection', { id })], { notes });
}

function customerGateway(call: Call): Outcome {
  const gateway = call.response.field('customerGateway');
  const id = call.required(gateway.field('customerGatewayId'));
  const peerAddress = call.params.field('ipAddress', 'publicIp').str() ?? gateway.field('ipAddress').str();
  return one(resource('AWS::EC2::CustomerGateway', id), [link('added', 'customer-gateway', { id, peerAddress })]);
}

function vpnGatewayAttachment(op: 'added' | 'removed') {
  return (call: Call): Outcome => {
    const id = call.required(call.params.field('vpnGatewayId'));
    const vpcId = call.required(call.params.field('vpcId'));
    return one(resource('AWS::EC2::VPNGateway', id, vpcId), [link(op, 'vpn-gateway-attachment', { id, vpcId })]);
  };
}

function tgwVpcAttachmentCreated(call: Call): Outcome {
  const attachment = call.response.field('transitGatewayVpcAttachment');
  const id = call.required(attachment.field('transitGatewayAttachmentId'));
  const vpcId = call.params.field('vpcId').str() ?? attachment.field('vpcId').str();
  const tgw = call.params.field('transitGatewayId').str() ?? attachment.field('transitGatewayId').str();
  const notes = tgw !== undefined ? [`attached to transit gateway ${tgw}`] : [];
  return one(
    resource('AWS::EC2::TransitGatewayAttachment', id, vpcId),
    [link('added', 'transit-gateway-vpc-attachment', { id, vpcId })],
    { notes },
  );
}

function tgwVpcAttachmentDeleted(call: Call): Outcome {
  const id = call.required(call.params.field('transitGatewayAttachmentId'));
  const vpcId = call.response.field('transitGatewayVpcAttachment').field('vpcId').str();
  return one(resource('AWS::EC2::TransitGatewayAttachment', id, vpcId), [
    link('removed', 'transit-gateway-vpc-attachment', { id, vpcId }),
  ]);
}

function tgwPeering(op: 'added' | 'changed') {
  return (call: Call): Outcome => {
    const attachment = call.response.field('transitGatewayPeeringAttachment');
    const id =
      op === 'added'
        ? call.required(attachment.field('transitGatewayAttachmentId'))
        : call.required(call.params.field('transitGatewayAttachmentId'));
    // The far side: for the requester, the accepter; for the accepter (AcceptTransitGatewayPeeringAttachment), the requester.
    const far = attachment.field(op === 'added' ? 'accepterTgwInfo' : 'requesterTgwInfo');
    const peerAccount =
      far.field('ownerId').str() ?? (op === 'added' ? call.params.field('peerAccountId').str() : undefined);
    const peerRegion =
      far.field('region').str() ?? (op === 'added' ? call.params.field('peerRegion').str() : undefined);
    return one(resource('AWS::EC2::TransitGatewayAttachment', id), [
      link(op, 'transit-gateway-peering', { id, peerAccount, peerRegion }),
    ]);
  };
}

/** A blackhole route only drops traffic, so it is ignored; otherwise the route's CIDR and attachment are recorded. */
function tgwRoute(call: Call): Outcome {
  const tableId = call.required(call.params.field('transitGatewayRouteTableId'));
  const cidr = call.required(call.params.field('destinationCidrBlock'));
  if (call.params.field('blackhole').bool() === true)
    return skip('CreateTransitGatewayRoute blackhole route: drops traffic, opens nothing');
  const id = call.params.field('transitGatewayAttachmentId').str();
  return one(resource('AWS::EC2::TransitGatewayRouteTable', tableId), [
    link('added', 'transit-gateway-route', { id, cidr }),
  ]);
}

/**
 * Direct Connect virtual interfaces. The Create and Allocate calls return the interface itself, except the transit variants,
 * which wrap it in `virtualInterface`. The Allocate calls provision the interface for another account (`ownerAccount`).
 */
function virtualInterface(requestField: string) {
  return (call: Call): Outcome => {
    const wrapped = call.response.field('virtualInterface');
    const vif: Shape = wrapped.object !== undefined ? wrapped : call.response;
    const id = call.required(vif.field('virtualInterfaceId'));
    const spec = call.params.field(requestField);
    const owner = vif.field('ownerAccount').str() ?? call.params.field('ownerAccount').str();
    const peerAccount = owner !== undefined && owner !== call.account ? owner : undefined;
    const peerAddress = vif.field('customerAddress').str() ?? spec.field('customerAddress').str();
    const peerRegion = vif.field('region').str();
    return one(resource('AWS::DirectConnect::VirtualInterface', id), [
      link('added', 'direct-connect-virtual-interface', {
        id,
        peerAccount,
        peerAddress,
        peerRegion: peerRegion !== call.region ? peerRegion : undefined,
      }),
    ]);
  };
}

function dxGatewayAssociation(call: Call): Outcome {
  const gatewayId = call.required(call.params.field('directConnectGatewayId'));
  const association = call.response.field('directConnectGatewayAssociation');
  const associated = association.field('associatedGateway');
  const id = association.field('associationId').str() ?? call.params.field('gatewayId', 'virtualGatewayId').str();
  const owner = associated.field('ownerAccount').str() ?? association.field('virtualGatewayOwnerAccount').str();
  const peerAccount = owner !== undefined && owner !== call.account ? owner : undefined;
  const peerRegion = associated.field('region').str() ?? association.field('virtualGatewayRegion').str();
  const prefixes = call.params
    .field('addAllowedPrefixesToDirectConnectGateway')
    .list()
    .map((p) => p.field('cidr').str() ?? p.str())
    .filter((c): c is string => c !== undefined);
  const notes = prefixes.length > 0 ? [`allowed prefixes: ${prefixes.join(', ')}`] : [];
  return one(
    resource('AWS::DirectConnect::Gateway', gatewayId),
    [link('added', 'direct-connect-gateway-association', { id, peerAccount, peerRegion })],
    { notes },
  );
}

/**
 * AcceptTransitGatewayVpcAttachment: the transit-gateway owner accepts another account's VPC attachment — from here
 * the VPC's traffic can reach the transit gateway.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AcceptTransitGatewayVpcAttachment.html
 */
function tgwVpcAttachmentAccepted(call: Call): Outcome {
  const id = call.required(call.params.field('transitGatewayAttachmentId'));
  const attachment = call.response.field('transitGatewayVpcAttachment');
  const vpcId = attachment.field('vpcId').str();
  const owner = attachment.field('vpcOwnerId').str();
  const peerAccount = owner !== undefined && owner !== call.account ? owner : undefined;
  return one(resource('AWS::EC2::TransitGatewayAttachment', id, vpcId), [
    link('changed', 'transit-gateway-vpc-attachment', { id, vpcId, peerAccount, stage: 'accepted' }),
  ]);
}

/** DeleteTransitGatewayPeeringAttachment: the peering between two transit gateways goes away. */
function tgwPeeringDeleted(call: Call): Outcome {
  const id = call.required(call.params.field('transitGatewayAttachmentId'));
  const far = call.response.field('transitGatewayPeeringAttachment').field('accepterTgwInfo');
  return one(resource('AWS::EC2::TransitGatewayAttachment', id), [
    link('removed', 'transit-gateway-peering', {
      id,
      peerAccount: far.field('ownerId').str(),
      peerRegion: far.field('region').str(),
    }),
  ]);
}

/**
 * (Dis)associating an attachment with a transit-gateway route table: association decides which routes the
 * attachment's traffic follows — an attachment carries nothing until it is associated.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AssociateTransitGatewayRouteTable.html
 */
function tgwAssociation(stage: 'associated' | 'disassociated') {
  return (call: Call): Outcome => {
    const id = call.required(call.params.field('transitGatewayAttachmentId'));
    const table = call.params.field('transitGatewayRouteTableId').str();
    const association = call.response.field('association');
    const kind = association.field('resourceType').str();
    return one(
      resource('AWS::EC2::TransitGatewayAttachment', id),
      [link(stage === 'associated' ? 'changed' : 'removed', 'transit-gateway-attachment', { id, stage })],
      { notes: [`route table ${table ?? '(not logged)'}${kind ? `, attachment type ${kind}` : ''}`] },
    );
  };
}

/**
 * Confirm*VirtualInterface: the account another one allocated a hosted interface to accepts it (it starts carrying
 * traffic); DeleteVirtualInterface removes one.
 * @see https://docs.aws.amazon.com/directconnect/latest/APIReference/API_ConfirmPrivateVirtualInterface.html
 */
function virtualInterfaceStage(op: 'changed' | 'removed') {
  return (call: Call): Outcome => {
    const id = call.required(call.params.field('virtualInterfaceId'));
    return one(resource('AWS::DirectConnect::VirtualInterface', id), [
      link(op, 'direct-connect-virtual-interface', op === 'changed' ? { id, stage: 'accepted' } : { id }),
    ]);
  };
}

/**
 * Direct Connect gateway association proposals (another account's gateway asks to join this Direct Connect
 * gateway), their acceptance, and deleted associations.
 * @see https://docs.aws.amazon.com/directconnect/latest/APIReference/API_AcceptDirectConnectGatewayAssociationProposal.html
 * @see https://docs.aws.amazon.com/directconnect/latest/APIReference/API_DeleteDirectConnectGatewayAssociation.html
 */
function dxAssociationStage(op: 'added' | 'changed' | 'removed') {
  return (call: Call): Outcome => {
    const association = call.response.field('directConnectGatewayAssociation');
    const proposal = call.response.field('directConnectGatewayAssociationProposal');
    const gatewayId =
      call.params.field('directConnectGatewayId').str() ??
      association.field('directConnectGatewayId').str() ??
      call.required(proposal.field('directConnectGatewayId'));
    const id =
      association.field('associationId').str() ??
      call.params.field('associationId', 'proposalId').str() ??
      proposal.field('proposalId').str();
    const associated = association.field('associatedGateway');
    // A proposal comes from the gateway's owner to the Direct Connect gateway's owner: the far side is the latter.
    const owner =
      proposal.object !== undefined
        ? (proposal.field('directConnectGatewayOwnerAccount').str() ??
          call.params.field('directConnectGatewayOwnerAccount').str())
        : (call.params.field('associatedGatewayOwnerAccount').str() ?? associated.field('ownerAccount').str());
    const peerAccount = owner !== undefined && owner !== call.account ? owner : undefined;
    return one(resource('AWS::DirectConnect::Gateway', gatewayId), [
      link(op, 'direct-connect-gateway-association', {
        id,
        peerAccount,
        peerRegion: associated.field('region').str(),
        ...(op === 'changed' ? { stage: 'accepted' as const } : {}),
      }),
    ]);
  };
}

/** Hybrid-connectivity dispatch rows. */
export const HYBRID_CALLS: CallEntry[] = [
  { source: EC2, name: 'CreateVpnConnection', handle: vpnConnection },
  { source: EC2, name: 'CreateCustomerGateway', handle: customerGateway },
  { source: EC2, name: 'AttachVpnGateway', handle: vpnGatewayAttachment('added') },
  { source: EC2, name: 'DetachVpnGateway', handle: vpnGatewayAttachment('removed') },
  { source: EC2, name: 'CreateTransitGatewayVpcAttachment', handle: tgwVpcAttachmentCreated },
  { source: EC2, name: 'DeleteTransitGatewayVpcAttachment', handle: tgwVpcAttachmentDeleted },
  { source: EC2, name: 'CreateTransitGatewayPeeringAttachment', handle: tgwPeering('added') },
  { source: EC2, name: 'AcceptTransitGatewayPeeringAttachment', handle: tgwPeering('changed') },
  { source: EC2, name: 'CreateTransitGatewayRoute', handle: tgwRoute },
  {
    source: DIRECT_CONNECT,
    name: 'CreatePrivateVirtualInterface',
    handle: virtualInterface('newPrivateVirtualInterface'),
  },
  {
    source: DIRECT_CONNECT,
    name: 'CreatePublicVirtualInterface',
    handle: virtualInterface('newPublicVirtualInterface'),
  },
  {
    source: DIRECT_CONNECT,
    name: 'CreateTransitVirtualInterface',
    handle: virtualInterface('newTransitVirtualInterface'),
  },
  {
    source: DIRECT_CONNECT,
    name: 'AllocatePrivateVirtualInterface',
    handle: virtualInterface('newPrivateVirtualInterfaceAllocation'),
  },
  {
    source: DIRECT_CONNECT,
    name: 'AllocatePublicVirtualInterface',
    handle: virtualInterface('newPublicVirtualInterfaceAllocation'),
  },
  {
    source: DIRECT_CONNECT,
    name: 'AllocateTransitVirtualInterface',
    handle: virtualInterface('newTransitVirtualInterfaceAllocation'),
  },
  { source: DIRECT_CONNECT, name: 'CreateDirectConnectGatewayAssociation', handle: dxGatewayAssociation },
  // The rest of the transit-gateway and Direct Connect life cycle: accept, associate, delete.
  { source: EC2, name: 'AcceptTransitGatewayVpcAttachment', handle: tgwVpcAttachmentAccepted },
  { source: EC2, name: 'DeleteTransitGatewayPeeringAttachment', handle: tgwPeeringDeleted },
  { source: EC2, name: 'AssociateTransitGatewayRouteTable', handle: tgwAssociation('associated') },
  { source: EC2, name: 'DisassociateTransitGatewayRouteTable', handle: tgwAssociation('disassociated') },
  { source: EC2, name: 'RejectTransitGatewayVpcAttachment', ignore: 'a rejected attachment carries nothing' },
  { source: EC2, name: 'RejectTransitGatewayPeeringAttachment', ignore: 'a rejected peering carries nothing' },
  { source: DIRECT_CONNECT, name: 'ConfirmPrivateVirtualInterface', handle: virtualInterfaceStage('changed') },
  { source: DIRECT_CONNECT, name: 'ConfirmPublicVirtualInterface', handle: virtualInterfaceStage('changed') },
  { source: DIRECT_CONNECT, name: 'ConfirmTransitVirtualInterface', handle: virtualInterfaceStage('changed') },
  { source: DIRECT_CONNECT, name: 'DeleteVirtualInterface', handle: virtualInterfaceStage('removed') },
  {
    source: DIRECT_CONNECT,
    name: 'CreateDirectConnectGatewayAssociationProposal',
    handle: dxAssociationStage('added'),
  },
  {
    source: DIRECT_CONNECT,
    name: 'AcceptDirectConnectGatewayAssociationProposal',
    handle: dxAssociationStage('changed'),
  },
  { source: DIRECT_CONNECT, name: 'DeleteDirectConnectGatewayAssociation', handle: dxAssociationStage('removed') },
];
