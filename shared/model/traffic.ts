/**
 * Traffic evidence: what the VPC flow logs of the affected network interfaces show since an exposure opened — how many
 * external sources connected, on which ports, accepted vs rejected, the top sources and their bytes. It is attached
 * to a finding after the fact (a follow-up on the same page / ticket), never computed on the paging path.
 *
 * `status` is a closed union: a responder must be able to tell "nobody came" (`no-traffic`) from "we cannot see"
 * (`no-flow-logs`, `no-interfaces`, `timeout`, `failed`, `denied`).
 */

/** What the evidence step could establish. */
export const TRAFFIC_EVIDENCE_STATUSES = [
  /** Flow logs were read; external traffic was seen. */
  'traffic',
  /** Flow logs were read; no external source reached the interfaces in the window. */
  'no-traffic',
  /** The affected interfaces have no flow log delivering to CloudWatch Logs (or none this stack may read). */
  'no-flow-logs',
  /** The resource has no network interface (an SG attached to nothing, a gateway endpoint, an empty subnet). */
  'no-interfaces',
  /** The query did not finish within the time limit; the partial numbers (if any) are lower bounds. */
  'timeout',
  /** An API call failed (throttled out, log group deleted, resource gone); `notes` says which. */
  'failed',
  /**
   * AWS refused a call the step needs (the role, a service control policy, a permission boundary or a VPC endpoint
   * policy): `denied` names the IAM actions. Never a silent downgrade: the function also counts it (`AwsCallsDenied`).
   */
  'denied',
] as const;

export type TrafficEvidenceStatus = (typeof TRAFFIC_EVIDENCE_STATUSES)[number];

/** Totals for one action (ACCEPT or REJECT). */
export interface ActionTotals {
  /** Distinct external source addresses. */
  sources: number;
  /** Flow-log records (one per 5-tuple and aggregation interval). */
  flows: number;
  packets: number;
  bytes: number;
}

/** Traffic to one protocol/port. */
export interface PortTraffic {
  /** `tcp`, `udp`, `icmp`, … or the protocol number. */
  protocol: string;
  /** Destination port; undefined for protocols without ports. */
  port?: number;
  /** Distinct external sources. */
  sources: number;
  /** Distinct external sources with at least one accepted flow. */
  acceptedSources: number;
  bytes: number;
}

/** One external source. */
export interface SourceTraffic {
  address: string;
  bytes: number;
  packets: number;
  flows: number;
  /** Seen accepted / rejected at least once. */
  accepted: boolean;
  rejected: boolean;
  /** `tcp/22`, … (at most 5). */
  ports: string[];
}

/** How the evidence was obtained, for the console link and reproduction (`netwatch evidence`). */
export interface TrafficQuery {
  /** Logs Insights query text, or `local files` for offline runs. */
  text: string;
  logGroups: string[];
  /** Logs Insights query id (live runs). */
  queryId?: string;
  /** Deep link to CloudWatch Logs Insights with this query, its log groups and time range. */
  consoleUrl?: string;
  /** The stack's saved query (AWS::Logs::QueryDefinition) for the same question, by name. */
  savedQueryName?: string;
  /** Logs Insights statistics. */
  bytesScanned?: number;
  recordsScanned?: number;
  recordsMatched?: number;
}

/** The evidence attached to a finding. */
export interface TrafficEvidence {
  status: TrafficEvidenceStatus;
  /** One line a responder reads: `since it opened: 37 external sources reached tcp/22, 12 accepted`. */
  summary: string;
  /** ISO window. */
  since: string;
  until: string;
  /** Network interfaces looked at (capped; `interfaceCount` is the full number). */
  interfaces: string[];
  interfaceCount: number;
  /** Only traffic to these ports was counted (an SG rule's range), e.g. `tcp/22`; empty = any port. */
  portScope: string[];
  /** `external`: only internet-routable sources counted; `any`: every source (endpoint / endpoint-service findings). */
  sourceScope: 'external' | 'any';
  /** Distinct sources counted (external ones, or all with `sourceScope: any`). */
  externalSources: number;
  accepted: ActionTotals;
  rejected: ActionTotals;
  /** By destination port, busiest first (at most 10). */
  ports: PortTraffic[];
  /** Top sources by bytes (at most 5). */
  topSources: SourceTraffic[];
  /** The result hit the query's row limit: counts are lower bounds. */
  truncated: boolean;
  query?: TrafficQuery;
  /** Caveats: flow logs that capture only REJECT, groups this stack may not read, interfaces capped, … */
  notes: string[];
  /**
   * IAM actions AWS refused while gathering (`logs:StartQuery`, `ec2:DescribeNetworkInterfaces`, …) — with status
   * `denied` when nothing could be read because of them, or next to partial numbers (a refused `logs:StopQuery`).
   */
  denied?: string[];
  /** ISO time the evidence was gathered. */
  gatheredAt: string;
}
