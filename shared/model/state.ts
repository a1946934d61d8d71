import type {
  Binding,
  NaclEntry,
  NetworkDelta,
  PolicyState,
  RouteDelta,
  RouteTarget,
  SgPermission,
  SubnetAttributeDelta,
} from './change.ts';

/**
 * The network state Netwatch keeps per resource (shared/3-state keeps it; rules read it through
 * {@link ChangeEvent.state}): what a security group allows, what a prefix list holds, where a route table sends
 * traffic, what a network ACL admits, what an endpoint policy or an endpoint service grants, where a gateway is
 * attached. A change is judged by the state it leaves behind, not by its deltas alone.
 *
 * One vocabulary serves both a change and a state: a state is a set of {@link StateElement}s, each with a key that
 * says which part of the resource it is (a permission, the route to one destination, the entry of one rule number,
 * the policy). A delta becomes element operations (put / delete by key, {@link elementOps}); a Config snapshot is the
 * whole element set. Keys make the state a map, so applying the same change twice changes nothing and the state
 * store can order operations per element (last writer by event time wins, shared/3-state/lww.ts).
 */

/** Resource kinds whose state is kept. */
export const STATEFUL_KINDS = [
  'security-group',
  'prefix-list',
  'route-table',
  'network-acl',
  'vpc-endpoint',
  'endpoint-service',
  'internet-gateway',
  'egress-only-internet-gateway',
  'network-interface',
  'subnet',
] as const;

/** One kind of stateful resource. */
export type StatefulKind = (typeof STATEFUL_KINDS)[number];

/** AWS Config / CloudFormation type name of each stateful kind. */
export const RESOURCE_TYPE_OF: Readonly<Record<StatefulKind, string>> = {
  'security-group': 'AWS::EC2::SecurityGroup',
  'prefix-list': 'AWS::EC2::PrefixList',
  'route-table': 'AWS::EC2::RouteTable',
  'network-acl': 'AWS::EC2::NetworkAcl',
  'vpc-endpoint': 'AWS::EC2::VPCEndpoint',
  'endpoint-service': 'AWS::EC2::VPCEndpointService',
  'internet-gateway': 'AWS::EC2::InternetGateway',
  'egress-only-internet-gateway': 'AWS::EC2::EgressOnlyInternetGateway',
  'network-interface': 'AWS::EC2::NetworkInterface',
  subnet: 'AWS::EC2::Subnet',
};

/** The stateful kind of an AWS type name, if it is one. */
export function kindOfType(type: string): StatefulKind | undefined {
  const lower = type.toLowerCase();
  return STATEFUL_KINDS.find((k) => RESOURCE_TYPE_OF[k].toLowerCase() === lower);
}

/**
 * Which resource: its kind and id (`sg-…`, `pl-…`, `rtb-…`, `acl-…`, `vpce-…`, `vpce-svc-…`, `igw-…`, `eigw-…`,
 * `eni-…`, `subnet-…`).
 */
export interface ResourceId {
  kind: StatefulKind;
  id: string;
}

/** One part of a resource's state. */
export type StateElement =
  /** A security-group rule (one peer). `ruleId` (`sgr-…`) when a source named it. */
  | { kind: 'permission'; permission: SgPermission; ruleId?: string }
  /** A prefix-list entry. */
  | { kind: 'entry'; cidr: string }
  /** The route to one destination. */
  | { kind: 'route'; destination: RouteDelta['destination']; target: RouteTarget }
  /** The network-ACL entry of one (direction, rule number). */
  | { kind: 'nacl-entry'; entry: NaclEntry }
  /** A subnet associated with a route table / network ACL (`main` for the main route table's implicit one). */
  | { kind: 'association'; subnetId?: string; main?: boolean; associationId?: string }
  /** A VPC endpoint's policy. */
  | { kind: 'policy'; policy: PolicyState }
  /** A principal allowed to connect to an endpoint service. */
  | { kind: 'principal'; principal: string }
  /** Whether an endpoint service requires acceptance of each connection. */
  | { kind: 'acceptance'; required: boolean }
  /** The VPC a gateway is attached to (`?` when the source did not say). */
  | { kind: 'attachment'; vpcId: string }
  /** The security groups of a network interface (the whole set: one element). */
  | { kind: 'groups'; groupIds: string[] }
  /** Where a resource sits: the VPC (subnet, route table, ACL, ENI) and the subnet (ENI). */
  | { kind: 'placement'; vpcId?: string; subnetId?: string }
  /** A public address of a network interface (public IPv4, Elastic IP, IPv6). */
  | { kind: 'address'; address: InterfaceAddress }
  /** The instance a network interface is attached to. */
  | { kind: 'instance'; instanceId: string; deviceIndex?: number }
  /** A subnet attribute (`map-public-ip-on-launch`, …). */
  | { kind: 'flag'; name: SubnetAttributeDelta['attribute']; value: boolean };

