import type { ChangeEvent, NaclEntry, NetworkDelta, PolicyState, RouteDelta, SgPermission } from '../model/change.ts';
import type { Exposure, ExposureRange, ExposureVia, ResourceView, StateView } from '../model/exposure.ts';
import {
  applyOps,
  bindingElement,
  elementKey,
  elementOps,
  materialize,
  permissionKey,
  resourcesOf,
  type ResourceId,
  type ResourceState,
  type StateElement,
} from '../model/state.ts';
import { coverUnion, isPublic, publicShare, shareText, tryParseCidr, type Cidr, type IpVersion } from './cidr.ts';
import { parseAll, subtract } from './cidr-set.ts';
import { assessPolicy, hasBoundaryDeny } from './policy.ts';
import { isPortProtocol, portLabel, rangeCovers, type PortRange } from './ports.ts';
import { reachOf, worldHits, type ReachCandidate, type ReachShare } from './world-reach.ts';

/**
 * Exposures of a resource's state: what the outside can reach, computed from the whole state (never from one delta),
 * so a world-open rule split over two calls, a prefix list holding 0.0.0.0/0 and a deny taken away in front of an
 * allow are all seen. "Reachable from the internet" is decided only by {@link worldHits} / {@link coverUnion} /
 * {@link isPublic} / {@link publicShare}: the public internet of shared/net/special-purpose.ts (IANA's special-purpose
 * registries), so a world-equivalent range (`2000::/3`, `::/1`, every public IPv4 block around RFC 1918) is the whole
 * internet here too, and a share is a share of public addresses.
 *
 * - security group: ingress ports the whole internet reaches — union of its CIDRs and its prefix lists' entries;
 * - network ACL: ingress traffic the whole internet gets through after rule ordering (a lower-numbered deny wins);
 * - route table: share of each family's public internet sent to an internet / egress-only gateway after
 *   longest-prefix match;
 * - VPC endpoint: a policy granting everyone (full access, or a service wildcard, without a boundary);
 * - endpoint service: each allowed principal outside the service's account and the known accounts;
 * - internet gateway: each VPC it is attached to.
 */

/** A prefix list's entries, or `undefined` when they are not known. */
export type PrefixListLookup = (prefixListId: string) => readonly string[] | undefined;

/** How exposures are computed. */
export interface ExposureOptions {
  prefixLists?: PrefixListLookup;
  /**
   * A prefix list whose entries are unknown: `ignore` judges without it (the stateless view: nothing is known about
   * it), `worst-case` assumes it holds the whole internet (kept state that could not fetch it: the finding says so).
   */
  unknownPrefixLists?: 'ignore' | 'worst-case';
  /** The resource's account and the organisation's (endpoint-service principals inside them are not exposure). */
  ownAccount?: string;
  knownAccounts?: ReadonlySet<string>;
  /**
   * The internet paths of a network interface: they depend on its neighbourhood (groups, subnet, route table, ACL,
   * gateway), which the state step gathers and shared/net/reachability.ts evaluates. Absent: an ENI exposes nothing
   * that can be told (the stateless view).
   */
  interfacePaths?: (state: Extract<ResourceState, { kind: 'network-interface' }>) => Exposure[];
}

/** What the worst case assumes for an unknown prefix list. */
const WHOLE_SPACE = ['0.0.0.0/0', '::/0'] as const;

/** Every exposure of a state. */
export function exposuresOf(state: ResourceState, options: ExposureOptions = {}): Exposure[] {
  switch (state.kind) {
    case 'security-group':
      return securityGroupExposures(state.id, state.permissions, options);
    case 'network-acl':
      return naclExposures(state.id, state.entries);
    case 'route-table':
      return routeExposures(state.id, state.routes, options);
    case 'vpc-endpoint':
      return endpointExposures(state.id, state.policy);
    case 'endpoint-service':
      return serviceExposures(state.id, state.principals, state.acceptanceRequired, options);
    case 'internet-gateway':
    case 'egress-only-internet-gateway':
      return state.vpcs.map((vpc) => ({
        key: `igw-attachment|${state.id}|${vpc}`,
        kind: 'igw-attachment',
        resourceId: state.id,
        group: `igw-attachment|${state.id}|${vpc}`,
        world: state.kind === 'internet-gateway',
        label: `${state.id} attached to ${vpc === '?' ? 'a VPC (id unknown)' : vpc}${state.kind === 'egress-only-internet-gateway' ? ' (egress only)' : ''}`,
        via: [{ text: `attachment to ${vpc}`, element: elementKey({ kind: 'attachment', vpcId: vpc }) }],
      }));
    case 'prefix-list':
      return []; // a list exposes nothing by itself: the groups and tables that use it do
    case 'network-interface':
      return options.interfacePaths?.(state) ?? [];
    case 'subnet':
      return []; // a subnet's attributes expose the instances launched later, graded by subnet-public-ip
  }
}

