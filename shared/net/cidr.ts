/**
 * Exact IPv4/IPv6 CIDR arithmetic (BigInt for both families, so one code path serves both).
 *
 * AWS quirk kept on purpose: EC2 accepts CIDRs whose host bits are set and stores them as written, so
 * `208.236.235.254/0` or `::5/0` is the whole address space. We therefore compute every range from the *masked*
 * network and never compare CIDR strings.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
 */

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

/** Which families a set of CIDRs covers completely. */
export interface CoverResult {
  v4: boolean;
  v6: boolean;
}

/**
 * Do these CIDRs, taken together, cover the whole IPv4 and/or IPv6 space? Catches the split-prefix trick
 * (`0.0.0.0/1` + `128.0.0.0/1`, or 256 `/8`s) that a "is it /0" check misses. Unparseable entries are ignored.
 */
export function coverUnion(cidrs: Iterable<string | Cidr>): CoverResult {
  const byVersion: Record<IpVersion, Cidr[]> = { 4: [], 6: [] };
  for (const value of cidrs) {
    const c = typeof value === 'string' ? tryParseCidr(value) : value;
    if (c) byVersion[c.version].push(c);
  }
  return { v4: coversFamily(byVersion[4], 4), v6: coversFamily(byVersion[6], 6) };
}

/** True when the CIDRs cover the whole space of at least one family. */
export function coversWholeSpace(cidrs: Iterable<string | Cidr>): boolean {
  const r = coverUnion(cidrs);
  return r.v4 || r.v6;
}

function coversFamily(ranges: Cidr[], version: IpVersion): boolean {
  if (ranges.length === 0) return false;
  const end = (1n << BigInt(BITS[version])) - 1n;
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  let next = 0n; // first address not yet covered
  for (const r of sorted) {
    if (r.first > next) return false;
    if (r.last + 1n > next) next = r.last + 1n;
    if (next > end) return true;
  }
  return false;
}

/**
 * Ranges that are not reachable from / routed on the public internet, from the IANA special-purpose registries
 * (entries with "Globally Reachable: False") plus multicast. Documentation ranges are included: they are never
 * routed, so a rule naming one is a placeholder, not an internet exposure (the corpus labels TEST-NET-3 benign).
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/
 * @see https://www.iana.org/assignments/iana-ipv6-special-registry/
 */
export const NON_PUBLIC_RANGES: readonly string[] = [
  '0.0.0.0/8', // "this network" (0.0.0.0/16, 0.0.0.0/32 live here)
  '10.0.0.0/8', // RFC 1918
  '100.64.0.0/10', // carrier-grade NAT shared space (RFC 6598)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link local (instance metadata lives here)
  '172.16.0.0/12', // RFC 1918
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // TEST-NET-1 (RFC 5737)
  '192.168.0.0/16', // RFC 1918
  '198.18.0.0/15', // benchmarking (RFC 2544)
  '198.51.100.0/24', // TEST-NET-2
  '203.0.113.0/24', // TEST-NET-3
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, incl. 255.255.255.255
  '::/128', // unspecified
  '::1/128', // loopback
  '::ffff:0:0/96', // IPv4-mapped
  '100::/64', // discard-only
  '2001:db8::/32', // documentation (RFC 3849)
  'fc00::/7', // unique local
  'fe80::/10', // link local
  'ff00::/8', // multicast
];

const NON_PUBLIC: readonly Cidr[] = NON_PUBLIC_RANGES.map(parseCidr);

/**
 * True when the CIDR holds at least one internet-routable address, i.e. it is not wholly inside
 * {@link NON_PUBLIC_RANGES}. So `0.0.0.0/1` is public (it holds most of the internet's lower half) while
 * `10.1.0.0/16`, `0.0.0.0/16` and `fd00::/8` are not.
 */
export function isPublic(cidr: string | Cidr): boolean {
  const c = asCidr(cidr);
  return !NON_PUBLIC.some((range) => contains(range, c));
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
