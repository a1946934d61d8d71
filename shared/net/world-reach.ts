import { coverUnion, isWorldEquivalent, publicShare, tryParseCidr, type Cidr, type IpVersion } from './cidr.ts';
import { Lru } from '../platform/lru.ts';
import { rangeCovers, type PortRange } from './ports.ts';

/**
 * "Is this reachable from the whole internet?" over a set of allow rules — those of one change, or every rule of a
 * kept state (shared/net/exposure.ts builds the exposures of a state with it). A single `/0` (any host bits)
 * is; so is one CIDR that holds every routable address (`2000::/3`, `::/1`), and a set of narrower CIDRs that together
 * cover the public space on the same ports (`0.0.0.0/1` + `128.0.0.0/1`, or every public block around RFC 1918),
 * which a naive `/0` check — and AWS Config's restricted-ssh — misses. "Public" is defined once, in
 * shared/net/special-purpose.ts (IANA's special-purpose registries), and read through `coverUnion`.
 *
 * Generic over the item (an SG permission delta, a NACL entry delta) so both rules share one definition.
 */

/** One allow rule as the reach check sees it. */
export interface ReachCandidate<T> {
  item: T;
  /** Groups items that can combine: the security group id, the NACL id. */
  scope: string;
  cidr: string;
  range: PortRange;
}

/** A port range reachable from the whole v4 or v6 space, and the items that make it so. */
export interface WorldHit<T> {
  scope: string;
  version: IpVersion;
  range: PortRange;
  /** The single world-equivalent item, or every item whose union covers the public space. */
  items: T[];
  cidrs: string[];
  viaUnion: boolean;
  /**
   * True when no item is a `/0`: the CIDRs reach every public address while leaving out non-public ranges (`2000::/3`,
   * the blocks around RFC 1918). The same exposure as a `/0`, and graded the same; {@link worldReason} says so.
   */
  publicOnly: boolean;
}

/**
 * One line for a finding's `why`, saying how the hit reaches the world: a literal `0.0.0.0/0`/`::/0`, a `/0` with host
 * bits, one world-equivalent CIDR, or several CIDRs together.
 */
export function worldReason(hit: Pick<WorldHit<unknown>, 'cidrs' | 'version' | 'viaUnion' | 'publicOnly'>): string {
  const family = `IPv${hit.version}`;
  if (hit.viaUnion)
    return hit.publicOnly
      ? `CIDRs ${hit.cidrs.join(' + ')} together cover every public ${family} address (they skip only private, reserved and special-purpose ranges): that is the whole ${family} internet`
      : `CIDRs ${hit.cidrs.join(' + ')} together cover the whole ${family} space`;
  const cidr = hit.cidrs[0] ?? '';
  if (/^(0\.0\.0\.0\/0|::\/0)$/.test(cidr)) return `${cidr} is the whole ${family} internet`;
  if (!hit.publicOnly) return `${cidr} is a /0: AWS ignores host bits, so it is the whole ${family} internet`;
  return `${cidr} holds every public ${family} address (all routable space, IANA special-purpose registries): it is the whole ${family} internet`;
}

/** Share of the public internet one candidate is reachable from, with the candidates that make it so. */
export interface ReachShare<T> {
  /** In [0, 1]: the public share of the union of {@link items}' CIDRs (1 = the whole internet). */
  share: number;
  version: IpVersion;
  /** This candidate and every other candidate of the same scope and family whose range covers its range. */
  items: T[];
  cidrs: string[];
}

/**
 * For each candidate, the share of the public internet that can reach its port range through these candidates: the
 * union of every candidate of the same scope and family whose range covers it ({@link reachOf}, the grouping
 * {@link worldHits} uses). Rules grade partial coverage by it: half the internet on ssh is not "one partner's range".
 * Unparseable CIDRs reach nothing (share 0).
 */
export function reachShares<T>(candidates: readonly ReachCandidate<T>[]): Map<T, ReachShare<T>> {
  const out = new Map<T, ReachShare<T>>();
  for (const c of candidates) {
    const cidr = tryParseCidr(c.cidr);
    if (cidr === undefined) continue;
    out.set(
      c.item,
      reachOf(
        candidates.filter((s) => s.scope === c.scope),
        c.range,
        cidr.version,
      ),
    );
  }
  return out;
}

/** CIDR texts parsed once: a group's rules are asked about again for each rule a change adds (`null`: unparseable). */
const PARSED = new Lru<string, Cidr | null>(20_000);
function parsedCidr(text: string): Cidr | undefined {
  let cidr = PARSED.get(text);
  if (cidr === undefined) PARSED.set(text, (cidr = tryParseCidr(text) ?? null));
  return cidr ?? undefined;
}

/**
 * The share of the public internet (one family) that reaches `range` through `candidates` of one scope: the union of
 * every candidate of that family whose range covers `range` (no `range`: every candidate). The one grouping behind {@link reachShares}; the state
 * step asks it of a whole kept state, before and after a change (shared/net/exposure.ts).
 */
