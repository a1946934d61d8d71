import type { Category } from '../model/category.ts';
import type { NetworkDelta, RouteDelta, RouteTarget, SgPermission, SgPermissionDelta } from '../model/change.ts';
import type { Finding, ResponseRecord } from '../model/finding.ts';
import { isRisky } from '../model/severity.ts';
import { portLabel } from '../net/ports.ts';

/**
 * Opt-in response (docs/response.md): for chosen categories and accounts, an unapproved world-open security-group rule
 * or internet-gateway default route is reverted — exactly the permission or route the change added, nothing else —
 * after a grace period, unless an approval arrives in between. Pure: which findings qualify and which EC2 calls undo
 * them. Doing it (the queue, the grace period, the approval re-check, the calls) is shared/6-deliver/respond/.
 *
 * What can be undone:
 * - an ingress rule the change added with a public CIDR peer (AuthorizeSecurityGroupIngress, or a Config item that
 *   shows it): `RevokeSecurityGroupIngress` by its `sgr-…` id when known, else by its exact protocol, ports and CIDR;
 * - a route to an internet gateway the change created (CreateRoute): `DeleteRoute` of that destination;
 * - a route the change re-pointed to an internet gateway (ReplaceRoute) whose previous target the kept state knows:
 *   `ReplaceRoute` back to it.
 * What cannot: a rule widened through a prefix list or a security-group reference, a ModifySecurityGroupRules edit
 * (the previous rule is not restored), a ReplaceRoute whose previous target is unknown, anything found by
 * reconciliation (no change to undo: the state may predate Netwatch), findings of other categories.
 */

/** The `respond` section of the config, validated. */
export interface RespondPolicy {
  /** Say what would be reverted, do nothing (default true). */
  dryRun: boolean;
  /** How long an approval may still arrive (default 15 minutes). */
  graceMs: number;
  categories: readonly Category[];
  /** Only findings of these accounts (the function acts with its own role: its account). */
  accounts: readonly string[];
}

/** One EC2 call that undoes part of a change. */
export interface RevertCall {
  api: 'RevokeSecurityGroupIngress' | 'DeleteRoute' | 'ReplaceRoute';
  /** The request, as the EC2 API names its fields. */
  input: Record<string, unknown>;
  /** One line: `RevokeSecurityGroupIngress sg-… tcp/22 from 0.0.0.0/0`. */
  text: string;
  /** The delta that, applied to the kept state, says what the call did (a rule or route removed / re-pointed). */
  undo: NetworkDelta;
}

/** The response planned for a finding. */
export interface ResponsePlan {
  calls: RevertCall[];
  /** Parts of the change that cannot be undone, and why (in the notice). */
  left: string[];
  dueAt: string;
}

function revokeRule(d: SgPermissionDelta): RevertCall | string {
  const p: SgPermission = d.permission;
  if (p.direction !== 'ingress') return `${d.groupId}: an egress rule is not reverted`;
  if (p.peer.kind !== 'cidr4' && p.peer.kind !== 'cidr6')
    return `${d.groupId}: ${portLabel(p)} from ${p.peer.kind === 'prefix-list' ? p.peer.prefixListId : p.peer.groupId} is not reverted (only rules with an internet CIDR are)`;
  const cidr = p.peer.cidr;
  const range = {
    IpProtocol: p.protocol === 'all' ? '-1' : p.protocol,
    ...(p.fromPort !== undefined ? { FromPort: p.fromPort } : p.protocol === 'all' ? {} : { FromPort: -1 }),
    ...(p.toPort !== undefined ? { ToPort: p.toPort } : p.protocol === 'all' ? {} : { ToPort: -1 }),
    ...(p.peer.kind === 'cidr4' ? { IpRanges: [{ CidrIp: cidr }] } : { Ipv6Ranges: [{ CidrIpv6: cidr }] }),
  };
  const input =
    d.ruleId !== undefined
      ? { GroupId: d.groupId, SecurityGroupRuleIds: [d.ruleId] }
      : { GroupId: d.groupId, IpPermissions: [range] };
  return {
    api: 'RevokeSecurityGroupIngress',
    input,
    text: `RevokeSecurityGroupIngress ${d.groupId} ${portLabel(p)} from ${cidr}${d.ruleId !== undefined ? ` (${d.ruleId})` : ''}`,
    undo: {
      kind: 'sg-permission',
      op: 'removed',
      groupId: d.groupId,
      permission: p,
      ...(d.ruleId ? { ruleId: d.ruleId } : {}),
    },
  };
}

/** The request field naming a route's destination. */
function destinationField(d: RouteDelta): Record<string, string> {
  if (d.destination.kind === 'cidr4') return { DestinationCidrBlock: d.destination.value };
  if (d.destination.kind === 'cidr6') return { DestinationIpv6CidrBlock: d.destination.value };
  return { DestinationPrefixListId: d.destination.value };
}