/** A public address of a network interface. */
export interface InterfaceAddress {
  family: 4 | 6;
  /** The address itself, when the source says (Config does; AssociateAddress names only the allocation). */
  address?: string;
  /** `eipalloc-…` for an Elastic IP. */
  allocationId?: string;
  /** `eipassoc-…`: DisassociateAddress names only this. */
  associationId?: string;
  elastic?: boolean;
}

/** A security group's state: its rules, one peer each (egress too: kept, not graded). */
export interface SecurityGroupState {
  kind: 'security-group';
  id: string;
  permissions: SgPermission[];
  /** `sgr-…` id → the permission key it names, when a source said so (ModifySecurityGroupRules needs it). */
  ruleIds: Record<string, string>;
}

/** A managed prefix list's entries. */
export interface PrefixListState {
  kind: 'prefix-list';
  id: string;
  entries: string[];
}

/** A route table's routes and subnet associations. */
export interface RouteTableState {
  kind: 'route-table';
  id: string;
  routes: { destination: RouteDelta['destination']; target: RouteTarget }[];
  subnets: string[];
  main: boolean;
  /** The VPC (Config items say; CloudTrail changes do not). */
  vpcId?: string;
  /** Association id → subnet id (`main` for the main association), when the sources named them. */
  associationIds?: Record<string, string>;
}

/** A network ACL's entries (both directions) and subnet associations. */
export interface NetworkAclState {
  kind: 'network-acl';
  id: string;
  entries: NaclEntry[];
  subnets: string[];
  vpcId?: string;
  /** Association id → subnet id, when the sources named them. */
  associationIds?: Record<string, string>;
}

/**
 * A network interface's bindings: its security groups, subnet, public addresses and instance. What the internet can
 * reach through it is computed with its neighbourhood (shared/net/reachability.ts).
 */
export interface NetworkInterfaceState {
  kind: 'network-interface';
  id: string;
  /** `undefined` = not known. */
  groups?: string[];
  subnetId?: string;
  vpcId?: string;
  addresses: InterfaceAddress[];
  instanceId?: string;
  deviceIndex?: number;
}

/** A subnet: its VPC and the attributes that make new instances public. */
export interface SubnetState {
  kind: 'subnet';
  id: string;
  vpcId?: string;
  flags: Partial<Record<SubnetAttributeDelta['attribute'], boolean>>;
}

/** A VPC endpoint's policy (`undefined` when no source said). */
export interface EndpointState {
  kind: 'vpc-endpoint';
  id: string;
  policy?: PolicyState;
}

/** A PrivateLink endpoint service's allowed principals and acceptance setting. */
export interface EndpointServiceState {
  kind: 'endpoint-service';
  id: string;
  principals: string[];
  /** `undefined` = not known. */
  acceptanceRequired?: boolean;
}

/** An internet gateway's (or egress-only one's) attachments. */
export interface GatewayState {
  kind: 'internet-gateway' | 'egress-only-internet-gateway';
  id: string;
  vpcs: string[];
}

/** The materialized state of one resource. */
export type ResourceState =
  | SecurityGroupState
  | PrefixListState
  | RouteTableState
  | NetworkAclState
  | EndpointState
  | EndpointServiceState
  | GatewayState
  | NetworkInterfaceState
  | SubnetState;

