import type { ResourceState, StatefulKind } from './state.ts';
import type { ResourceRef } from './change.ts';

/**
 * Exposures and their episodes: what the internet (or the outside world) can reach in the state a change leaves
 * behind, and the life of each such hole — opened by one change, closed by another.
 *
 * - An {@link Exposure} is computed from a resource's state (shared/net/exposure.ts): the ports of a security group
 *   the public internet reaches (union of its CIDRs and its prefix lists' entries), what a network ACL admits from the
 *   internet after rule ordering, the share of the public internet a route table sends to an internet gateway, an
 *   endpoint policy granting everyone, a principal outside the organisation allowed on an endpoint service, an
 *   internet gateway attached to a VPC.
 * - An `internet-path` exposure is a network interface the internet can reach through a world-open group, a public
 *   address, a route to an attached internet gateway and an ACL that lets the traffic in and the replies out
 *   (shared/net/reachability.ts): a resource that joins something already exposed opens one.
 * - An {@link Episode} is the period an exposure exists: it opens when the exposure appears and closes when it is
 *   gone. Its id enters the fingerprint of the findings about it, so a hole closed and opened again pages again,
 *   while a redelivered event or the Config item of the same change stays the same finding. A close resolves the
 *   episode's PagerDuty incidents and reaches change management as a "closed" record.
 */

/** What kind of hole. */
export const EXPOSURE_KINDS = [
  'sg-ingress',
  'nacl-ingress',
  'route-internet',
  'endpoint-policy',
  'endpoint-service',
  'igw-attachment',
  'internet-path',
] as const;

/** One kind of exposure. */
export type ExposureKind = (typeof EXPOSURE_KINDS)[number];

/** Traffic an exposure admits (protocol and ports, the change model's conventions). */
export interface ExposureRange {
  protocol: string;
  fromPort?: number;
  toPort?: number;
}

/** One thing that makes an exposure so: a rule, an entry, a route, a principal. */
export interface ExposureVia {
  /** How a responder reads it: `tcp/22 from 0.0.0.0/1`, `0.0.0.0/0 (in pl-0a1b…)`, `rule #100`. */
  text: string;
  /** The state element it comes from (shared/model/state.ts element key), so rules can tell which deltas took part. */
  element?: string;
  /** The CIDR it contributes. */
  cidr?: string;
  /** The prefix list the CIDR came from. */
  prefixListId?: string;
}

/** A hole in the network, as the state shows it. */
export interface Exposure {
  /** Stable identity: kind, resource, family and the traffic (`sg-ingress|sg-0a1b…|v4|tcp/22`). */
  key: string;
  kind: ExposureKind;
  /** The exposed resource (`sg-…`, `acl-…`, `rtb-…`, `vpce-…`, `vpce-svc-…`, `igw-…`). */
  resourceId: string;
  /**
   * Exposures of one group that overlap continue each other's episode (tcp/22 widened to tcp/0-1024 is the same hole
   * grown): kind + resource + family (+ gateway kind for routes).
   */
  group: string;
  /** IP family, for network exposures. */
  family?: 4 | 6;
  /** Traffic admitted (security groups, network ACLs). */
  range?: ExposureRange;
  /**
   * Share of the family's public internet (shared/net/special-purpose.ts) sent to the gateway (route tables):
   * 0 < share ≤ 1, and 1 exactly when `world`.
   */
  share?: number;
  /** The whole internet reaches it (the union of its sources covers the space, per shared/net/world-reach.ts). */
  world: boolean;
  /** One line: `tcp/22 from the whole IPv4 internet`. */
  label: string;
  via: ExposureVia[];
  /** Worst-case assumptions made where the state was unknown (a prefix list that could not be read). */
  assumed?: string[];
}

/** Who (which change) opened or closed an episode. */
export interface EpisodeMark {
  changeId: string;
  /** ISO time of the change. */
  at: string;
  /** The actor, rendered (ARN), when known. */
  actor?: string;
  /** The API call or `AWS Config`. */
  via?: string;
}

