import type { NaclEntry, SgPermission } from '../model/change.ts';
import type { Exposure, ExposureVia, Reachability } from '../model/exposure.ts';
import {
  elementKey,
  permissionKey,
  type NetworkAclState,
  type NetworkInterfaceState,
  type ResourceState,
  type RouteTableState,
  type SecurityGroupState,
  type SubnetState,
} from '../model/state.ts';
import { isPublic, isWholeSpace, tryParseCidr, type Cidr } from './cidr.ts';
import { subtract } from './cidr-set.ts';
import { exposuresOf, rangesOverlap, securityGroupExposures, type PrefixListLookup } from './exposure.ts';
import { isPortProtocol, portLabel, rangeCovers, type PortRange } from './ports.ts';

/**
 * Can the internet actually reach something through an exposure? A world-open security group is harmless on an
 * interface nothing routes to, and critical the moment something does. This module answers it from the kept state, as
 * AWS documents the conditions for traffic from the internet to reach an interface — the links Reachability Analyzer
 * and Network Access Analyzer check hop by hop:
 *
 * 1. `security-group`: a group of the interface admits the traffic from the internet (rules of all its groups count);
 * 2. `public-address`: the interface has a public IPv4 address or an Elastic IP (IPv4), or an IPv6 address (IPv6: all
 *    VPC IPv6 addresses are globally unique) — an internet-facing load balancer's interfaces carry its public IPs;
 * 3. `route`: the route table of its subnet (its explicit association, else the VPC's main table) sends internet
 *    addresses to an internet gateway — a route to a NAT gateway, or IPv6 to an egress-only gateway, lets replies out
 *    but lets nothing in ("public subnet" = a route to an internet gateway);
 * 4. `gateway`: that internet gateway is attached to the interface's VPC;
 * 5. `nacl-inbound`: the subnet's network ACL admits the traffic from the internet after rule ordering;
 * 6. `nacl-outbound`: the ACL lets the replies out — ACLs are stateless, replies go to the client's ephemeral ports,
 *    which AWS says to cover as 1024-65535 for clients on the internet.
 *
 * Each link is `present`, `absent` or `unknown`. A path is reachable when no link is absent: **unknown links count as
 * reachable** (a grade is never lowered on missing state), and the verdict says which links were assumed. Links are
 * read liberally toward "present": an ACL admits when any public source gets through on any part of the traffic, a
 * route counts when any internet addresses go to the gateway (a narrower route still lets those addresses in). So
 * adding a link never lowers reachability and removing one never raises it (property-tested:
 * test/net/reachability.test.ts). A link read from a state that holds only what events said (no Config snapshot: a
 * table seen through one CreateRoute) is never `absent`, only `unknown`.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html (the conditions for internet access)
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html (1024-65535 for replies)
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html
 * @see https://docs.aws.amazon.com/vpc/latest/reachability/how-reachability-analyzer-works.html
 * @see https://docs.aws.amazon.com/vpc/latest/reachability/explanation-codes.html
 * @see https://docs.aws.amazon.com/vpc/latest/network-access-analyzer/what-is-network-access-analyzer.html
 */

export type { Reachability };

/** One hop of a path from the internet to an interface. */
export type LinkKind = 'security-group' | 'public-address' | 'route' | 'gateway' | 'nacl-inbound' | 'nacl-outbound';

/** What the state says about one link. */
export interface Link {
  link: LinkKind;
  state: 'present' | 'absent' | 'unknown';
  /** A responder's line: `sg-… allows tcp/22 from 0.0.0.0/0`, `rtb-… sends 0.0.0.0/0 to nat-…`. */
  text: string;
  /** State element keys the link rests on (which deltas complete or break it). */
  elements?: string[];
}

/** The path to one interface. */
export interface PathVerdict {
  interfaceId: string;
  subnetId?: string;
  links: Link[];
}

/** The traffic a path carries: a port range of one family. */
export interface Traffic {
  range: PortRange;
  family: 4 | 6;
}

/**
 * A neighbourhood of the kept state: the resources around some interfaces, indexed the ways paths are walked. Built by
 * {@link topologyOf} from states (the state step loads them from its store; tests build them from Config items).
 */
