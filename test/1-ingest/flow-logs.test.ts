import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FLOW_LOG_FORMAT,
  FLOW_LOG_FIELDS,
  FlowLogFormatError,
  formatVersion,
  missingRequiredFields,
  parseFlowLogFormat,
} from '../../shared/1-ingest/flow-logs/format.ts';
import { headerFields, isHeaderLine, parseFlowLogRecord } from '../../shared/1-ingest/flow-logs/record.ts';
import { MalformedInputError } from '../../shared/platform/errors.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'flow-logs');
const lines = (name: string): string[] => {
  const bytes = readFileSync(join(FIXTURES, name));
  const text = name.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return text.split('\n').filter((l) => l !== '');
};

/** The LogFormat DescribeFlowLogs returns for a flow log created with the default format. */
const DEFAULT_LOG_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

describe('flow-log formats', () => {
  it('reads the LogFormat of DescribeFlowLogs, plain lists and "default"', () => {
    // Prepare / Act
    const fromApi = parseFlowLogFormat(DEFAULT_LOG_FORMAT);
    const custom = parseFlowLogFormat(
      '${version} ${vpc-id} ${interface-id} ${srcaddr} ${dstaddr} ${action} ${flow-direction}',
    );
    // Assess
    expect(fromApi.isDefault).toBe(true);
    expect(fromApi.fields).toEqual(DEFAULT_FLOW_LOG_FORMAT.fields);
    expect(parseFlowLogFormat('default')).toBe(DEFAULT_FLOW_LOG_FORMAT);
    expect(parseFlowLogFormat(undefined)).toBe(DEFAULT_FLOW_LOG_FORMAT);
    expect(parseFlowLogFormat('version,interface-id srcaddr,dstaddr action').fields).toEqual([
      'version',
      'interface-id',
      'srcaddr',
      'dstaddr',
      'action',
    ]);
    expect(custom.isDefault).toBe(false);
    expect(custom.position['interface-id']).toBe(2);
    expect(custom.position['flow-direction']).toBe(6);
    expect(custom.text).toBe('${version} ${vpc-id} ${interface-id} ${srcaddr} ${dstaddr} ${action} ${flow-direction}');
  });

  it('versions: the default format is version 2; a v3/v4/v5 field raises it', () => {
    expect(formatVersion(DEFAULT_FLOW_LOG_FORMAT)).toBe(2);
    expect(formatVersion(parseFlowLogFormat('srcaddr tcp-flags'))).toBe(3);
    expect(formatVersion(parseFlowLogFormat('srcaddr az-id'))).toBe(4);
    expect(formatVersion(parseFlowLogFormat('srcaddr traffic-path'))).toBe(5);
    expect(
      Object.entries(FLOW_LOG_FIELDS)
        .filter(([, v]) => v <= 5)
        .map(([k]) => k),
    ).toHaveLength(29);
  });

  it('refuses unknown and repeated fields, and says which fields a format lacks', () => {
    expect(() => parseFlowLogFormat('${version} ${srcadr}')).toThrow(/unknown flow-log field "srcadr"/);
    expect(() => parseFlowLogFormat('srcaddr srcaddr')).toThrow(/appears twice/);
    expect(() => parseFlowLogFormat('${srcaddr')).toThrow(FlowLogFormatError);
    expect(missingRequiredFields(parseFlowLogFormat('version srcaddr dstaddr bytes'))).toEqual([
      'interface-id',
      'action',
    ]);
  });
});

describe('flow-log records', () => {
  it('parses default-format records as AWS writes them, including NODATA and SKIPDATA', () => {
    // Prepare
    const all = lines('default-format.log');
    // Act
    const records = all.map((l, i) =>
      parseFlowLogRecord(l, DEFAULT_FLOW_LOG_FORMAT, { file: 'default-format.log', line: i + 1 }),
    );
    // Assess
    expect(records[1]).toEqual({
      version: 2,
      accountId: '111122223333',
      interfaceId: 'eni-0b2c3d4e5f6071829',
      srcAddr: '45.155.205.3',
      dstAddr: '10.0.2.31',
      srcPort: 40000,
      dstPort: 22,
      protocol: 6,
      packets: 3,
      bytes: 5180,
      start: 1795166073,
      end: 1795166131,
      action: 'ACCEPT',
      logStatus: 'OK',
    });
    const nodata = records.find((r) => r.logStatus === 'NODATA');
    expect(nodata).toEqual({
      version: 2,
      accountId: '111122223333',
      interfaceId: 'eni-0b2c3d4e5f6071829',
      start: 1795166533,
      end: 1795166593,
      logStatus: 'NODATA',
    });
    expect(records.filter((r) => r.logStatus === 'SKIPDATA')).toHaveLength(1);
    expect(records.find((r) => r.srcAddr?.includes(':'))?.dstAddr).toBe('2001:db8:1:1::25');
  });

  it('parses a v5 custom format from its S3 header line (flow-direction, traffic-path, pkt-src-aws-service)', () => {
    // Prepare
    const [header = '', ...rest] = lines('custom-v5.log.gz');
    const fields = headerFields(header);
    expect(fields).toBeDefined();
    const format = parseFlowLogFormat(fields!.join(' '));
    // Act
    const records = rest.map((l) => parseFlowLogRecord(l, format));
    // Assess
    expect(formatVersion(format)).toBe(5);
    expect(isHeaderLine(header, format)).toBe(true);
    expect(records[0]).toMatchObject({
      version: 5,
      interfaceId: 'eni-0a1b2c3d4e5f60718',
      srcAddr: '45.155.205.3',
      dstPort: 22,
      tcpFlags: 2,
      type: 'IPv4',
      region: 'eu-west-1',
      azId: 'euw1-az1',
      flowDirection: 'ingress',
      vpcId: 'vpc-0c0ffee0c0ffee012',
    });
    expect(records[0]?.trafficPath).toBeUndefined();
    expect(records[1]).toMatchObject({ flowDirection: 'egress', trafficPath: 8, tcpFlags: 18 });
    expect(records.at(-1)).toMatchObject({ pktSrcAwsService: 'S3', srcPort: 443 });
  });

  it('a v3 custom format (AWS example order); a damaged line is a typed error naming file, line and field', () => {
    // Prepare
    const format = parseFlowLogFormat(
      '${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status}',
    );
    const [good = '', second = '', bad = ''] = lines('custom-v3.log');
    // Act
    const record = parseFlowLogRecord(good, format);
    // Assess
    expect(record).toMatchObject({
      bytes: 568,
      packets: 8,
      pktSrcAddr: '52.213.180.42',
      instanceId: 'i-0abc1234def567890',
    });
    expect(parseFlowLogRecord(second, format).instanceId).toBeUndefined();
    expect(() => parseFlowLogRecord(bad, format, { file: 'custom-v3.log', line: 3 })).toThrow(MalformedInputError);
    try {
      parseFlowLogRecord(good.replace(' 568 ', ' 5x8 '), format, { file: 'f.log', line: 7 });
      expect.unreachable();
    } catch (error) {
      expect((error as MalformedInputError).describe()).toBe(
        'f.log:7 at bytes: flow-log field bytes is not a number: "5x8"',
      );
    }
    expect(() => parseFlowLogRecord(good.replace('ACCEPT', 'ALLOW'), format)).toThrow(/expected ACCEPT or REJECT/);
  });
});
