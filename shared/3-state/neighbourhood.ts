import type { ResourceId, ResourceState, StatefulKind } from '../model/state.ts';
import { prefixListsOf } from '../model/state.ts';
import { MAX_INTERFACES, topologyOf, type Topology } from '../net/reachability.ts';
import { stateOfRecord } from './lww.ts';
import type { StateStore, StoredResource } from './store.ts';

/**
 * The kept state around some network interfaces, read from the store for a reachability question
 * (shared/net/reachability.ts): their groups, subnets, the route tables and ACLs of those subnets (explicit
 * associations through the reverse index; the VPC's main table otherwise), the internet gateways their routes name,
 * and the prefix lists the groups and tables use. A few batched reads per question, whatever its size: interfaces and
 * their neighbours are each loaded with one `load` (BatchGetItem), each subnet's and VPC's referrers with one Query.
 *
 * `overrides` are states not saved yet (the resource a change is being applied to): they replace what the store holds.
 * Interfaces beyond {@link MAX_INTERFACES} are not loaded (`capped` says how many): their paths are not evaluated now.
 */

/** How the loader reads prefix lists (the engine's own reader: stored, looked up and kept, or unknown). */
export type ListReader = (
  region: string,
  account: string,
  ids: readonly string[],
) => Promise<Map<string, string[] | undefined>>;

/** A loaded neighbourhood. */
export interface Neighbourhood {
  topology: Topology;
  /** Items read, by id (with their versions, for saves). */
  stored: Map<string, StoredResource>;
  /** Interfaces asked for but not loaded (over the cap). */
  capped: number;
}

/** What to load around. */
export interface Seeds {
  interfaces?: readonly string[];
  /** Other ids to load as they are (a group, an ACL, a table, a subnet). */
  ids?: readonly ResourceId[];
  /** States not saved yet; `whole` when the state is a snapshot (not only what events said). */
  overrides?: readonly { state: ResourceState; whole: boolean }[];
}

export class NeighbourhoodLoader {
  constructor(
    private readonly store: StateStore,
    private readonly lists: ListReader,
  ) {}

  /** The interfaces bound to a group / sitting in subnets (through the reverse index). */
  async interfacesOf(region: string, ids: readonly string[]): Promise<string[]> {
    const out = new Set<string>();
    for (const id of ids) for (const r of await this.store.referencing(region, id, 'network-interface')) out.add(r.id);
    return [...out].sort();
  }

  /** Referrers of a kind. */
  async referrers(region: string, id: string, kind: StatefulKind): Promise<string[]> {
    return (await this.store.referencing(region, id, kind)).map((r) => r.id);
  }

  async around(region: string, account: string, seeds: Seeds, max = MAX_INTERFACES): Promise<Neighbourhood> {
    const stored = new Map<string, StoredResource>();
    const states = new Map<string, ResourceState>();
    const overrides = new Map((seeds.overrides ?? []).map((o) => [o.state.id, o]));
    const load = async (ids: readonly ResourceId[]) => {
      const missing = ids.filter((r) => !stored.has(r.id) && !states.has(r.id));
      if (missing.length === 0) return;
      for (const [id, item] of await this.store.load(region, missing)) {
        stored.set(id, item);
        if (item.record.resource.kind === missing.find((m) => m.id === id)?.kind)
          states.set(id, stateOfRecord(item.record));
      }
    };
    const all = [...new Set(seeds.interfaces ?? [])];
    const interfaces = all.slice(0, max);
    await load([...interfaces.map((id) => ({ kind: 'network-interface' as const, id })), ...(seeds.ids ?? [])]);
    for (const o of overrides.values()) states.set(o.state.id, o.state);
    // Groups and subnets of the interfaces (and of an overridden interface).
    const enis = [...states.values()].flatMap((s) => (s.kind === 'network-interface' ? [s] : []));
    const groups = [...new Set(enis.flatMap((e) => e.groups ?? []))];
    const subnets = new Set(enis.flatMap((e) => (e.subnetId !== undefined ? [e.subnetId] : [])));
    for (const s of states.values()) {
      if (s.kind === 'route-table' || s.kind === 'network-acl') for (const sub of s.subnets) subnets.add(sub);
      if (s.kind === 'subnet') subnets.add(s.id);
    }
    await load([
      ...groups.map((id) => ({ kind: 'security-group' as const, id })),
      ...[...subnets].map((id) => ({ kind: 'subnet' as const, id })),
    ]);
    // The tables and ACL each subnet is explicitly associated with.
    const tables = new Set<string>();
    const acls = new Set<string>();
    const unassociated = new Set<string>();
    for (const subnet of subnets) {
      const rt = await this.referrers(region, subnet, 'route-table');
      for (const id of rt) tables.add(id);
      if (rt.length === 0) unassociated.add(subnet);
      for (const id of await this.referrers(region, subnet, 'network-acl')) acls.add(id);
    }
    // Main tables of the VPCs of subnets with no explicit association.
    const vpcs = new Set<string>();
    for (const subnet of unassociated) {
      const s = states.get(subnet);
      const vpc = (s?.kind === 'subnet' ? s.vpcId : undefined) ?? enis.find((e) => e.subnetId === subnet)?.vpcId;
      if (vpc !== undefined) vpcs.add(vpc);
    }
    for (const s of states.values()) if (s.kind === 'route-table' && s.main && s.vpcId !== undefined) vpcs.add(s.vpcId);
    for (const vpc of vpcs) for (const id of await this.referrers(region, vpc, 'route-table')) tables.add(id);
    await load([
      ...[...tables].map((id) => ({ kind: 'route-table' as const, id })),
      ...[...acls].map((id) => ({ kind: 'network-acl' as const, id })),
    ]);
    for (const o of overrides.values()) states.set(o.state.id, o.state);
    // The internet gateways the tables route to.
    const gateways = [...states.values()].flatMap((s) =>
      s.kind === 'route-table'
        ? s.routes.flatMap((r) =>
            r.target.kind === 'internet-gateway' && r.target.id !== undefined ? [r.target.id] : [],
          )
        : [],
    );
    await load([...new Set(gateways)].map((id) => ({ kind: 'internet-gateway' as const, id })));
    for (const o of overrides.values()) states.set(o.state.id, o.state);
    const listIds = [...new Set([...states.values()].flatMap(prefixListsOf))];
    const lists = await this.lists(region, account, listIds);
    const partial = new Set([
      ...[...stored.entries()].flatMap(([id, item]) =>
        item.record.base === undefined && !overrides.has(id) ? [id] : [],
      ),
      ...[...overrides.values()].flatMap((o) => (o.whole ? [] : [o.state.id])),
    ]);
    const complete = (await this.store.inventory(region, account)) !== undefined;
    return {
      topology: topologyOf(states.values(), { prefixLists: (id) => lists.get(id), complete, partial }),
      stored,
      capped: all.length - interfaces.length,
    };
  }
}