export interface Topology {
  state(id: string): ResourceState | undefined;
  /** True when the state is a whole snapshot (Config item or look-up), not just what events said. */
  whole(id: string): boolean;
  interfacesOfGroup(groupId: string): string[];
  interfacesOfSubnet(subnetId: string): string[];
  subnetsOfVpc(vpcId: string): string[];
  /**
   * The table a subnet uses: its explicit association, else (complete inventory only) the main table of its VPC.
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/RouteTables.html#RouteTableDetails (main route table)
   */
  routeTableOf(subnetId: string, vpcId: string | undefined): RouteTableState | undefined;
  naclOf(subnetId: string): NetworkAclState | undefined;
  prefixLists: PrefixListLookup;
  /**
   * The inventory of interfaces is complete (a reconciliation ran for this account and Region): a group or subnet with
   * no known interface has none. Otherwise that is unknown.
   */
  complete: boolean;
}

/** Options of {@link topologyOf}. */
export interface TopologyOptions {
  prefixLists?: PrefixListLookup;
  complete?: boolean;
  /** Ids whose state holds only event operations (no snapshot): absent links read from them are unknown. */
  partial?: ReadonlySet<string>;
}

/** Index a set of states as a {@link Topology}. */
export function topologyOf(states: Iterable<ResourceState>, options: TopologyOptions = {}): Topology {
  const byId = new Map<string, ResourceState>();
  const push = (map: Map<string, string[]>, key: string | undefined, id: string) => {
    if (key === undefined) return;
    const list = map.get(key);
    if (list === undefined) map.set(key, [id]);
    else if (!list.includes(id)) list.push(id);
  };
  const byGroup = new Map<string, string[]>();
  const bySubnet = new Map<string, string[]>();
  const subnetsByVpc = new Map<string, string[]>();
  const tableOfSubnet = new Map<string, string>();
  const mainTable = new Map<string, string>();
  const aclOfSubnet = new Map<string, string>();
  for (const s of states) byId.set(s.id, s);
  for (const s of byId.values()) {
    switch (s.kind) {
      case 'network-interface':
        for (const g of s.groups ?? []) push(byGroup, g, s.id);
        push(bySubnet, s.subnetId, s.id);
        if (s.subnetId !== undefined) push(subnetsByVpc, s.vpcId, s.subnetId);
        break;
      case 'subnet':
        push(subnetsByVpc, s.vpcId, s.id);
        break;
      case 'route-table':
        for (const sub of s.subnets) tableOfSubnet.set(sub, s.id);
        if (s.main && s.vpcId !== undefined) mainTable.set(s.vpcId, s.id);
        break;
      case 'network-acl':
        for (const sub of s.subnets) aclOfSubnet.set(sub, s.id);
        break;
      default:
        break;
    }
  }
  const partial = options.partial ?? new Set<string>();
  const stateOf = <K extends ResourceState['kind']>(id: string | undefined, kind: K) => {
    const s = id === undefined ? undefined : byId.get(id);
    return s?.kind === kind ? (s as Extract<ResourceState, { kind: K }>) : undefined;
  };
  return {
    state: (id) => byId.get(id),
    whole: (id) => byId.has(id) && !partial.has(id),
    interfacesOfGroup: (g) => [...(byGroup.get(g) ?? [])].sort(),
    interfacesOfSubnet: (sub) => [...(bySubnet.get(sub) ?? [])].sort(),
    subnetsOfVpc: (vpc) => [...(subnetsByVpc.get(vpc) ?? [])].sort(),
    routeTableOf: (subnetId, vpcId) => {
      const explicit = stateOf(tableOfSubnet.get(subnetId), 'route-table');
      if (explicit !== undefined) return explicit;
      // Only a complete inventory tells "no explicit association" from "one not seen yet".
      if (options.complete !== true) return undefined;
      const vpc = vpcId ?? stateOf(subnetId, 'subnet')?.vpcId;
      return stateOf(vpc === undefined ? undefined : mainTable.get(vpc), 'route-table');
    },
    naclOf: (subnetId) => stateOf(aclOfSubnet.get(subnetId), 'network-acl'),
    prefixLists: options.prefixLists ?? (() => undefined),
    complete: options.complete ?? false,
  };
}

// ── links ────────────────────────────────────────────────────────────────────────────────────────────────────────

const EPHEMERAL: PortRange = { protocol: 'tcp', fromPort: 1024, toPort: 65535 };

const familyName = (f: 4 | 6) => `IPv${f}`;

