import type {
  Actor,
  Binding,
  NaclEntry,
  NetworkDelta,
  Peer,
  PolicyState,
  RouteTarget,
  SgPermission,
} from '../../../model/change.ts';
import type { ApprovalVerdict } from '../../../model/notice.ts';

/**
 * Human text for the normalized change model: what a responder reads in an email, a Slack message or a ticket.
 * Every {@link NetworkDelta} kind has a rendering (the switch is exhaustive, so a new kind fails the type-check here
 * instead of rendering as "[object Object]"). Where the source knew the state before, it is shown as `before → after`.
 */

const OPS: Record<NetworkDelta['op'], string> = { added: 'added', removed: 'removed', changed: 'changed' };

/** `tcp/22`, `tcp/8000-8080`, `all traffic`, `icmp type 8 code 0`, `udp (all ports)`. */
export function renderPorts(protocol: string, fromPort?: number, toPort?: number): string {
  if (protocol === 'all') return 'all traffic';
  if (protocol === 'icmp' || protocol === 'icmpv6') {
    if (fromPort === undefined || fromPort === -1) return `${protocol} (all types)`;
    return `${protocol} type ${fromPort}${toPort !== undefined && toPort !== -1 ? ` code ${toPort}` : ''}`;
  }
  if (fromPort === undefined) return `${protocol} (all ports)`;
  if (toPort === undefined || toPort === fromPort) return `${protocol}/${fromPort}`;
  if (fromPort === 0 && toPort === 65535) return `${protocol} (all ports)`;
  return `${protocol}/${fromPort}-${toPort}`;
}

/** `0.0.0.0/0`, `::/0`, `sg-0123 (account 4444…)`, `prefix list pl-1234`. */
export function renderPeer(peer: Peer): string {
  switch (peer.kind) {
    case 'cidr4':
    case 'cidr6':
      return peer.cidr;
    case 'security-group':
      return `security group ${peer.groupId}${peer.userId !== undefined ? ` (account ${peer.userId})` : ''}`;
    case 'prefix-list':
      return `prefix list ${peer.prefixListId}`;
  }
}

/** `ingress tcp/22 from 0.0.0.0/0`. */
export function renderSgPermission(p: SgPermission): string {
  return `${p.direction} ${renderPorts(p.protocol, p.fromPort, p.toPort)} ${p.direction === 'ingress' ? 'from' : 'to'} ${renderPeer(p.peer)}`;
}

function renderTarget(target: RouteTarget): string {
  return target.id !== undefined ? `${target.kind} ${target.id}` : target.kind;
}

function renderNaclEntry(e: NaclEntry): string {
  if (e.action === 'unknown' || e.cidr === undefined)
    return `rule #${e.ruleNumber} ${e.egress ? 'egress' : 'ingress'} (contents not reported by the source)`;
  return `rule #${e.ruleNumber} ${e.egress ? 'egress' : 'ingress'} ${e.action} ${renderPorts(e.protocol, e.fromPort, e.toPort)} ${e.egress ? 'to' : 'from'} ${e.cidr.value}`;
}

/** Short text of a policy: `full access (AWS default)` or `2 statement(s): Allow * s3:* on *; …`. */
export function renderPolicy(policy: PolicyState): string {
  if (policy.kind === 'full-access') return 'full access (AWS default policy)';
  const statements = policy.statements.map((s) => {
    const principals = s.notPrincipals
      ? `everyone but ${s.notPrincipals.join(',')}`
      : s.principals.join(',') || '(none)';
    const actions = s.notActions ? `all but ${s.notActions.join(',')}` : s.actions.join(',');
    const resources = s.notResources ? `all but ${s.notResources.join(',')}` : s.resources.join(',');
    const conditions = s.conditions.length
      ? ` if ${s.conditions.map((c) => `${c.operator} ${c.key}=${c.values.join('|')}`).join(' and ')}`
      : '';
    return `${s.effect} ${principals} ${actions} on ${resources}${conditions}`;
  });
  return `${policy.statements.length} statement(s): ${statements.join('; ')}`;
}

function side(s: { vpcId?: string; account?: string; region?: string }): string {
  return [s.vpcId ?? 'unknown VPC', s.account !== undefined ? `account ${s.account}` : undefined, s.region]
    .filter((x) => x !== undefined)
    .join(' ');
}

