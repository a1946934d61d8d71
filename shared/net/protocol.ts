/**
 * IP protocol normalization shared by both sources. AWS writes protocols as names (`tcp`), numbers (`6`, `"6"`) or
 * `-1` for "all"; NACL entries always use numbers. We keep one spelling so a Config item and the CloudTrail call of
 * the same change compare equal.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html
 */
const BY_NUMBER: Readonly<Record<number, string>> = {
  1: 'icmp',
  6: 'tcp',
  17: 'udp',
  58: 'icmpv6',
};
const NAMES = new Set(['all', 'icmp', 'tcp', 'udp', 'icmpv6']);

/**
 * A protocol number as EC2 parses it: optional sign, decimal digits (leading zeros allowed), optionally `.0…`. So
 * `006`, `+6`, `6.0` are TCP and `-01` is "all", as the API stores them. Hex, exponents and fractions are not numbers
 * EC2 documents, so they are not guessed at.
 */
const NUMBER = /^[+-]?\d{1,10}(?:\.0*)?$/;

/**
 * Normalize an AWS protocol value to `all | tcp | udp | icmp | icmpv6 | <number 0-255>`, the way EC2 stores it:
 * names in any case, IANA numbers in any decimal spelling (`006`, `6.0`, `+6` → `tcp`; `-1`, `-01` → `all`; `050` →
 * `50`). A value that cannot be normalized (`tcp6`, `0x6`, `300`, `-2`) is graded as the worst case — `all`, every
 * protocol and port — never as a mild "protocol 006": if AWS accepted the call, it allowed *something*, and we cannot
 * say it was less than everything. {@link isKnownProtocol} tells the two apart for evidence text.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html (IpProtocol: name or number, -1 = all)
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateNetworkAclEntry.html (Protocol: number, -1 = all)
 */
export function normalizeProtocol(value: unknown): string {
  return protocolOf(value) ?? 'all';
}

/** True when {@link normalizeProtocol} understood the value (it did not fall back to the worst case). */
export function isKnownProtocol(value: unknown): boolean {
  return protocolOf(value) !== undefined;
}

function protocolOf(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return 'all';
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim().toLowerCase();
  if (text === 'all' || text === '*') return 'all';
  if (NAMES.has(text)) return text;
  if (!NUMBER.test(text)) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) return undefined;
  if (n === -1) return 'all';
  if (n < 0 || n > 255) return undefined;
  return BY_NUMBER[n] ?? String(n);
}

/**
 * Normalize a port pair. Returns `{}` (all ports) for protocol all, or when AWS says -1/-1 or omits ports;
 * otherwise numeric from/to (strings such as `"443"` are accepted — some CloudTrail producers log them so).
 */
export function normalizePorts(protocol: string, from: unknown, to: unknown): { fromPort?: number; toPort?: number } {
  if (protocol === 'all') return {};
  const f = toPort(from);
  const t = toPort(to);
  if (f === undefined && t === undefined) return {};
  if (protocol === 'tcp' || protocol === 'udp') {
    if (f === -1 || t === -1) return {};
    return { fromPort: f ?? t!, toPort: t ?? f! };
  }
  return { ...(f !== undefined ? { fromPort: f } : {}), ...(t !== undefined ? { toPort: t } : {}) };
}

function toPort(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  return Number.isFinite(n) ? n : undefined;
}