export function reachOf<T>(
  candidates: readonly ReachCandidate<T>[],
  range: PortRange | undefined,
  version: IpVersion,
): ReachShare<T> {
  const supporters = candidates.flatMap((s) => {
    const cidr = parsedCidr(s.cidr);
    return cidr !== undefined && cidr.version === version && (range === undefined || rangeCovers(s.range, range))
      ? [{ ...s, parsed: cidr }]
      : [];
  });
  const share = publicShare(supporters.map((s): Cidr => s.parsed));
  return {
    share: version === 4 ? share.v4 : share.v6,
    version,
    items: supporters.map((s) => s.item),
    cidrs: supporters.map((s) => s.cidr),
  };
}

/**
 * What {@link worldReason} needs, for CIDRs already known to reach every public address of `version` (the sources of
 * an exposure): one world-equivalent CIDR if there is one (a `/0` first), else the union, `publicOnly` when it leaves
 * out non-public ranges.
 */
export function worldHitOf(
  cidrs: readonly string[],
  version: IpVersion,
): Pick<WorldHit<unknown>, 'cidrs' | 'version' | 'viaUnion' | 'publicOnly'> {
  const parsed = cidrs.flatMap((text) => {
    const c = tryParseCidr(text);
    return c !== undefined && c.version === version ? [{ text, c }] : [];
  });
  const single =
    parsed.find((p) => p.c.prefix === 0 && /^(0\.0\.0\.0\/0|::\/0)$/.test(p.text)) ??
    parsed.find((p) => p.c.prefix === 0) ??
    parsed.find((p) => isWorldEquivalent(p.c));
  if (single !== undefined)
    return { cidrs: [single.text], version, viaUnion: false, publicOnly: single.c.prefix !== 0 };
  return {
    cidrs: parsed.map((p) => p.text),
    version,
    viaUnion: true,
    publicOnly: !coverUnionWhole(parsed.map((p) => p.c)),
  };
}

/**
 * Every world-reachable range among the candidates (a direct hit is one world-equivalent CIDR: a `/0`, `2000::/3`…). Union hits use, for a candidate's range, every candidate of
 * the same scope and family whose range covers it. Hits subsumed by a broader hit of the same scope and family are
 * dropped, so `0.0.0.0/0 all` plus `0.0.0.0/0 tcp/22` reports one hit. Unparseable CIDRs never reach the world.
 */
export function worldHits<T>(candidates: readonly ReachCandidate<T>[]): WorldHit<T>[] {
  const parsed = candidates.flatMap((c) => {
    const cidr = tryParseCidr(c.cidr);
    return cidr ? [{ ...c, parsed: cidr }] : [];
  });
  const hits: WorldHit<T>[] = [];
  for (const c of parsed) {
    if (isWorldEquivalent(c.parsed)) {
      hits.push({
        scope: c.scope,
        version: c.parsed.version,
        range: c.range,
        items: [c.item],
        cidrs: [c.cidr],
        viaUnion: false,
        publicOnly: c.parsed.prefix !== 0,
      });
      continue;
    }
    const supporters = parsed.filter(
      (s) => s.scope === c.scope && s.parsed.version === c.parsed.version && rangeCovers(s.range, c.range),
    );
    const cover = coverUnion(supporters.map((s): Cidr => s.parsed));
    if (c.parsed.version === 4 ? cover.v4 : cover.v6) {
      hits.push({
        scope: c.scope,
        version: c.parsed.version,
        range: c.range,
        items: supporters.map((s) => s.item),
        cidrs: supporters.map((s) => s.cidr),
        viaUnion: true,
        publicOnly: !supporters.some((s) => s.parsed.prefix === 0) && !coverUnionWhole(supporters.map((s) => s.parsed)),
      });
    }
  }
  const kept: WorldHit<T>[] = [];
  hits.forEach((hit, i) => {
    const subsumed = hits.some((other, j) => {
      if (j === i || other.scope !== hit.scope || other.version !== hit.version) return false;
      if (!rangeCovers(other.range, hit.range)) return false;
      const same = rangeCovers(hit.range, other.range);
      // Strictly broader hit wins; among equal ranges keep a direct hit over a union one, else the first.
      if (!same) return true;
      if (hit.viaUnion !== other.viaUnion) return hit.viaUnion;
      return j < i;
    });
    if (!subsumed) {
      kept.push({ ...hit, items: [...hit.items], cidrs: [...hit.cidrs] });
      return;
    }
    // Two direct /0s on the same traffic (`0.0.0.0/0` and `10.0.0.0/0`): one hit, both items as evidence.
    const twin = kept.find(
      (k) =>
        !k.viaUnion &&
        !hit.viaUnion &&
        k.scope === hit.scope &&
        k.version === hit.version &&
        rangeCovers(k.range, hit.range) &&
        rangeCovers(hit.range, k.range),
    );
    if (twin) {
      for (const [n, item] of hit.items.entries()) {
        if (!twin.items.includes(item)) {
          twin.items.push(item);
          twin.cidrs.push(hit.cidrs[n]!);
        }
      }
    }
  });
  return kept;
}

/** True when the CIDRs cover the whole address space of their family, special ranges included (`0.0.0.0/1` + `128.0.0.0/1`). */
function coverUnionWhole(cidrs: readonly Cidr[]): boolean {
  const sorted = [...cidrs].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const end = (1n << BigInt(sorted[0]?.version === 6 ? 128 : 32)) - 1n;
  let next = 0n;
  for (const r of sorted) {
    if (r.first > next) return false;
    if (r.last + 1n > next) next = r.last + 1n;
    if (next > end) return true;
  }
  return false;
}
