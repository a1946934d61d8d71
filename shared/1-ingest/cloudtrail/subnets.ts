import type { SubnetAttributeDelta } from '../../model/change.ts';
import { EC2, one, skip } from './call.ts';
import type { Call, CallEntry, Outcome } from './call.ts';

/**
 * ModifySubnetAttribute → {@link SubnetAttributeDelta} for the attributes that make new instances reachable from
 * outside: public IPv4 on launch, IPv6 on creation, customer-owned IP on launch. CloudTrail logs each as an
 * `AttributeBooleanValue` (`{"value": true}`), in the wrapped shape as `{"Value": true}`; other attributes (DNS64,
 * hostname types) are ignored.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySubnetAttribute.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AttributeBooleanValue.html
 */

const ATTRIBUTES: ReadonlyArray<[string, SubnetAttributeDelta['attribute']]> = [
  ['mapPublicIpOnLaunch', 'map-public-ip-on-launch'],
  ['assignIpv6AddressOnCreation', 'assign-ipv6-on-creation'],
  ['mapCustomerOwnedIpOnLaunch', 'map-customer-owned-ip-on-launch'],
];

function subnetAttribute(call: Call): Outcome {
  const subnetId = call.required(call.params.field('subnetId'));
  const deltas: SubnetAttributeDelta[] = [];
  for (const [field, attribute] of ATTRIBUTES) {
    const shape = call.params.field(field);
    if (!shape.present) continue;
    const after = shape.bool() ?? call.fail(shape, `requestParameters.${field} is not a boolean value`);
    deltas.push({ kind: 'subnet-attribute', op: 'changed', subnetId, attribute, after });
  }
  if (deltas.length === 0)
    return skip('ModifySubnetAttribute of an attribute that does not expose instances (DNS, hostname type, …)');
  return one({ type: 'AWS::EC2::Subnet', id: subnetId }, deltas);
}

/** Subnet dispatch rows. */
export const SUBNET_CALLS: CallEntry[] = [{ source: EC2, name: 'ModifySubnetAttribute', handle: subnetAttribute }];
