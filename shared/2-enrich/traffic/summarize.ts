import type {
  ActionTotals,
  PortTraffic,
  SourceTraffic,
  TrafficEvidence,
  TrafficEvidenceStatus,
} from '../../model/traffic.ts';
import { portFilterLabel, protocolName, type TrafficScope } from './scope.ts';

/**
 * One aggregated row: the flows of one external source to one protocol/port with one action. Logs Insights returns
 * these (`stats … by srcAddr, protocol, dstPort, action`), and the offline reader builds the same rows from files,
 * so both produce the same evidence.
 */
export interface FlowRow {
  srcAddr: string;
  protocol?: number;
  dstPort?: number;
  action: 'ACCEPT' | 'REJECT';
  flows: number;
  packets: number;
  bytes: number;
}

const PORTS_SHOWN = 10;
const SOURCES_SHOWN = 5;

const PORTLESS = new Set([1, 58]);

function portKey(row: FlowRow): { key: string; protocol: string; port?: number } {
  const protocol = protocolName(row.protocol);
  const port = row.protocol !== undefined && PORTLESS.has(row.protocol) ? undefined : row.dstPort;
  return {
    key: port === undefined ? protocol : `${protocol}/${port}`,
    protocol,
    ...(port !== undefined ? { port } : {}),
  };
}

function totals(rows: readonly FlowRow[]): ActionTotals {
  return {
    sources: new Set(rows.map((r) => r.srcAddr)).size,
    flows: rows.reduce((n, r) => n + r.flows, 0),
    packets: rows.reduce((n, r) => n + r.packets, 0),
    bytes: rows.reduce((n, r) => n + r.bytes, 0),
  };
}

/** What {@link summarizeRows} needs besides the rows. */
export interface SummaryInput {
  scope: TrafficScope;
  /** All interfaces of the resource (the scope may hold a capped list). */
  interfaceCount: number;
  truncated: boolean;
  notes: string[];
  now: Date;
  /** `timeout` keeps the partial numbers but says so. */
  status?: Extract<TrafficEvidenceStatus, 'timeout'>;
}

/** Rows → evidence (counts, busiest ports, top sources) with the one-line summary. */
export function summarizeRows(rows: readonly FlowRow[], input: SummaryInput): TrafficEvidence {
  const accepted = rows.filter((r) => r.action === 'ACCEPT');
  const rejected = rows.filter((r) => r.action === 'REJECT');
  const sources = new Map<string, SourceTraffic & { portSet: Set<string> }>();
  const ports = new Map<string, PortTraffic & { all: Set<string>; ok: Set<string> }>();
  for (const r of rows) {
    const s = sources.get(r.srcAddr) ?? {
      address: r.srcAddr,
      bytes: 0,
      packets: 0,
      flows: 0,
      accepted: false,
      rejected: false,
      ports: [],
      portSet: new Set<string>(),
    };
    s.bytes += r.bytes;
    s.packets += r.packets;
    s.flows += r.flows;
    if (r.action === 'ACCEPT') s.accepted = true;
    else s.rejected = true;
    const pk = portKey(r);
    s.portSet.add(pk.key);
    sources.set(r.srcAddr, s);
    const p = ports.get(pk.key) ?? {
      protocol: pk.protocol,
      ...(pk.port !== undefined ? { port: pk.port } : {}),
      sources: 0,
      acceptedSources: 0,
      bytes: 0,
      all: new Set<string>(),
      ok: new Set<string>(),
    };
    p.all.add(r.srcAddr);
    if (r.action === 'ACCEPT') p.ok.add(r.srcAddr);
    p.bytes += r.bytes;
    ports.set(pk.key, p);
  }
  const portList: PortTraffic[] = [...ports.values()]
    .map(({ all, ok, ...p }) => ({ ...p, sources: all.size, acceptedSources: ok.size }))
    .sort((a, b) => b.sources - a.sources || b.bytes - a.bytes || (a.port ?? -1) - (b.port ?? -1))
    .slice(0, PORTS_SHOWN);
  const topSources: SourceTraffic[] = [...sources.values()]
    .sort((a, b) => b.bytes - a.bytes || b.flows - a.flows || a.address.localeCompare(b.address))
    .slice(0, SOURCES_SHOWN)
    .map(({ portSet, ...s }) => ({ ...s, ports: [...portSet].sort().slice(0, 5) }));
  const external = sources.size;
  const acceptedSources = new Set(accepted.map((r) => r.srcAddr)).size;
  const status: TrafficEvidenceStatus = input.status ?? (external > 0 ? 'traffic' : 'no-traffic');
  const scopeText = input.scope.ports.length ? input.scope.ports.map(portFilterLabel).join(', ') : 'any port';
  const atLeast = input.truncated || status === 'timeout' ? 'at least ' : '';
  const kind = input.scope.sources === 'external' ? 'external source' : 'source';
  const reached =
    portList.length === 0
      ? scopeText
      : input.scope.ports.length
        ? scopeText
        : portList
            .slice(0, 3)
            .map((p) => (p.port === undefined ? p.protocol : `${p.protocol}/${p.port}`))
            .join(', ') + (ports.size > 3 ? ` (+${ports.size - 3} more ports)` : '');
  const summary =
    external === 0
      ? status === 'timeout'
        ? `flow-log query timed out before any result: traffic since ${input.scope.since.toISOString()} is unknown`
        : `since it opened: no ${kind} reached ${scopeText} (${input.scope.interfaces.length} interface${input.scope.interfaces.length === 1 ? '' : 's'}, flow logs read)`
      : `since it opened: ${atLeast}${external} ${kind}${external === 1 ? '' : 's'} reached ${reached}, ${acceptedSources} accepted${status === 'timeout' ? ' (query timed out: partial)' : ''}`;
  return {
    status,
    summary,
    ...scopeFields(input),
    externalSources: external,
    accepted: totals(accepted),
    rejected: totals(rejected),
    ports: portList,
    topSources,
    truncated: input.truncated,
    notes: input.notes,
    gatheredAt: input.now.toISOString(),
  };
}

/** What the evidence looked at: the window, the interfaces, the ports and sources counted. */
function scopeFields(input: Pick<SummaryInput, 'scope' | 'interfaceCount'>) {
  return {
    since: input.scope.since.toISOString(),
    until: input.scope.until.toISOString(),
    interfaces: [...input.scope.interfaces],
    interfaceCount: input.interfaceCount,
    portScope: input.scope.ports.map(portFilterLabel),
    sourceScope: input.scope.sources,
  };
}

/** Evidence that says why there are no numbers (no flow logs, no interfaces, a failed call). */
export function emptyEvidence(
  status: Exclude<TrafficEvidenceStatus, 'traffic' | 'no-traffic'>,
  summary: string,
  input: Omit<SummaryInput, 'truncated' | 'status'>,
): TrafficEvidence {
  const none: ActionTotals = { sources: 0, flows: 0, packets: 0, bytes: 0 };
  return {
    status,
    summary,
    ...scopeFields(input),
    externalSources: 0,
    accepted: none,
    rejected: { ...none },
    ports: [],
    topSources: [],
    truncated: false,
    notes: input.notes,
    gatheredAt: input.now.toISOString(),
  };
}
