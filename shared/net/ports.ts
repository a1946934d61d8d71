/**
 * Port ranges and named exposure classes. A rule says "tcp/22 open to the world" and grades it by what the range
 * exposes: a range *covering* a sensitive port counts as exposing it (0-1024 exposes ssh), because an attacker
 * scans the whole range.
 *
 * Conventions follow the change model: protocols are `all | tcp | udp | icmp | icmpv6 | <number>`, and an
 * `undefined` port means "all ports". ICMP keeps type/code in from/to as AWS does.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html
 */

/** Exposure classes, most to least severe. `icmp` is an addition to the brief's list: ICMP has no ports. */
export type ExposureClass = 'all-traffic' | 'admin' | 'data-store' | 'web' | 'other' | 'icmp';

/** A well-known service port (or small range) and the transports it listens on. */
export interface NamedPort {
  name: string;
  from: number;
  to: number;
  protocols: readonly ('tcp' | 'udp')[];
}

const TCP = ['tcp'] as const;
const UDP = ['udp'] as const;
const BOTH = ['tcp', 'udp'] as const;

/**
 * Remote administration and remote-execution surfaces: exposed to the internet they are brute-forced within
 * minutes (CIS AWS Foundations 5.2/5.3 single out 22 and 3389).
 */
export const ADMIN_PORTS: readonly NamedPort[] = [
  { name: 'ftp', from: 21, to: 21, protocols: TCP },
  { name: 'ssh', from: 22, to: 22, protocols: TCP },
  { name: 'telnet', from: 23, to: 23, protocols: TCP },
  { name: 'msrpc', from: 135, to: 135, protocols: TCP },
  { name: 'netbios', from: 137, to: 139, protocols: BOTH },
  { name: 'snmp', from: 161, to: 162, protocols: UDP },
  { name: 'smb', from: 445, to: 445, protocols: TCP },
  { name: 'ipmi', from: 623, to: 623, protocols: UDP },
  { name: 'docker-api', from: 2375, to: 2376, protocols: TCP },
  { name: 'rdp', from: 3389, to: 3389, protocols: BOTH },
  { name: 'vnc', from: 5900, to: 5903, protocols: TCP },
  { name: 'winrm', from: 5985, to: 5986, protocols: TCP },
  { name: 'kubernetes-api', from: 6443, to: 6443, protocols: TCP },
  { name: 'kubelet', from: 10250, to: 10250, protocols: TCP },
];

/** Databases, caches, search and queues: frequently deployed without auth, exposure means data theft. */
export const DATA_STORE_PORTS: readonly NamedPort[] = [
  { name: 'oracle', from: 1521, to: 1521, protocols: TCP },
  { name: 'mssql', from: 1433, to: 1434, protocols: BOTH },
  { name: 'nfs', from: 2049, to: 2049, protocols: BOTH },
  { name: 'zookeeper', from: 2181, to: 2181, protocols: TCP },
  { name: 'etcd', from: 2379, to: 2380, protocols: TCP },
  { name: 'mysql', from: 3306, to: 3306, protocols: TCP },
  { name: 'postgresql', from: 5432, to: 5432, protocols: TCP },
  { name: 'kibana', from: 5601, to: 5601, protocols: TCP },
  { name: 'rabbitmq', from: 5672, to: 5672, protocols: TCP },
  { name: 'couchdb', from: 5984, to: 5984, protocols: TCP },
  { name: 'redis', from: 6379, to: 6380, protocols: TCP },
  { name: 'neo4j', from: 7474, to: 7474, protocols: TCP },
  { name: 'influxdb', from: 8086, to: 8086, protocols: TCP },
  { name: 'cassandra', from: 9042, to: 9042, protocols: TCP },
  { name: 'kafka', from: 9092, to: 9092, protocols: TCP },
  { name: 'elasticsearch', from: 9200, to: 9200, protocols: TCP },
  { name: 'elasticsearch-transport', from: 9300, to: 9300, protocols: TCP },
  { name: 'memcached', from: 11211, to: 11211, protocols: BOTH },
  { name: 'mongodb', from: 27017, to: 27019, protocols: TCP },
];

/** Web ports: meant to be public for public sites, yet still internet reachable (so still reported). */
export const WEB_PORTS: readonly NamedPort[] = [
  { name: 'http', from: 80, to: 80, protocols: TCP },
  { name: 'https', from: 443, to: 443, protocols: BOTH },
  { name: 'http-alt', from: 8080, to: 8080, protocols: TCP },
  { name: 'https-alt', from: 8443, to: 8443, protocols: TCP },
];

/** What a protocol + port range exposes. */
export interface Exposure {
  class: ExposureClass;
  /** Named ports of the winning class that the range touches (empty for all-traffic / other / icmp). */
  ports: NamedPort[];
  /** `tcp/22`, `tcp/0-1024`, `all traffic`, `icmp type 8 code 0`… for summaries. */
  label: string;
}