/** A put (element given) or a delete (no element) of one element of one resource. */
export interface ElementOp {
  resource: ResourceId;
  key: string;
  put?: StateElement;
  /**
   * ModifySecurityGroupRules names the rule it replaces only by `sgr-…` id: the element the state knows under that id
   * is deleted first (when it is not known, the old rule stays — the worst case — and the engine says so).
   */
  replacesRule?: string;
}

/** Canonical JSON with sorted keys (element keys must not depend on property order). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The key of a security-group permission (content: direction, protocol, ports, peer). */
export function permissionKey(permission: SgPermission): string {
  return `p|${canonical(permission)}`;
}

/** The key of an element: which part of its resource it is. */
export function elementKey(element: StateElement): string {
  switch (element.kind) {
    case 'permission':
      return permissionKey(element.permission);
    case 'entry':
      return `c|${element.cidr}`;
    case 'route':
      return `r|${element.destination.kind}|${element.destination.value}`;
    case 'nacl-entry':
      return `e|${element.entry.egress ? 'egress' : 'ingress'}|${element.entry.ruleNumber}`;
    case 'association':
      return element.subnetId !== undefined ? `s|${element.subnetId}` : 's|main';
    case 'policy':
      return 'policy';
    case 'principal':
      return `pr|${element.principal}`;
    case 'acceptance':
      return 'acceptance';
    case 'attachment':
      return `a|${element.vpcId}`;
    case 'groups':
      return 'groups';
    case 'placement':
      return 'placement';
    case 'address':
      return `ad|${element.address.allocationId ?? element.address.address ?? `v${element.address.family}`}`;
    case 'instance':
      return 'instance';
    case 'flag':
      return `f|${element.name}`;
  }
}

const put = (resource: ResourceId, element: StateElement): ElementOp => ({
  resource,
  key: elementKey(element),
  put: element,
});
const del = (resource: ResourceId, element: StateElement): ElementOp => ({ resource, key: elementKey(element) });

/**
 * What a delta does to the state, as element operations. Deltas of kinds without kept state (peering, logging,
 * hybrid links, compliance, …) give none. `removed` deltas that do not say what was removed (a route deleted by
 * destination: the target is not logged) still delete by key, which is all a key-addressed state needs.
 */
