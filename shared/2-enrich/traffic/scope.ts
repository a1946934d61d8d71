import type { Finding } from '../../model/finding.ts';
import { isPublic, tryParseCidr } from '../../net/cidr.ts';
import type { FlowLogRecord } from '../../1-ingest/flow-logs/record.ts';

/**
 * What traffic counts as evidence for a finding: flows *from external (internet-routable) sources* to the affected
 * network interfaces, in the window since the change, and — when the finding opened specific ports (a security-group
 * rule) — only to those ports. The same scope drives the Logs Insights query (query.ts) and the offline reader
 * (local.ts), so `netwatch evidence` over files and the deployed step count the same flows.
 */

/** One port filter: protocol number (undefined = any protocol) and an inclusive port range (undefined = any port). */
export interface PortFilter {
  protocol?: number;
  from?: number;
  to?: number;
}

/**
 * Which sources count: `external` (internet-routable addresses — an SG open to the world, a route to an IGW) or
 * `any` (an endpoint policy or endpoint service opened: who uses it is inside the VPC or comes through PrivateLink,
 * so every source of traffic through those interfaces is evidence).
 */
export type SourceScope = 'external' | 'any';

/** The evidence question. */
export interface TrafficScope {
  interfaces: readonly string[];
  since: Date;
  until: Date;
  /** Empty = any port / protocol. */
  ports: readonly PortFilter[];
  sources: SourceScope;
}

const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58 };
const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' };

/** IANA number of a normalized protocol (`tcp` → 6, `"47"` → 47); undefined for `all`. */
export function protocolNumber(protocol: string): number | undefined {
  if (protocol === 'all') return undefined;
  const known = PROTOCOL_NUMBERS[protocol];
  if (known !== undefined) return known;
  const n = Number(protocol);
  return Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined;
}

/** `tcp` for 6, else the number as text. */
export function protocolName(protocol: number | string | undefined): string {
  if (protocol === undefined) return 'any';
  const n = typeof protocol === 'number' ? protocol : Number(protocol);
  return PROTOCOL_NAMES[n] ?? String(protocol);
}

/** `tcp/22`, `tcp/8000-8080`, `icmp`, `any`. */
export function portFilterLabel(p: PortFilter): string {
  const proto = protocolName(p.protocol);
  if (p.from === undefined) return proto;
  return p.to !== undefined && p.to !== p.from ? `${proto}/${p.from}-${p.to}` : `${proto}/${p.from}`;
}

/** Protocols whose flow-log `dstport` is a port (ICMP records carry 0). */
const HAS_PORTS = new Set([6, 17, 132]);

/**
 * The ports a finding opened: for security-group findings, the ingress permissions it names (protocol `all` → no
 * port scope at all, i.e. any traffic counts). Other categories (routes, endpoint policies, endpoint services) open
 * no specific port: any port counts.
 */
export function portScopeOf(finding: Pick<Finding, 'evidence'>): PortFilter[] {
  const filters: PortFilter[] = [];
  for (const delta of finding.evidence) {
    if (delta.kind !== 'sg-permission' || delta.op === 'removed' || delta.permission.direction !== 'ingress') continue;
    const p = delta.permission;
    const protocol = protocolNumber(p.protocol);
    if (protocol === undefined) return [];
    const ranged = HAS_PORTS.has(protocol) && p.fromPort !== undefined;
    const filter: PortFilter = ranged ? { protocol, from: p.fromPort, to: p.toPort ?? p.fromPort } : { protocol };
    if (!filters.some((f) => f.protocol === filter.protocol && f.from === filter.from && f.to === filter.to))
      filters.push(filter);
  }
  return filters;
}

/** True for an internet-routable source address (not RFC 1918, CGNAT, link-local, ULA, loopback, …). */
export function isExternalAddress(address: string | undefined): boolean {
  if (address === undefined || address === '-' || address === '') return false;
  const cidr = tryParseCidr(address);
  return cidr !== undefined && isPublic(cidr);
}

/** True when the flow's protocol / destination port is inside the scope's port filters (or there are none). */
export function inPortScope(
  protocol: number | undefined,
  dstPort: number | undefined,
  ports: readonly PortFilter[],
): boolean {
  if (ports.length === 0) return true;
  return ports.some(
    (p) =>
      (p.protocol === undefined || p.protocol === protocol) &&
      (p.from === undefined || (dstPort !== undefined && dstPort >= p.from && dstPort <= (p.to ?? p.from))),
  );
}

/**
 * True when a record is evidence under `scope`: on one of the interfaces, inbound from a counted source, in the
 * window (by the record's `start`, when the format has it), in the port scope. NODATA/SKIPDATA records carry no
 * addresses and never match. With a `flow-direction` field, egress records are left out (a reply from an external
 * server to a connection the instance made is not someone reaching in).
 */
export function matchesScope(record: FlowLogRecord, scope: TrafficScope, interfaces: ReadonlySet<string>): boolean {
  if (record.interfaceId === undefined || !interfaces.has(record.interfaceId)) return false;
  if (record.flowDirection === 'egress') return false;
  if (scope.sources === 'external' ? !isExternalAddress(record.srcAddr) : !record.srcAddr) return false;
  if (record.start !== undefined) {
    const t = record.start * 1000;
    if (t < scope.since.getTime() || t > scope.until.getTime()) return false;
  }
  return inPortScope(record.protocol, record.dstPort, scope.ports);
}