/** The ReplaceRoute field of a target, when the API can point a route at it. */
function targetField(t: RouteTarget): Record<string, string> | undefined {
  if (t.id === undefined) return undefined;
  switch (t.kind) {
    case 'nat-gateway':
      return { NatGatewayId: t.id };
    case 'transit-gateway':
      return { TransitGatewayId: t.id };
    case 'vpc-peering':
      return { VpcPeeringConnectionId: t.id };
    case 'network-interface':
      return { NetworkInterfaceId: t.id };
    case 'instance':
      return { InstanceId: t.id };
    case 'egress-only-internet-gateway':
      return { EgressOnlyInternetGatewayId: t.id };
    case 'virtual-private-gateway':
    case 'internet-gateway':
      return { GatewayId: t.id };
    case 'vpc-endpoint':
      return { VpcEndpointId: t.id };
    case 'carrier-gateway':
      return { CarrierGatewayId: t.id };
    case 'local-gateway':
      return { LocalGatewayId: t.id };
    case 'core-network':
      return { CoreNetworkArn: t.id };
    default:
      return undefined;
  }
}

function revertRoute(d: RouteDelta): RevertCall | string {
  const where = `${d.destination.value} -> ${d.target.id ?? d.target.kind} in ${d.routeTableId}`;
  if (d.target.kind !== 'internet-gateway') return `${where}: not a route to an internet gateway`;
  if (d.op === 'added')
    return {
      api: 'DeleteRoute',
      input: { RouteTableId: d.routeTableId, ...destinationField(d) },
      text: `DeleteRoute ${d.routeTableId} ${d.destination.value} (to ${d.target.id ?? 'the internet gateway'})`,
      undo: {
        kind: 'route',
        op: 'removed',
        routeTableId: d.routeTableId,
        destination: d.destination,
        target: d.target,
      },
    };
  const back = d.beforeTarget !== undefined ? targetField(d.beforeTarget) : undefined;
  if (d.op === 'changed' && back !== undefined && d.beforeTarget !== undefined)
    return {
      api: 'ReplaceRoute',
      input: { RouteTableId: d.routeTableId, ...destinationField(d), ...back },
      text: `ReplaceRoute ${d.routeTableId} ${d.destination.value} back to ${d.beforeTarget.id ?? d.beforeTarget.kind}`,
      undo: {
        kind: 'route',
        op: 'changed',
        routeTableId: d.routeTableId,
        destination: d.destination,
        target: d.beforeTarget,
        beforeTarget: d.target,
      },
    };
  return `${where}: re-pointed from a target the state does not know; not reverted`;
}

/**
 * The response a finding qualifies for, or undefined: a risky, open exposure of a chosen category and account, opened
 * by a change Netwatch saw (not found by reconciliation), with something in its evidence that can be undone.
 */
export function planResponse(finding: Finding, policy: RespondPolicy, now: Date): ResponsePlan | undefined {
  if (!policy.categories.includes(finding.category) || !policy.accounts.includes(finding.account)) return undefined;
  if (!isRisky(finding.severity) || finding.episode?.state !== 'open') return undefined;
  if (finding.changeId.startsWith('reconcile:')) return undefined;
  const calls: RevertCall[] = [];
  const left: string[] = [];
  for (const d of finding.evidence) {
    // The evidence holds what made the exposure (a /0, or the parts of a split like 0.0.0.0/1 + 128.0.0.0/1 that
    // this change added): undoing those closes the hole this change opened, and nothing else is touched.
    if (d.kind === 'sg-permission' && d.op === 'added') {
      const call = revokeRule(d);
      if (typeof call === 'string') left.push(call);
      else calls.push(call);
    } else if (d.kind === 'sg-permission' && d.op === 'changed')
      left.push(
        `${d.groupId}: a modified rule (ModifySecurityGroupRules) is not reverted: the previous rule would not come back`,
      );
    else if (d.kind === 'route' && d.op !== 'removed') {
      const call = revertRoute(d);
      if (typeof call === 'string') left.push(call);
      else calls.push(call);
    }
  }
  if (calls.length === 0) return undefined;
  return { calls, left, dueAt: new Date(now.getTime() + policy.graceMs).toISOString() };
}

/** The finding with its planned response said (the page says what will — or, in dry run, would — be reverted). */
export function withPlan(finding: Finding, plan: ResponsePlan, policy: RespondPolicy): Finding {
  const response: ResponseRecord = {
    action: policy.dryRun ? 'would-revert' : 'scheduled',
    mode: policy.dryRun ? 'dry-run' : 'enforce',
    dueAt: plan.dueAt,
    calls: plan.calls.map((c) => c.text),
  };
  const line = policy.dryRun
    ? `response (dry run): would revert at ${plan.dueAt} unless an approval arrives: ${response.calls.join('; ')}`
    : `response: will revert at ${plan.dueAt} unless an approval arrives: ${response.calls.join('; ')}`;
  return {
    ...finding,
    response,
    why: [...finding.why, line, ...plan.left.map((l) => `response: ${l}`)],
  };
}
