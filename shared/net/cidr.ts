/**
 * Exact IPv4/IPv6 CIDR arithmetic (BigInt for both families, so one code path serves both).
 *
 * AWS quirk kept on purpose: EC2 accepts CIDRs whose host bits are set and stores them as written, so
 * `208.236.235.254/0` or `::5/0` is the whole address space. We therefore compute every range from the *masked*
 * network and never compare CIDR strings.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
 */

import { IPV4_NON_PUBLIC, IPV6_GLOBAL_UNICAST, IPV6_NON_PUBLIC } from './special-purpose.ts';

/** An IP family: 4 or 6. */
export type IpVersion = 4 | 6;

/** A parsed CIDR. `first`/`last` are the masked range bounds, so host bits in the text never matter. */
export interface Cidr {
  version: IpVersion;
  prefix: number;
  first: bigint;
  last: bigint;
  /** The text as given (trimmed). */
  text: string;
}

/** A CIDR string that is not an IPv4/IPv6 prefix. */
export class CidrParseError extends Error {}

const BITS: Readonly<Record<IpVersion, number>> = { 4: 32, 6: 128 };

/**
 * Parse `a.b.c.d/n` or an IPv6 prefix (`::/0`, `2001:db8::/32`, `::ffff:1.2.3.4/128`). A bare address means a
 * single host (/32 or /128).
 * @throws CidrParseError on anything else.
 */
export function parseCidr(text: string): Cidr {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const prefixText = slash < 0 ? undefined : trimmed.slice(slash + 1);
  const version: IpVersion = addressText.includes(':') ? 6 : 4;
  const address = version === 4 ? parseIpv4(addressText) : parseIpv6(addressText);
  if (address === undefined) throw new CidrParseError(`not an IPv${version} address: ${JSON.stringify(text)}`);
  const bits = BITS[version];
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits)
      throw new CidrParseError(`bad prefix length in ${JSON.stringify(text)}`);
    prefix = Number(prefixText);
  }
  const hostBits = BigInt(bits - prefix);
  const first = (address >> hostBits) << hostBits;
  const last = first + (1n << hostBits) - 1n;
  return { version, prefix, first, last, text: trimmed };
}

/** {@link parseCidr} that returns `undefined` instead of throwing (rules must not crash on odd input). */
export function tryParseCidr(text: string): Cidr | undefined {
  try {
    return parseCidr(text);
  } catch (error) {
    if (error instanceof CidrParseError) return undefined;
    throw error;
  }
}

function asCidr(value: string | Cidr): Cidr {
  return typeof value === 'string' ? parseCidr(value) : value;
}

/** Prefix length (`/n`). */
export function prefixLength(cidr: string | Cidr): number {
  return asCidr(cidr).prefix;
}

/** Number of addresses in the range (2^(bits − prefix)). */
export function addressCount(cidr: string | Cidr): bigint {
  const c = asCidr(cidr);
  return c.last - c.first + 1n;
}

/**
 * True for any `/0`, whatever its host bits: `0.0.0.0/0`, `208.236.235.254/0`, `::/0`, `::5/0`.
 * `0.0.0.0/16` and `0.0.0.0/32` are *not* the internet (they sit inside 0.0.0.0/8, "this network").
 */
export function isWholeSpace(cidr: string | Cidr): boolean {
  return asCidr(cidr).prefix === 0;
}

/** True when `outer` contains every address of `inner` (same family only; a CIDR contains itself). */
export function contains(outer: string | Cidr, inner: string | Cidr): boolean {
  const a = asCidr(outer);
  const b = asCidr(inner);
  return a.version === b.version && a.first <= b.first && b.last <= a.last;
}

/** True when `a` strictly contains `b`: same family, `a` holds `b` and more addresses. */
export function widerThan(a: string | Cidr, b: string | Cidr): boolean {
  const x = asCidr(a);
  const y = asCidr(b);
  return contains(x, y) && x.prefix < y.prefix;
}

/** Which families a set of CIDRs reaches completely: every *public* address of the family (see {@link publicShare}). */
export interface CoverResult {
  v4: boolean;
  v6: boolean;
}

/** Inclusive address intervals, sorted and disjoint. */
type Intervals = Array<[bigint, bigint]>;

