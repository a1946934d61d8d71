import * as z from 'zod';
import type { NaclEntry, NaclEntryDelta, SubnetAssociationDelta } from '../../model/change.ts';
import { normalizePorts, normalizeProtocol } from '../../net/protocol.ts';
import type { Extractor } from './extractor.ts';
import { vpcPlacement } from './route-table.ts';
import { keyedDifference, setDifference, stableKey } from './extractor.ts';
import { ciObject, lenientList, numberish, optionalBoolean, optionalList, optionalString } from './field-case.ts';

/**
 * `AWS::EC2::NetworkAcl` → {@link NaclEntryDelta}s from `configuration.entries` (the `DescribeNetworkAcls` shape:
 * `ruleNumber`, numeric `protocol` string such as `"6"` or `"-1"`, `ruleAction`, `egress`, `cidrBlock` or
 * `ipv6CidrBlock`, `portRange {from,to}`, `icmpTypeCode {type,code}`).
 *
 * An entry's identity is (direction, rule number), as in `ReplaceNetworkAclEntry`: the same identity with other
 * settings is `changed` (with `before`). The default catch-all deny (rule 32767, shown for IPv4 and IPv6, cannot be
 * changed) is skipped. ICMP type/code go to `fromPort`/`toPort`, the model's convention for ICMP.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NetworkAclEntry.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html (default rule `*` = 32767)
 */
const DEFAULT_RULE = 32767;

const Entry = z.lazy(() =>
  ciObject({
    ruleNumber: z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number),
    protocol: z.union([z.string(), z.number()]).nullish(),
    ruleAction: z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(['allow', 'deny'])),
    egress: optionalBoolean,
    cidrBlock: optionalString,
    ipv6CidrBlock: optionalString,
    portRange: ciObject({ from: numberish, to: numberish }).nullish(),
    icmpTypeCode: ciObject({ type: numberish, code: numberish }).nullish(),
  }),
);
type Entry = z.output<typeof Entry>;

/** `associations`: the subnets using the ACL. */
const Association = z.lazy(() => ciObject({ subnetId: optionalString, networkAclAssociationId: optionalString }));

const State = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      networkAclId: optionalString,
      vpcId: optionalString,
      entries: lenientList(Entry, 'entry'),
      associations: optionalList(Association),
    }),
  }),
);

export const networkAcl: Extractor = (input) => {
  const before = input.read(State, 'before')?.configuration;
  const after = input.read(State, 'after')?.configuration;
  input.skip('after', after?.entries.skipped ?? []);
  const entries = (side: typeof before): NaclEntry[] => (side?.entries.items ?? []).flatMap(toEntry);
  const identity = (e: NaclEntry) => `${e.egress ? 'egress' : 'ingress'}:${e.ruleNumber}`;
  const { added, removed, changed } = keyedDifference(entries(before), entries(after), identity, stableKey);
  const naclId = after?.networkAclId ?? before?.networkAclId ?? input.resourceId;
  const subnets = (side: typeof before): string[] =>
    (side?.associations ?? []).flatMap((a) => (a.subnetId !== undefined ? [a.subnetId] : []));
  const ids = new Map(
    (after?.associations ?? []).flatMap((a) =>
      a.subnetId !== undefined && a.networkAclAssociationId !== undefined
        ? [[a.subnetId, a.networkAclAssociationId] as const]
        : [],
    ),
  );
  const moved = setDifference(subnets(before), subnets(after), (s) => s);
  const association = (op: 'added' | 'removed', subnetId: string): SubnetAssociationDelta => {
    const associationId = op === 'added' ? ids.get(subnetId) : undefined;
    return {
      kind: 'subnet-association',
      op,
      table: 'network-acl',
      tableId: naclId,
      subnetId,
      ...(associationId !== undefined ? { associationId } : {}),
    };
  };
  return [
    ...added.map((entry): NaclEntryDelta => ({ kind: 'nacl-entry', op: 'added', naclId, entry })),
    ...changed.map(
      (c): NaclEntryDelta => ({ kind: 'nacl-entry', op: 'changed', naclId, entry: c.after, before: c.before }),
    ),
    ...removed.map((entry): NaclEntryDelta => ({ kind: 'nacl-entry', op: 'removed', naclId, entry })),
    ...moved.added.map((s) => association('added', s)),
    ...moved.removed.map((s) => association('removed', s)),
    ...vpcPlacement('network-acl', naclId, before?.vpcId, after?.vpcId),
  ];
};

function toEntry(raw: Entry): NaclEntry[] {
  if (raw.ruleNumber === DEFAULT_RULE) return [];
  const cidr =
    raw.cidrBlock !== undefined
      ? { kind: 'cidr4' as const, value: raw.cidrBlock }
      : raw.ipv6CidrBlock !== undefined
        ? { kind: 'cidr6' as const, value: raw.ipv6CidrBlock }
        : undefined;
  if (cidr === undefined) return [];
  const protocol = normalizeProtocol(raw.protocol);
  const ports =
    protocol === 'icmp' || protocol === 'icmpv6'
      ? normalizePorts(protocol, raw.icmpTypeCode?.type, raw.icmpTypeCode?.code)
      : normalizePorts(protocol, raw.portRange?.from, raw.portRange?.to);
  return [
    { ruleNumber: raw.ruleNumber, egress: raw.egress ?? false, action: raw.ruleAction, protocol, cidr, ...ports },
  ];
}
