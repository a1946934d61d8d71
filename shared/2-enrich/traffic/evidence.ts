import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  type FlowLogFormat,
  FlowLogFormatError,
  missingRequiredFields,
  parseFlowLogFormat,
} from '../../1-ingest/flow-logs/format.ts';
import type { Category } from '../../model/category.ts';
import type { Finding } from '../../model/finding.ts';
import type { TrafficEvidence } from '../../model/traffic.ts';
import { errorSummary } from '../../platform/aws/retry.ts';
import {
  DeniedCallError,
  flowLogsFor,
  type Interfaces,
  interfacesOfEndpoint,
  interfacesOfEndpointService,
  interfacesOfRouteTable,
  interfacesOfSecurityGroup,
} from './interfaces.ts';
import { runLogsInsightsQuery } from './logs-insights.ts';
import { evidenceQuery, logsInsightsUrl, QUERY_ROW_LIMIT } from './query.ts';
import { portScopeOf, type SourceScope, type TrafficScope } from './scope.ts';
import { emptyEvidence, type FlowRow, summarizeRows } from './summarize.ts';

/**
 * The traffic-evidence step: given a risky finding (an exposure that opened) and when it opened, read the VPC flow
 * logs of the affected network interfaces since then and say who came — bounded in time and cost. The interface is
 * deliberately small so the step can be triggered by anything that knows "exposure X opened at T": today the
 * finding's own change time; with episodes (issue 14) the episode's opening.
 *
 *   gatherTrafficEvidence({ finding, since? }, deps) → TrafficEvidence   (never throws on AWS errors)
 *
 * Which interfaces: an SG's attached ENIs (`sg-open-world`), an endpoint's ENIs (`endpoint-policy-loosened`), an
 * endpoint service's load-balancer ENIs (`endpoint-service-open`), the ENIs in the subnets a route table serves
 * (`route-to-igw`). Which log groups: the flow logs attached to those ENIs, their subnets or VPCs that deliver to
 * CloudWatch Logs (DescribeFlowLogs), limited to the groups this deployment may read. One Logs Insights query per
 * distinct record format (usually one), one after the other, within one time limit.
 */

/** Finding categories the step answers. */
export const EVIDENCE_CATEGORIES: readonly Category[] = [
  'sg-open-world',
  'endpoint-policy-loosened',
  'endpoint-service-open',
  'route-to-igw',
];

/** What triggers the step: the finding, and when its exposure opened (default: the change time). */
export interface EvidenceRequest {
  finding: Finding;
  /** ISO time the exposure opened (episode start); default `finding.at`. */
  since?: string;
  /** ISO end of the window; default now (the CLI asks about past windows). */
  until?: string;
}