/** `absent` from a partial state is only `unknown`: what was not seen may be there. */
function fromState(topology: Topology, id: string, link: Link): Link {
  if (link.state === 'absent' && !topology.whole(id))
    return {
      ...link,
      state: 'unknown',
      text: `${link.text} (from the events seen so far; its full state is not known)`,
    };
  return link;
}

/** Do the groups of `eni` admit any packet of `traffic` from a public source? */
function groupLink(eni: NetworkInterfaceState, traffic: Traffic, topology: Topology): Link {
  const groups = eni.groups;
  if (groups === undefined)
    return { link: 'security-group', state: 'unknown', text: `the security groups of ${eni.id} are not known` };
  const unknown: string[] = [];
  for (const g of groups) {
    const sg = topology.state(g);
    if (sg?.kind !== 'security-group') {
      unknown.push(g);
      continue;
    }
    const admitting = sg.permissions.find((p) => permissionAdmits(p, traffic, topology));
    if (admitting !== undefined)
      return {
        link: 'security-group',
        state: 'present',
        text: `${g} allows ${portLabel(admitting)} from ${peerText(admitting)}`,
        elements: [permissionKey(admitting), 'groups'],
      };
  }
  if (unknown.length > 0)
    return {
      link: 'security-group',
      state: 'unknown',
      text: `${unknown.join(', ')} of ${eni.id} not known (assumed to admit ${portLabel(traffic.range)})`,
    };
  const link: Link = {
    link: 'security-group',
    state: 'absent',
    text: `no security group of ${eni.id} (${groups.join(', ') || 'none'}) admits ${portLabel(traffic.range)} from the internet`,
    elements: ['groups'],
  };
  return groups.some((g) => !topology.whole(g)) ? { ...link, state: 'unknown' } : link;
}

function peerText(p: SgPermission): string {
  if (p.peer.kind === 'cidr4' || p.peer.kind === 'cidr6') return p.peer.cidr;
  if (p.peer.kind === 'prefix-list') return p.peer.prefixListId;
  return p.peer.groupId;
}

/** An ingress rule lets some public source in on some of the traffic (liberal: partial overlap counts). */
function permissionAdmits(p: SgPermission, traffic: Traffic, topology: Topology): boolean {
  if (p.direction !== 'ingress') return false;
  if (!rangesOverlap({ protocol: p.protocol, fromPort: p.fromPort, toPort: p.toPort }, traffic.range)) return false;
  const publicIn = (cidr: string) => {
    const c = tryParseCidr(cidr);
    return c !== undefined && c.version === traffic.family && isPublic(c);
  };
  if (p.peer.kind === 'cidr4' || p.peer.kind === 'cidr6') return publicIn(p.peer.cidr);
  if (p.peer.kind === 'prefix-list') {
    const entries = topology.prefixLists(p.peer.prefixListId);
    return entries === undefined || entries.some(publicIn);
  }
  return false;
}

function addressLink(eni: NetworkInterfaceState, family: 4 | 6, topology: Topology): Link {
  const addresses = eni.addresses.filter((a) => a.family === family);
  const first = addresses[0];
  if (first !== undefined) {
    const what =
      family === 6
        ? `IPv6 address ${first.address ?? ''}`.trim()
        : first.elastic || first.allocationId !== undefined
          ? `Elastic IP ${first.address ?? first.allocationId ?? ''}`.trim()
          : `public IP ${first.address ?? ''}`.trim();
    return {
      link: 'public-address',
      state: 'present',
      text: `${eni.id} has ${what}`,
      elements: addresses.map((a) => elementKey({ kind: 'address', address: a })),
    };
  }
  return fromState(topology, eni.id, {
    link: 'public-address',
    state: 'absent',
    text:
      family === 6
        ? `${eni.id} has no IPv6 address`
        : `${eni.id} has no public IPv4 address or Elastic IP (private only)`,
  });
}

interface RouteFacts {
  link: Link;
  /** The internet gateways the route sends to (for the gateway link). */
  gateways: string[];
  table?: RouteTableState;
}

function routeLink(subnetId: string | undefined, vpcId: string | undefined, family: 4 | 6, topology: Topology) {
  if (subnetId === undefined)
    return {
      link: { link: 'route', state: 'unknown', text: 'the subnet is not known' },
      gateways: [],
    } satisfies RouteFacts;
  const table = topology.routeTableOf(subnetId, vpcId);
  if (table === undefined)
    return {
      link: { link: 'route', state: 'unknown', text: `the route table of ${subnetId} is not known` },
      gateways: [],
    } satisfies RouteFacts;
  return { ...tableRoute(table, family, topology), table };
}

