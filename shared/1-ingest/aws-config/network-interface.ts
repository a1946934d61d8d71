import * as z from 'zod';
import type { Binding, BindingDelta } from '../../model/change.ts';
import type { Extractor } from './extractor.ts';
import { setDifference, stableKey } from './extractor.ts';
import { ciObject, numberish, optionalList, optionalString } from './field-case.ts';

/**
 * `AWS::EC2::NetworkInterface` → {@link BindingDelta}s: the ENI's security groups (the whole set), its subnet and VPC,
 * its public addresses and the instance it is attached to — the `DescribeNetworkInterfaces` shape AWS Config records.
 *
 * Public addresses: the primary address's `association.publicIp` (auto-assigned public IPv4, or an Elastic IP when
 * `allocationId` is set), the same on secondary private addresses (`privateIpAddresses[].association`), and every
 * IPv6 address (`ipv6Addresses[].ipv6Address`: IPv6 addresses of a VPC are globally unique). An internet-facing load
 * balancer's ENIs carry the public IPs of its nodes here too (owner `amazon-elb`), so a load balancer is reachable
 * through the same path check as an instance.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NetworkInterface.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NetworkInterfaceAssociation.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html (globally unique addresses)
 */
const Association = z.lazy(() =>
  ciObject({ publicIp: optionalString, allocationId: optionalString, associationId: optionalString }).nullish(),
);

const State = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      networkInterfaceId: optionalString,
      subnetId: optionalString,
      vpcId: optionalString,
      groups: optionalList(ciObject({ groupId: optionalString })),
      association: Association,
      privateIpAddresses: optionalList(ciObject({ association: Association })),
      ipv6Addresses: optionalList(ciObject({ ipv6Address: optionalString })),
      attachment: ciObject({ instanceId: optionalString, deviceIndex: numberish }).nullish(),
    }),
  }),
);
type Configuration = z.output<typeof State>['configuration'];

/** The bindings an ENI item states, one per kind (addresses: one each). */
export function interfaceBindings(config: Configuration | undefined): Binding[] {
  if (config === undefined) return [];
  const out: Binding[] = [];
  if (config.groups !== undefined)
    out.push({
      kind: 'security-groups',
      groupIds: [...new Set(config.groups.flatMap((g) => (g.groupId !== undefined ? [g.groupId] : [])))].sort(),
    });
  if (config.subnetId !== undefined)
    out.push({
      kind: 'subnet',
      subnetId: config.subnetId,
      ...(config.vpcId !== undefined ? { vpcId: config.vpcId } : {}),
    });
  const seen = new Set<string>();
  for (const a of [config.association, ...(config.privateIpAddresses ?? []).map((p) => p.association)]) {
    if (a?.publicIp === undefined) continue;
    const key = a.allocationId ?? a.publicIp;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      kind: 'public-address',
      family: 4,
      address: a.publicIp,
      ...(a.allocationId !== undefined ? { allocationId: a.allocationId, elastic: true } : {}),
      ...(a.associationId !== undefined ? { associationId: a.associationId } : {}),
    });
  }
  for (const v6 of config.ipv6Addresses ?? [])
    if (v6.ipv6Address !== undefined) out.push({ kind: 'public-address', family: 6, address: v6.ipv6Address });
  if (config.attachment?.instanceId !== undefined) {
    const index = Number(config.attachment.deviceIndex);
    out.push({
      kind: 'instance',
      instanceId: config.attachment.instanceId,
      ...(Number.isInteger(index) ? { deviceIndex: index } : {}),
    });
  }
  return out;
}

/** Identity of a binding within an ENI: one per kind, one per address. */
function slot(b: Binding): string {
  return b.kind === 'public-address' ? `address|${b.allocationId ?? b.address ?? b.family}` : b.kind;
}

export const networkInterface: Extractor = (input) => {
  const before = input.read(State, 'before')?.configuration;
  const after = input.read(State, 'after')?.configuration;
  const id = after?.networkInterfaceId ?? before?.networkInterfaceId ?? input.resourceId;
  const holder = { kind: 'network-interface' as const, id };
  const was = new Map(interfaceBindings(before).map((b) => [slot(b), b]));
  const now = new Map(interfaceBindings(after).map((b) => [slot(b), b]));
  const out: BindingDelta[] = [];
  for (const [key, binding] of now) {
    const old = was.get(key);
    if (old === undefined) out.push({ kind: 'binding', op: 'added', holder, binding });
    else if (stableKey(old) !== stableKey(binding))
      out.push({ kind: 'binding', op: 'changed', holder, binding, before: old });
  }
  const { removed } = setDifference([...was.keys()], [...now.keys()], (k) => k);
  for (const key of removed) {
    const binding = was.get(key);
    // A deleted ENI: its bindings go with it (the deletion empties the state); only list what a live ENI lost.
    if (binding !== undefined && after !== undefined) out.push({ kind: 'binding', op: 'removed', holder, binding });
  }
  return out;
};
