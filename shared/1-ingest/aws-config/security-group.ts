import * as z from 'zod';
import type { Peer, SgPermission, SgPermissionDelta } from '../../model/change.ts';
import { normalizePorts, normalizeProtocol } from '../../net/protocol.ts';
import type { Extractor } from './extractor.ts';
import { setDifference, stableKey } from './extractor.ts';
import { ciObject, lenientList, numberish, optionalList, optionalString } from './field-case.ts';

/**
 * `AWS::EC2::SecurityGroup` → {@link SgPermissionDelta}s. Config's `configuration` is the `DescribeSecurityGroups`
 * output: `ipPermissions` (ingress) and `ipPermissionsEgress`, each permission holding lists of peers. We flatten to
 * one peer per permission, as the CloudTrail side does, so the same change from both sources compares equal.
 *
 * Quirks:
 * - Config logs IPv4 peers twice: `ipv4Ranges: [{cidrIp}]` and the legacy `ipRanges: ["0.0.0.0/0"]` (plain strings);
 *   older items have only `ipRanges`. Both are read and de-duplicated, so nothing is counted twice or lost.
 * - `ipProtocol: "-1"` means all traffic; `fromPort`/`toPort` are then absent or `null` (→ all ports).
 * - Ports may be numeric strings in some items (`"443"`); {@link normalizePorts} reads both.
 * - `userIdGroupPairs` always carry `userId` in Config, while a same-account CloudTrail call usually does not; the
 *   peer keeps `userId` only when it is another account's group (cross-account reference), which is what matters.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/example-sns-notification.html (legacy `ipRanges`)
 */
const Cidr4 = z.lazy(() => z.union([z.string(), ciObject({ cidrIp: optionalString })]));
const Permission = z.lazy(() =>
  ciObject({
    ipProtocol: z.union([z.string(), z.number()]).nullish(),
    fromPort: numberish,
    toPort: numberish,
    ipv4Ranges: optionalList(Cidr4),
    ipRanges: optionalList(Cidr4),
    ipv6Ranges: optionalList(z.union([z.string(), ciObject({ cidrIpv6: optionalString })])),
    userIdGroupPairs: optionalList(
      ciObject({ groupId: optionalString, groupName: optionalString, userId: optionalString }),
    ),
    prefixListIds: optionalList(z.union([z.string(), ciObject({ prefixListId: optionalString })])),
  }),
);
type Permission = z.output<typeof Permission>;

const State = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      groupId: optionalString,
      groupName: optionalString,
      ipPermissions: lenientList(Permission, 'ipPermissions'),
      ipPermissionsEgress: lenientList(Permission, 'ipPermissionsEgress'),
    }),
  }),
);

export const securityGroup: Extractor = (input) => {
  const before = input.read(State, 'before')?.configuration;
  const after = input.read(State, 'after')?.configuration;
  const flatten = (side: typeof before, name: 'before' | 'after'): SgPermission[] => {
    if (side === undefined) return [];
    const skipped: string[] = [...side.ipPermissions.skipped, ...side.ipPermissionsEgress.skipped];
    const out = [
      ...side.ipPermissions.items.flatMap((p, i) =>
        flattenPermission(p, 'ingress', input.account, (m) => skipped.push(`ipPermissions ${i}: ${m}`)),
      ),
      ...side.ipPermissionsEgress.items.flatMap((p, i) =>
        flattenPermission(p, 'egress', input.account, (m) => skipped.push(`ipPermissionsEgress ${i}: ${m}`)),
      ),
    ];
    input.skip(name, skipped);
    return out;
  };
  const { added, removed } = setDifference(flatten(before, 'before'), flatten(after, 'after'), stableKey);
  const groupId = after?.groupId ?? before?.groupId ?? input.resourceId;
  const groupName = after?.groupName ?? before?.groupName;
  const delta = (op: 'added' | 'removed', permission: SgPermission): SgPermissionDelta => ({
    kind: 'sg-permission',
    op,
    groupId,
    ...(groupName !== undefined ? { groupName } : {}),
    permission,
  });
  return [...added.map((p) => delta('added', p)), ...removed.map((p) => delta('removed', p))];
};

/** One AWS permission (many peers) → one {@link SgPermission} per peer. */
function flattenPermission(
  permission: Permission,
  direction: 'ingress' | 'egress',
  account: string,
  skip: (message: string) => void,
): SgPermission[] {
  const protocol = normalizeProtocol(permission.ipProtocol);
  const ports = normalizePorts(protocol, permission.fromPort, permission.toPort);
  const cidr = (r: string | { cidrIp?: string | undefined } | { cidrIpv6?: string | undefined }, what: string) => {
    const value = typeof r === 'string' ? r : 'cidrIp' in r ? r.cidrIp : 'cidrIpv6' in r ? r.cidrIpv6 : undefined;
    if (value === undefined) skip(`${what} without a CIDR`);
    return value;
  };
  const peers: Peer[] = [
    ...[...permission.ipv4Ranges, ...permission.ipRanges].flatMap((r): Peer[] => {
      const value = cidr(r, 'IPv4 range');
      return value === undefined ? [] : [{ kind: 'cidr4', cidr: value }];
    }),
    ...permission.ipv6Ranges.flatMap((r): Peer[] => {
      const value = cidr(r, 'IPv6 range');
      return value === undefined ? [] : [{ kind: 'cidr6', cidr: value }];
    }),
    ...permission.userIdGroupPairs.flatMap((pair): Peer[] => {
      const groupId = pair.groupId ?? pair.groupName;
      if (groupId === undefined) return [];
      return [
        {
          kind: 'security-group',
          groupId,
          ...(pair.userId !== undefined && pair.userId !== account ? { userId: pair.userId } : {}),
        },
      ];
    }),
    ...permission.prefixListIds.flatMap((p): Peer[] => {
      const id = typeof p === 'string' ? p : p.prefixListId;
      if (id === undefined) skip('prefix-list peer without prefixListId');
      return id === undefined ? [] : [{ kind: 'prefix-list', prefixListId: id }];
    }),
  ];
  const seen = new Set<string>();
  return peers.flatMap((peer) => {
    const key = stableKey(peer);
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ direction, protocol, ...ports, peer }];
  });
}