/** Does the table send internet addresses of `family` to an internet gateway? */
export function tableRoute(table: RouteTableState, family: 4 | 6, topology: Topology): RouteFacts {
  const igw = exposuresOf(table, { prefixLists: topology.prefixLists, unknownPrefixLists: 'worst-case' }).find(
    (e) => e.kind === 'route-internet' && e.family === family && e.key.endsWith('|igw'),
  );
  const association = (elements: string[]) => [...elements, ...table.subnets.map((s) => `s|${s}`), 's|main'];
  if (igw !== undefined) {
    const elements = igw.via.flatMap((v) => (v.element !== undefined ? [v.element] : []));
    const gateways = [
      ...new Set(
        table.routes
          .filter(
            (r) =>
              r.target.kind === 'internet-gateway' &&
              elements.includes(elementKey({ kind: 'route', destination: r.destination, target: r.target })),
          )
          .flatMap((r) => (r.target.id !== undefined ? [r.target.id] : [])),
      ),
    ];
    return {
      link: {
        link: 'route',
        state: 'present',
        text: `route table ${table.id} sends ${igw.via.map((v) => v.text).join(', ')}`,
        elements: association(elements),
      },
      gateways,
    };
  }
  const whole = table.routes.find((r) => {
    if (r.destination.kind === 'prefix-list') return false;
    const c = tryParseCidr(r.destination.value);
    return c !== undefined && c.version === family && isWholeSpace(c);
  });
  const why =
    whole === undefined
      ? `has no route to an internet gateway for ${familyName(family)}`
      : whole.target.kind === 'egress-only-internet-gateway'
        ? `sends ${whole.destination.value} to ${whole.target.id ?? 'an egress-only internet gateway'} (egress only: the internet cannot open connections)`
        : `sends ${whole.destination.value} to ${whole.target.id ?? whole.target.kind} (${whole.target.kind}, not an internet gateway: nothing comes in from the internet)`;
  return {
    link: fromState(topology, table.id, {
      link: 'route',
      state: 'absent',
      text: `route table ${table.id} ${why}`,
      elements: association([]),
    }),
    gateways: [],
  };
}

function gatewayLink(route: RouteFacts, vpcId: string | undefined, topology: Topology): Link {
  if (route.link.state !== 'present' || route.gateways.length === 0)
    return { link: 'gateway', state: 'unknown', text: 'internet gateway not known' };
  const unknown: string[] = [];
  for (const id of route.gateways) {
    const igw = topology.state(id);
    if (igw?.kind !== 'internet-gateway') {
      unknown.push(id);
      continue;
    }
    if (vpcId === undefined || igw.vpcs.includes(vpcId) || igw.vpcs.includes('?'))
      return {
        link: 'gateway',
        state: 'present',
        text: `${id} is attached to ${vpcId ?? 'the VPC'}`,
        elements: [elementKey({ kind: 'attachment', vpcId: vpcId ?? '?' })],
      };
  }
  if (unknown.length > 0)
    return { link: 'gateway', state: 'unknown', text: `${unknown.join(', ')} not known (assumed attached)` };
  return fromState(topology, route.gateways[0]!, {
    link: 'gateway',
    state: 'absent',
    text: `${route.gateways.join(', ')} ${route.gateways.length > 1 ? 'are' : 'is'} not attached to ${vpcId} (the route is a blackhole)`,
    elements: [elementKey({ kind: 'attachment', vpcId: vpcId ?? '?' })],
  });
}

// ── network ACLs ─────────────────────────────────────────────────────────────────────────────────────────────────

function entryRange(e: NaclEntry): PortRange {
  return { protocol: e.protocol, fromPort: e.fromPort, toPort: e.toPort };
}