function merged(ranges: ReadonlyArray<readonly [bigint, bigint]>): Intervals {
  const sorted = [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Intervals = [];
  for (const [first, last] of sorted) {
    const tail = out[out.length - 1];
    if (tail && first <= tail[1] + 1n) {
      if (last > tail[1]) tail[1] = last;
    } else out.push([first, last]);
  }
  return out;
}

function subtract(from: Intervals, minus: Intervals): Intervals {
  const out: Intervals = [];
  for (const [first, last] of from) {
    let start = first;
    for (const [mFirst, mLast] of minus) {
      if (mLast < start || mFirst > last) continue;
      if (mFirst > start) out.push([start, mFirst - 1n]);
      start = mLast + 1n;
      if (start > last) break;
    }
    if (start <= last) out.push([start, last]);
  }
  return out;
}

/** Addresses two interval lists share. */
function overlap(a: Intervals, b: Intervals): bigint {
  let total = 0n;
  let j = 0;
  for (const [first, last] of a) {
    while (j < b.length && b[j]![1] < first) j++;
    for (let k = j; k < b.length && b[k]![0] <= last; k++) {
      const lo = b[k]![0] > first ? b[k]![0] : first;
      const hi = b[k]![1] < last ? b[k]![1] : last;
      if (hi >= lo) total += hi - lo + 1n;
    }
  }
  return total;
}

const span = (c: Cidr): [bigint, bigint] => [c.first, c.last];

/**
 * Ranges that are not reachable from / routed on the public internet: {@link IPV4_NON_PUBLIC} and
 * {@link IPV6_NON_PUBLIC} (shared/net/special-purpose.ts, from the IANA special-purpose registries). For IPv6 the
 * public space is further limited to the Global Unicast block 2000::/3.
 */
export const NON_PUBLIC_RANGES: readonly string[] = [...IPV4_NON_PUBLIC, ...IPV6_NON_PUBLIC].map((b) => b.cidr);

/** The public internet per family, as sorted disjoint intervals, and its size in addresses. */
const PUBLIC: Readonly<Record<IpVersion, { intervals: Intervals; size: bigint }>> = (() => {
  const build = (universe: Cidr, blocks: readonly { cidr: string }[]) => {
    const intervals = subtract([span(universe)], merged(blocks.map((b) => span(parseCidr(b.cidr)))));
    return { intervals, size: intervals.reduce((n, [f, l]) => n + (l - f + 1n), 0n) };
  };
  return {
    4: build(parseCidr('0.0.0.0/0'), IPV4_NON_PUBLIC),
    6: build(parseCidr(IPV6_GLOBAL_UNICAST), IPV6_NON_PUBLIC),
  };
})();

/** How many public addresses the union of these CIDRs (one family) holds, exactly. */
function publicAddresses(ranges: readonly Cidr[], version: IpVersion): bigint {
  return overlap(merged(ranges.filter((c) => c.version === version).map(span)), PUBLIC[version].intervals);
}

function parsedAll(cidrs: Iterable<string | Cidr>): Cidr[] {
  const out: Cidr[] = [];
  for (const value of cidrs) {
    const c = typeof value === 'string' ? tryParseCidr(value) : value;
    if (c) out.push(c);
  }
  return out;
}

/** Share of the public internet, per family: a number in [0, 1]; 1 exactly when every public address is covered. */
export interface PublicShare {
  v4: number;
  v6: number;
}

/**
 * Which share of the public internet (per family) the union of these CIDRs reaches, counting each address once:
 * `['0.0.0.0/1']` → v4 ≈ 0.565 (the lower half minus 0/8, 10/8, 100.64/10, 127/8), `['2000::/3']` → v6 = 1,
 * `['10.0.0.0/8']` → 0. Exactly 1 when {@link coverUnion} says the family is covered. Unparseable entries are ignored.
 */
export function publicShare(cidrs: Iterable<string | Cidr>): PublicShare {
  const all = parsedAll(cidrs);
  const share = (v: IpVersion): number => {
    const covered = publicAddresses(all, v);
    return covered === PUBLIC[v].size ? 1 : Number(covered) / Number(PUBLIC[v].size);
  };
  return { v4: share(4), v6: share(6) };
}

/**
 * A {@link publicShare} for people: `56.5 %`, `0.024 %` below one per cent, `> 99.9 %` just short of all of it (so
 * "100 %" is only ever said of the whole internet), `< 0.001 %` for a sliver.
 */
export function shareText(share: number): string {
  if (share >= 1) return '100 %';
  if (share >= 0.999) return '> 99.9 %';
  if (share > 0 && share < 0.00001) return '< 0.001 %';
  return `${(share * 100).toFixed(share < 0.01 ? 3 : 1)} %`;
}

/**
 * Do these CIDRs, taken together, reach the whole public internet of IPv4 and/or IPv6? True for any `/0`, for the
 * split-prefix trick (`0.0.0.0/1` + `128.0.0.0/1`, or 256 `/8`s) that a "is it /0" check misses, and for lists that
 * cover every public block while skipping private, loopback, reserved and documentation ranges (`2000::/3`, or the
 * ~30 blocks around RFC 1918): those are the internet in all but name. Unparseable entries are ignored.
 */
export function coverUnion(cidrs: Iterable<string | Cidr>): CoverResult {
  const all = parsedAll(cidrs);
  return {
    v4: all.some((c) => c.version === 4) && publicAddresses(all, 4) === PUBLIC[4].size,
    v6: all.some((c) => c.version === 6) && publicAddresses(all, 6) === PUBLIC[6].size,
  };
}

/** True when the CIDRs reach the whole public internet of at least one family ({@link coverUnion}). */
export function coversWholeSpace(cidrs: Iterable<string | Cidr>): boolean {
  const r = coverUnion(cidrs);
  return r.v4 || r.v6;
}

/**
 * True when one CIDR alone reaches every public address of its family: any `/0`, and also `::/1`, `2000::/3`, `::/2`…
 * (IPv6's routable space is 2000::/3). The single-CIDR form of {@link coverUnion}.
 */
export function isWorldEquivalent(cidr: string | Cidr): boolean {
  const c = asCidr(cidr);
  return publicAddresses([c], c.version) === PUBLIC[c.version].size;
}

/**
 * True when the CIDR holds at least one internet-routable address, i.e. it is not wholly inside
 * {@link NON_PUBLIC_RANGES} (nor, for IPv6, outside 2000::/3). So `0.0.0.0/1` is public (it holds most of the
 * internet's lower half) while `10.1.0.0/16`, `0.0.0.0/16`, `fd00::/8` and `4000::/2` are not.
 */
export function isPublic(cidr: string | Cidr): boolean {
  const c = asCidr(cidr);
  return publicAddresses([c], c.version) > 0n;
}

/**
 * The public internet of one family as the fewest CIDRs that tile it exactly (IPv4: 0.0.0.0/5, 8.0.0.0/7, 11.0.0.0/8 …
 * around the special-purpose blocks). What an attacker would list to open "everything but private": tests and docs
 * use it to show that such a list is graded as the internet.
 */
export function publicCidrs(version: IpVersion): string[] {
  const bits = BITS[version];
  const out: string[] = [];
  for (const [first, last] of PUBLIC[version].intervals) {
    let start = first;
    while (start <= last) {
      // Largest aligned block starting at `start` that stays within `last`.
      let size = 0;
      while (
        size < bits &&
        (start & ((1n << BigInt(size + 1)) - 1n)) === 0n &&
        start + (1n << BigInt(size + 1)) - 1n <= last
      )
        size++;
      out.push(`${formatAddress(start, version)}/${bits - size}`);
      start += 1n << BigInt(size);
    }
  }
  return out;
}

/** An address in the usual notation: dotted quad, or RFC 5952 IPv6 (lower case, the longest zero run as `::`). */
export function formatAddress(value: bigint, version: IpVersion): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // RFC 5952: compress the longest run of two or more zero groups.
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length) best = { at: i, length: j - i };
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.length).join(':')}`;
}

/** True for a single address (`/32` IPv4, `/128` IPv6). */
export function isSingleHost(cidr: string | Cidr): boolean {
  const c = asCidr(cidr);
  return c.prefix === BITS[c.version];
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let body = text.toLowerCase();
  // Embedded IPv4 in the last 32 bits (`::ffff:1.2.3.4`): rewrite it as two hex groups, then parse normally.
  const lastColon = body.lastIndexOf(':');
  const last = body.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    body = `${body.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0] ?? '');
  const rest = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const explicit = head.length + rest.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  const words = [...head, ...Array<string>(8 - explicit).fill('0'), ...rest];
  return words.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
