import type { BindingDelta, ChangeEvent, NetworkDelta, ResourceRef, SubnetAssociationDelta } from '../model/change.ts';
import type { NetworkInterfaceState, RouteTableState, NetworkAclState } from '../model/state.ts';
import { stateOfRecord } from './lww.ts';
import type { StateStore } from './store.ts';

/**
 * Some calls name a thing only by an id the kept state knows the meaning of: ReplaceRouteTableAssociation,
 * ReplaceNetworkAclAssociation and DisassociateRouteTable name an association id (not the subnet), ModifyInstanceAttribute
 * and AssociateAddress an instance (not its interface), DisassociateAddress an association id (not the interface or the
 * address). The state resolves them through the reverse index (shared/model/state.ts `referencesOf` indexes association
 * and instance ids) before the change is applied.
 *
 * The answer is kept with the store (`remember`, 30 days): once applied, the state has moved on (the association is
 * gone from the old table), so a redelivery of the same change is resolved from the note and judged the same.
 * What cannot be resolved stays as it was (its element operations are empty) and the change says why in `notes`:
 * the Config item of the resource brings the state.
 */

/** True when a delta names something only the state can resolve. */
export function unresolved(d: NetworkDelta): boolean {
  if (d.kind === 'binding') return d.holder.id === undefined;
  if (d.kind === 'subnet-association') return d.subnetId === undefined && d.main !== true;
  return false;
}

interface Resolution {
  deltas: NetworkDelta[];
  resource?: ResourceRef;
  notes: string[];
}

/** The change with its ids resolved (or as it was, with notes, when the state cannot say). */
export async function resolveChange(change: ChangeEvent, store: StateStore): Promise<ChangeEvent> {
  if (!change.deltas.some(unresolved)) return change;
  const region = change.region;
  const key = `resolve|${change.id}`;
  const noted = await store.recall(region, key);
  const resolution: Resolution =
    noted !== undefined ? (JSON.parse(noted) as Resolution) : await resolveNow(change, store);
  if (noted === undefined) await store.remember(region, key, JSON.stringify(resolution));
  const notes = [...(change.notes ?? []), ...resolution.notes];
  return {
    ...change,
    deltas: resolution.deltas,
    ...(resolution.resource !== undefined ? { resource: resolution.resource } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

async function resolveNow(change: ChangeEvent, store: StateStore): Promise<Resolution> {
  const region = change.region;
  const out: NetworkDelta[] = [];
  const notes: string[] = [];
  let resource: ResourceRef | undefined;
  const one = async <T>(id: string, kind: 'network-interface' | 'route-table' | 'network-acl') => {
    const refs = await store.referencing(region, id, kind);
    if (refs.length === 0) return undefined;
    const loaded = await store.load(region, refs);
    return [...loaded.values()].map((item) => stateOfRecord(item.record) as T);
  };
  for (const d of change.deltas) {
    if (d.kind === 'binding' && d.holder.id === undefined) {
      const resolved = await resolveBinding(d, one);
      if (resolved === undefined) {
        notes.push(
          `${d.instanceId ?? (d.binding.kind === 'public-address' ? (d.binding.associationId ?? d.binding.address) : undefined) ?? 'a binding'}: its network interface is not in the kept state; the interface's Config item will say`,
        );
        out.push(d);
      } else {
        out.push(resolved);
        // DisassociateAddress names the association: the change is about the interface it leaves.
        if (d.instanceId === undefined && resolved.holder.id !== undefined && change.resource.type === 'AWS::EC2::EIP')
          resource = { type: 'AWS::EC2::NetworkInterface', id: resolved.holder.id };
      }
      continue;
    }
    if (d.kind === 'subnet-association' && d.subnetId === undefined && d.main !== true) {
      const resolved = await resolveAssociation(d, one);
      if (resolved === undefined) {
        notes.push(
          `${d.replaces ?? d.associationId ?? 'an association'}: not in the kept state (which subnet it is not known); the ${d.table === 'route-table' ? 'route table' : 'network ACL'}'s Config item will say`,
        );
        out.push(d);
      } else {
        out.push(...resolved.deltas);
        if (change.resource.id === d.associationId && resolved.table !== undefined)
          resource = { type: change.resource.type, id: resolved.table };
      }
      continue;
    }
    out.push(d);
  }
  return { deltas: out, notes, ...(resource !== undefined ? { resource } : {}) };
}

type Finder = <T>(id: string, kind: 'network-interface' | 'route-table' | 'network-acl') => Promise<T[] | undefined>;

async function resolveBinding(d: BindingDelta, find: Finder): Promise<BindingDelta | undefined> {
  if (d.instanceId !== undefined) {
    const enis = (await find<NetworkInterfaceState>(d.instanceId, 'network-interface')) ?? [];
    // The instance's primary interface (device 0): what ModifyInstanceAttribute and AssociateAddress act on.
    const primary =
      enis.find((e) => e.deviceIndex === 0 && e.instanceId === d.instanceId) ??
      (enis.length === 1 ? enis[0] : undefined);
    if (primary === undefined) return undefined;
    const { instanceId: _instance, ...rest } = d;
    return { ...rest, holder: { kind: 'network-interface', id: primary.id } };
  }
  if (d.binding.kind === 'public-address' && d.binding.associationId !== undefined) {
    const associationId = d.binding.associationId;
    const enis = (await find<NetworkInterfaceState>(associationId, 'network-interface')) ?? [];
    for (const eni of enis) {
      const address = eni.addresses.find((a) => a.associationId === associationId);
      if (address !== undefined)
        return {
          ...d,
          holder: { kind: 'network-interface', id: eni.id },
          binding: { kind: 'public-address', ...address },
        };
    }
  }
  return undefined;
}

async function resolveAssociation(
  d: SubnetAssociationDelta,
  find: Finder,
): Promise<{ deltas: SubnetAssociationDelta[]; table?: string } | undefined> {
  const old = d.replaces ?? d.associationId;
  if (old === undefined) return undefined;
  const tables = (await find<RouteTableState | NetworkAclState>(old, d.table)) ?? [];
  for (const table of tables) {
    const subnet = table.associationIds?.[old];
    if (subnet === undefined || subnet === '?') continue;
    const which = subnet === 'main' ? { main: true } : { subnetId: subnet };
    const removed: SubnetAssociationDelta = {
      kind: 'subnet-association',
      op: 'removed',
      table: d.table,
      tableId: table.id,
      ...which,
      associationId: old,
    };
    if (d.op === 'removed') return { deltas: [removed], table: table.id };
    const { replaces: _replaces, ...added } = d;
    // Replaced by an association with the same table: nothing moved.
    if (table.id === d.tableId) return { deltas: [{ ...added, ...which }], table: d.tableId };
    return { deltas: [removed, { ...added, ...which }], table: d.tableId };
  }
  return undefined;
}