export function elementOps(delta: NetworkDelta): ElementOp[] {
  switch (delta.kind) {
    case 'sg-permission': {
      const resource: ResourceId = { kind: 'security-group', id: delta.groupId };
      const element: StateElement = {
        kind: 'permission',
        permission: delta.permission,
        ...(delta.ruleId !== undefined ? { ruleId: delta.ruleId } : {}),
      };
      if (delta.op === 'removed') return [del(resource, element)];
      if (delta.op === 'added') return [put(resource, element)];
      const ops: ElementOp[] = [];
      if (delta.before !== undefined) ops.push(del(resource, { kind: 'permission', permission: delta.before }));
      const replace = put(resource, element);
      if (delta.before === undefined && delta.ruleId !== undefined) replace.replacesRule = delta.ruleId;
      ops.push(replace);
      return ops;
    }
    case 'prefix-list-entry': {
      const resource: ResourceId = { kind: 'prefix-list', id: delta.prefixListId };
      const element: StateElement = { kind: 'entry', cidr: delta.cidr };
      return [delta.op === 'removed' ? del(resource, element) : put(resource, element)];
    }
    case 'route': {
      const resource: ResourceId = { kind: 'route-table', id: delta.routeTableId };
      const element: StateElement = { kind: 'route', destination: delta.destination, target: delta.target };
      return [delta.op === 'removed' ? del(resource, element) : put(resource, element)];
    }
    case 'nacl-entry': {
      const resource: ResourceId = { kind: 'network-acl', id: delta.naclId };
      const element: StateElement = { kind: 'nacl-entry', entry: delta.entry };
      const ops: ElementOp[] = [];
      // A replace that moved an entry between directions (not possible in EC2, but cheap to honour).
      if (delta.before !== undefined && elementKey({ kind: 'nacl-entry', entry: delta.before }) !== elementKey(element))
        ops.push(del(resource, { kind: 'nacl-entry', entry: delta.before }));
      ops.push(delta.op === 'removed' ? del(resource, element) : put(resource, element));
      return ops;
    }
    case 'subnet-association': {
      // Only an association id (a replace or disassociate the state has not resolved yet): nothing to key it by.
      if (delta.subnetId === undefined && !delta.main) return [];
      const resource: ResourceId = {
        kind: delta.table === 'route-table' ? 'route-table' : 'network-acl',
        id: delta.tableId,
      };
      const element: StateElement = {
        kind: 'association',
        ...(delta.subnetId !== undefined ? { subnetId: delta.subnetId } : {}),
        ...(delta.main ? { main: true } : {}),
        ...(delta.associationId !== undefined && delta.op !== 'removed' ? { associationId: delta.associationId } : {}),
      };
      return [delta.op === 'removed' ? del(resource, element) : put(resource, element)];
    }
    case 'subnet-attribute':
      return [put({ kind: 'subnet', id: delta.subnetId }, { kind: 'flag', name: delta.attribute, value: delta.after })];
    case 'binding': {
      const id = delta.holder.id;
      if (id === undefined) return [];
      const resource: ResourceId = { kind: delta.holder.kind, id };
      const element = bindingElement(delta.binding);
      const ops: ElementOp[] = [];
      if (delta.before !== undefined) {
        const was = bindingElement(delta.before);
        if (elementKey(was) !== elementKey(element)) ops.push(del(resource, was));
      }
      ops.push(delta.op === 'removed' ? del(resource, element) : put(resource, element));
      return ops;
    }
    case 'endpoint-policy': {
      const resource: ResourceId = { kind: 'vpc-endpoint', id: delta.endpointId };
      const element: StateElement = { kind: 'policy', policy: delta.after };
      return [delta.op === 'removed' ? del(resource, element) : put(resource, element)];
    }
    case 'endpoint-service-permission': {
      const resource: ResourceId = { kind: 'endpoint-service', id: delta.serviceId };
      const element: StateElement = { kind: 'principal', principal: delta.principal };
      return [delta.op === 'removed' ? del(resource, element) : put(resource, element)];
    }
    case 'endpoint-service-acceptance':
      return [
        put(
          { kind: 'endpoint-service', id: delta.serviceId },
          { kind: 'acceptance', required: delta.acceptanceRequired },
        ),
      ];
    case 'gateway-attachment': {
      if (delta.gateway.kind === 'virtual-private-gateway') return [];
      const resource: ResourceId = { kind: delta.gateway.kind, id: delta.gateway.id };
      const element: StateElement = { kind: 'attachment', vpcId: delta.vpcId ?? '?' };
      return [delta.op === 'removed' ? del(resource, element) : put(resource, element)];
    }
    default:
      return [];
  }
}

/** The state element a binding is. */
export function bindingElement(binding: Binding): StateElement {
  switch (binding.kind) {
    case 'security-groups':
      return { kind: 'groups', groupIds: [...new Set(binding.groupIds)].sort() };
    case 'subnet':
      return {
        kind: 'placement',
        subnetId: binding.subnetId,
        ...(binding.vpcId !== undefined ? { vpcId: binding.vpcId } : {}),
      };
    case 'vpc':
      return { kind: 'placement', vpcId: binding.vpcId };
    case 'public-address': {
      const { kind: _kind, ...address } = binding;
      return { kind: 'address', address };
    }
    case 'instance':
      return {
        kind: 'instance',
        instanceId: binding.instanceId,
        ...(binding.deviceIndex !== undefined ? { deviceIndex: binding.deviceIndex } : {}),
      };
  }
}

