import { consoleApp } from '../../platform/aws/console.ts';
import { wellFormed } from '../../platform/printable.ts';
import type { FlowLogField, FlowLogFormat } from '../../1-ingest/flow-logs/format.ts';
import { NON_PUBLIC_RANGES } from '../../net/cidr.ts';
import type { PortFilter, TrafficScope } from './scope.ts';

/**
 * CloudWatch Logs Insights queries over VPC flow logs, for any record format. Logs Insights discovers flow-log fields
 * by itself only for the default format, so every query starts with a positional `parse` of `@message` built from the
 * format (a regular expression with named capturing groups, one `\S+` per field): the same query text works on
 * default and custom formats, and on consumer (endpoint ENIs) and provider (NLB ENIs) side alike.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Parse.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html (isIpv4InSubnet)
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData_RunSampleQuery.html
 */

/** Names the parsed fields get in queries (Logs Insights field names: letters and digits). */
export const QUERY_FIELD_NAMES: Partial<Record<FlowLogField, string>> = {
  'interface-id': 'interfaceId',
  srcaddr: 'srcAddr',
  dstaddr: 'dstAddr',
  srcport: 'srcPort',
  dstport: 'dstPort',
  protocol: 'protocol',
  packets: 'packets',
  bytes: 'bytes',
  start: 'start',
  action: 'action',
  'log-status': 'logStatus',
  'flow-direction': 'flowDirection',
};

/** The fields the Contributor Insights rules key and filter on (CLF rules address fields by 1-based position). */
export const INSIGHT_FIELDS: readonly FlowLogField[] = [
  'interface-id',
  'srcaddr',
  'dstaddr',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'action',
];

/**
 * The `Fields` of a Contributor Insights CLF rule for a format: 1-based position → name (`{"3": "interfaceId", …}`).
 * Throws when the format lacks a field the rules use.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContributorInsights-RuleSyntax.html
 */
export function contributorInsightsFields(format: FlowLogFormat): Record<string, string> {
  const missing = INSIGHT_FIELDS.filter((f) => format.position[f] === undefined);
  if (missing.length)
    throw new Error(
      `the flow-log format lacks ${missing.join(', ')}: the Contributor Insights rules key on interface-id, srcaddr, dstaddr, dstport, protocol, packets, bytes and action`,
    );
  return Object.fromEntries(
    INSIGHT_FIELDS.map((f) => [String((format.position[f] as number) + 1), QUERY_FIELD_NAMES[f] as string]),
  );
}

/** Row limit of a Logs Insights result (GetQueryResults returns at most 10,000 rows). */
export const QUERY_ROW_LIMIT = 10_000;

/**
 * `parse @message /^\S+ \S+ (?<interfaceId>\S+) …/`: captures the fields the queries use that the format has; the
 * pattern stops after the last captured field.
 */
export function parseCommand(format: FlowLogFormat): string {
  const last = Math.max(...format.fields.map((f, i) => (QUERY_FIELD_NAMES[f] !== undefined ? i : -1)));
  const parts = format.fields.slice(0, last + 1).map((f) => {
    const name = QUERY_FIELD_NAMES[f];
    return name === undefined ? '\\S+' : `(?<${name}>\\S+)`;
  });
  return `parse @message /^${parts.join(' ')}/`;
}

const quote = (value: string): string => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** `filter not isIpv4InSubnet(srcAddr, "10.0.0.0/8") and …`: only internet-routable sources. */
export function externalSourceFilter(field = 'srcAddr'): string {
  const tests = NON_PUBLIC_RANGES.map((range) =>
    range.includes(':')
      ? `not isIpv6InSubnet(${field}, ${quote(range)})`
      : `not isIpv4InSubnet(${field}, ${quote(range)})`,
  );
  return `filter ${field} != "-" and ${tests.join(' and ')}`;
}

/** Ranges up to this many ports are written as an `in [...]` list, larger ones as a numeric comparison. */
const ENUMERATE_PORTS = 32;

function portCondition(p: PortFilter): string {
  const parts: string[] = [];
  if (p.protocol !== undefined) parts.push(`protocol = ${p.protocol}`);
  if (p.from !== undefined) {
    const to = p.to ?? p.from;
    if (to === p.from) parts.push(`dstPort = ${p.from}`);
    else if (to - p.from < ENUMERATE_PORTS)
      parts.push(`dstPort in [${Array.from({ length: to - p.from + 1 }, (_, i) => p.from! + i).join(', ')}]`);
    else parts.push(`dstPort >= ${p.from} and dstPort <= ${to}`);
  }
  return parts.length ? `(${parts.join(' and ')})` : 'true';
}

/** The evidence query: (external) sources reaching the interfaces, by source, protocol, port and action. */
export function evidenceQuery(
  format: FlowLogFormat,
  scope: Pick<TrafficScope, 'interfaces' | 'ports' | 'sources'>,
): string {
  const lines = [
    parseCommand(format),
    `filter interfaceId in [${scope.interfaces.map(quote).join(', ')}]`,
    scope.sources === 'external' ? externalSourceFilter() : 'filter srcAddr != "-"',
  ];
  if (format.position['flow-direction'] !== undefined) lines.push('filter flowDirection != "egress"');
  if (scope.ports.length) lines.push(`filter ${scope.ports.map(portCondition).join(' or ')}`);
  lines.push(
    'stats count(*) as flows, sum(packets) as packetCount, sum(bytes) as byteCount by srcAddr, protocol, dstPort, action',
    'sort byteCount desc',
    `limit ${QUERY_ROW_LIMIT}`,
  );
  return lines.join('\n| ');
}

