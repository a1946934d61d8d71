import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  DEFAULT_FLOW_LOG_FORMAT,
  type FlowLogFormat,
  parseFlowLogFormat,
  sameFormat,
} from '../1-ingest/flow-logs/format.ts';
import {
  DeniedCallError,
  flowLogsInGroups,
  InterfaceLookupError,
  type Interfaces,
  interfacesOfEndpoint,
  interfacesOfEndpointService,
} from '../2-enrich/traffic/interfaces.ts';
import { contributorInsightsFields, parseCommand } from '../2-enrich/traffic/query.ts';
import { errorSummary } from '../platform/aws/retry.ts';

/**
 * The deploy-time custom resource behind the PrivateLink Contributor Insights rules: CloudFormation asks it (on
 * create and on every update) for the ENIs of the named endpoints (`vpce-…`, consumer side) and endpoint services
 * (`vpce-svc-…`, provider side: their load balancers' ENIs), and — with `flowLogFormat=auto` — for the record format
 * the flow logs in the configured log groups write (DescribeFlowLogs `LogFormat`). The rules, saved queries and
 * dashboard in the template substitute its answers (`Fn::Sub` of `${FlowLogTargets.Target0Enis}` …).
 *
 * Deploy time, not run time: Contributor Insights rules are static JSON, so the ENI list has to be known when the rule
 * is written, and a template resource is what the template tests (and CloudFormation drift detection) can see. The
 * price: an endpoint that gains an AZ later (a new ENI) is picked up by the next `serverless deploy`. Any failure
 * fails the deploy with the reason (an unknown id, a gateway endpoint, formats that differ between the groups).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html
 */

/** What CloudFormation sends (the parts read). */
export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: { Targets?: unknown; LogGroups?: unknown; Format?: unknown; [key: string]: unknown };
}

/** At most this many values in a Contributor Insights `In` filter (rule syntax). */
export const INSIGHT_IN_LIMIT = 10;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The answer's Data: one `Target<i>Enis` (quoted list) and `Target<i>EniCount` per target, and the format. */
export async function discoverTargets(
  ec2: EC2Client,
  properties: CustomResourceEvent['ResourceProperties'],
): Promise<Record<string, string>> {
  const targets = strings(properties.Targets);
  const logGroups = strings(properties.LogGroups);
  const formatSetting = typeof properties.Format === 'string' ? properties.Format : 'auto';
  const data: Record<string, string> = {};
  for (const [i, id] of targets.entries()) {
    let found: Interfaces;
    try {
      found = id.startsWith('vpce-svc-')
        ? await interfacesOfEndpointService(ec2, id)
        : await interfacesOfEndpoint(ec2, id);
    } catch (error) {
      throw new Error(
        `privateLinkEndpoints: ${error instanceof InterfaceLookupError ? error.message : `${id}: ${error instanceof DeniedCallError ? error.message : errorSummary(error)}`}`,
        { cause: error },
      );
    }
    if (found.enis.length === 0)
      throw new Error(`privateLinkEndpoints: ${found.notes[0] ?? `${id} has no network interface`}`);
    if (found.enis.length > INSIGHT_IN_LIMIT)
      throw new Error(
        `privateLinkEndpoints: ${id} has ${found.enis.length} network interfaces; a Contributor Insights filter takes at most ${INSIGHT_IN_LIMIT} values`,
      );
    data[`Target${i}Enis`] = found.enis.map((e) => JSON.stringify(e)).join(', ');
    data[`Target${i}EniCount`] = String(found.enis.length);
  }
  let format: FlowLogFormat;
  if (formatSetting === 'auto') {
    const flowLogs = await flowLogsInGroups(ec2, logGroups);
    const formats = flowLogs.map((f) => ({ f, format: parseFlowLogFormat(f.logFormat) }));
    const first = formats[0]?.format ?? DEFAULT_FLOW_LOG_FORMAT;
    const other = formats.find((x) => !sameFormat(x.format, first));
    if (other)
      throw new Error(
        `flowLogFormat=auto: the flow logs writing to ${logGroups.join(', ')} use different formats (${formats[0]?.f.flowLogId}: ${first.text}; ${other.f.flowLogId}: ${other.format.text}); set --param=flowLogFormat to one of them and split the groups, or use one format`,
      );
    format = first;
    data['FormatSource'] = formats.length
      ? `LogFormat of ${formats.map((x) => x.f.flowLogId).join(', ')}`
      : 'no flow log found: default format';
  } else {
    format = parseFlowLogFormat(formatSetting);
    data['FormatSource'] = 'flowLogFormat parameter';
  }
  data['Format'] = format.text;
  data['Fields'] = JSON.stringify(contributorInsightsFields(format));
  data['ParseCommand'] = parseCommand(format);
  return data;
}

/** The response body CloudFormation expects at the pre-signed ResponseURL. */
export function responseBody(
  event: CustomResourceEvent,
  result: { ok: true; data: Record<string, string> } | { ok: false; reason: string },
  logStream: string,
) {
  return {
    Status: result.ok ? 'SUCCESS' : 'FAILED',
    Reason: result.ok ? `See ${logStream}` : result.reason.slice(0, 3000),
    PhysicalResourceId: event.PhysicalResourceId ?? 'netwatch-flow-log-targets',
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...(result.ok ? { Data: result.data } : {}),
  };
}

/**
 * Handle one request: Delete answers SUCCESS at once (nothing was created); Create / Update discover and answer;
 * any error is answered FAILED with its message, so the deploy stops with a readable reason instead of waiting an
 * hour for a response that never comes.
 */
export async function handleFlowLogTargets(
  event: CustomResourceEvent,
  ec2: EC2Client,
  options: { fetch?: typeof fetch; logStream?: string } = {},
): Promise<ReturnType<typeof responseBody>> {
  let result: { ok: true; data: Record<string, string> } | { ok: false; reason: string };
  if (event.RequestType === 'Delete') result = { ok: true, data: {} };
  else {
    try {
      result = { ok: true, data: await discoverTargets(ec2, event.ResourceProperties) };
    } catch (error) {
      result = { ok: false, reason: (error as Error).message };
    }
  }
  const body = responseBody(event, result, options.logStream ?? 'the function log');
  const text = JSON.stringify(body);
  // The pre-signed S3 URL accepts the PUT with an empty content type.
  const response = await (options.fetch ?? fetch)(event.ResponseURL, {
    method: 'PUT',
    body: text,
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(text)) },
  });
  if (!response.ok) throw new Error(`CloudFormation response upload failed: HTTP ${response.status}`);
  return body;
}