interface Entries {
  entries: readonly string[];
  assumed?: string;
}

function listEntries(id: string, options: ExposureOptions): Entries | undefined {
  const known = options.prefixLists?.(id);
  if (known !== undefined) return { entries: known };
  if (options.unknownPrefixLists !== 'worst-case') return undefined;
  return {
    entries: WHOLE_SPACE,
    assumed: `${id}: entries unknown (never seen, not fetchable): assumed to hold the whole internet (worst case)`,
  };
}

type SgCandidate = ReachCandidate<ExposureVia & { assumed?: string }>;

/** A group's ingress rules as reach candidates: CIDR rules, and each entry of the prefix lists they reference. */
function sgCandidates(id: string, permissions: readonly SgPermission[], options: ExposureOptions): SgCandidate[] {
  const candidates: SgCandidate[] = [];
  for (const p of permissions) {
    if (p.direction !== 'ingress') continue;
    const element = permissionKey(p);
    const range: PortRange = { protocol: p.protocol, fromPort: p.fromPort, toPort: p.toPort };
    if (p.peer.kind === 'cidr4' || p.peer.kind === 'cidr6') {
      candidates.push({
        item: { text: `${portLabel(range)} from ${p.peer.cidr}`, element, cidr: p.peer.cidr },
        scope: id,
        cidr: p.peer.cidr,
        range,
      });
    } else if (p.peer.kind === 'prefix-list') {
      const listId = p.peer.prefixListId;
      const list = listEntries(listId, options);
      for (const cidr of list?.entries ?? [])
        candidates.push({
          item: {
            text: `${portLabel(range)} from ${cidr} (in ${listId})`,
            element,
            cidr,
            prefixListId: listId,
            ...(list?.assumed !== undefined ? { assumed: list.assumed } : {}),
          },
          scope: id,
          cidr,
          range,
        });
    }
  }
  return candidates;
}

/** Candidates of a state without options (what rules ask for), built once per state object. */
const CANDIDATES = new WeakMap<ResourceState, SgCandidate[]>();

/**
 * The share of the public internet (one family) that reaches `range` of a security group's ingress in `state`: the
 * union of the sources of every rule whose traffic covers `range` (prefix lists resolved as {@link exposuresOf} does);
 * with no `range`, of every ingress rule (an upper bound for any traffic). 0 for a state that is not a security group.
 * sg-widened grades a partial opening by it, before and after a change.
 */
export function sgIngressReach(
  state: ResourceState | undefined,
  range: PortRange | undefined,
  version: IpVersion,
  options?: ExposureOptions,
): ReachShare<ExposureVia> {
  if (state?.kind !== 'security-group') return { share: 0, version, items: [], cidrs: [] };
  let candidates = options === undefined ? CANDIDATES.get(state) : undefined;
  if (candidates === undefined) {
    candidates = sgCandidates(state.id, state.permissions, options ?? {});
    if (options === undefined) CANDIDATES.set(state, candidates);
  }
  return reachOf(candidates, range, version);
}

/**
 * The ingress ports the whole internet reaches through a set of rules (one group's, or the union of an ENI's groups:
 * AWS aggregates the rules of every group on an interface), as `sg-ingress` exposures keyed by `id`.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html
 */
