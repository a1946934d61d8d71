import type { NaclEntry, NaclEntryDelta, ResourceRef } from '../../model/change.ts';
import { normalizePorts, normalizeProtocol } from '../../net/protocol.ts';
import { EC2, one, replacedAssociation } from './call.ts';
import type { Call, CallEntry, Outcome } from './call.ts';

/**
 * Network ACL entry calls → {@link NaclEntryDelta}. CloudTrail logs the protocol as `aclProtocol` (a number string,
 * `-1` = all) where the API calls it `Protocol`, and ICMP type/code as `icmpTypeCode`; the wrapped shape would use
 * the API names, so both are accepted.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateNetworkAclEntry.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceNetworkAclEntry.html
 */

const NACL_TYPE = 'AWS::EC2::NetworkAcl';

function target(call: Call): { naclId: string; ruleNumber: number; egress: boolean; resource: ResourceRef } {
  const naclId = call.required(call.params.field('networkAclId'));
  const numberShape = call.params.field('ruleNumber');
  const ruleNumber =
    numberShape.num() ?? call.fail(numberShape, 'requestParameters.ruleNumber missing or not a number');
  const egressShape = call.params.field('egress');
  const egress = egressShape.bool() ?? call.fail(egressShape, 'requestParameters.egress missing or not a boolean');
  return { naclId, ruleNumber, egress, resource: { type: NACL_TYPE, id: naclId } };
}

function entry(call: Call, ruleNumber: number, egress: boolean): NaclEntry {
  const p = call.params;
  const actionShape = p.field('ruleAction');
  const action = actionShape.str()?.toLowerCase();
  if (action !== 'allow' && action !== 'deny')
    call.fail(actionShape, 'requestParameters.ruleAction missing or not allow/deny');
  const protocolShape = p.field('aclProtocol', 'protocol');
  if (protocolShape.str() === undefined) call.fail(protocolShape, 'requestParameters.aclProtocol missing');
  const protocol = normalizeProtocol(protocolShape.str());
  const v4 = p.field('cidrBlock').str();
  const v6 = p.field('ipv6CidrBlock').str();
  if (v4 === undefined && v6 === undefined)
    call.fail(p.field('cidrBlock'), 'requestParameters.cidrBlock missing (nor ipv6CidrBlock)');
  const cidr: NaclEntry['cidr'] = v4 !== undefined ? { kind: 'cidr4', value: v4 } : { kind: 'cidr6', value: v6! };
  const icmp = protocol === 'icmp' || protocol === 'icmpv6';
  const range = icmp ? p.field('icmpTypeCode', 'icmp') : p.field('portRange');
  // ICMP keeps type in fromPort and code in toPort, as the model (and AWS's security-group API) does.
  const ports = icmp
    ? normalizePorts(protocol, range.field('type').num(), range.field('code').num())
    : normalizePorts(protocol, range.field('from').num(), range.field('to').num());
  return { ruleNumber, egress, action, protocol, cidr, ...ports };
}

function upsert(op: 'added' | 'changed') {
  return (call: Call): Outcome => {
    const { naclId, ruleNumber, egress, resource } = target(call);
    const delta: NaclEntryDelta = { kind: 'nacl-entry', op, naclId, entry: entry(call, ruleNumber, egress) };
    return one(resource, [delta]);
  };
}

/**
 * DeleteNetworkAclEntry logs only the ACL id, rule number and direction — not the action, protocol or CIDR of the
 * entry that went away. The delta says exactly that (action `unknown`, no CIDR): inventing them would mislead rules,
 * but dropping the deletion would hide a deny entry going away, which can open what it blocked. nacl-open records it
 * (low); AWS Config's item diff of the same change has the full entry.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteNetworkAclEntry.html
 */
function remove(call: Call): Outcome {
  const { naclId, ruleNumber, egress, resource } = target(call);
  const delta: NaclEntryDelta = {
    kind: 'nacl-entry',
    op: 'removed',
    naclId,
    entry: { ruleNumber, egress, action: 'unknown', protocol: 'unknown' },
  };
  return one(resource, [delta], {
    notes: [`${egress ? 'egress' : 'ingress'} entry #${ruleNumber} deleted; CloudTrail does not log its contents`],
  });
}

/**
 * ReplaceNetworkAclAssociation moves a subnet to another ACL (every subnet has exactly one). It names the association
 * id (`aclassoc-…`) and the new ACL, not the subnet: the state step resolves the subnet from the ACL that held the
 * association (shared/3-state).
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceNetworkAclAssociation.html
 */
const replacedAclAssociation = replacedAssociation('network-acl', 'networkAclId', NACL_TYPE);

/** Network ACL dispatch rows. */
export const NETWORK_ACL_CALLS: CallEntry[] = [
  { source: EC2, name: 'CreateNetworkAclEntry', handle: upsert('added') },
  { source: EC2, name: 'ReplaceNetworkAclEntry', handle: upsert('changed') },
  { source: EC2, name: 'DeleteNetworkAclEntry', handle: remove },
  { source: EC2, name: 'ReplaceNetworkAclAssociation', handle: replacedAclAssociation },
  { source: EC2, name: 'CreateNetworkAcl', ignore: 'a new network ACL denies everything until entries are added' },
  {
    source: EC2,
    name: 'DeleteNetworkAcl',
    ignore: 'an ACL still associated with a subnet cannot be deleted; nothing opens',
  },
];
