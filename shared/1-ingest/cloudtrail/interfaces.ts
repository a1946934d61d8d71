import type { BindingDelta } from '../../model/change.ts';
import { EC2, one, skip } from './call.ts';
import type { Call, CallEntry, Outcome } from './call.ts';

/**
 * Calls that bind a network interface to what makes it reachable (exposure by association): a new security-group set,
 * an Elastic IP. Each becomes a {@link BindingDelta}; the state step joins it with the groups, routes and ACLs it
 * points at (shared/net/reachability.ts), so joining something already exposed is seen.
 *
 * - ModifyNetworkInterfaceAttribute `groupSet` replaces the ENI's groups ("the new set of groups you specify replaces
 *   the current set"); other attributes (description, source/dest check, attachment) are not bindings.
 * - ModifyInstanceAttribute `groupSet` does the same for an instance's (primary) interface: the call names the
 *   instance, the state resolves its ENI.
 * - AssociateAddress binds an Elastic IP (by `allocationId`; the public IP is not in the request) to an ENI or an
 *   instance; the response's `associationId` is how DisassociateAddress later names it.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyNetworkInterfaceAttribute.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceAttribute.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AssociateAddress.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisassociateAddress.html
 */

const ENI_TYPE = 'AWS::EC2::NetworkInterface';
const INSTANCE_TYPE = 'AWS::EC2::Instance';

function groupSet(call: Call): string[] | undefined {
  const set = call.params.field('groupSet', 'groupId', 'groups');
  if (!set.present) return undefined;
  const ids = set.list().flatMap((member) => {
    const id = member.field('groupId').str() ?? member.str();
    return id !== undefined && id.startsWith('sg-') ? [id] : [];
  });
  return [...new Set(ids)].sort();
}

function interfaceGroups(call: Call): Outcome {
  const eni = call.required(call.params.field('networkInterfaceId'));
  const groups = groupSet(call);
  if (groups === undefined)
    return skip('ModifyNetworkInterfaceAttribute of an attribute that binds nothing (description, source/dest check)');
  const delta: BindingDelta = {
    kind: 'binding',
    op: 'changed',
    holder: { kind: 'network-interface', id: eni },
    binding: { kind: 'security-groups', groupIds: groups },
  };
  return one({ type: ENI_TYPE, id: eni }, [delta]);
}

function instanceGroups(call: Call): Outcome {
  const instance = call.required(call.params.field('instanceId'));
  const groups = groupSet(call);
  if (groups === undefined) return skip('ModifyInstanceAttribute of an attribute other than the security groups');
  const delta: BindingDelta = {
    kind: 'binding',
    op: 'changed',
    holder: { kind: 'network-interface' },
    instanceId: instance,
    binding: { kind: 'security-groups', groupIds: groups },
  };
  return one({ type: INSTANCE_TYPE, id: instance }, [delta]);
}

function associateAddress(call: Call): Outcome {
  const eni = call.params.field('networkInterfaceId').str();
  const instance = call.params.field('instanceId').str();
  const allocationId = call.params.field('allocationId').str();
  const publicIp = call.params.field('publicIp').str();
  if (eni === undefined && instance === undefined)
    call.fail(call.params.field('networkInterfaceId'), 'requestParameters.networkInterfaceId missing (nor instanceId)');
  const associationId = call.response.field('associationId').str();
  const delta: BindingDelta = {
    kind: 'binding',
    op: 'added',
    holder: { kind: 'network-interface', ...(eni !== undefined ? { id: eni } : {}) },
    ...(eni === undefined && instance !== undefined ? { instanceId: instance } : {}),
    binding: {
      kind: 'public-address',
      family: 4,
      elastic: true,
      ...(publicIp !== undefined ? { address: publicIp } : {}),
      ...(allocationId !== undefined ? { allocationId } : {}),
      ...(associationId !== undefined ? { associationId } : {}),
    },
  };
  return one(eni !== undefined ? { type: ENI_TYPE, id: eni } : { type: INSTANCE_TYPE, id: instance ?? 'unknown' }, [
    delta,
  ]);
}

function disassociateAddress(call: Call): Outcome {
  const associationId = call.params.field('associationId').str();
  const publicIp = call.params.field('publicIp').str();
  if (associationId === undefined && publicIp === undefined)
    call.fail(call.params.field('associationId'), 'requestParameters.associationId missing (nor publicIp)');
  const delta: BindingDelta = {
    kind: 'binding',
    op: 'removed',
    holder: { kind: 'network-interface' },
    binding: {
      kind: 'public-address',
      family: 4,
      elastic: true,
      ...(associationId !== undefined ? { associationId } : {}),
      ...(publicIp !== undefined ? { address: publicIp } : {}),
    },
  };
  return one({ type: 'AWS::EC2::EIP', id: associationId ?? publicIp ?? 'unknown' }, [delta]);
}

/** Network-interface binding dispatch rows. */
export const INTERFACE_CALLS: CallEntry[] = [
  { source: EC2, name: 'ModifyNetworkInterfaceAttribute', handle: interfaceGroups },
  { source: EC2, name: 'ModifyInstanceAttribute', handle: instanceGroups },
  { source: EC2, name: 'AssociateAddress', handle: associateAddress },
  { source: EC2, name: 'DisassociateAddress', handle: disassociateAddress },
];