/** The life of one exposure. */
export interface Episode {
  /** `ep-<hash>`: deterministic from the resource, the group and the change that opened it. */
  id: string;
  kind: ExposureKind;
  /** AWS type and id of the exposed resource. */
  resource: { type: string; id: string };
  account: string;
  region: string;
  group: string;
  /** The exposures the episode holds now (open), or held when it closed. */
  exposures: Exposure[];
  opened: EpisodeMark;
  closed?: EpisodeMark;
  /** How it closed: the exposure is gone, or it merged into another episode of the same group. */
  closeReason?: 'gone' | 'merged';
}

/** What a change did to an episode. */
export interface EpisodeTransition {
  change: 'opened' | 'continued' | 'closed';
  episode: Episode;
}

/** The episode a finding is about, as findings and change records carry it. */
export interface EpisodeRef {
  id: string;
  state: 'open' | 'closed';
  kind: ExposureKind;
  /** What is (or was) exposed, one line. */
  exposure: string;
  openedAt: string;
  openedBy?: string;
  closedAt?: string;
  closedBy?: string;
  /** Seconds between opening and closing (closed episodes). */
  openSeconds?: number;
}

/** The verdicts of {@link Reachability}, a closed list (the change record's schema reads it). */
export const REACH_VERDICTS = ['reachable', 'unknown', 'unreachable'] as const;

/**
 * Can the internet actually reach something through an exposure (shared/net/reachability.ts)? Unknown links count as
 * reachable: a grade is never lowered on missing state.
 */
export interface Reachability {
  /**
   * `reachable`: a path with every link known present; `unknown`: no path known blocked, but one rests on assumed
   * links (counts as reachable); `unreachable`: every path misses a link.
   */
  verdict: (typeof REACH_VERDICTS)[number];
  /** The path (reachable, unknown) or the missing link (unreachable), one line. */
  text: string;
  /** Links assumed present because the state does not say. */
  assumed: string[];
  /** Interfaces whose paths were checked (up to a few, for change records). */
  interfaces: string[];
}

/** The state of one resource around a change. */
export interface ResourceView {
  kind: StatefulKind;
  id: string;
  /** State before the change; `undefined` = unknown (never seen and not fetchable). */
  before?: ResourceState;
  after: ResourceState;
  exposures: { before: Exposure[]; after: Exposure[] };
  /** Episodes this change opened, continued or closed (kept state only). */
  episodes: EpisodeTransition[];
  /** What was not known and how it was graded (worst case), for `why`. */
  unknown: string[];
  /**
   * Reachability from the internet of the exposures after the change, by exposure key (groups, ACLs, route tables;
   * `subnet|<id>` for a subnet's instances launched with public IPs). Absent: not evaluated (no kept state).
   */
  reach?: Record<string, Reachability>;
}

/** The state a change was judged against (see {@link ChangeEvent.state}). */
export interface StateView {
  /**
   * `kept`: from the state store (shared/3-state); `implied`: derived from the change's own deltas (rules' cases,
   * the stateless classify), where "before" is only what the deltas say existed.
   */
  source: 'kept' | 'implied';
  /** By resource id. */
  resources: Record<string, ResourceView>;
  /** A judgement made for another resource's change: a prefix list changed, this group/table references it. */
  cause?: { resource: ResourceRef; changeId: string };
}

/** The episode reference of an episode (for a finding), open or closed. */
export function episodeRef(episode: Episode): EpisodeRef {
  const ref: EpisodeRef = {
    id: episode.id,
    state: episode.closed ? 'closed' : 'open',
    kind: episode.kind,
    exposure: episode.exposures.map((e) => e.label).join('; ') || episode.group,
    openedAt: episode.opened.at,
  };
  if (episode.opened.actor !== undefined) ref.openedBy = episode.opened.actor;
  if (episode.closed !== undefined) {
    ref.closedAt = episode.closed.at;
    if (episode.closed.actor !== undefined) ref.closedBy = episode.closed.actor;
    const seconds = (Date.parse(episode.closed.at) - Date.parse(episode.opened.at)) / 1000;
    if (Number.isFinite(seconds)) ref.openSeconds = Math.max(0, Math.round(seconds));
  }
  return ref;
}

/** `3 d 4 h`, `1 h 5 min`, `42 s`: how long an episode was (or has been) open. */
export function durationText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d${h ? ` ${h} h` : ''}`;
  if (h > 0) return `${h} h${m ? ` ${m} min` : ''}`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}
