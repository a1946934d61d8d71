import { parseCidr, type Cidr, type IpVersion } from './cidr.ts';

/**
 * Set arithmetic on CIDR blocks, exact (BigInt ranges, both families): what is left of a block once other blocks are
 * taken out, and how much of the address space a set of blocks holds. The state step needs both: a network ACL admits
 * from an allow entry only what no lower-numbered deny took first, and a route table sends to an internet gateway only
 * the addresses no more specific route claims (longest prefix wins).
 *
 * Whether a set of blocks reaches "the internet" is never decided here: callers pass the pieces to
 * `coverUnion` / `worldHits` / `isPublic` (shared/net/cidr.ts, world-reach.ts), which own that definition.
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
    text: `${formatAddress(version, network)}/${prefix}`,
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

/**
 * Share of the family's whole address space the blocks hold together (overlaps counted once): 0.5 for `0.0.0.0/1`,
 * 1 for `0.0.0.0/0`. Blocks of the other family are ignored.
 */
export function spaceShare(blocks: readonly Cidr[], version: IpVersion): number {
  const ranges = blocks
    .filter((b) => b.version === version)
    .map((b) => [b.first, b.last] as const)
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  let total = 0n;
  let end = -1n;
  for (const [first, last] of ranges) {
    const from = first > end ? first : end + 1n;
    if (last >= from) total += last - from + 1n;
    if (last > end) end = last;
  }
  const size = 1n << BigInt(BITS[version]);
  // Scale before dividing so shares of tiny IPv6 blocks do not round to 0 too early.
  return Number((total * 1_000_000_000n) / size) / 1_000_000_000;
}

/** `0.5` → `50 %`, `0.0000152` → `< 0.01 %`. */
export function shareText(share: number): string {
  if (share >= 1) return '100 %';
  const pct = share * 100;
  if (pct < 0.01) return '< 0.01 %';
  return `${pct >= 10 ? pct.toFixed(0) : pct.toFixed(2).replace(/\.?0+$/, '')} %`;
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

function formatAddress(version: IpVersion, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // The longest run of zero groups (two or more) becomes `::`.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