export function securityGroupExposures(
  id: string,
  permissions: readonly SgPermission[],
  options: ExposureOptions,
): Exposure[] {
  const candidates = sgCandidates(id, permissions, options);
  const hits = worldHits(candidates);
  // worldHits keeps the widest hit of each family; a rule that reaches the world on narrower traffic (tcp/8443 from
  // ::/0 next to "all traffic from ::/0") is part of that exposure too: a change to it is an edit of an open hole.
  // Only candidates under a hit can be one (checked once each, CIDRs parsed once).
  if (hits.length > 0) {
    const kept = new Set(hits.flatMap((h) => h.items));
    const parsed = candidates.map((c) => ({ c, cidr: tryParseCidr(c.cidr) }));
    for (const { c, cidr } of parsed) {
      if (kept.has(c.item) || cidr === undefined) continue;
      const home = hits.find((h) => h.version === cidr.version && rangeCovers(h.range, c.range));
      if (home === undefined) continue;
      const supporters = parsed
        .filter((s) => s.cidr?.version === cidr.version && rangeCovers(s.c.range, c.range))
        .map((s) => ({ ...s.c, range: c.range }));
      if (worldHits(supporters).some((h) => h.items.includes(c.item))) home.items.push(c.item);
    }
  }
  return hits.map((hit): Exposure => {
    const range = rangeOf(hit.range);
    const assumed = [...new Set(hit.items.flatMap((v) => (v.assumed !== undefined ? [v.assumed] : [])))];
    const label = `${portLabel(range)} from the whole IPv${hit.version} internet`;
    const exposure: Exposure = {
      key: `sg-ingress|${id}|v${hit.version}|${portLabel(range)}`,
      kind: 'sg-ingress',
      resourceId: id,
      group: `sg-ingress|${id}|v${hit.version}`,
      family: hit.version,
      range,
      world: true,
      label,
      via: uniqueVia(hit.items.map(({ assumed: _assumed, ...via }) => via)),
    };
    if (assumed.length > 0) exposure.assumed = assumed;
    return exposure;
  });
}

function rangeOf(r: PortRange): ExposureRange {
  return {
    protocol: r.protocol,
    ...(r.fromPort !== undefined ? { fromPort: r.fromPort } : {}),
    ...(r.toPort !== undefined ? { toPort: r.toPort } : {}),
  };
}

function uniqueVia(via: readonly ExposureVia[]): ExposureVia[] {
  const seen = new Set<string>();
  return via.filter((v) => {
    const k = `${v.element ?? ''}|${v.cidr ?? ''}|${v.prefixListId ?? ''}|${v.text}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ── network ACLs ─────────────────────────────────────────────────────────────────────────────────────────────────

const NACL_PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmpv6'] as const;

/** Does an entry apply to every packet of a traffic segment? (Segments are cut so it applies wholly or not at all.) */
function entryApplies(entry: NaclEntry, segment: PortRange): boolean {
  if (entry.protocol === 'all') return true;
  if (entry.protocol !== segment.protocol) return false;
  return rangeCovers(entryRange(entry), segment);
}

function entryRange(entry: NaclEntry): PortRange {
  return { protocol: entry.protocol, fromPort: entry.fromPort, toPort: entry.toPort };
}

/** The traffic segments of one protocol: port ranges cut at every entry boundary (tcp/udp), or the distinct ranges. */
function segmentsOf(protocol: string, entries: readonly NaclEntry[]): PortRange[] {
  const own = entries.filter((e) => e.protocol === protocol);
  if (isPortProtocol(protocol)) {
    const cuts = new Set<number>([0, 65536]);
    for (const e of own) {
      if (e.fromPort === undefined && e.toPort === undefined) continue;
      const from = Math.max(0, Math.min(e.fromPort ?? 0, e.toPort ?? 65535));
      const to = Math.min(65535, Math.max(e.fromPort ?? 0, e.toPort ?? 65535));
      cuts.add(from);
      cuts.add(to + 1);
    }
    const sorted = [...cuts].sort((a, b) => a - b);
    const out: PortRange[] = [];
    for (let i = 0; i + 1 < sorted.length; i++)
      out.push({ protocol, fromPort: sorted[i]!, toPort: sorted[i + 1]! - 1 });
    return out;
  }
  // ICMP and other protocols: the whole protocol, plus each specific range an entry names.
  const out: PortRange[] = [{ protocol }];
  for (const e of own) {
    const r = entryRange(e);
    if (r.fromPort !== undefined && r.fromPort !== -1 && !out.some((o) => rangeCovers(o, r) && rangeCovers(r, o)))
      out.push(r);
  }
  return out;
}

interface SegmentVerdict {
  range: PortRange;
  via: ExposureVia[];
}

/** Does the whole internet of `family` get through for `segment`, after rule ordering? */
function segmentOpen(segment: PortRange, ordered: readonly NaclEntry[], family: 4 | 6): SegmentVerdict | undefined {
  const { allowed, via } = segmentReach(segment, ordered, family);
  const cover = coverUnion(allowed);
  return (family === 4 ? cover.v4 : cover.v6) ? { range: segment, via } : undefined;
}

/** What of `family` gets through for `segment`, after rule ordering: the blocks no lower-numbered deny took first. */
function segmentReach(
  segment: PortRange,
  ordered: readonly NaclEntry[],
  family: 4 | 6,
): { allowed: Cidr[]; via: ExposureVia[] } {
  const denied: Cidr[] = [];
  const allowed: Cidr[] = [];
  const via: ExposureVia[] = [];
  for (const e of ordered) {
    if (e.cidr === undefined || !entryApplies(e, segment)) continue;
    const c = tryParseCidr(e.cidr.value);
    if (c === undefined || c.version !== family) continue;
    if (e.action === 'deny') {
      // A deny of private space (10.0.0.0/8, the VPC's own range) takes nothing from the internet.
      if (isPublic(c)) denied.push(c);
      continue;
    }
    const pieces = subtract(c, denied);
    if (pieces.length === 0) continue;
    allowed.push(...pieces);
    via.push({
      text: `rule #${e.ruleNumber} allow ${portLabel(entryRange(e))} from ${e.cidr.value}${pieces.length === 1 && pieces[0]!.prefix === c.prefix ? '' : ` (less what lower-numbered denies take)`}`,
      element: elementKey({ kind: 'nacl-entry', entry: e }),
      cidr: e.cidr.value,
    });
  }
  return { allowed, via };
}

