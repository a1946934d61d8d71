import { coverUnion, tryParseCidr, type Cidr, type IpVersion } from './cidr.ts';
import { rangeCovers, type PortRange } from './ports.ts';

/**
 * "Is this reachable from the whole internet?" over the rules *added in one change*. A single `/0` (any host bits)
 * is; so is a set of narrower CIDRs that together cover the space on the same ports (`0.0.0.0/1` + `128.0.0.0/1`),
 * which a naive `/0` check — and AWS Config's restricted-ssh — misses.
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
  /** The single `/0` item, or every item whose union covers the space. */
  items: T[];
  cidrs: string[];
  viaUnion: boolean;
}

/**
 * Every world-reachable range among the candidates. Union hits use, for a candidate's range, every candidate of
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
    if (c.parsed.prefix === 0) {
      hits.push({
        scope: c.scope,
        version: c.parsed.version,
        range: c.range,
        items: [c.item],
        cidrs: [c.cidr],
        viaUnion: false,
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