/** The resources a change's deltas touch (in first-seen order), each once. */
export function resourcesOf(deltas: readonly NetworkDelta[]): ResourceId[] {
  const seen = new Map<string, ResourceId>();
  for (const d of deltas)
    for (const op of elementOps(d)) {
      const k = `${op.resource.kind}|${op.resource.id}`;
      if (!seen.has(k)) seen.set(k, op.resource);
    }
  return [...seen.values()];
}

/** An empty state of a resource (nothing allowed, routed, attached). */
export function emptyState(resource: ResourceId): ResourceState {
  return materialize(resource, []);
}

/** Build the state of a resource from its elements (elements of other kinds are ignored). */
export function materialize(resource: ResourceId, elements: Iterable<StateElement>): ResourceState {
  const list = [...elements];
  const { id } = resource;
  switch (resource.kind) {
    case 'security-group': {
      const permissions: SgPermission[] = [];
      const ruleIds: Record<string, string> = {};
      for (const e of list)
        if (e.kind === 'permission') {
          permissions.push(e.permission);
          if (e.ruleId !== undefined) ruleIds[e.ruleId] = permissionKey(e.permission);
        }
      return { kind: 'security-group', id, permissions, ruleIds };
    }
    case 'prefix-list':
      return { kind: 'prefix-list', id, entries: list.flatMap((e) => (e.kind === 'entry' ? [e.cidr] : [])) };
    case 'route-table':
      return {
        kind: 'route-table',
        id,
        routes: list.flatMap((e) => (e.kind === 'route' ? [{ destination: e.destination, target: e.target }] : [])),
        subnets: list.flatMap((e) => (e.kind === 'association' && e.subnetId !== undefined ? [e.subnetId] : [])),
        main: list.some((e) => e.kind === 'association' && e.main === true),
        ...placementOf(list),
        ...associationIdsOf(list),
      };
    case 'network-acl':
      return {
        kind: 'network-acl',
        id,
        entries: list.flatMap((e) => (e.kind === 'nacl-entry' ? [e.entry] : [])),
        subnets: list.flatMap((e) => (e.kind === 'association' && e.subnetId !== undefined ? [e.subnetId] : [])),
        ...placementOf(list),
        ...associationIdsOf(list),
      };
    case 'network-interface': {
      const groups = list.find((e) => e.kind === 'groups');
      const placement = list.find((e) => e.kind === 'placement');
      const instance = list.find((e) => e.kind === 'instance');
      return {
        kind: 'network-interface',
        id,
        ...(groups?.kind === 'groups' ? { groups: groups.groupIds } : {}),
        ...(placement?.kind === 'placement' && placement.subnetId !== undefined
          ? { subnetId: placement.subnetId }
          : {}),
        ...(placement?.kind === 'placement' && placement.vpcId !== undefined ? { vpcId: placement.vpcId } : {}),
        addresses: list.flatMap((e) => (e.kind === 'address' ? [e.address] : [])),
        ...(instance?.kind === 'instance' ? { instanceId: instance.instanceId } : {}),
        ...(instance?.kind === 'instance' && instance.deviceIndex !== undefined
          ? { deviceIndex: instance.deviceIndex }
          : {}),
      };
    }
    case 'subnet':
      return {
        kind: 'subnet',
        id,
        ...placementOf(list),
        flags: Object.fromEntries(list.flatMap((e) => (e.kind === 'flag' ? [[e.name, e.value]] : []))),
      };
    case 'vpc-endpoint': {
      const policy = list.find((e) => e.kind === 'policy');
      return policy?.kind === 'policy'
        ? { kind: 'vpc-endpoint', id, policy: policy.policy }
        : { kind: 'vpc-endpoint', id };
    }
    case 'endpoint-service': {
      const acceptance = list.find((e) => e.kind === 'acceptance');
      return {
        kind: 'endpoint-service',
        id,
        principals: list.flatMap((e) => (e.kind === 'principal' ? [e.principal] : [])),
        ...(acceptance?.kind === 'acceptance' ? { acceptanceRequired: acceptance.required } : {}),
      };
    }
    case 'internet-gateway':
    case 'egress-only-internet-gateway':
      return {
        kind: resource.kind,
        id,
        vpcs: list.flatMap((e) => (e.kind === 'attachment' ? [e.vpcId] : [])),
      };
  }
}

