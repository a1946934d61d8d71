/**
 * IP protocol normalization shared by both sources. AWS writes protocols as names (`tcp`), numbers (`6`, `"6"`) or
 * `-1` for "all"; NACL entries always use numbers. We keep one spelling so a Config item and the CloudTrail call of
 * the same change compare equal.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html
 */
const BY_NUMBER: Readonly<Record<string, string>> = {
  '-1': 'all',
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'icmpv6',
};
const NAMES = new Set(['all', 'icmp', 'tcp', 'udp', 'icmpv6']);

/** Normalize an AWS protocol value to `all | tcp | udp | icmp | icmpv6 | <number>`. */
export function normalizeProtocol(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'all';
  const text = String(value).trim().toLowerCase();
  if (text === '-1' || text === 'all' || text === '*') return 'all';
  if (NAMES.has(text)) return text;
  return BY_NUMBER[text] ?? text;
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
