import type { Direction, Peer, ResourceRef, SgPermission, SgPermissionDelta } from '../../model/change.ts';
import { normalizePorts, normalizeProtocol } from '../../net/protocol.ts';
import { EC2, one } from './call.ts';
import type { Call, CallEntry, Outcome } from './call.ts';
import type { Shape } from './request-shape.ts';

/**
 * Security-group calls → one {@link SgPermissionDelta} per (permission × peer): AWS nests several CIDRs, groups and
 * prefix lists under one `IpPermission`; rules want one peer at a time.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html
 */

const SG_TYPE = 'AWS::EC2::SecurityGroup';

interface Located {
  permission: SgPermission;
  ruleId?: string;
}

/** Group id (or, for default-VPC calls by name only, the name) — one of them is required. */
function groupOf(call: Call): { groupId: string; groupName?: string; resource: ResourceRef } {
  const idShape = call.params.field('groupId');
  const groupId = idShape.str();
  const groupName = call.params.field('groupName').str();
  if (groupId === undefined && groupName === undefined)
    call.fail(idShape, 'requestParameters.groupId missing (neither groupId nor groupName given)');
  const resource: ResourceRef = { type: SG_TYPE, id: groupId ?? groupName! };
  if (groupName !== undefined) resource.name = groupName;
  return groupName !== undefined
    ? { groupId: groupId ?? groupName, groupName, resource }
    : { groupId: groupId!, resource };
}

/**
 * A security-group peer. The owner (`userId`) is kept only for another account's group: Config always writes it and
 * CloudTrail usually does not, so a same-account owner would make the two sources of one change differ.
 */
function groupPeer(call: Call, groupId: string, userId: string | undefined): Peer {
  return userId !== undefined && userId !== call.account
    ? { kind: 'security-group', groupId, userId }
    : { kind: 'security-group', groupId };
}

/** Flatten one IpPermission (any shape) into single-peer permissions. */
function flattenPermission(call: Call, p: Shape, direction: Direction): SgPermission[] {
  const protocol = normalizeProtocol(p.field('ipProtocol').str());
  const ports = normalizePorts(protocol, p.field('fromPort').num(), p.field('toPort').num());
  const peers: Peer[] = [];
  // One unreadable peer is left out (and named in the finding's why); its siblings are still judged.
  for (const r of p.field('ipRanges').list()) {
    const cidr = r.field('cidrIp').str() ?? r.str();
    if (cidr === undefined) call.skip(r, 'IPv4 range without cidrIp');
    else peers.push({ kind: 'cidr4', cidr });
  }
  for (const r of p.field('ipv6Ranges').list()) {
    const cidr = r.field('cidrIpv6').str() ?? r.str();
    if (cidr === undefined) call.skip(r, 'IPv6 range without cidrIpv6');
    else peers.push({ kind: 'cidr6', cidr });
  }
  for (const g of p.field('groups', 'userIdGroupPairs').list()) {
    const id = g.field('groupId').str() ?? g.field('groupName').str();
    if (id === undefined) call.skip(g, 'security-group peer without groupId or groupName');
    else peers.push(groupPeer(call, id, g.field('userId').str()));
  }
  for (const l of p.field('prefixListIds').list()) {
    const id = l.field('prefixListId').str() ?? l.str();
    if (id === undefined) call.skip(l, 'prefix-list peer without prefixListId');
    else peers.push({ kind: 'prefix-list', prefixListId: id });
  }
  if (peers.length === 0) {
    call.skip(p, 'permission has no readable peer (ipRanges, ipv6Ranges, groups or prefixListIds)');
    return [];
  }
  return peers.map((peer) => ({ direction, protocol, ...ports, peer }));
}

/**
 * The legacy flat form (`cidrIp`, `ipProtocol`, `fromPort`, `toPort`, `sourceSecurityGroupName`/`OwnerId`) that the
 * EC2 API still accepts instead of `IpPermissions`; CloudTrail then logs an empty `ipPermissions: {}`.
 * A source group named without ports means all protocols and ports.
 */
function flatPermission(call: Call, direction: Direction): SgPermission[] {
  const p = call.params;
  const protocol = normalizeProtocol(p.field('ipProtocol').str());
  const ports = normalizePorts(protocol, p.field('fromPort').num(), p.field('toPort').num());
  const cidr = p.field('cidrIp').str();
  if (cidr !== undefined) return [{ direction, protocol, ...ports, peer: { kind: 'cidr4', cidr } }];
  const source = p.field('sourceSecurityGroupName').str() ?? p.field('sourceSecurityGroupId').str();
  if (source !== undefined) {
    return [
      { direction, protocol, ...ports, peer: groupPeer(call, source, p.field('sourceSecurityGroupOwnerId').str()) },
    ];
  }
  return [];
}

