import { MalformedInputError, type InputLocation } from '../../platform/errors.ts';
import type { FlowLogField, FlowLogFormat } from './format.ts';

/**
 * One VPC flow-log record, typed. A field the format does not carry is `undefined`; a field AWS could not compute is
 * written `-` in the record and is `undefined` here too (NODATA / SKIPDATA records have `-` for most fields).
 * Numbers are numbers (`bytes` can exceed 2^31; JavaScript numbers are exact to 2^53).
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html
 */
export interface FlowLogRecord {
  version?: number;
  accountId?: string;
  interfaceId?: string;
  srcAddr?: string;
  dstAddr?: string;
  srcPort?: number;
  dstPort?: number;
  /** IANA protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6). */
  protocol?: number;
  packets?: number;
  bytes?: number;
  /** Unix seconds. */
  start?: number;
  end?: number;
  action?: 'ACCEPT' | 'REJECT';
  logStatus?: 'OK' | 'NODATA' | 'SKIPDATA';
  vpcId?: string;
  subnetId?: string;
  instanceId?: string;
  tcpFlags?: number;
  type?: string;
  pktSrcAddr?: string;
  pktDstAddr?: string;
  region?: string;
  azId?: string;
  flowDirection?: 'ingress' | 'egress';
  trafficPath?: number;
  pktSrcAwsService?: string;
  pktDstAwsService?: string;
}

type Kind = 'int' | 'text';

/** How each field maps into {@link FlowLogRecord}; fields not listed are not kept. */
const MAPPING: Partial<Record<FlowLogField, { key: keyof FlowLogRecord; kind: Kind; values?: readonly string[] }>> = {
  version: { key: 'version', kind: 'int' },
  'account-id': { key: 'accountId', kind: 'text' },
  'interface-id': { key: 'interfaceId', kind: 'text' },
  srcaddr: { key: 'srcAddr', kind: 'text' },
  dstaddr: { key: 'dstAddr', kind: 'text' },
  srcport: { key: 'srcPort', kind: 'int' },
  dstport: { key: 'dstPort', kind: 'int' },
  protocol: { key: 'protocol', kind: 'int' },
  packets: { key: 'packets', kind: 'int' },
  bytes: { key: 'bytes', kind: 'int' },
  start: { key: 'start', kind: 'int' },
  end: { key: 'end', kind: 'int' },
  action: { key: 'action', kind: 'text', values: ['ACCEPT', 'REJECT'] },
  'log-status': { key: 'logStatus', kind: 'text', values: ['OK', 'NODATA', 'SKIPDATA'] },
  'vpc-id': { key: 'vpcId', kind: 'text' },
  'subnet-id': { key: 'subnetId', kind: 'text' },
  'instance-id': { key: 'instanceId', kind: 'text' },
  'tcp-flags': { key: 'tcpFlags', kind: 'int' },
  type: { key: 'type', kind: 'text' },
  'pkt-srcaddr': { key: 'pktSrcAddr', kind: 'text' },
  'pkt-dstaddr': { key: 'pktDstAddr', kind: 'text' },
  region: { key: 'region', kind: 'text' },
  'az-id': { key: 'azId', kind: 'text' },
  'flow-direction': { key: 'flowDirection', kind: 'text', values: ['ingress', 'egress'] },
  'traffic-path': { key: 'trafficPath', kind: 'int' },
  'pkt-src-aws-service': { key: 'pktSrcAwsService', kind: 'text' },
  'pkt-dst-aws-service': { key: 'pktDstAwsService', kind: 'text' },
};

/**
 * Parse one record line in `format`. Throws a {@link MalformedInputError} naming the line and the field when the
 * line has the wrong number of fields or a number field is not a number: a reader then skips that line and keeps
 * the rest. A header line (`version account-id …`, as S3 delivery writes it) is not a record: use
 * {@link isHeaderLine} first.
 */
export function parseFlowLogRecord(line: string, format: FlowLogFormat, where: InputLocation = {}): FlowLogRecord {
  const values = line.trim().split(/\s+/);
  if (values.length !== format.fields.length)
    throw new MalformedInputError(
      `flow-log record has ${values.length} fields, the format has ${format.fields.length} (${format.fields.join(' ')})`,
      where,
    );
  const record: Record<string, string | number> = {};
  for (let i = 0; i < values.length; i += 1) {
    const field = format.fields[i] as FlowLogField;
    const value = values[i] as string;
    const map = MAPPING[field];
    if (!map || value === '-') continue;
    if (map.kind === 'int') {
      if (!/^\d{1,16}$/.test(value))
        throw new MalformedInputError(`flow-log field ${field} is not a number: ${JSON.stringify(value)}`, {
          ...where,
          path: field,
        });
      record[map.key] = Number(value);
    } else {
      if (map.values && !map.values.includes(value))
        throw new MalformedInputError(
          `flow-log field ${field} is ${JSON.stringify(value)}, expected ${map.values.join(' or ')}`,
          { ...where, path: field },
        );
      record[map.key] = value;
    }
  }
  return record as FlowLogRecord;
}

/** True for the header line S3 delivery writes at the top of each file (the field names, in order). */
export function isHeaderLine(line: string, format: FlowLogFormat): boolean {
  const names = line.trim().split(/\s+/);
  return names.length === format.fields.length && names.every((n, i) => n === format.fields[i]);
}

/** The field names of a header line, when the line is one (lets a reader pick the format of an S3 file by itself). */
export function headerFields(line: string): string[] | undefined {
  const names = line.trim().split(/\s+/);
  return names.length > 0 && names.includes('srcaddr') && names.every((n) => /^[a-z][a-z-]*$/.test(n))
    ? names
    : undefined;
}