/** Port segments of `range` cut at every entry boundary (tcp/udp), so each entry covers a segment wholly or not. */
function segments(range: PortRange, entries: readonly NaclEntry[]): PortRange[] {
  const protocols =
    range.protocol === 'all'
      ? [...new Set(['tcp', 'udp', 'icmp', 'icmpv6', ...entries.map((e) => e.protocol).filter((p) => p !== 'all')])]
      : [range.protocol];
  const out: PortRange[] = [];
  for (const protocol of protocols) {
    if (!isPortProtocol(protocol)) {
      out.push(range.protocol === protocol ? range : { protocol });
      continue;
    }
    const from = range.protocol === protocol && range.fromPort !== undefined ? Math.max(0, range.fromPort) : 0;
    const to = range.protocol === protocol && range.toPort !== undefined ? Math.min(65535, range.toPort) : 65535;
    const cuts = new Set<number>([from, to + 1]);
    for (const e of entries) {
      if (e.protocol !== protocol || (e.fromPort === undefined && e.toPort === undefined)) continue;
      for (const p of [e.fromPort ?? 0, (e.toPort ?? 65535) + 1]) if (p > from && p <= to) cuts.add(p);
    }
    const sorted = [...cuts].sort((a, b) => a - b);
    for (let i = 0; i + 1 < sorted.length; i++)
      out.push({ protocol, fromPort: sorted[i]!, toPort: sorted[i + 1]! - 1 });
  }
  if (range.protocol === 'all') out.push({ protocol: 'other' });
  return out;
}

/**
 * Does the ACL let some packet of `traffic` through in one direction, between the subnet and some public address,
 * after rule ordering? Liberal: an allow counts when it overlaps part of a segment; a deny takes its addresses only
 * from the segments it wholly covers.
 */
export function naclAdmits(
  entries: readonly NaclEntry[],
  egress: boolean,
  traffic: Traffic,
): { admits: boolean; rule?: NaclEntry } {
  const ordered = entries
    .filter((e) => e.egress === egress && e.cidr !== undefined && (e.cidr.kind === 'cidr4') === (traffic.family === 4))
    .sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const segment of segments(traffic.range, ordered)) {
    const denied: Cidr[] = [];
    for (const e of ordered) {
      if (e.protocol !== 'all' && e.protocol !== segment.protocol) continue;
      const c = tryParseCidr(e.cidr!.value);
      if (c === undefined) continue;
      if (e.action === 'deny') {
        if (rangeCovers(entryRange(e), segment)) denied.push(c);
        continue;
      }
      if (e.action !== 'allow' || !rangesOverlap(entryRange(e), segment)) continue;
      if (subtract(c, denied).some((piece) => isPublic(piece))) return { admits: true, rule: e };
    }
  }
  return { admits: false };
}

/** The traffic of replies: to the client's ephemeral ports for tcp/udp, the same protocol otherwise. */
function replies(traffic: Traffic): Traffic {
  const p = traffic.range.protocol;
  if (p === 'tcp' || p === 'udp') return { family: traffic.family, range: { ...EPHEMERAL, protocol: p } };
  if (p === 'all') return traffic;
  return { family: traffic.family, range: { protocol: p } };
}

function naclLinks(subnetId: string | undefined, traffic: Traffic, topology: Topology): [Link, Link] {
  const acl = subnetId === undefined ? undefined : topology.naclOf(subnetId);
  if (acl === undefined) {
    const text = subnetId === undefined ? 'the subnet is not known' : `the network ACL of ${subnetId} is not known`;
    return [
      { link: 'nacl-inbound', state: 'unknown', text },
      { link: 'nacl-outbound', state: 'unknown', text },
    ];
  }
  return [naclInbound(acl, traffic, topology, subnetId), naclOutbound(acl, traffic, topology, subnetId)];
}

function naclInbound(acl: NetworkAclState, traffic: Traffic, topology: Topology, subnetId?: string): Link {
  const inbound = naclAdmits(acl.entries, false, traffic);
  const assoc = subnetId !== undefined ? [`s|${subnetId}`] : [];
  return inbound.admits
    ? {
        link: 'nacl-inbound',
        state: 'present',
        text: `network ACL ${acl.id} allows it in (rule #${inbound.rule?.ruleNumber})`,
        elements: [...assoc, elementKey({ kind: 'nacl-entry', entry: inbound.rule! })],
      }
    : fromState(topology, acl.id, {
        link: 'nacl-inbound',
        state: 'absent',
        text: `network ACL ${acl.id} lets no ${portLabel(traffic.range)} in from the ${familyName(traffic.family)} internet`,
        elements: assoc,
      });
}