/**
 * A rule as EC2 describes it (`securityGroupRuleSet` items, `revokedSecurityGroupRuleSet`, ModifySecurityGroupRules
 * specs), or undefined when it names no peer.
 */
function rulePermission(call: Call, rule: Shape, direction: Direction): SgPermission | undefined {
  const protocol = normalizeProtocol(rule.field('ipProtocol').str());
  const ports = normalizePorts(protocol, rule.field('fromPort').num(), rule.field('toPort').num());
  const v4 = rule.field('cidrIpv4').str();
  const v6 = rule.field('cidrIpv6').str();
  const prefixList = rule.field('prefixListId').str();
  const group = rule.field('referencedGroupInfo').field('groupId').str() ?? rule.field('referencedGroupId').str();
  let peer: Peer;
  if (v4 !== undefined) peer = { kind: 'cidr4', cidr: v4 };
  else if (v6 !== undefined) peer = { kind: 'cidr6', cidr: v6 };
  else if (prefixList !== undefined) peer = { kind: 'prefix-list', prefixListId: prefixList };
  else if (group !== undefined) {
    peer = groupPeer(call, group, rule.field('referencedGroupInfo').field('userId').str());
  } else return undefined;
  return { direction, protocol, ...ports, peer };
}

function peerKey(peer: Peer): string {
  switch (peer.kind) {
    case 'cidr4':
    case 'cidr6':
      return `${peer.kind}:${peer.cidr}`;
    case 'security-group':
      return `sg:${peer.groupId}`;
    case 'prefix-list':
      return `pl:${peer.prefixListId}`;
  }
}

function permissionKey(p: SgPermission): string {
  return [p.direction, p.protocol, p.fromPort ?? '', p.toPort ?? '', peerKey(p.peer)].join('|');
}

/**
 * `sgr-` ids AWS assigned, from `responseElements.securityGroupRuleSet` (logged since 2021), keyed like our
 * permissions so each delta gets its own rule id.
 */
function ruleIdsFromResponse(call: Call, direction: Direction): Map<string, string> {
  const ids = new Map<string, string>();
  for (const rule of call.response.field('securityGroupRuleSet').list()) {
    const id = rule.field('securityGroupRuleId').str();
    if (id === undefined) continue;
    const egress = rule.field('isEgress').bool();
    // A response rule without a peer only costs us its id; the request is the source of truth for the delta.
    const permission = rulePermission(call, rule, egress === undefined ? direction : egress ? 'egress' : 'ingress');
    if (permission !== undefined) ids.set(permissionKey(permission), id);
  }
  return ids;
}

function toDeltas(
  permissions: Located[],
  op: SgPermissionDelta['op'],
  groupId: string,
  groupName: string | undefined,
): SgPermissionDelta[] {
  return permissions.map(({ permission, ruleId }) => {
    const delta: SgPermissionDelta = { kind: 'sg-permission', op, groupId, permission };
    if (groupName !== undefined) delta.groupName = groupName;
    if (ruleId !== undefined) delta.ruleId = ruleId;
    return delta;
  });
}

