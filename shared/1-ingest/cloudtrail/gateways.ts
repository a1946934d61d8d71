import type { GatewayAttachmentDelta } from '../../model/change.ts';
import { EC2, one } from './call.ts';
import type { Call, CallEntry, Outcome } from './call.ts';

/**
 * Internet-gateway calls → {@link GatewayAttachmentDelta}. An internet gateway does nothing until it is attached to a
 * VPC, so CreateInternetGateway is ignored and AttachInternetGateway is the change. An egress-only internet gateway
 * is created already bound to its VPC, so its creation is the attachment.
 * Virtual private gateways are hybrid links (see hybrid.ts).
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AttachInternetGateway.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateEgressOnlyInternetGateway.html
 */

function internetGateway(op: 'added' | 'removed') {
  return (call: Call): Outcome => {
    const id = call.required(call.params.field('internetGatewayId'));
    const vpcId = call.required(call.params.field('vpcId'));
    const delta: GatewayAttachmentDelta = {
      kind: 'gateway-attachment',
      op,
      gateway: { kind: 'internet-gateway', id },
      vpcId,
    };
    return one({ type: 'AWS::EC2::InternetGateway', id, vpcId }, [delta]);
  };
}

function egressOnlyCreated(call: Call): Outcome {
  const vpcId = call.required(call.params.field('vpcId'));
  const gateway = call.response.field('egressOnlyInternetGateway');
  const id = call.required(gateway.field('egressOnlyInternetGatewayId'));
  const delta: GatewayAttachmentDelta = {
    kind: 'gateway-attachment',
    op: 'added',
    gateway: { kind: 'egress-only-internet-gateway', id },
    vpcId,
  };
  return one({ type: 'AWS::EC2::EgressOnlyInternetGateway', id, vpcId }, [delta]);
}

/** Gateway dispatch rows. */
export const GATEWAY_CALLS: CallEntry[] = [
  { source: EC2, name: 'AttachInternetGateway', handle: internetGateway('added') },
  { source: EC2, name: 'DetachInternetGateway', handle: internetGateway('removed') },
  { source: EC2, name: 'CreateEgressOnlyInternetGateway', handle: egressOnlyCreated },
  {
    source: EC2,
    name: 'CreateInternetGateway',
    ignore: 'an unattached internet gateway routes nothing; AttachInternetGateway is the change',
  },
];