function naclOutbound(acl: NetworkAclState, traffic: Traffic, topology: Topology, subnetId?: string): Link {
  const back = replies(traffic);
  const outbound = naclAdmits(acl.entries, true, back);
  const assoc = subnetId !== undefined ? [`s|${subnetId}`] : [];
  return outbound.admits
    ? {
        link: 'nacl-outbound',
        state: 'present',
        text: `network ACL ${acl.id} lets the replies out (rule #${outbound.rule?.ruleNumber})`,
        elements: [...assoc, elementKey({ kind: 'nacl-entry', entry: outbound.rule! })],
      }
    : fromState(topology, acl.id, {
        link: 'nacl-outbound',
        state: 'absent',
        text: `network ACL ${acl.id} blocks the replies: no outbound allow to the internet on ${portLabel(back.range)} (network ACLs are stateless; clients use ephemeral ports 1024-65535)`,
        elements: assoc,
      });
}

// ── paths ────────────────────────────────────────────────────────────────────────────────────────────────────────

/** The links from the internet to one interface for `traffic`; `given` links replace the ones computed. */
export function interfacePath(
  interfaceId: string,
  traffic: Traffic,
  topology: Topology,
  given: Partial<Record<LinkKind, Link>> = {},
): PathVerdict {
  const s = topology.state(interfaceId);
  const eni = s?.kind === 'network-interface' ? s : undefined;
  if (eni === undefined) {
    const unknown = (link: LinkKind): Link =>
      given[link] ?? { link, state: 'unknown', text: `${interfaceId} is not known (its Config item was never seen)` };
    return {
      interfaceId,
      links: (['security-group', 'public-address', 'route', 'gateway', 'nacl-inbound', 'nacl-outbound'] as const).map(
        unknown,
      ),
    };
  }
  const subnet = eni.subnetId;
  const vpc =
    eni.vpcId ?? (subnet !== undefined ? (topology.state(subnet) as SubnetState | undefined)?.vpcId : undefined);
  const route = routeLink(subnet, vpc, traffic.family, topology);
  const [inbound, outbound] = naclLinks(subnet, traffic, topology);
  const links: Link[] = [
    given['security-group'] ?? groupLink(eni, traffic, topology),
    given['public-address'] ?? addressLink(eni, traffic.family, topology),
    given.route ?? route.link,
    given.gateway ?? gatewayLink(route, vpc, topology),
    given['nacl-inbound'] ?? inbound,
    given['nacl-outbound'] ?? outbound,
  ];
  return { interfaceId, ...(subnet !== undefined ? { subnetId: subnet } : {}), links };
}

/** True when no link of the path is known absent (unknown links count as present). */
export function pathOpen(path: PathVerdict): boolean {
  return path.links.every((l) => l.state !== 'absent');
}

/** `eni-… in subnet-… reachable from the internet on tcp/22: sg-… allows …, …`. */
export function pathText(path: PathVerdict, traffic: Traffic): string {
  const where = `${path.interfaceId}${path.subnetId !== undefined ? ` in ${path.subnetId}` : ''}`;
  const present = path.links.filter((l) => l.state === 'present').map((l) => l.text);
  return `${where} reachable from the ${familyName(traffic.family)} internet on ${portLabel(traffic.range)}${present.length ? `: ${present.join(', ')}` : ''}`;
}

/** Combine the paths to several interfaces into one verdict (see {@link Reachability}). */
export function combine(paths: readonly PathVerdict[], traffic: Traffic): Reachability {
  const open = paths.filter(pathOpen);
  const known = open.find((p) => p.links.every((l) => l.state === 'present'));
  const interfaces = paths.slice(0, 5).map((p) => p.interfaceId);
  if (known !== undefined) return { verdict: 'reachable', text: pathText(known, traffic), assumed: [], interfaces };
  const first = open[0];
  if (first !== undefined)
    return {
      verdict: 'unknown',
      text: pathText(first, traffic),
      assumed: first.links.filter((l) => l.state === 'unknown').map((l) => l.text),
      interfaces,
    };
  const blocked = paths[0];
  const missing = blocked?.links.find((l) => l.state === 'absent');
  return {
    verdict: 'unreachable',
    text: `not reachable from the internet now: ${missing?.text ?? 'no path'}${paths.length > 1 ? ` (and ${paths.length - 1} more interface${paths.length === 2 ? '' : 's'}, each missing a link)` : ''}`,
    assumed: [],
    interfaces,
  };
}

/** A verdict for exposures with no interface to check. */
function noInterfaces(known: boolean, absent: string, unseen = absent): Reachability {
  // Known: the state has seen every binding, so "attached to nothing" is a fact. Not known: only that none was seen
  // (a group whose interfaces the state never read), said as such, never as a fact.
  return known
    ? { verdict: 'unreachable', text: `not reachable from the internet now: ${absent}`, assumed: [], interfaces: [] }
    : { verdict: 'unknown', text: unseen, assumed: [unseen], interfaces: [] };
}

