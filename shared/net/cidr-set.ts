import { formatAddress, parseCidr, type Cidr, type IpVersion } from './cidr.ts';

/**
 * Set arithmetic on CIDR blocks, exact (BigInt ranges, both families): what is left of a block once other blocks are
 * taken out. The state step needs it: a network ACL admits from an allow entry only what no lower-numbered deny took
 * first, and a route table sends to an internet gateway only the addresses no more specific route claims (longest
 * prefix wins).
 *
 * Whether a set of blocks reaches "the internet", and how much of it, is never decided here: callers pass the pieces
 * to `coverUnion` / `publicShare` / `worldHits` / `isPublic` (shared/net/cidr.ts, world-reach.ts), which own that
 * definition (shared/net/special-purpose.ts).
 */

const BITS: Readonly<Record<IpVersion, number>> = { 4: 32, 6: 128 };

/** True when the two blocks share at least one address (same family). */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.first <= b.last && b.first <= a.last;
}

/** A block from family, network address and prefix length (text in the usual notation). */
export function cidrOf(version: IpVersion, first: bigint, prefix: number): Cidr {
  const hostBits = BigInt(BITS[version] - prefix);
  const network = (first >> hostBits) << hostBits;
  return {
    version,
    prefix,
    first: network,
    last: network + (1n << hostBits) - 1n,
    text: `${formatAddress(network, version)}/${prefix}`,
  };
}

/**
 * `block` minus every block of `minus`, as CIDR blocks (the fewest a binary split gives). A block wholly inside one of
 * `minus` leaves nothing; one touching none of them is returned as is. Other-family blocks in `minus` are ignored.
 */
export function subtract(block: Cidr, minus: readonly Cidr[]): Cidr[] {
  const relevant = minus.filter((m) => overlaps(block, m));
  if (relevant.length === 0) return [block];
  if (relevant.some((m) => m.first <= block.first && block.last <= m.last)) return [];
  const bits = BITS[block.version];
  if (block.prefix >= bits) return []; // a single address overlapped is covered (handled above); defensive
  const low = cidrOf(block.version, block.first, block.prefix + 1);
  const high = cidrOf(block.version, block.first + (1n << BigInt(bits - block.prefix - 1)), block.prefix + 1);
  return [...subtract(low, relevant), ...subtract(high, relevant)];
}

/** Parse a list of CIDR texts, dropping what does not parse (rules must not crash on odd input). */
export function parseAll(texts: readonly string[]): Cidr[] {
  const out: Cidr[] = [];
  for (const t of texts) {
    try {
      out.push(parseCidr(t));
    } catch {
      // unparseable: contributes nothing
    }
  }
  return out;
}