/** The elements of a materialized state, keyed (the inverse of {@link materialize}). */
export function elementsOf(state: ResourceState): Map<string, StateElement> {
  const out = new Map<string, StateElement>();
  const add = (e: StateElement): void => void out.set(elementKey(e), e);
  switch (state.kind) {
    case 'security-group': {
      const byKey = new Map(Object.entries(state.ruleIds).map(([rule, key]) => [key, rule]));
      for (const permission of state.permissions) {
        const ruleId = byKey.get(permissionKey(permission));
        add({ kind: 'permission', permission, ...(ruleId !== undefined ? { ruleId } : {}) });
      }
      break;
    }
    case 'prefix-list':
      for (const cidr of state.entries) add({ kind: 'entry', cidr });
      break;
    case 'route-table': {
      const ids = associationIdOfSubnet(state.associationIds);
      for (const r of state.routes) add({ kind: 'route', destination: r.destination, target: r.target });
      for (const subnetId of state.subnets) add(association(subnetId, ids.get(subnetId)));
      if (state.main) add(association(undefined, ids.get('main')));
      if (state.vpcId !== undefined) add({ kind: 'placement', vpcId: state.vpcId });
      break;
    }
    case 'network-acl': {
      const ids = associationIdOfSubnet(state.associationIds);
      for (const entry of state.entries) add({ kind: 'nacl-entry', entry });
      for (const subnetId of state.subnets) add(association(subnetId, ids.get(subnetId)));
      if (state.vpcId !== undefined) add({ kind: 'placement', vpcId: state.vpcId });
      break;
    }
    case 'network-interface':
      if (state.groups !== undefined) add({ kind: 'groups', groupIds: state.groups });
      if (state.subnetId !== undefined || state.vpcId !== undefined)
        add({
          kind: 'placement',
          ...(state.subnetId !== undefined ? { subnetId: state.subnetId } : {}),
          ...(state.vpcId !== undefined ? { vpcId: state.vpcId } : {}),
        });
      for (const address of state.addresses) add({ kind: 'address', address });
      if (state.instanceId !== undefined)
        add({
          kind: 'instance',
          instanceId: state.instanceId,
          ...(state.deviceIndex !== undefined ? { deviceIndex: state.deviceIndex } : {}),
        });
      break;
    case 'subnet':
      if (state.vpcId !== undefined) add({ kind: 'placement', vpcId: state.vpcId });
      for (const [name, value] of Object.entries(state.flags))
        if (value !== undefined) add({ kind: 'flag', name: name as SubnetAttributeDelta['attribute'], value });
      break;
    case 'vpc-endpoint':
      if (state.policy !== undefined) add({ kind: 'policy', policy: state.policy });
      break;
    case 'endpoint-service':
      for (const principal of state.principals) add({ kind: 'principal', principal });
      if (state.acceptanceRequired !== undefined) add({ kind: 'acceptance', required: state.acceptanceRequired });
      break;
    case 'internet-gateway':
    case 'egress-only-internet-gateway':
      for (const vpcId of state.vpcs) add({ kind: 'attachment', vpcId });
      break;
  }
  return out;
}

function placementOf(list: readonly StateElement[]): { vpcId?: string } {
  const placement = list.find((e) => e.kind === 'placement');
  return placement?.kind === 'placement' && placement.vpcId !== undefined ? { vpcId: placement.vpcId } : {};
}

function associationIdsOf(list: readonly StateElement[]): { associationIds?: Record<string, string> } {
  const ids: Record<string, string> = {};
  for (const e of list)
    if (e.kind === 'association' && e.associationId !== undefined)
      ids[e.associationId] = e.subnetId ?? (e.main ? 'main' : '?');
  return Object.keys(ids).length > 0 ? { associationIds: ids } : {};
}