/** Interfaces checked per exposure; the rest would only repeat what these say (the verdict says how many). */
export const MAX_INTERFACES = 50;

/**
 * Reachability of a security group's exposure: through any interface bound to the group. `interfaces` adds the ENIs
 * the group's own Config item names (its relationships), `[]` when that item says it is attached to nothing.
 */
export function groupReach(
  group: SecurityGroupState,
  exposure: Exposure,
  topology: Topology,
  interfaces?: readonly string[],
): Reachability {
  const traffic: Traffic = { range: exposure.range ?? { protocol: 'all' }, family: exposure.family ?? 4 };
  const enis = [...new Set([...topology.interfacesOfGroup(group.id), ...(interfaces ?? [])])].sort();
  if (enis.length === 0)
    return noInterfaces(
      topology.complete || interfaces !== undefined,
      `${group.id} is attached to no network interface`,
      `no network interface is known to use ${group.id}`,
    );
  const sources = exposure.via.map((v) => v.cidr ?? v.text);
  const given: Link = {
    link: 'security-group',
    state: 'present',
    text: `${group.id} allows ${portLabel(traffic.range)} from ${[...new Set(sources)].join(' + ')}`,
  };
  return combine(
    enis.slice(0, MAX_INTERFACES).map((e) => interfacePath(e, traffic, topology, { 'security-group': given })),
    traffic,
  );
}

/** Reachability of a network ACL's exposure: through any interface in a subnet the ACL serves. */
export function naclReach(acl: NetworkAclState, exposure: Exposure, topology: Topology): Reachability {
  const traffic: Traffic = { range: exposure.range ?? { protocol: 'all' }, family: exposure.family ?? 4 };
  if (acl.subnets.length === 0)
    return noInterfaces(
      topology.whole(acl.id),
      `${acl.id} is associated with no subnet`,
      `no subnet is known to be associated with ${acl.id}`,
    );
  const enis = [...new Set(acl.subnets.flatMap((s) => topology.interfacesOfSubnet(s)))].sort();
  if (enis.length === 0)
    return noInterfaces(topology.complete, `no network interface is known in the subnets of ${acl.id}`);
  const given: Link = {
    link: 'nacl-inbound',
    state: 'present',
    text: `network ACL ${acl.id} admits ${exposure.label}`,
  };
  return combine(
    enis.slice(0, MAX_INTERFACES).map((e) => interfacePath(e, traffic, topology, { 'nacl-inbound': given })),
    traffic,
  );
}

/** Subnets that use a route table: its explicit associations, and (main table) the VPC's subnets without one. */
export function subnetsUsing(table: RouteTableState, topology: Topology): string[] {
  const subnets = new Set(table.subnets);
  if (table.main && table.vpcId !== undefined)
    for (const s of topology.subnetsOfVpc(table.vpcId))
      if (topology.routeTableOf(s, table.vpcId)?.id === table.id) subnets.add(s);
  return [...subnets].sort();
}

/** Reachability of a route table's internet-gateway exposure: through any interface in a subnet using the table. */
export function routeReach(table: RouteTableState, exposure: Exposure, topology: Topology): Reachability {
  const traffic: Traffic = { range: { protocol: 'all' }, family: exposure.family ?? 4 };
  const subnets = subnetsUsing(table, topology);
  if (subnets.length === 0)
    return noInterfaces(
      topology.whole(table.id) && !table.main,
      `${table.id} is associated with no subnet`,
      `no subnet is known to use ${table.id}`,
    );
  const enis = [...new Set(subnets.flatMap((s) => topology.interfacesOfSubnet(s)))].sort();
  if (enis.length === 0)
    return noInterfaces(topology.complete, `no network interface is known in the subnets using ${table.id}`);
  return combine(
    enis.slice(0, MAX_INTERFACES).map((e) => interfacePath(e, traffic, topology)),
    traffic,
  );
}

/**
 * A subnet's answer for instances launched in it (subnet-public-ip): does its route table send the internet to an
 * internet gateway attached to its VPC? (Addresses come from the subnet attribute itself.)
 */