/** AWS clients and bounds. */
export interface EvidenceDeps {
  ec2: EC2Client;
  logs: CloudWatchLogsClient;
  /** Log groups this deployment may query (the role's StartQuery resources); undefined = any. */
  allowedLogGroups?: readonly string[];
  /** Time limit for all queries together (default 120 s). */
  timeoutMs?: number;
  pollMs?: number;
  /** At most this many interfaces are queried (default 200: the query text stays well under 10,000 characters). */
  maxInterfaces?: number;
  /** Name of the stack's saved query for the same question (shown with the console link). */
  savedQueryName?: string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** Whether a finding is one the step answers. */
export function wantsEvidence(finding: Pick<Finding, 'category'>): boolean {
  return EVIDENCE_CATEGORIES.includes(finding.category);
}

/** Source scope per category: the internet for SGs and routes, any user for endpoints and endpoint services. */
export function sourceScopeOf(category: Category): SourceScope {
  return category === 'endpoint-policy-loosened' || category === 'endpoint-service-open' ? 'any' : 'external';
}

async function interfacesOf(finding: Finding, ec2: EC2Client): Promise<Interfaces> {
  const id = finding.resource.id;
  switch (finding.resource.type) {
    case 'AWS::EC2::SecurityGroup':
      return interfacesOfSecurityGroup(ec2, id);
    case 'AWS::EC2::VPCEndpoint':
      return interfacesOfEndpoint(ec2, id);
    case 'AWS::EC2::VPCEndpointService':
      return interfacesOfEndpointService(ec2, id);
    case 'AWS::EC2::RouteTable':
      return interfacesOfRouteTable(ec2, id);
    default:
      return { enis: [], placement: {}, notes: [`no interface look-up for ${finding.resource.type}`] };
  }
}

/**
 * The documented step: never throws for AWS errors — they become a `failed` evidence that says what failed, or a
 * `denied` one naming the IAM action AWS refused (`denied` lists every refused action, also next to partial numbers).
 */
export async function gatherTrafficEvidence(request: EvidenceRequest, deps: EvidenceDeps): Promise<TrafficEvidence> {
  const denied: string[] = [];
  const evidence = await gather(request, deps, denied);
  const actions = [...new Set(denied)];
  if (actions.length > 0) evidence.denied = actions;
  return evidence;
}

/** `traffic unknown: <action> denied (<what could not be done>)`, the note naming the error. */
function deniedEvidence(
  error: DeniedCallError,
  what: string,
  denied: string[],
  base: () => Parameters<typeof emptyEvidence>[2],
): TrafficEvidence {
  denied.push(error.action);
  const input = base();
  input.notes.push(error.message);
  return emptyEvidence('denied', `traffic unknown: ${error.action} denied (${what})`, input);
}

async function gather(request: EvidenceRequest, deps: EvidenceDeps, denied: string[]): Promise<TrafficEvidence> {
  const { finding } = request;
  const now = deps.now?.() ?? new Date();
  const until = request.until !== undefined && !Number.isNaN(Date.parse(request.until)) ? new Date(request.until) : now;
  const sinceText = request.since ?? finding.at;
  const since = new Date(Number.isNaN(Date.parse(sinceText)) ? until.getTime() : Date.parse(sinceText));
  const scope: TrafficScope = {
    interfaces: [],
    since: since > until ? until : since,
    until,
    ports: portScopeOf(finding),
    sources: sourceScopeOf(finding.category),
  };
  const notes: string[] = [];
  const base = () => ({ scope, interfaceCount: found?.enis.length ?? 0, notes, now });
  let found: Interfaces | undefined;
  try {
    found = await interfacesOf(finding, deps.ec2);
  } catch (error) {
    if (error instanceof DeniedCallError)
      return deniedEvidence(error, `could not find the network interfaces of ${finding.resource.id}`, denied, base);
    notes.push(`interface look-up failed: ${errorSummary(error)}`);
    return emptyEvidence(
      'failed',
      `traffic unknown: could not find the network interfaces of ${finding.resource.id}`,
      base(),
    );
  }
  notes.push(...found.notes);
  if (found.enis.length === 0)
    return emptyEvidence(
      'no-interfaces',
      `no traffic to look at: ${found.notes[0] ?? `${finding.resource.id} has no network interface`}`,
      base(),
    );
  const max = deps.maxInterfaces ?? 200;
  const enis = found.enis.slice(0, max);
  if (found.enis.length > max) notes.push(`only the first ${max} of ${found.enis.length} interfaces were queried`);
  scope.interfaces = enis;

  // Which flow logs record these interfaces (attached to the ENI, its subnet or its VPC)?
  let flowLogs: Awaited<ReturnType<typeof flowLogsFor>>;
  const placement = found.placement;
  const resources = enis.flatMap((e) =>
    [e, placement[e]?.subnetId, placement[e]?.vpcId].filter((x): x is string => !!x),
  );
  try {
    flowLogs = await flowLogsFor(deps.ec2, resources);
  } catch (error) {
    if (error instanceof DeniedCallError)
      return deniedEvidence(error, `could not list the flow logs of ${finding.resource.id}`, denied, base);
    notes.push(`DescribeFlowLogs failed: ${errorSummary(error)}`);
    return emptyEvidence('failed', `traffic unknown: could not list the flow logs of ${finding.resource.id}`, base());
  }
  if (flowLogs.others > 0)
    notes.push(
      `${flowLogs.others} flow log(s) of these interfaces deliver to S3 or Firehose, which Logs Insights cannot read`,
    );
  const allowed = deps.allowedLogGroups ? new Set(deps.allowedLogGroups) : undefined;
  const usable = flowLogs.cloudWatch.filter((f) => {
    if (allowed && !allowed.has(f.logGroupName)) {
      notes.push(
        `flow log ${f.flowLogId} writes to ${f.logGroupName}, which this deployment may not read (add it to flowLogGroups)`,
      );
      return false;
    }
    if (f.trafficType && f.trafficType !== 'ALL')
      notes.push(`flow log ${f.flowLogId} records ${f.trafficType} traffic only`);
    return true;
  });
  const covers = (eni: string, f: { resourceId: string }) =>
    f.resourceId === eni || f.resourceId === placement[eni]?.subnetId || f.resourceId === placement[eni]?.vpcId;
  const covered = enis.filter((e) => usable.some((f) => covers(e, f)));
  if (covered.length === 0)
    return emptyEvidence(
      'no-flow-logs',
      `no flow logs: the ${enis.length} network interface${enis.length === 1 ? '' : 's'} of ${finding.resource.id} ${flowLogs.cloudWatch.length ? 'have no flow log this deployment may read' : 'have no VPC flow log delivering to CloudWatch Logs'}, so traffic since the change is unknown`,
      base(),
    );
  if (covered.length < enis.length)
    notes.push(`${enis.length - covered.length} of ${enis.length} interfaces have no readable flow log (not counted)`);
  scope.interfaces = covered;

  // One query per record format (formats are fixed per flow log; groups with several formats are split).
  const byFormat = new Map<string, { format: FlowLogFormat; groups: Set<string> }>();
  for (const f of usable) {
    let format: FlowLogFormat;
    try {
      format = parseFlowLogFormat(f.logFormat);
    } catch (error) {
      notes.push(
        `flow log ${f.flowLogId}: ${error instanceof FlowLogFormatError ? error.message : errorSummary(error)}`,
      );
      continue;
    }
    const missing = missingRequiredFields(format);
    if (missing.length) {
      notes.push(`flow log ${f.flowLogId} does not record ${missing.join(', ')}: it cannot show who connected`);
      continue;
    }
    const entry = byFormat.get(format.text) ?? { format, groups: new Set<string>() };
    entry.groups.add(f.logGroupName);
    byFormat.set(format.text, entry);
  }
  if (byFormat.size === 0)
    return emptyEvidence(
      'no-flow-logs',
      `no usable flow logs for ${finding.resource.id}: ${notes.at(-1) ?? ''}`,
      base(),
    );

  const started = Date.now();
  const budget = deps.timeoutMs ?? 120_000;
  const rows: FlowRow[] = [];
  let truncated = false;
  let timedOut = false;
  let failed: string | undefined;
  let refused: { action: string; detail: string } | undefined;
  let first: TrafficEvidence['query'];
  for (const { format, groups } of byFormat.values()) {
    const text = evidenceQuery(format, scope);
    const logGroups = [...groups].sort().slice(0, 50);
    const left = budget - (Date.now() - started);
    if (left <= 0) {
      timedOut = true;
      notes.push(`no time left to query ${logGroups.join(', ')}`);
      break;
    }
    const run = await runLogsInsightsQuery(
      deps.logs,
      { logGroups, query: text, start: scope.since, end: scope.until, limit: QUERY_ROW_LIMIT },
      {
        timeoutMs: left,
        ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
      },
    );
    const query = {
      text,
      logGroups,
      consoleUrl: logsInsightsUrl(finding.region, text, logGroups, scope.since, scope.until),
      ...(deps.savedQueryName ? { savedQueryName: deps.savedQueryName } : {}),
      ...('queryId' in run && run.queryId ? { queryId: run.queryId } : {}),
      ...('statistics' in run && run.statistics ? run.statistics : {}),
    };
    first ??= query;
    if ('denied' in run && run.denied) {
      denied.push(...run.denied);
      if (run.denied.includes('logs:StopQuery'))
        notes.push(
          `logs:StopQuery denied: query ${'queryId' in run ? run.queryId : ''} could not be stopped and runs on until Logs Insights ends it`,
        );
    }
    if (run.status === 'Denied') {
      refused ??= { action: run.denied[0] ?? 'logs:StartQuery', detail: run.detail };
      notes.push(run.detail);
      continue;
    }
    if (run.status === 'NoLogGroup' || run.status === 'Failed') {
      failed = run.detail;
      notes.push(run.detail);
      continue;
    }
    if (run.status === 'Timeout') {
      timedOut = true;
      notes.push(
        run.timedOut === 'limit'
          ? `query ${run.queryId} stopped after the ${Math.round(budget / 1000)} s limit: numbers are partial`
          : `Logs Insights timed out query ${run.queryId}: numbers are partial`,
      );
    }
    if (run.rows.length >= QUERY_ROW_LIMIT) truncated = true;
    for (const r of run.rows) {
      const row = toFlowRow(r);
      if (row) rows.push(row);
    }
  }
  if (refused !== undefined && rows.length === 0 && !timedOut) {
    const out = emptyEvidence(
      'denied',
      `traffic unknown: ${refused.action} denied (could not read the flow logs of ${finding.resource.id})`,
      base(),
    );
    if (first) out.query = first;
    return out;
  }
  if (failed !== undefined && rows.length === 0 && !timedOut) {
    const out = emptyEvidence('failed', `traffic unknown: ${failed}`, base());
    if (first) out.query = first;
    return out;
  }
  const evidence = summarizeRows(rows, {
    scope,
    interfaceCount: found.enis.length,
    truncated,
    notes,
    now,
    ...(timedOut ? { status: 'timeout' as const } : {}),
  });
  if (first) evidence.query = first;
  return evidence;
}

/** One Logs Insights result row → FlowRow (fields as named in the evidence query). */
export function toFlowRow(r: Record<string, string>): FlowRow | undefined {
  const action = r['action'];
  if (!r['srcAddr'] || (action !== 'ACCEPT' && action !== 'REJECT')) return undefined;
  const num = (v: string | undefined) => (v !== undefined && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined);
  const protocol = num(r['protocol']);
  const dstPort = num(r['dstPort']);
  return {
    srcAddr: r['srcAddr'],
    ...(protocol !== undefined ? { protocol } : {}),
    ...(dstPort !== undefined ? { dstPort } : {}),
    action,
    flows: num(r['flows']) ?? 0,
    packets: num(r['packetCount']) ?? 0,
    bytes: num(r['byteCount']) ?? 0,
  };
}