/** The stack's saved queries (AWS::Logs::QueryDefinition): the question, and its text for a format. */
export interface SavedQuery {
  /** Name suffix (`rejections-per-source`); the stack prefixes `netwatch-<stage>/`. */
  id: string;
  title: string;
  text: string;
}

/** Placeholder ENIs in the generic saved queries (replace before running). */
export const PLACEHOLDER_ENI = 'eni-0123456789abcdef0';

/**
 * The saved queries every flow-log group gets: rejections per source, bytes per peer, traffic of given ENIs (or an
 * SG's ENIs) in a time range; and, per PrivateLink endpoint or service, its top talkers. `parse` is
 * {@link parseCommand} of the format (or a CloudFormation substitution of it); `endpoints` maps ids to a quoted ENI
 * list (`"eni-a", "eni-b"`, or a substitution such as `${FlowLogTargets.Target0Enis}`).
 */
export function savedQueries(parse: string, endpoints: ReadonlyArray<{ id: string; enis: string }> = []): SavedQuery[] {
  const q = (...lines: string[]) => [parse, ...lines].join('\n| ');
  const queries: SavedQuery[] = [
    {
      id: 'rejections-per-source',
      title: 'Rejected flows per source IP',
      text: q(
        'filter action = "REJECT"',
        'stats count(*) as rejectedFlows, sum(packets) as packetCount by srcAddr',
        'sort rejectedFlows desc',
        'limit 100',
      ),
    },
    {
      id: 'bytes-per-peer',
      title: 'Bytes per peer (source → destination)',
      text: q(
        'filter action = "ACCEPT"',
        'stats sum(bytes) as byteCount, count(*) as flows by srcAddr, dstAddr',
        'sort byteCount desc',
        'limit 100',
      ),
    },
    {
      id: 'traffic-of-enis',
      title: "Traffic to/from given ENIs (or an SG's ENIs) in the chosen time range",
      text: [
        `# Replace the ENI ids (an SG's: aws ec2 describe-network-interfaces --filters Name=group-id,Values=sg-…) and pick the time range`,
        q(
          `filter interfaceId in ["${PLACEHOLDER_ENI}"]`,
          'stats count(*) as flows, sum(bytes) as byteCount by interfaceId, srcAddr, dstAddr, dstPort, protocol, action',
          'sort byteCount desc',
          'limit 1000',
        ),
      ].join('\n'),
    },
  ];
  for (const e of endpoints)
    queries.push({
      id: `top-talkers-${e.id}`,
      title: `Top talkers to ${e.id}`,
      text: q(
        `filter interfaceId in [${e.enis}]`,
        'stats sum(bytes) as byteCount, count(*) as flows by srcAddr, action',
        'sort byteCount desc',
        'limit 50',
      ),
    });
  return queries;
}

/** JavaScript `escape()` (kept here because the console's URL scheme is built on it and the global is deprecated). */
function legacyEscape(text: string): string {
  let out = '';
  for (const ch of text) {
    if (/[A-Za-z0-9@*_+\-./]/.test(ch)) out += ch;
    else {
      const code = ch.charCodeAt(0);
      out +=
        code < 256
          ? `%${code.toString(16).toUpperCase().padStart(2, '0')}`
          : `%u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    }
  }
  return out;
}

type Detail = string | number | boolean | readonly Detail[] | { readonly [key: string]: Detail };

/** The console's `~(key~value)` object notation: strings `'`-prefixed and URI-encoded with `*` for `%`. */
function jsurl(value: Detail): string {
  // wellFormed: a lone surrogate (not text) would make encodeURIComponent throw and fail the whole follow-up.
  if (typeof value === 'string') return `'${encodeURIComponent(wellFormed(value)).replace(/%/g, '*')}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `(${value.map((v) => `~${jsurl(v)}`).join('')})`;
  return `(${Object.entries(value as Record<string, Detail>)
    .map(([k, v]) => `${k}~${jsurl(v)}`)
    .join('~')})`;
}

/**
 * A CloudWatch console link that opens Logs Insights with this query, these log groups and this absolute time range
 * (the console's own `queryDetail` fragment encoding — undocumented, so the saved query's name goes along with it).
 */
export function logsInsightsUrl(
  region: string,
  query: string,
  logGroups: readonly string[],
  start: Date,
  end: Date,
): string {
  const detail = {
    end: end.toISOString(),
    start: start.toISOString(),
    timeType: 'ABSOLUTE',
    tz: 'UTC',
    editorString: query,
    isLiveTail: false,
    source: [...logGroups],
  };
  const fragment = encodeURIComponent(`?queryDetail=${legacyEscape(`~${jsurl(detail)}`)}`).replace(/%/g, '$');
  // The region comes from the finding (a record's awsRegion): consoleApp checks it before it becomes a host name.
  return consoleApp(region, 'cloudwatch', `logsV2:logs-insights${fragment}`);
}