export function subnetReach(subnet: SubnetState, topology: Topology): Reachability {
  const traffic: Traffic = { range: { protocol: 'all' }, family: 4 };
  const route = routeLink(subnet.id, subnet.vpcId, 4, topology);
  const gateway = gatewayLink(route, subnet.vpcId, topology);
  const links = [route.link, gateway];
  const path: PathVerdict = { interfaceId: `instances launched in ${subnet.id}`, links };
  if (!pathOpen(path)) {
    const missing = links.find((l) => l.state === 'absent');
    return {
      verdict: 'unreachable',
      text: `not reachable from the internet now: ${missing?.text ?? 'no route'}`,
      assumed: [],
      interfaces: [],
    };
  }
  const assumed = links.filter((l) => l.state === 'unknown').map((l) => l.text);
  return {
    verdict: assumed.length === 0 ? 'reachable' : 'unknown',
    text: `${subnet.id} is a public subnet: ${
      links
        .filter((l) => l.state === 'present')
        .map((l) => l.text)
        .join(', ') || 'route not known'
    }`,
    assumed,
    interfaces: [],
  };
}

// ── the exposures of an interface ────────────────────────────────────────────────────────────────────────────────

/**
 * The internet paths of an interface (`internet-path` exposures): for each range of traffic the union of its groups
 * lets in from the whole internet, the path when no link of it is known absent. Unknown links are kept in `assumed`
 * (they count as present). Groups whose rules are not known contribute nothing: a path needs a known hole.
 */
export function interfacePathExposures(eni: NetworkInterfaceState, topology: Topology): Exposure[] {
  const permissions: SgPermission[] = [];
  const groupsOf = new Map<string, string[]>();
  for (const g of eni.groups ?? []) {
    const sg = topology.state(g);
    if (sg?.kind !== 'security-group') continue;
    for (const p of sg.permissions) {
      const key = permissionKey(p);
      const list = groupsOf.get(key);
      if (list === undefined) {
        groupsOf.set(key, [g]);
        permissions.push(p);
      } else if (!list.includes(g)) list.push(g);
    }
  }
  if (permissions.length === 0) return [];
  const holes = securityGroupExposures(eni.id, permissions, {
    prefixLists: topology.prefixLists,
    unknownPrefixLists: 'worst-case',
  });
  const out: Exposure[] = [];
  for (const hole of holes) {
    const traffic: Traffic = { range: hole.range ?? { protocol: 'all' }, family: hole.family ?? 4 };
    const groups = [
      ...new Set(hole.via.flatMap((v) => (v.element !== undefined ? (groupsOf.get(v.element) ?? []) : []))),
    ];
    const sources = [
      ...new Set(hole.via.map((v) => `${v.cidr ?? v.text}${v.prefixListId ? ` (in ${v.prefixListId})` : ''}`)),
    ];
    const given: Link = {
      link: 'security-group',
      state: 'present',
      text: `${groups.join(' + ')} allow${groups.length === 1 ? 's' : ''} ${portLabel(traffic.range)} from ${sources.join(' + ')}`,
      elements: [...hole.via.flatMap((v) => (v.element !== undefined ? [v.element] : [])), 'groups'],
    };
    const path = interfacePath(eni.id, traffic, topology, { 'security-group': given });
    if (!pathOpen(path)) continue;
    const via: ExposureVia[] = path.links
      .filter((l) => l.state === 'present')
      .flatMap((l) => {
        const elements = l.elements ?? [];
        return elements.length === 0 ? [{ text: l.text }] : elements.map((element) => ({ text: l.text, element }));
      });
    const assumed = [
      ...path.links.filter((l) => l.state === 'unknown').map((l) => `assumed: ${l.text}`),
      ...(hole.assumed ?? []),
    ];
    const label = portLabel(traffic.range);
    const exposure: Exposure = {
      key: `internet-path|${eni.id}|v${traffic.family}|${label}`,
      kind: 'internet-path',
      resourceId: eni.id,
      group: `internet-path|${eni.id}|v${traffic.family}`,
      family: traffic.family,
      range: hole.range ?? { protocol: 'all' },
      world: true,
      // Stable while the hole stays (the path's details are in `via`, the first of which is the whole path).
      label: `${label} on ${eni.id} reachable from the whole IPv${traffic.family} internet`,
      via: [{ text: pathText(path, traffic) }, ...via],
    };
    if (assumed.length > 0) exposure.assumed = assumed;
    out.push(exposure);
  }
  return out;
}