/** Ingress entries of one family, in rule order (what {@link segmentReach} reads). */
function orderedIngress(entries: readonly NaclEntry[], family: 4 | 6): NaclEntry[] {
  return entries
    .filter((e) => !e.egress && e.cidr !== undefined && (e.cidr.kind === 'cidr4') === (family === 4))
    .sort((a, b) => a.ruleNumber - b.ruleNumber);
}

/** What a network ACL admits from the public internet on one traffic segment, after rule ordering. */
export interface NaclReach {
  range: PortRange;
  /** Share of the family's public internet admitted (1 = the whole internet: a `nacl-ingress` exposure). */
  share: number;
  /** The allow entries that admit it (less what lower-numbered denies take). */
  via: ExposureVia[];
}

/**
 * What network ACLs admit from the public internet (one family) on `range`, after rule ordering, per traffic segment:
 * `range` is cut wherever an entry of any of `states` starts or ends, so every entry applies to a segment wholly or
 * not at all, and the answer for each state is aligned on the same segments — nacl-open compares the state before a
 * change with the state after it. A state that is not a network ACL (or unknown) admits nothing.
 */
export function naclIngressReach(
  states: readonly (ResourceState | undefined)[],
  range: PortRange,
  family: 4 | 6,
): NaclReach[][] {
  const acls = states.map((st) => (st?.kind === 'network-acl' ? orderedIngress(st.entries, family) : []));
  const all = acls.flat();
  const protocols =
    range.protocol === 'all'
      ? [...new Set<string>([...NACL_PROTOCOLS, ...all.map((e) => e.protocol).filter((p) => p !== 'all')])]
      : [range.protocol];
  const segments = protocols.flatMap((p) => segmentsOf(p, all)).filter((seg) => rangeCovers(range, seg));
  // Protocols no entry names get only the "all" entries.
  if (range.protocol === 'all') segments.push({ protocol: 'other' });
  return acls.map((ordered) =>
    segments.map((segment) => {
      const { allowed, via } = segmentReach(segment, ordered, family);
      const share = publicShare(allowed);
      return { range: segment, share: family === 4 ? share.v4 : share.v6, via };
    }),
  );
}