/** Authorize and Revoke calls in all three request shapes (IpPermissions, flat legacy, security-group rule ids). */
function permissionChange(direction: Direction, op: 'added' | 'removed') {
  return (call: Call): Outcome => {
    const { groupId, groupName, resource } = groupOf(call);
    const notes: string[] = [];
    let permissions: SgPermission[] = call.params
      .field('ipPermissions')
      .list()
      .flatMap((p) => flattenPermission(call, p, direction));
    if (permissions.length === 0) permissions = flatPermission(call, direction);
    if (permissions.length === 0 && op === 'removed') {
      // RevokeSecurityGroup* may name rules only by id; the response then describes what was revoked.
      const ruleIds = call.params.field('securityGroupRuleIds', 'securityGroupRuleId').list();
      if (ruleIds.length > 0) {
        const revoked = call.response.field('revokedSecurityGroupRuleSet').list();
        if (revoked.length === 0) {
          notes.push(
            `revoked by rule id (${ruleIds.map((r) => r.field('securityGroupRuleId').str() ?? r.str() ?? '?').join(', ')}); CloudTrail does not carry the rule contents`,
          );
          return one(resource, [], { notes });
        }
        const located = revoked.flatMap((rule): Located[] => {
          const egress = rule.field('isEgress').bool();
          const permission = rulePermission(
            call,
            rule,
            egress === undefined ? direction : egress ? 'egress' : 'ingress',
          );
          if (permission === undefined) {
            call.skip(rule, 'revoked rule without a peer (cidrIpv4, cidrIpv6, prefixListId or referencedGroupId)');
            return [];
          }
          const id = rule.field('securityGroupRuleId').str();
          return [id !== undefined ? { permission, ruleId: id } : { permission }];
        });
        return one(resource, toDeltas(located, op, groupId, groupName));
      }
    }
    if (permissions.length === 0)
      call.fail(
        call.params.field('ipPermissions'),
        call.skipped.length > 0
          ? `no readable permission: ${call.skipped.join('; ')}`
          : 'requestParameters.ipPermissions missing or empty (and no flat cidrIp/sourceSecurityGroupName)',
      );
    const ids = ruleIdsFromResponse(call, direction);
    const located: Located[] = permissions.map((permission) => {
      const ruleId = ids.get(permissionKey(permission));
      return ruleId !== undefined ? { permission, ruleId } : { permission };
    });
    const accountHint = call.response.field('securityGroupRuleSet').list()[0]?.field('groupOwnerId').str();
    return one(
      resource,
      toDeltas(located, op, groupId, groupName),
      accountHint !== undefined ? { notes, accountHint } : { notes },
    );
  };
}

/**
 * ModifySecurityGroupRules (2021+): CloudTrail logs it only in the wrapped shape, carries the *new* rule but not the
 * old one, and no direction. Direction comes from `IsEgress` when present; otherwise we assume ingress and say so —
 * the conservative reading, since an ingress rule is what exposes the group.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySecurityGroupRules.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroupRuleRequest.html
 */
function modifyRules(call: Call): Outcome {
  const { groupId, groupName, resource } = groupOf(call);
  const rules = call.params.field('securityGroupRules', 'securityGroupRule').list();
  if (rules.length === 0) call.fail(call.params.field('SecurityGroupRule'), 'SecurityGroupRule missing');
  const notes: string[] = [];
  const located = rules.flatMap((item): Located[] => {
    const spec = item.field('securityGroupRule');
    if (spec.object === undefined) {
      call.skip(item, 'rule modification without its SecurityGroupRule');
      return [];
    }
    const egress = spec.field('isEgress').bool() ?? item.field('isEgress').bool();
    const ruleId = item.field('securityGroupRuleId').str();
    const permission = rulePermission(call, spec, egress === true ? 'egress' : 'ingress');
    if (permission === undefined) {
      call.skip(spec, 'rule without a peer (CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupId)');
      return [];
    }
    if (egress === undefined) notes.push(`direction of ${ruleId ?? 'rule'} not logged by CloudTrail; assumed ingress`);
    return [ruleId !== undefined ? { permission, ruleId } : { permission }];
  });
  if (located.length === 0) call.fail(rules[0] ?? call.params, `no readable rule: ${call.skipped.join('; ')}`);
  return one(resource, toDeltas(located, 'changed', groupId, groupName), { notes });
}

/** Security-group dispatch rows. */
export const SECURITY_GROUP_CALLS: CallEntry[] = [
  { source: EC2, name: 'AuthorizeSecurityGroupIngress', handle: permissionChange('ingress', 'added') },
  { source: EC2, name: 'AuthorizeSecurityGroupEgress', handle: permissionChange('egress', 'added') },
  { source: EC2, name: 'RevokeSecurityGroupIngress', handle: permissionChange('ingress', 'removed') },
  { source: EC2, name: 'RevokeSecurityGroupEgress', handle: permissionChange('egress', 'removed') },
  { source: EC2, name: 'ModifySecurityGroupRules', handle: modifyRules },
  {
    source: EC2,
    name: 'UpdateSecurityGroupRuleDescriptionsIngress',
    ignore: 'rule description change only: reach unchanged',
  },
  {
    source: EC2,
    name: 'UpdateSecurityGroupRuleDescriptionsEgress',
    ignore: 'rule description change only: reach unchanged',
  },
  {
    source: EC2,
    name: 'CreateSecurityGroup',
    ignore: 'a new security group has no ingress; its default allow-all egress is AWS behaviour, not a change to flag',
  },
  {
    source: EC2,
    name: 'DeleteSecurityGroup',
    ignore: 'deleting a security group removes reach; a group in use cannot be deleted',
  },
];