function associationIdOfSubnet(ids: Record<string, string> | undefined): Map<string, string> {
  return new Map(Object.entries(ids ?? {}).map(([id, subnet]) => [subnet, id]));
}

function association(subnetId: string | undefined, associationId: string | undefined): StateElement {
  return {
    kind: 'association',
    ...(subnetId !== undefined ? { subnetId } : { main: true }),
    ...(associationId !== undefined ? { associationId } : {}),
  };
}

/**
 * Every id a state names that another resource's change may need to find it by (the store's reverse index): prefix
 * lists (a list's change re-evaluates the groups and tables using it), the subnets, VPC and association ids of route
 * tables and ACLs, an ENI's groups, subnet, instance and address associations, a subnet's VPC, a gateway's VPCs.
 * `referencing(id)` then answers "which ENIs use sg-…", "which table does subnet-… use", "which ENIs sit in it".
 */
export function referencesOf(state: ResourceState): string[] {
  const ids = new Set<string>(prefixListsOf(state));
  const add = (id: string | undefined) => {
    if (id !== undefined && id !== '' && id !== '?') ids.add(id);
  };
  switch (state.kind) {
    case 'route-table':
    case 'network-acl':
      for (const s of state.subnets) add(s);
      for (const a of Object.keys(state.associationIds ?? {})) add(a);
      add(state.vpcId);
      break;
    case 'network-interface':
      // Not its VPC: a VPC holds thousands of interfaces, and nothing looks them up by VPC (subnets are).
      for (const g of state.groups ?? []) add(g);
      add(state.subnetId);
      add(state.instanceId);
      for (const a of state.addresses) add(a.associationId);
      break;
    case 'subnet':
      add(state.vpcId);
      break;
    case 'internet-gateway':
    case 'egress-only-internet-gateway':
      for (const v of state.vpcs) add(v);
      break;
    default:
      break;
  }
  return [...ids].sort();
}

/**
 * Apply element operations to a state, in order (no times: the caller has ordered them). Ops for other resources are
 * ignored. Returns a new state; `state` is not changed.
 */
export function applyOps(state: ResourceState, ops: readonly ElementOp[]): ResourceState {
  const elements = elementsOf(state);
  for (const op of ops) {
    if (op.resource.kind !== state.kind || op.resource.id !== state.id) continue;
    if (op.replacesRule !== undefined && state.kind === 'security-group') {
      const known = ruleKeyOf(elements, op.replacesRule);
      if (known !== undefined) elements.delete(known);
    }
    if (op.put === undefined) elements.delete(op.key);
    else elements.set(op.key, op.put);
  }
  return materialize({ kind: state.kind, id: state.id }, elements.values());
}

/** The key of the permission that carries `ruleId`, if any. */
export function ruleKeyOf(elements: ReadonlyMap<string, StateElement>, ruleId: string): string | undefined {
  for (const [key, e] of elements) if (e.kind === 'permission' && e.ruleId === ruleId) return key;
  return undefined;
}

/** The prefix lists a state references (security-group peers, route destinations). */
export function prefixListsOf(state: ResourceState): string[] {
  const ids = new Set<string>();
  if (state.kind === 'security-group')
    for (const p of state.permissions) if (p.peer.kind === 'prefix-list') ids.add(p.peer.prefixListId);
  if (state.kind === 'route-table')
    for (const r of state.routes) if (r.destination.kind === 'prefix-list') ids.add(r.destination.value);
  return [...ids].sort();
}

/** Two states are the same when their element sets are (order of lists does not matter). */
export function sameState(a: ResourceState, b: ResourceState): boolean {
  if (a.kind !== b.kind || a.id !== b.id) return false;
  const x = elementsOf(a);
  const y = elementsOf(b);
  if (x.size !== y.size) return false;
  for (const [k, v] of x) {
    const w = y.get(k);
    if (w === undefined || canonical(w) !== canonical(v)) return false;
  }
  return true;
}

/** Stable text of a state (sorted elements), for tests and property checks. */
export function stateText(state: ResourceState): string {
  return [...elementsOf(state).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${canonical(v)}`)
    .join('\n');
}