function naclExposures(id: string, entries: readonly NaclEntry[]): Exposure[] {
  const ingress = entries.filter((e) => !e.egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
  const out: Exposure[] = [];
  for (const family of [4, 6] as const) {
    const ordered = ingress.filter((e) => e.cidr !== undefined && (e.cidr.kind === 'cidr4') === (family === 4));
    if (!ordered.some((e) => e.action === 'allow')) continue;
    const named = new Set<string>([...NACL_PROTOCOLS, ...ordered.map((e) => e.protocol).filter((p) => p !== 'all')]);
    const open: SegmentVerdict[] = [];
    let everything = true;
    for (const protocol of named) {
      for (const segment of segmentsOf(protocol, ordered)) {
        const verdict = segmentOpen(segment, ordered, family);
        if (verdict) open.push(verdict);
        else if (segment.fromPort === undefined || isPortProtocol(protocol)) everything = false;
      }
    }
    // Protocols no entry names get only the "all" entries: open to the world iff an "all" allow reaches it.
    const other = segmentOpen({ protocol: 'other' }, ordered, family);
    if (everything && other) {
      out.push(naclExposure(id, family, { protocol: 'all' }, other.via));
      continue;
    }
    for (const merged of mergeSegments(open)) out.push(naclExposure(id, family, merged.range, merged.via));
  }
  return out;
}

/** Adjacent open port segments of one protocol become one range; specific ICMP types inside an open whole drop. */
function mergeSegments(open: readonly SegmentVerdict[]): SegmentVerdict[] {
  const out: SegmentVerdict[] = [];
  for (const v of open) {
    const last = out[out.length - 1];
    if (
      last &&
      isPortProtocol(v.range.protocol) &&
      last.range.protocol === v.range.protocol &&
      (last.range.toPort ?? -2) + 1 === v.range.fromPort
    ) {
      last.range = { ...last.range, toPort: v.range.toPort! };
      last.via = uniqueVia([...last.via, ...v.via]);
      continue;
    }
    if (out.some((o) => o.range.protocol === v.range.protocol && rangeCovers(o.range, v.range))) continue;
    out.push({ range: { ...v.range }, via: [...v.via] });
  }
  return out.map((v) => ({ ...v, range: normalizeRange(v.range) }));
}

/** 0-65535 on tcp/udp is "all ports" (no ports), as the model writes it. */
function normalizeRange(range: PortRange): PortRange {
  if (isPortProtocol(range.protocol) && range.fromPort === 0 && range.toPort === 65535)
    return { protocol: range.protocol };
  return range;
}

function naclExposure(id: string, family: 4 | 6, range: PortRange, via: ExposureVia[]): Exposure {
  const r = rangeOf(range);
  return {
    key: `nacl-ingress|${id}|v${family}|${portLabel(r)}`,
    kind: 'nacl-ingress',
    resourceId: id,
    group: `nacl-ingress|${id}|v${family}`,
    family,
    range: r,
    world: true,
    label: `${portLabel(r)} admitted from the whole IPv${family} internet`,
    via,
  };
}

// ── route tables ─────────────────────────────────────────────────────────────────────────────────────────────────

interface RouteBlock {
  cidr: Cidr;
  route: { destination: RouteDelta['destination']; target: RouteDelta['target'] };
  listId?: string;
  assumed?: string;
}

function routeExposures(
  id: string,
  routes: readonly { destination: RouteDelta['destination']; target: RouteDelta['target'] }[],
  options: ExposureOptions,
): Exposure[] {
  const blocks: RouteBlock[] = [];
  const assumed: string[] = [];
  for (const route of routes) {
    if (route.destination.kind === 'prefix-list') {
      const toGateway =
        route.target.kind === 'internet-gateway' || route.target.kind === 'egress-only-internet-gateway';
      const known = options.prefixLists?.(route.destination.value);
      // Unknown lists behind other targets only take addresses away: ignoring them is the worst case.
      const list =
        known !== undefined
          ? { entries: known }
          : toGateway
            ? listEntries(route.destination.value, options)
            : undefined;
      if (list?.assumed !== undefined) assumed.push(list.assumed);
      for (const c of parseAll(list?.entries ?? []))
        blocks.push({
          cidr: c,
          route,
          listId: route.destination.value,
          ...(list?.assumed ? { assumed: list.assumed } : {}),
        });
      continue;
    }
    const c = tryParseCidr(route.destination.value);
    if (c !== undefined) blocks.push({ cidr: c, route });
  }
  const out: Exposure[] = [];
  for (const gateway of ['internet-gateway', 'egress-only-internet-gateway'] as const) {
    for (const family of [4, 6] as const) {
      const mine = blocks.filter((b) => b.route.target.kind === gateway && b.cidr.version === family);
      if (mine.length === 0) continue;
      const others = blocks.filter((b) => b.route.target.kind !== gateway && b.cidr.version === family);
      const pieces: Cidr[] = [];
      const via: ExposureVia[] = [];
      for (const b of mine) {
        // Longest prefix wins: a more specific route elsewhere takes its addresses — when they are internet
        // addresses (the VPC's local route and other private routes take nothing from the internet).
        const specific = others.filter((o) => o.cidr.prefix > b.cidr.prefix && isPublic(o.cidr)).map((o) => o.cidr);
        const left = subtract(b.cidr, specific);
        if (left.length === 0) continue;
        pieces.push(...left);
        via.push({
          text: `${b.cidr.text}${b.listId ? ` (in ${b.listId})` : ''} -> ${b.route.target.id ?? b.route.target.kind}`,
          element: elementKey({ kind: 'route', destination: b.route.destination, target: b.route.target }),
          cidr: b.cidr.text,
          ...(b.listId !== undefined ? { prefixListId: b.listId } : {}),
        });
      }
      if (!pieces.some((p) => isPublic(p))) continue;
      const cover = coverUnion(pieces);
      const world = family === 4 ? cover.v4 : cover.v6;
      const shares = publicShare(pieces);
      const share = family === 4 ? shares.v4 : shares.v6;
      const short = gateway === 'internet-gateway' ? 'igw' : 'eigw';
      const gatewayIds = [...new Set(mine.map((b) => b.route.target.id ?? b.route.target.kind))].join(', ');
      const exposure: Exposure = {
        key: `route-internet|${id}|v${family}|${short}`,
        kind: 'route-internet',
        resourceId: id,
        group: `route-internet|${id}|v${family}|${short}`,
        family,
        share,
        world,
        label: world
          ? `the whole IPv${family} internet routed to ${gatewayIds} (default route)`
          : `${shareText(share)} of the public IPv${family} internet routed to ${gatewayIds}`,
        via,
      };
      const mineAssumed = [...new Set(mine.flatMap((b) => (b.assumed ? [b.assumed] : [])))];
      if (mineAssumed.length > 0) exposure.assumed = mineAssumed;
      out.push(exposure);
    }
  }
  return out;
}

// ── endpoints, endpoint services ─────────────────────────────────────────────────────────────────────────────────

function endpointExposures(id: string, policy: PolicyState | undefined): Exposure[] {
  if (policy === undefined) return [];
  const breadth = assessPolicy(policy);
  if (!breadth.grantsEveryoneFullAccess && (breadth.broad.length === 0 || hasBoundaryDeny(policy))) return [];
  return [
    {
      key: `endpoint-policy|${id}`,
      kind: 'endpoint-policy',
      resourceId: id,
      group: `endpoint-policy|${id}`,
      world: breadth.grantsEveryoneFullAccess,
      label: breadth.grantsEveryoneFullAccess
        ? `${id} policy grants everyone full access`
        : `${id} policy grants everyone a service wildcard`,
      via: breadth.broad.map((text) => ({ text, element: 'policy' })),
    },
  ];
}

/** Account id of a principal ARN or bare account id. */
/**
 * True when an allowed principal of an endpoint service admits every AWS account: `*` (as AWS documents it), and the
 * spellings that mean the same — surrounding spaces, or an ARN whose account is a wildcard (`arn:aws:iam::*:root`).
 * What cannot be read as one account is graded as everyone, the worst case, never as "one foreign account".
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/configure-endpoint-service.html#add-remove-permissions
 */
export function isEveryonePrincipal(principal: string): boolean {
  const p = principal.trim();
  if (p === '*') return true;
  const account = /^arn:[^:]*:[^:]*:[^:]*:([^:]*):/.exec(p)?.[1];
  return account !== undefined && /[*?]/.test(account);
}

export function principalAccount(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(principal)?.[1];
}

function serviceExposures(
  id: string,
  principals: readonly string[],
  acceptanceRequired: boolean | undefined,
  options: ExposureOptions,
): Exposure[] {
  const out: Exposure[] = [];
  for (const principal of principals) {
    const account = principalAccount(principal);
    const inside =
      account !== undefined && (account === options.ownAccount || options.knownAccounts?.has(account) === true);
    const everyone = isEveryonePrincipal(principal);
    if (!everyone && inside) continue;
    const auto = acceptanceRequired === false ? ', connections accepted automatically' : '';
    out.push({
      key: `endpoint-service|${id}|${principal}`,
      kind: 'endpoint-service',
      resourceId: id,
      group: `endpoint-service|${id}|${principal}`,
      world: everyone,
      label: everyone
        ? `${id} open to every AWS principal (${principal})${auto}`
        : `${id} open to ${principal} (outside the organisation)${auto}`,
      via: [{ text: `allowed principal ${principal}`, element: elementKey({ kind: 'principal', principal }) }],
    });
  }
  return out;
}

// ── comparing exposures ──────────────────────────────────────────────────────────────────────────────────────────

/** True when the two ranges share at least one packet (same protocol, overlapping ports; `all` overlaps anything). */
export function rangesOverlap(a: ExposureRange | undefined, b: ExposureRange | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  if (a.protocol === 'all' || b.protocol === 'all') return true;
  if (a.protocol !== b.protocol) return false;
  if (!isPortProtocol(a.protocol)) return rangeCovers(a, b) || rangeCovers(b, a);
  const [af, at] = portBounds(a);
  const [bf, bt] = portBounds(b);
  return af <= bt && bf <= at;
}

function portBounds(r: ExposureRange): [number, number] {
  if (r.fromPort === undefined && r.toPort === undefined) return [0, 65535];
  return [r.fromPort ?? 0, r.toPort ?? 65535];
}

/** True when `a` and `b` are parts of the same hole: same group, overlapping traffic. */
export function exposuresOverlap(a: Exposure, b: Exposure): boolean {
  return a.group === b.group && rangesOverlap(a.range, b.range);
}

/**
 * True when `exposure` was already there in `before`: an exposure of the same group covers it (its traffic, its
 * share, or the same key for the kinds without a measure).
 */
export function alreadyExposed(exposure: Exposure, before: readonly Exposure[]): boolean {
  return before.some((b) => {
    if (b.group !== exposure.group) return false;
    if (exposure.range !== undefined && b.range !== undefined) return rangeCovers(b.range, exposure.range);
    if (exposure.share !== undefined && b.share !== undefined)
      return b.share >= exposure.share && (b.world || !exposure.world);
    return b.key === exposure.key && (b.world || !exposure.world);
  });
}

/** State element keys a delta writes or deletes (to tell which deltas of a change make up an exposure). */
export function deltaElements(delta: NetworkDelta): string[] {
  return elementOps(delta).map((op) => op.key);
}

/** The deltas (of `deltas`) that took part in an exposure: they wrote one of its rules, entries or routes. */
export function deltasOf(exposure: Exposure, deltas: readonly NetworkDelta[]): NetworkDelta[] {
  const elements = new Set(exposure.via.flatMap((v) => (v.element !== undefined ? [v.element] : [])));
  const listed = new Set(
    exposure.via.flatMap((v) =>
      v.prefixListId !== undefined && v.cidr !== undefined ? [`${v.prefixListId}|${v.cidr}`] : [],
    ),
  );
  return deltas.filter((d) => {
    if (d.kind === 'prefix-list-entry') return listed.has(`${d.prefixListId}|${d.cidr}`);
    if (d.op === 'removed') return false;
    return deltaElements(d).some((k) => elements.has(k));
  });
}

// ── the view a change is judged against ──────────────────────────────────────────────────────────────────────────

/**
 * The state view of a change: the kept one (`change.state`, set by shared/3-state), or — with no state kept — the view
 * its own deltas imply: "before" holds what the deltas say existed (removed rules, `before` values of changes), "after"
 * is before with the deltas applied, and unknown prefix lists are left out. Rules call this, so one code path grades
 * both; without kept state it reproduces the per-event judgement.
 */
export function viewOf(change: ChangeEvent): StateView {
  return change.state ?? impliedView(change);
}

/**
 * A resource's state before the change: the kept one, or — unknown, or no state kept — what the change's deltas say
 * existed (as the exposures "before" were computed).
 */
export function stateBefore(change: ChangeEvent, view: ResourceView): ResourceState {
  return view.before ?? materialize({ kind: view.kind, id: view.id }, impliedBeforeElements(view, change.deltas));
}

/** The view implied by the change's own deltas (see {@link viewOf}). */
export function impliedView(change: ChangeEvent, options: ExposureOptions = {}): StateView {
  const resources: Record<string, ResourceView> = {};
  const lists = new Map<string, string[]>();
  for (const d of change.deltas)
    if (d.kind === 'prefix-list-entry' && d.op === 'added')
      lists.set(d.prefixListId, [...(lists.get(d.prefixListId) ?? []), d.cidr]);
  const exposureOptions: ExposureOptions = {
    ...options,
    ownAccount: options.ownAccount ?? change.account,
    prefixLists: options.prefixLists ?? ((id) => lists.get(id)),
    unknownPrefixLists: options.unknownPrefixLists ?? 'ignore',
  };
  for (const resource of resourcesOf(change.deltas)) {
    const before = materialize(resource, impliedBeforeElements(resource, change.deltas));
    const ops = change.deltas.flatMap(elementOps).filter((op) => sameResource(op.resource, resource));
    const after = applyOps(before, ops);
    resources[resource.id] = {
      kind: resource.kind,
      id: resource.id,
      before,
      after,
      exposures: { before: exposuresOf(before, exposureOptions), after: exposuresOf(after, exposureOptions) },
      episodes: [],
      unknown: [],
    };
  }
  return { source: 'implied', resources };
}

function sameResource(a: ResourceId, b: ResourceId): boolean {
  return a.kind === b.kind && a.id === b.id;
}

/** What the deltas say existed before them (removed elements, the `before` of changed ones), for one resource. */
export function impliedBeforeElements(resource: ResourceId, deltas: readonly NetworkDelta[]): StateElement[] {
  const out: StateElement[] = [];
  for (const d of deltas) {
    const touches = elementOps(d).some((op) => sameResource(op.resource, resource));
    if (!touches) continue;
    switch (d.kind) {
      case 'sg-permission':
        if (d.op === 'removed') out.push({ kind: 'permission', permission: d.permission });
        else if (d.before !== undefined) out.push({ kind: 'permission', permission: d.before });
        break;
      case 'route':
        if (d.op === 'removed') out.push({ kind: 'route', destination: d.destination, target: d.target });
        else if (d.op === 'changed')
          out.push({ kind: 'route', destination: d.destination, target: d.beforeTarget ?? { kind: 'unknown' } });
        break;
      case 'nacl-entry':
        if (d.op === 'removed') out.push({ kind: 'nacl-entry', entry: d.entry });
        else if (d.before !== undefined) out.push({ kind: 'nacl-entry', entry: d.before });
        break;
      case 'endpoint-policy':
        if (d.op === 'removed') out.push({ kind: 'policy', policy: d.after });
        else if (d.before !== undefined) out.push({ kind: 'policy', policy: d.before });
        break;
      case 'endpoint-service-permission':
        if (d.op === 'removed') out.push({ kind: 'principal', principal: d.principal });
        break;
      case 'endpoint-service-acceptance':
        if (d.before !== undefined) out.push({ kind: 'acceptance', required: d.before });
        break;
      case 'gateway-attachment':
        if (d.op === 'removed') out.push({ kind: 'attachment', vpcId: d.vpcId ?? '?' });
        break;
      case 'prefix-list-entry':
        if (d.op === 'removed') out.push({ kind: 'entry', cidr: d.cidr });
        break;
      case 'binding': {
        const element = bindingElement(d.binding);
        if (d.op === 'removed') out.push(element);
        else if (d.before !== undefined) out.push(bindingElement(d.before));
        break;
      }
      case 'subnet-attribute':
        if (d.before !== undefined) out.push({ kind: 'flag', name: d.attribute, value: d.before });
        break;
      case 'subnet-association':
        if (d.op === 'removed')
          out.push({
            kind: 'association',
            ...(d.subnetId !== undefined ? { subnetId: d.subnetId } : {}),
            ...(d.main ? { main: true } : {}),
          });
        break;
      default:
        break;
    }
  }
  return out;
}

/** One exposure of a change's view, as a rule grades it. */
export interface ExposureChange {
  exposure: Exposure;
  view: ResourceView;
  /** Not there before the change (or wider now): created or widened by it. */
  isNew: boolean;
  /** The change's deltas that took part (its snapshot's, for a Config item that only caught up; empty for none). */
  evidence: NetworkDelta[];
  /** Of `exposure.via`, the parts this change did not write (rules already allowed, entries already listed). */
  existing: ExposureVia[];
}

/**
 * The exposures of `kind` in the state a change leaves that the change created, widened, or took part in, with the
 * deltas that did it. Exposures the change neither created nor touched are left out (they are not its business).
 */
export function exposureChanges(change: ChangeEvent, kind: Exposure['kind']): ExposureChange[] {
  const view = viewOf(change);
  const out: ExposureChange[] = [];
  for (const resource of Object.values(view.resources)) {
    const before = resource.exposures.before.filter((e) => e.kind === kind);
    for (const exposure of resource.exposures.after) {
      if (exposure.kind !== kind) continue;
      const isNew = !alreadyExposed(exposure, before);
      let evidence = deltasOf(exposure, change.deltas);
      if (evidence.length === 0 && isNew) {
        // A Config item that only caught the state up, or a prefix list's change seen from a group that uses it.
        evidence = deltasOf(exposure, change.snapshot?.deltas ?? []);
        if (evidence.length === 0 && view.cause !== undefined) evidence = [...change.deltas];
      }
      if (!isNew && evidence.length === 0) continue;
      const written = new Set(evidence.flatMap(deltaElements));
      const listed = new Set(
        evidence.flatMap((d) => (d.kind === 'prefix-list-entry' ? [`${d.prefixListId}|${d.cidr}`] : [])),
      );
      const existing = exposure.via.filter(
        (v) =>
          !(v.element !== undefined && written.has(v.element)) &&
          !(v.prefixListId !== undefined && listed.has(`${v.prefixListId}|${v.cidr ?? ''}`)),
      );
      out.push({ exposure, view: resource, isNew, evidence, existing });
    }
  }
  return out;
}