/** One line of human text for one delta. */
export function renderDelta(delta: NetworkDelta): string {
  switch (delta.kind) {
    case 'sg-permission': {
      const group = `${delta.groupId}${delta.groupName !== undefined ? ` (${delta.groupName})` : ''}`;
      if (delta.op === 'changed') {
        const before = delta.before ? renderSgPermission(delta.before) : 'unknown (the source does not report it)';
        return `Security group ${group}: rule changed: ${before} → ${renderSgPermission(delta.permission)}`;
      }
      return `Security group ${group}: ${OPS[delta.op]} ${renderSgPermission(delta.permission)}`;
    }
    case 'route': {
      const to = `${delta.destination.value} via ${renderTarget(delta.target)}`;
      if (delta.op === 'changed')
        return `Route table ${delta.routeTableId}: route ${delta.destination.value} re-pointed: ${delta.beforeTarget ? renderTarget(delta.beforeTarget) : 'unknown'} → ${renderTarget(delta.target)}`;
      return `Route table ${delta.routeTableId}: route ${OPS[delta.op]} ${to}`;
    }
    case 'nacl-entry':
      if (delta.op === 'changed')
        return `Network ACL ${delta.naclId}: entry replaced: ${delta.before ? renderNaclEntry(delta.before) : 'unknown'} → ${renderNaclEntry(delta.entry)}`;
      return `Network ACL ${delta.naclId}: entry ${OPS[delta.op]} ${renderNaclEntry(delta.entry)}`;
    case 'gateway-attachment':
      return `${delta.gateway.kind} ${delta.gateway.id} ${delta.op === 'added' ? 'attached to' : 'detached from'} ${delta.vpcId ?? 'a VPC'}`;
    case 'endpoint-policy': {
      const svc = delta.serviceName !== undefined ? ` (${delta.serviceName})` : '';
      const before = delta.before
        ? renderPolicy(delta.before)
        : delta.op === 'added'
          ? 'none (new endpoint)'
          : 'unknown';
      return `VPC endpoint ${delta.endpointId}${svc}: policy ${OPS[delta.op]}: ${before} → ${renderPolicy(delta.after)}`;
    }
    case 'endpoint-service-permission':
      return `Endpoint service ${delta.serviceId}: principal ${delta.principal === '*' ? '* (everyone)' : delta.principal} ${delta.op === 'added' ? 'allowed' : 'no longer allowed'}`;
    case 'endpoint-service-acceptance': {
      const state = (v: boolean) => (v ? 'acceptance required' : 'auto-accept');
      return `Endpoint service ${delta.serviceId}: ${delta.before !== undefined ? `${state(delta.before)} → ` : ''}${state(delta.acceptanceRequired)}`;
    }
    case 'peering':
      return `VPC peering ${delta.connectionId ?? '(new)'} ${delta.state}: ${side(delta.requester)} ⇄ ${side(delta.accepter)}`;
    case 'hybrid-link': {
      const details = [
        delta.id,
        delta.vpcId !== undefined ? `VPC ${delta.vpcId}` : undefined,
        delta.peerAccount !== undefined ? `peer account ${delta.peerAccount}` : undefined,
        delta.peerRegion !== undefined ? `peer region ${delta.peerRegion}` : undefined,
        delta.peerAddress !== undefined ? `peer address ${delta.peerAddress}` : undefined,
        delta.cidr !== undefined ? `destination ${delta.cidr}` : undefined,
      ].filter((x) => x !== undefined);
      return `${delta.link} ${delta.stage ?? OPS[delta.op]}${details.length ? `: ${details.join(', ')}` : ''}`;
    }
    case 'logging': {
      const weaker = delta.weakenings?.length ? ` (weaker: ${delta.weakenings.join(', ')})` : '';
      const stronger = delta.strengthenings?.length ? ` (stronger: ${delta.strengthenings.join(', ')})` : '';
      return `${delta.subject} ${delta.id} ${delta.action}${weaker}${stronger}`;
    }
    case 'subnet-attribute':
      return `Subnet ${delta.subnetId}: ${delta.attribute} ${delta.before !== undefined ? `${String(delta.before)} → ` : 'now '}${String(delta.after)}`;
    case 'load-balancer':
      return `${delta.lbType} load balancer ${delta.name} ${OPS[delta.op]}: ${delta.before ? `${delta.before.scheme} → ` : ''}${delta.scheme}`;
    case 'compliance':
      return `Config rule ${delta.configRuleName}: ${delta.before ?? 'unknown'} → ${delta.after}${delta.annotation !== undefined ? ` (${delta.annotation})` : ''}`;
    case 'uninspected':
      return `Change not inspected: the Config item was ${delta.reason}${delta.location !== undefined ? `; full item at ${delta.location}` : ''}`;
    case 'prefix-list-entry':
      return `Prefix list ${delta.prefixListId}: entry ${OPS[delta.op]} ${delta.cidr}`;
    case 'subnet-association': {
      const what = delta.table === 'route-table' ? 'Route table' : 'Network ACL';
      const subnet = delta.subnetId ?? (delta.main ? 'main (subnets without their own table)' : 'a subnet');
      return `${what} ${delta.tableId}: ${delta.op === 'added' ? 'now used by' : 'no longer used by'} ${subnet}`;
    }
    case 'binding': {
      const holder =
        delta.holder.id ?? (delta.instanceId !== undefined ? `(the ENI of ${delta.instanceId})` : '(unknown)');
      const what = renderBinding(delta.binding);
      if (delta.op === 'changed')
        return `${delta.holder.kind} ${holder}: ${delta.before ? renderBinding(delta.before) : 'unknown'} → ${what}`;
      return `${delta.holder.kind} ${holder}: ${delta.op === 'added' ? 'now' : 'no longer'} ${what}`;
    }
  }
}

