import type { NetworkDelta } from '../model/change.ts';
import type { ResourceView } from '../model/exposure.ts';
import { permissionKey } from '../model/state.ts';

/**
 * Fill in what a delta does not say but the kept state knows: the rule a ModifySecurityGroupRules call replaced, the
 * target a ReplaceRoute / DeleteRoute re-pointed or removed, the entry a ReplaceNetworkAclEntry replaced, the policy a
 * ModifyVpcEndpoint replaced, the acceptance setting before. CloudTrail logs only the new side of these; with the
 * state before the change, rules compare before and after as they do for Config items, and change records show both.
 * `before` values are not part of a finding's identity (shared/4-classify/fingerprint.ts), so filling them in never
 * changes a fingerprint; a removed route's `target` is, and the filled-in one matches what the Config item says.
 */
export function completeDeltas(
  deltas: readonly NetworkDelta[],
  views: Readonly<Record<string, ResourceView>>,
): NetworkDelta[] {
  return deltas.map((d) => completeDelta(d, views));
}

function completeDelta(d: NetworkDelta, views: Readonly<Record<string, ResourceView>>): NetworkDelta {
  switch (d.kind) {
    case 'sg-permission': {
      const before = views[d.groupId]?.before;
      if (d.op !== 'changed' || d.before !== undefined || d.ruleId === undefined || before?.kind !== 'security-group')
        return d;
      const key = before.ruleIds[d.ruleId];
      const old = key === undefined ? undefined : before.permissions.find((p) => permissionKey(p) === key);
      return old === undefined ? d : { ...d, before: old };
    }
    case 'route': {
      const before = views[d.routeTableId]?.before;
      if (before?.kind !== 'route-table') return d;
      const old = before.routes.find(
        (r) => r.destination.kind === d.destination.kind && r.destination.value === d.destination.value,
      );
      if (old === undefined) return d;
      if (d.op === 'changed' && d.beforeTarget === undefined) return { ...d, beforeTarget: old.target };
      if (d.op === 'removed' && d.target.kind === 'unknown') return { ...d, target: old.target };
      return d;
    }
    case 'nacl-entry': {
      const before = views[d.naclId]?.before;
      if (d.op !== 'changed' || d.before !== undefined || before?.kind !== 'network-acl') return d;
      const old = before.entries.find((e) => e.egress === d.entry.egress && e.ruleNumber === d.entry.ruleNumber);
      return old === undefined ? d : { ...d, before: old };
    }
    case 'endpoint-policy': {
      const before = views[d.endpointId]?.before;
      if (
        d.op !== 'changed' ||
        d.before !== undefined ||
        before?.kind !== 'vpc-endpoint' ||
        before.policy === undefined
      )
        return d;
      return { ...d, before: before.policy };
    }
    case 'binding': {
      // ModifyNetworkInterfaceAttribute logs only the new group set: the set before is the kept one.
      if (d.op !== 'changed' || d.before !== undefined || d.holder.id === undefined) return d;
      const before = views[d.holder.id]?.before;
      if (d.binding.kind !== 'security-groups' || before?.kind !== 'network-interface' || before.groups === undefined)
        return d;
      return { ...d, before: { kind: 'security-groups', groupIds: before.groups } };
    }
    case 'endpoint-service-acceptance': {
      const before = views[d.serviceId]?.before;
      if (d.before !== undefined || before?.kind !== 'endpoint-service' || before.acceptanceRequired === undefined)
        return d;
      return { ...d, op: 'changed', before: before.acceptanceRequired };
    }
    default:
      return d;
  }
}
