import * as z from 'zod';
import type { BindingDelta, SubnetAttributeDelta } from '../../model/change.ts';
import type { Extractor } from './extractor.ts';
import { ciObject, optionalBoolean, optionalString } from './field-case.ts';

/**
 * `AWS::EC2::Subnet` → {@link SubnetAttributeDelta}s for the attributes that make new instances reachable:
 * `mapPublicIpOnLaunch`, `assignIpv6AddressOnCreation`, `mapCustomerOwnedIpOnLaunch` (the `DescribeSubnets` shape).
 * Everything else (notably `availableIpAddressCount`, which Config re-records as instances come and go) is ignored.
 * A discovered subnet reports only attributes that are on (off is the default, nothing to say).
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Subnet.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySubnetAttribute.html
 */
const State = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      subnetId: optionalString,
      vpcId: optionalString,
      mapPublicIpOnLaunch: optionalBoolean,
      assignIpv6AddressOnCreation: optionalBoolean,
      mapCustomerOwnedIpOnLaunch: optionalBoolean,
    }),
  }),
);

const ATTRIBUTES = [
  ['mapPublicIpOnLaunch', 'map-public-ip-on-launch'],
  ['assignIpv6AddressOnCreation', 'assign-ipv6-on-creation'],
  ['mapCustomerOwnedIpOnLaunch', 'map-customer-owned-ip-on-launch'],
] as const;

export const subnet: Extractor = (input) => {
  const before = input.read(State, 'before')?.configuration;
  const after = input.read(State, 'after')?.configuration;
  if (after === undefined) return [];
  const subnetId = after.subnetId ?? input.resourceId;
  // The subnet's VPC (which main route table and internet gateway apply): said once, when the subnet appears.
  const placement: BindingDelta[] =
    after.vpcId !== undefined && before?.vpcId !== after.vpcId
      ? [
          {
            kind: 'binding',
            op: before === undefined ? 'added' : 'changed',
            holder: { kind: 'subnet', id: subnetId },
            binding: { kind: 'vpc', vpcId: after.vpcId },
            ...(before?.vpcId !== undefined ? { before: { kind: 'vpc' as const, vpcId: before.vpcId } } : {}),
          },
        ]
      : [];
  return [...placement, ...attributes(before, after, subnetId)];
};

function attributes(
  before: z.output<typeof State>['configuration'] | undefined,
  after: z.output<typeof State>['configuration'],
  subnetId: string,
): SubnetAttributeDelta[] {
  return ATTRIBUTES.flatMap(([field, attribute]): SubnetAttributeDelta[] => {
    const now = after[field];
    if (now === undefined) return [];
    if (before === undefined)
      return now ? [{ kind: 'subnet-attribute', op: 'changed', subnetId, attribute, after: now }] : [];
    const was = before[field];
    if ((was ?? false) === now) return [];
    return [
      {
        kind: 'subnet-attribute',
        op: 'changed',
        subnetId,
        attribute,
        ...(was !== undefined ? { before: was } : {}),
        after: now,
      },
    ];
  });
}