/** A protocol with a port range (`undefined` ports = all). */
export interface PortRange {
  protocol: string;
  fromPort?: number | undefined;
  toPort?: number | undefined;
}

const MAX_PORT = 65535;

/** True when the range is every port of every protocol, or every port of tcp/udp (0-65535, 1-65535, or -1/absent). */
export function isAllTraffic(range: PortRange): boolean {
  if (range.protocol === 'all') return true;
  if (!isPortProtocol(range.protocol)) return false;
  const { from, to } = bounds(range);
  return from <= 1 && to >= MAX_PORT;
}

/** True for protocols whose from/to fields are ports (tcp, udp). */
export function isPortProtocol(protocol: string): protocol is 'tcp' | 'udp' {
  return protocol === 'tcp' || protocol === 'udp';
}

/**
 * Classify what a range exposes. Precedence when a range spans several classes:
 * all-traffic > admin > data-store > web > other. ICMP is its own class (no ports, diagnostic traffic).
 * Other IP protocols (e.g. `50` ESP, `47` GRE) are `other`.
 */
export function exposureOf(protocol: string, fromPort?: number, toPort?: number): Exposure {
  const range: PortRange = { protocol, fromPort, toPort };
  const label = portLabel(range);
  if (isAllTraffic(range)) return { class: 'all-traffic', ports: [], label };
  if (protocol === 'icmp' || protocol === 'icmpv6') return { class: 'icmp', ports: [], label };
  if (!isPortProtocol(protocol)) return { class: 'other', ports: [], label };
  for (const [cls, list] of [
    ['admin', ADMIN_PORTS],
    ['data-store', DATA_STORE_PORTS],
    ['web', WEB_PORTS],
  ] as const) {
    const touched = touchedPorts(range, list);
    if (touched.length > 0) return { class: cls, ports: touched, label };
  }
  return { class: 'other', ports: [], label };
}

/** Named ports of `list` that the range overlaps on a matching transport. */
export function touchedPorts(range: PortRange, list: readonly NamedPort[]): NamedPort[] {
  if (range.protocol !== 'all' && !isPortProtocol(range.protocol)) return [];
  const { from, to } = bounds(range);
  return list.filter(
    (p) =>
      (range.protocol === 'all' || p.protocols.includes(range.protocol as 'tcp' | 'udp')) &&
      p.from <= to &&
      from <= p.to,
  );
}

/** Human label: `tcp/22`, `tcp/8000-8100`, `udp (all ports)`, `all traffic`, `icmp type 8 code 0`, `protocol 50`. */
export function portLabel(range: PortRange): string {
  const { protocol, fromPort, toPort } = range;
  if (protocol === 'all') return 'all traffic';
  if (isPortProtocol(protocol)) {
    if (fromPort === undefined && toPort === undefined) return `${protocol} (all ports)`;
    const f = fromPort ?? toPort;
    const t = toPort ?? fromPort;
    return f === t ? `${protocol}/${f}` : `${protocol}/${f}-${t}`;
  }
  if (protocol === 'icmp' || protocol === 'icmpv6') {
    if (fromPort === undefined || fromPort === -1) return `${protocol} (all types)`;
    return toPort === undefined || toPort === -1
      ? `${protocol} type ${fromPort}`
      : `${protocol} type ${fromPort} code ${toPort}`;
  }
  return `protocol ${protocol}`;
}

/**
 * True when `outer` allows every packet `inner` allows: protocol `all` covers everything; otherwise the protocols
 * must match and (for tcp/udp) the port range must contain the other. For ICMP, "all types" covers any type.
 */
export function rangeCovers(outer: PortRange, inner: PortRange): boolean {
  if (outer.protocol === 'all') return true;
  if (outer.protocol !== inner.protocol) return false;
  if (isPortProtocol(outer.protocol)) {
    const o = bounds(outer);
    const i = bounds(inner);
    return o.from <= i.from && i.to <= o.to;
  }
  if (outer.protocol === 'icmp' || outer.protocol === 'icmpv6') {
    if (outer.fromPort === undefined || outer.fromPort === -1) return true;
    if (outer.fromPort !== inner.fromPort) return false;
    return outer.toPort === undefined || outer.toPort === -1 || outer.toPort === inner.toPort;
  }
  return true; // same non-port protocol: no ports to compare
}

/** True when `after` allows strictly more than `before` (covers it and is not equal to it). */
export function rangeWidened(before: PortRange, after: PortRange): boolean {
  return rangeCovers(after, before) && !rangeCovers(before, after);
}

function bounds(range: PortRange): { from: number; to: number } {
  if (range.fromPort === undefined && range.toPort === undefined) return { from: 0, to: MAX_PORT };
  const from = range.fromPort ?? range.toPort ?? 0;
  const to = range.toPort ?? range.fromPort ?? MAX_PORT;
  if (from === -1 || to === -1) return { from: 0, to: MAX_PORT };
  return { from: Math.min(from, to), to: Math.max(from, to) };
}
