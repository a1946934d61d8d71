import type { PeeringDelta, PeeringSide, ResourceRef } from '../../model/change.ts';
import { EC2, one } from './call.ts';
import type { Call, CallEntry, Outcome } from './call.ts';
import type { Shape } from './request-shape.ts';

/**
 * VPC peering calls → {@link PeeringDelta}. The request names the accepter only by optional `peerOwnerId` /
 * `peerRegion`, which default to the requester's account and region; the response's `requesterVpcInfo` /
 * `accepterVpcInfo` are authoritative when present.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcPeeringConnection.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AcceptVpcPeeringConnection.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcPeeringConnectionVpcInfo.html
 */

const PEERING_TYPE = 'AWS::EC2::VPCPeeringConnection';

function sideOf(info: Shape): PeeringSide {
  const side: PeeringSide = {};
  const vpcId = info.field('vpcId').str();
  const account = info.field('ownerId').str();
  const region = info.field('region').str();
  if (vpcId !== undefined) side.vpcId = vpcId;
  if (account !== undefined) side.account = account;
  if (region !== undefined) side.region = region;
  return side;
}

function resourceOf(id: string, vpcId: string | undefined): ResourceRef {
  return vpcId !== undefined ? { type: PEERING_TYPE, id, vpcId } : { type: PEERING_TYPE, id };
}

function requested(call: Call): Outcome {
  const connection = call.response.field('vpcPeeringConnection');
  const connectionId = call.required(connection.field('vpcPeeringConnectionId'));
  const vpcId = call.required(call.params.field('vpcId'));
  const requester: PeeringSide = { vpcId, region: call.region, ...sideOf(connection.field('requesterVpcInfo')) };
  const account = call.account;
  if (requester.account === undefined && account !== undefined) requester.account = account;
  const accepter: PeeringSide = {};
  const peerVpcId = call.params.field('peerVpcId').str();
  const peerAccount = call.params.field('peerOwnerId').str() ?? requester.account;
  const peerRegion = call.params.field('peerRegion').str() ?? call.region;
  if (peerVpcId !== undefined) accepter.vpcId = peerVpcId;
  if (peerAccount !== undefined) accepter.account = peerAccount;
  accepter.region = peerRegion;
  Object.assign(accepter, sideOf(connection.field('accepterVpcInfo')));
  const delta: PeeringDelta = { kind: 'peering', op: 'added', connectionId, state: 'requested', requester, accepter };
  return one(
    resourceOf(connectionId, vpcId),
    [delta],
    requester.account !== undefined ? { accountHint: requester.account } : {},
  );
}

function accepted(call: Call): Outcome {
  const connectionId = call.required(call.params.field('vpcPeeringConnectionId'));
  const connection = call.response.field('vpcPeeringConnection');
  const requester = sideOf(connection.field('requesterVpcInfo'));
  const accepter = sideOf(connection.field('accepterVpcInfo'));
  const delta: PeeringDelta = { kind: 'peering', op: 'changed', connectionId, state: 'accepted', requester, accepter };
  return one(
    resourceOf(connectionId, accepter.vpcId),
    [delta],
    accepter.account !== undefined ? { accountHint: accepter.account } : {},
  );
}

function deleted(call: Call): Outcome {
  const connectionId = call.required(call.params.field('vpcPeeringConnectionId'));
  const delta: PeeringDelta = {
    kind: 'peering',
    op: 'removed',
    connectionId,
    state: 'deleted',
    requester: {},
    accepter: {},
  };
  return one(resourceOf(connectionId, undefined), [delta]);
}

/** Peering dispatch rows. */
export const PEERING_CALLS: CallEntry[] = [
  { source: EC2, name: 'CreateVpcPeeringConnection', handle: requested },
  { source: EC2, name: 'AcceptVpcPeeringConnection', handle: accepted },
  { source: EC2, name: 'DeleteVpcPeeringConnection', handle: deleted },
];