/** `security groups sg-1, sg-2`, `in subnet-… (vpc-…)`, `public IPv4 203.0.113.10 (Elastic IP eipalloc-…)`. */
export function renderBinding(binding: Binding): string {
  switch (binding.kind) {
    case 'security-groups':
      return `security groups ${binding.groupIds.join(', ') || '(none)'}`;
    case 'subnet':
      return `in ${binding.subnetId}${binding.vpcId !== undefined ? ` (${binding.vpcId})` : ''}`;
    case 'vpc':
      return `in ${binding.vpcId}`;
    case 'public-address':
      return `public IPv${binding.family} ${binding.address ?? '(address not logged)'}${binding.elastic || binding.allocationId !== undefined ? ` (Elastic IP${binding.allocationId !== undefined ? ` ${binding.allocationId}` : ''})` : ''}`;
    case 'instance':
      return `attached to ${binding.instanceId}${binding.deviceIndex !== undefined ? ` (device ${binding.deviceIndex})` : ''}`;
  }
}

/** `arn:aws:sts::…:assumed-role/NetworkAdmin/alice (AssumedRole) from 203.0.113.10 using aws-cli/2.15`. */
export function renderActor(actor: Actor | undefined): string {
  if (!actor) return 'unknown (not reported by the source)';
  const parts = [actor.arn ?? actor.principalId ?? 'unknown principal'];
  if (actor.type !== undefined) parts.push(`(${actor.type})`);
  if (actor.invokedBy !== undefined) parts.push(`via ${actor.invokedBy}`);
  if (actor.sourceIp !== undefined) parts.push(`from ${actor.sourceIp}`);
  if (actor.userAgent !== undefined) parts.push(`using ${actor.userAgent}`);
  return parts.join(' ');
}

/** The last path element of an actor ARN (`alice`), the name a pager shows. */
export function shortActor(actor: Actor | undefined): string | undefined {
  const arn = actor?.arn;
  if (arn === undefined) return undefined;
  return arn.split('/').pop() ?? arn;
}

/** `APPROVED by CHG-1234 (window … to …)`, `UNAPPROVED: no approved change covers this finding`. */
export function renderApproval(verdict: ApprovalVerdict): string {
  const state = verdict.state.toUpperCase();
  const ticket = verdict.approval
    ? ` ${verdict.approval.ticket} (window ${verdict.approval.windowStart} to ${verdict.approval.windowEnd})`
    : '';
  const allow = verdict.allowlist !== undefined ? ` allowlist "${verdict.allowlist}"` : '';
  return `${state}${ticket}${allow}: ${verdict.reason}`;
}
