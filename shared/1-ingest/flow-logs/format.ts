/**
 * VPC flow-log record formats. A flow-log record is one line of space-separated fields; which fields, in which order,
 * is the flow log's `LogFormat` — the default format (the 14 version-2 fields in the documented order) or a custom
 * format the user chose when creating the flow log (`${version} ${vpc-id} ${srcaddr} …`, any fields in any order, and
 * fixed for the life of the flow log). Everything that reads flow logs — the Contributor Insights rules (positional
 * `Fields` of a CLF rule), the Logs Insights queries (a positional `parse`), the offline reader of `netwatch evidence`
 * — must know the position of each field, so it starts here.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html (available fields, versions)
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_FlowLog.html (`LogFormat`)
 */

/** Every field a flow-log record can carry, with the flow-log version that introduced it. */
export const FLOW_LOG_FIELDS = {
  version: 2,
  'account-id': 2,
  'interface-id': 2,
  srcaddr: 2,
  dstaddr: 2,
  srcport: 2,
  dstport: 2,
  protocol: 2,
  packets: 2,
  bytes: 2,
  start: 2,
  end: 2,
  action: 2,
  'log-status': 2,
  'vpc-id': 3,
  'subnet-id': 3,
  'instance-id': 3,
  'tcp-flags': 3,
  type: 3,
  'pkt-srcaddr': 3,
  'pkt-dstaddr': 3,
  region: 4,
  'az-id': 4,
  'sublocation-type': 4,
  'sublocation-id': 4,
  'pkt-src-aws-service': 5,
  'pkt-dst-aws-service': 5,
  'flow-direction': 5,
  'traffic-path': 5,
  'ecs-cluster-arn': 7,
  'ecs-cluster-name': 7,
  'ecs-container-instance-arn': 7,
  'ecs-container-instance-id': 7,
  'ecs-container-id': 7,
  'ecs-second-container-id': 7,
  'ecs-service-name': 7,
  'ecs-task-definition-arn': 7,
  'ecs-task-arn': 7,
  'ecs-task-id': 7,
  'reject-reason': 8,
} as const;

/** A flow-log field name as AWS spells it in `LogFormat` (`interface-id`, `pkt-srcaddr`). */
export type FlowLogField = keyof typeof FLOW_LOG_FIELDS;

/** The default format: the version-2 fields in the documented order. */
export const DEFAULT_FLOW_LOG_FIELDS: readonly FlowLogField[] = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
];

/** The fields every Netwatch analysis needs: without them a format cannot say who talked to which ENI. */
export const REQUIRED_FLOW_LOG_FIELDS: readonly FlowLogField[] = ['interface-id', 'srcaddr', 'dstaddr', 'action'];

/** A parsed format: the field of each position (0-based), and the reverse look-up. */
export interface FlowLogFormat {
  fields: readonly FlowLogField[];
  /** 0-based position of each field present. */
  position: Readonly<Partial<Record<FlowLogField, number>>>;
  /** True for the AWS default format (Logs Insights discovers its fields by itself). */
  isDefault: boolean;
  /** The `LogFormat` text (`${version} ${account-id} …`). */
  text: string;
}

/** A format string that names no field, an unknown field or a field twice. */
export class FlowLogFormatError extends Error {}

export function isFlowLogField(name: string): name is FlowLogField {
  return Object.hasOwn(FLOW_LOG_FIELDS, name);
}

/** Build a format from a list of field names (validated). */
export function formatFromFields(fields: readonly string[]): FlowLogFormat {
  if (fields.length === 0) throw new FlowLogFormatError('a flow-log format needs at least one field');
  const unknown = fields.filter((f) => !isFlowLogField(f));
  if (unknown.length)
    throw new FlowLogFormatError(
      `unknown flow-log field${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => JSON.stringify(f)).join(', ')} (known: ${Object.keys(FLOW_LOG_FIELDS).join(' ')})`,
    );
  const position: Partial<Record<FlowLogField, number>> = {};
  fields.forEach((f, i) => {
    if (position[f as FlowLogField] !== undefined) throw new FlowLogFormatError(`field "${f}" appears twice`);
    position[f as FlowLogField] = i;
  });
  const typed = fields as FlowLogField[];
  return {
    fields: typed,
    position,
    isDefault:
      typed.length === DEFAULT_FLOW_LOG_FIELDS.length && typed.every((f, i) => f === DEFAULT_FLOW_LOG_FIELDS[i]),
    text: typed.map((f) => `\${${f}}`).join(' '),
  };
}

/** The default format. */
export const DEFAULT_FLOW_LOG_FORMAT: FlowLogFormat = formatFromFields(DEFAULT_FLOW_LOG_FIELDS);

/**
 * Parse a format as users and AWS write it: the `LogFormat` of DescribeFlowLogs (`${version} ${srcaddr} …`), a plain
 * list separated by spaces or commas (`version srcaddr dstaddr`, `version,srcaddr`), or `default` / empty for the
 * default format.
 */
export function parseFlowLogFormat(text: string | undefined): FlowLogFormat {
  const trimmed = (text ?? '').trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'default') return DEFAULT_FLOW_LOG_FORMAT;
  const tokens = trimmed.split(/[\s,]+/).filter((t) => t !== '');
  const fields = tokens.map((t) => {
    const m = /^\$\{([^}]*)\}$/.exec(t);
    if (m) return m[1] ?? '';
    if (t.includes('$') || t.includes('{') || t.includes('}'))
      throw new FlowLogFormatError(`bad token ${JSON.stringify(t)} in flow-log format (write \${field} or field)`);
    return t;
  });
  return formatFromFields(fields);
}

/** The highest flow-log version among a format's fields (what a record's `version` field says for it). */
export function formatVersion(format: FlowLogFormat): number {
  return Math.max(...format.fields.map((f) => FLOW_LOG_FIELDS[f]));
}

/** Fields of {@link REQUIRED_FLOW_LOG_FIELDS} a format lacks. */
export function missingRequiredFields(format: FlowLogFormat): FlowLogField[] {
  return REQUIRED_FLOW_LOG_FIELDS.filter((f) => format.position[f] === undefined);
}

/** True when two formats have the same fields in the same order. */
export function sameFormat(a: FlowLogFormat, b: FlowLogFormat): boolean {
  return a.fields.length === b.fields.length && a.fields.every((f, i) => f === b.fields[i]);
}
