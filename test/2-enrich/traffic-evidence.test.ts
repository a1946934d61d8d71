import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  ResourceNotFoundException,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeFlowLogsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FLOW_LOG_FORMAT, parseFlowLogFormat } from '../../shared/1-ingest/flow-logs/format.ts';
import { type EvidenceDeps, gatherTrafficEvidence } from '../../shared/2-enrich/traffic/evidence.ts';
import { FlowRowAggregator } from '../../shared/2-enrich/traffic/local.ts';
import { evidenceQuery, logsInsightsUrl, parseCommand } from '../../shared/2-enrich/traffic/query.ts';
import { createAwsClients } from '../../shared/platform/aws/clients.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { sshWorldFinding } from '../support/findings.ts';

/**
 * The traffic-evidence step against recorded AWS responses, mocked at the SDK boundary (EC2 and CloudWatch Logs have
 * no emulator here): DescribeNetworkInterfaces / DescribeFlowLogs to find what to read, then StartQuery and
 * GetQueryResults (Running, then Complete — or Timeout, or a missing log group).
 */
const ec2 = mockClient(EC2Client);
const logs = mockClient(CloudWatchLogsClient);
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const recorded = (name: string) =>
  JSON.parse(readFileSync(join(FIXTURES, 'logs-insights', name), 'utf8')) as GetQueryResultsCommandOutput;

const ENI_A = 'eni-0a1b2c3d4e5f60718';
const ENI_B = 'eni-0b2c3d4e5f6071829';
const VPC = 'vpc-0f1e2d3c4b5a69788';
const GROUP = '/vpc/flow-logs/prod';
const CHANGE = '2026-11-20T09:14:03Z';
const NOW = new Date('2026-11-20T10:14:03Z');
const DEFAULT_LOG_FORMAT = DEFAULT_FLOW_LOG_FORMAT.text;

const finding = (overrides: Partial<Finding> = {}) => sshWorldFinding({ at: CHANGE, ...overrides });

function deps(overrides: Partial<EvidenceDeps> = {}): EvidenceDeps & { slept: number[] } {
  const slept: number[] = [];
  const clients = createAwsClients({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
  });
  return {
    ec2: clients.ec2,
    logs: clients.logs,
    now: () => NOW,
    sleep: async (ms) => {
      slept.push(ms);
    },
    pollMs: 1000,
    savedQueryName: 'netwatch-prod/traffic-of-enis',
    slept,
    ...overrides,
  };
}

function sgHasTwoEnisWithVpcFlowLog(logFormat = DEFAULT_LOG_FORMAT) {
  ec2.on(DescribeNetworkInterfacesCommand).resolves({
    NetworkInterfaces: [
      { NetworkInterfaceId: ENI_A, SubnetId: 'subnet-0a1b2c3d4e5f60718', VpcId: VPC },
      { NetworkInterfaceId: ENI_B, SubnetId: 'subnet-0f1e2d3c4b5a69788', VpcId: VPC },
    ],
  });
  ec2.on(DescribeFlowLogsCommand).resolves({
    FlowLogs: [
      {
        FlowLogId: 'fl-0123456789abcdef0',
        ResourceId: VPC,
        LogDestinationType: 'cloud-watch-logs',
        LogGroupName: GROUP,
        LogFormat: logFormat,
        TrafficType: 'ALL',
        FlowLogStatus: 'ACTIVE',
      },
    ],
  });
}

describe('traffic evidence (Logs Insights, recorded responses)', () => {
  beforeEach(() => {
    ec2.reset();
    logs.reset();
  });

  it('SG opened tcp/22: finds its ENIs and their VPC flow log, queries since the change, Running then Complete', async () => {
    // Prepare
    sgHasTwoEnisWithVpcFlowLog();
    logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    logs
      .on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Scheduled', results: [] })
      .resolvesOnce(recorded('get-query-results-running.json'))
      .resolves(recorded('get-query-results-complete.json'));
    const d = deps();
    // Act
    const evidence = await gatherTrafficEvidence({ finding: finding() }, d);
    // Assess: what was asked
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'group-id', Values: ['sg-0a1b2c3d4e5f60718'] },
    ]);
    expect(ec2.commandCalls(DescribeFlowLogsCommand)[0]?.args[0].input.Filter).toEqual([
      {
        Name: 'resource-id',
        Values: [ENI_A, 'subnet-0a1b2c3d4e5f60718', VPC, ENI_B, 'subnet-0f1e2d3c4b5a69788'],
      },
    ]);
    const start = logs.commandCalls(StartQueryCommand)[0]?.args[0].input;
    expect(start).toMatchObject({
      logGroupNames: [GROUP],
      startTime: Date.parse(CHANGE) / 1000,
      endTime: NOW.getTime() / 1000,
      limit: 10_000,
    });
    expect(start?.queryString).toBe(
      evidenceQuery(DEFAULT_FLOW_LOG_FORMAT, {
        interfaces: [ENI_A, ENI_B],
        ports: [{ protocol: 6, from: 22, to: 22 }],
        sources: 'external',
      }),
    );
    expect(logs.commandCalls(GetQueryResultsCommand)).toHaveLength(3);
    expect(d.slept).toEqual([1000, 1000]);
    expect(logs.commandCalls(StopQueryCommand)).toHaveLength(0);
    // Assess: what it says
    expect(evidence.status).toBe('traffic');
    expect(evidence.summary).toBe('since it opened: 13 external sources reached tcp/22, 5 accepted');
    expect(evidence).toMatchObject({
      since: '2026-11-20T09:14:03.000Z',
      until: '2026-11-20T10:14:03.000Z',
      interfaces: [ENI_A, ENI_B],
      portScope: ['tcp/22'],
      sourceScope: 'external',
      externalSources: 13,
      accepted: { sources: 5 },
      rejected: { sources: 8 },
      ports: [{ protocol: 'tcp', port: 22, sources: 13, acceptedSources: 5 }],
      truncated: false,
      notes: [],
    });
    expect(evidence.topSources).toHaveLength(5);
    expect(evidence.topSources[0]).toMatchObject({ address: '45.155.205.44', accepted: true, ports: ['tcp/22'] });
    expect(evidence.query).toMatchObject({
      queryId: 'q-1',
      logGroups: [GROUP],
      savedQueryName: 'netwatch-prod/traffic-of-enis',
      recordsMatched: 25,
      bytesScanned: 3712,
    });
    expect(evidence.query?.consoleUrl).toBe(
      logsInsightsUrl('eu-west-1', start?.queryString ?? '', [GROUP], new Date(CHANGE), NOW),
    );
  });

  it('the same flows read from the flow-log file give the same evidence as the Logs Insights rows', async () => {
    // Prepare
    sgHasTwoEnisWithVpcFlowLog();
    logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    logs.on(GetQueryResultsCommand).resolves(recorded('get-query-results-complete.json'));
    const aggregator = new FlowRowAggregator(
      {
        interfaces: [ENI_A, ENI_B],
        since: new Date(CHANGE),
        until: NOW,
        ports: [{ protocol: 6, from: 22, to: 22 }],
        sources: 'external',
      },
      DEFAULT_FLOW_LOG_FORMAT,
    );
    aggregator.addLines(readFileSync(join(FIXTURES, 'flow-logs', 'default-format.log'), 'utf8').split('\n'), 'f');
    // Act
    const live = await gatherTrafficEvidence({ finding: finding() }, deps());
    const local = aggregator.evidence(['f'], NOW);
    // Assess
    const numbers = ({ summary, externalSources, accepted, rejected, ports, topSources }: typeof live) => ({
      summary,
      externalSources,
      accepted,
      rejected,
      ports,
      topSources,
    });
    expect(numbers(local)).toEqual(numbers(live));
    expect(aggregator.records).toBe(38);
    expect(aggregator.errors).toEqual([]);
  });

  it('our time limit runs out while Running: StopQuery is sent and the partial numbers say so', async () => {
    // Prepare: a fake clock that moves 20 s per poll; limit 45 s
    sgHasTwoEnisWithVpcFlowLog();
    logs.on(StartQueryCommand).resolves({ queryId: 'q-slow' });
    logs.on(GetQueryResultsCommand).resolves(recorded('get-query-results-running.json'));
    logs.on(StopQueryCommand).resolves({ success: true });
    let clock = 0;
    const timed = deps({
      timeoutMs: 45_000,
      pollMs: 20_000,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const realNow = Date.now;
    Date.now = () => realNow.call(Date) + clock;
    try {
      // Act
      const evidence = await gatherTrafficEvidence({ finding: finding() }, timed);
      // Assess
      expect(logs.commandCalls(StopQueryCommand).map((c) => c.args[0].input)).toEqual([{ queryId: 'q-slow' }]);
      expect(evidence.status).toBe('timeout');
      expect(evidence.summary).toMatch(
        /^since it opened: at least 3 external sources reached tcp\/22, \d accepted \(query timed out: partial\)$/,
      );
      expect(evidence.notes).toContain('query q-slow stopped after the 45 s limit: numbers are partial');
    } finally {
      Date.now = realNow;
    }
  });

  it('Logs Insights itself times the query out (status Timeout): partial numbers, said', async () => {
    sgHasTwoEnisWithVpcFlowLog();
    logs.on(StartQueryCommand).resolves({ queryId: 'q-2' });
    logs.on(GetQueryResultsCommand).resolves({ ...recorded('get-query-results-running.json'), status: 'Timeout' });
    const evidence = await gatherTrafficEvidence({ finding: finding() }, deps());
    expect(evidence.status).toBe('timeout');
    expect(evidence.notes).toContain('Logs Insights timed out query q-2: numbers are partial');
    expect(logs.commandCalls(StopQueryCommand)).toHaveLength(0);
  });

  it('the log group was deleted (ResourceNotFoundException): failed, and the finding says why', async () => {
    sgHasTwoEnisWithVpcFlowLog();
    logs
      .on(StartQueryCommand)
      .rejects(new ResourceNotFoundException({ message: 'Log group does not exist', $metadata: {} }));
    const evidence = await gatherTrafficEvidence({ finding: finding() }, deps());
    expect(evidence.status).toBe('failed');
    expect(evidence.summary).toBe('traffic unknown: StartQuery: ResourceNotFoundException: Log group does not exist');
    expect(logs.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('StartQuery refused (AccessDeniedException): denied, naming the action — never a quiet "no traffic"', async () => {
    // Prepare
    sgHasTwoEnisWithVpcFlowLog();
    logs.on(StartQueryCommand).rejects(
      Object.assign(
        new Error('User: arn:aws:sts::111122223333:assumed-role/x/y is not authorized to perform: logs:StartQuery'),
        {
          name: 'AccessDeniedException',
        },
      ),
    );
    // Act
    const evidence = await gatherTrafficEvidence({ finding: finding() }, deps());
    // Assess
    expect(evidence.status).toBe('denied');
    expect(evidence.denied).toEqual(['logs:StartQuery']);
    expect(evidence.summary).toBe(
      'traffic unknown: logs:StartQuery denied (could not read the flow logs of sg-0a1b2c3d4e5f60718)',
    );
    expect(evidence.notes).toEqual([
      `logs:StartQuery denied on ${GROUP} (AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/x/y is not authorized to perform: logs:StartQuery)`,
    ]);
    expect(evidence.query?.logGroups).toEqual([GROUP]);
    expect(logs.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('an EC2 look-up refused (UnauthorizedOperation): denied, naming the Describe* action', async () => {
    // Prepare
    const refused = Object.assign(new Error('You are not authorized to perform this operation.'), {
      name: 'UnauthorizedOperation',
    });
    ec2.on(DescribeNetworkInterfacesCommand).rejects(refused);
    // Act
    const lookup = await gatherTrafficEvidence({ finding: finding() }, deps());
    ec2.reset();
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [{ NetworkInterfaceId: ENI_A, SubnetId: 'subnet-0a1b2c3d4e5f60718', VpcId: VPC }],
    });
    ec2.on(DescribeFlowLogsCommand).rejects(refused);
    const flowLogs = await gatherTrafficEvidence({ finding: finding() }, deps());
    // Assess
    expect(lookup).toMatchObject({
      status: 'denied',
      denied: ['ec2:DescribeNetworkInterfaces'],
      summary:
        'traffic unknown: ec2:DescribeNetworkInterfaces denied (could not find the network interfaces of sg-0a1b2c3d4e5f60718)',
      notes: [
        'ec2:DescribeNetworkInterfaces denied (UnauthorizedOperation: You are not authorized to perform this operation.)',
      ],
    });
    expect(flowLogs).toMatchObject({
      status: 'denied',
      denied: ['ec2:DescribeFlowLogs'],
      summary: 'traffic unknown: ec2:DescribeFlowLogs denied (could not list the flow logs of sg-0a1b2c3d4e5f60718)',
    });
    expect(logs.commandCalls(StartQueryCommand)).toHaveLength(0);
  });

  it('StopQuery refused after our time limit: the partial numbers stay, the refusal is named (the query runs on)', async () => {
    // Prepare: as "our time limit runs out", but StopQuery is refused
    sgHasTwoEnisWithVpcFlowLog();
    logs.on(StartQueryCommand).resolves({ queryId: 'q-slow' });
    logs.on(GetQueryResultsCommand).resolves(recorded('get-query-results-running.json'));
    logs.on(StopQueryCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    let clock = 0;
    const timed = deps({
      timeoutMs: 45_000,
      pollMs: 20_000,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const realNow = Date.now;
    Date.now = () => realNow.call(Date) + clock;
    try {
      // Act
      const evidence = await gatherTrafficEvidence({ finding: finding() }, timed);
      // Assess
      expect(evidence.status).toBe('timeout');
      expect(evidence.denied).toEqual(['logs:StopQuery']);
      expect(evidence.notes).toContain(
        'logs:StopQuery denied: query q-slow could not be stopped and runs on until Logs Insights ends it',
      );
    } finally {
      Date.now = realNow;
    }
  });

  it('a refused GetQueryResults is denied too (and the query is stopped)', async () => {
    sgHasTwoEnisWithVpcFlowLog();
    logs.on(StartQueryCommand).resolves({ queryId: 'q-3' });
    logs.on(GetQueryResultsCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    logs.on(StopQueryCommand).resolves({ success: true });
    const evidence = await gatherTrafficEvidence({ finding: finding() }, deps());
    expect(evidence).toMatchObject({ status: 'denied', denied: ['logs:GetQueryResults'] });
    expect(evidence.summary).toMatch(/^traffic unknown: logs:GetQueryResults denied/);
    expect(logs.commandCalls(StopQueryCommand).map((c) => c.args[0].input)).toEqual([{ queryId: 'q-3' }]);
  });

  it('no flow logs on the ENIs, their subnets or VPC: no query at all, and the finding says so', async () => {
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [{ NetworkInterfaceId: ENI_A, SubnetId: 'subnet-0a1b2c3d4e5f60718', VpcId: VPC }],
    });
    ec2.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        { FlowLogId: 'fl-0s3', ResourceId: VPC, LogDestinationType: 's3', LogDestination: 'arn:aws:s3:::flow-logs' },
      ],
    });
    const evidence = await gatherTrafficEvidence({ finding: finding() }, deps());
    expect(evidence.status).toBe('no-flow-logs');
    expect(evidence.summary).toBe(
      'no flow logs: the 1 network interface of sg-0a1b2c3d4e5f60718 have no VPC flow log delivering to CloudWatch Logs, so traffic since the change is unknown',
    );
    expect(evidence.notes).toContain(
      '1 flow log(s) of these interfaces deliver to S3 or Firehose, which Logs Insights cannot read',
    );
    expect(logs.commandCalls(StartQueryCommand)).toHaveLength(0);
  });

  it('a flow log in a group this deployment may not read: not queried, named in the notes', async () => {
    sgHasTwoEnisWithVpcFlowLog();
    const evidence = await gatherTrafficEvidence({ finding: finding() }, deps({ allowedLogGroups: ['/vpc/other'] }));
    expect(evidence.status).toBe('no-flow-logs');
    expect(evidence.notes).toContain(
      `flow log fl-0123456789abcdef0 writes to ${GROUP}, which this deployment may not read (add it to flowLogGroups)`,
    );
    expect(logs.commandCalls(StartQueryCommand)).toHaveLength(0);
  });

  it('an SG attached to nothing: no-interfaces, no flow-log calls', async () => {
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    const evidence = await gatherTrafficEvidence({ finding: finding() }, deps());
    expect(evidence.status).toBe('no-interfaces');
    expect(evidence.summary).toBe('no traffic to look at: sg-0a1b2c3d4e5f60718 is attached to no network interface');
    expect(ec2.commandCalls(DescribeFlowLogsCommand)).toHaveLength(0);
  });

  it('a custom v5 format: the query parses positions of that format and leaves egress out', async () => {
    const v5 =
      '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${flow-direction}';
    sgHasTwoEnisWithVpcFlowLog(v5);
    logs.on(StartQueryCommand).resolves({ queryId: 'q-3' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [] });
    const evidence = await gatherTrafficEvidence({ finding: finding() }, deps());
    const text = logs.commandCalls(StartQueryCommand)[0]?.args[0].input.queryString ?? '';
    expect(text.split('\n')[0]).toBe(parseCommand(parseFlowLogFormat(v5)));
    expect(text).toContain('(?<flowDirection>\\S+)');
    expect(text).toContain('| filter flowDirection != "egress"');
    expect(evidence.status).toBe('no-traffic');
    expect(evidence.summary).toBe('since it opened: no external source reached tcp/22 (2 interfaces, flow logs read)');
  });

  it('endpoint service opened: the NLB ENIs (provider side) are found by their ELB description, every source counts', async () => {
    ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({
      ServiceConfigurations: [
        {
          ServiceId: 'vpce-svc-0123456789abcdef0',
          NetworkLoadBalancerArns: [
            'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/payments-nlb/50dc6c495c0c9188',
          ],
        },
      ],
    });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        { NetworkInterfaceId: 'eni-0aaaabbbbccccdddd', SubnetId: 'subnet-0a1b2c3d4e5f60718', VpcId: VPC },
      ],
    });
    ec2.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        { FlowLogId: 'fl-1', ResourceId: 'eni-0aaaabbbbccccdddd', LogGroupName: GROUP, LogFormat: DEFAULT_LOG_FORMAT },
      ],
    });
    logs.on(StartQueryCommand).resolves({ queryId: 'q-4' });
    logs.on(GetQueryResultsCommand).resolves({
      status: 'Complete',
      results: [
        [
          { field: 'srcAddr', value: '10.20.0.15' },
          { field: 'protocol', value: '6' },
          { field: 'dstPort', value: '443' },
          { field: 'action', value: 'ACCEPT' },
          { field: 'flows', value: '42' },
          { field: 'packetCount', value: '900' },
          { field: 'byteCount', value: '1200000' },
        ],
      ],
    });
    const evidence = await gatherTrafficEvidence(
      {
        finding: finding({
          category: 'endpoint-service-open',
          resource: { type: 'AWS::EC2::VPCEndpointService', id: 'vpce-svc-0123456789abcdef0' },
          evidence: [],
        }),
      },
      deps(),
    );
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'description', Values: ['ELB net/payments-nlb/50dc6c495c0c9188'] },
    ]);
    expect(logs.commandCalls(StartQueryCommand)[0]?.args[0].input.queryString).not.toContain('isIpv4InSubnet');
    expect(evidence.summary).toBe('since it opened: 1 source reached tcp/443, 1 accepted');
    expect(evidence.sourceScope).toBe('any');
  });

  it('a gateway endpoint has no ENIs: said, nothing queried', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [{ VpcEndpointId: 'vpce-0gw', VpcEndpointType: 'Gateway', NetworkInterfaceIds: [] }],
    });
    const evidence = await gatherTrafficEvidence(
      {
        finding: finding({
          category: 'endpoint-policy-loosened',
          resource: { type: 'AWS::EC2::VPCEndpoint', id: 'vpce-0gw' },
          evidence: [],
        }),
      },
      deps(),
    );
    expect(evidence.status).toBe('no-interfaces');
    expect(evidence.summary).toMatch(/vpce-0gw is a Gateway endpoint: it has no network interface/);
  });

  it('route to an IGW on the main route table: the ENIs of every subnet without an explicit association', async () => {
    ec2.on(DescribeRouteTablesCommand, { RouteTableIds: ['rtb-0main'] }).resolves({
      RouteTables: [{ RouteTableId: 'rtb-0main', VpcId: VPC, Associations: [{ Main: true }] }],
    });
    ec2.on(DescribeRouteTablesCommand, { Filters: [{ Name: 'vpc-id', Values: [VPC] }] }).resolves({
      RouteTables: [
        { RouteTableId: 'rtb-0main', Associations: [{ Main: true }] },
        { RouteTableId: 'rtb-0other', Associations: [{ SubnetId: 'subnet-0b' }] },
      ],
    });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-0a' }, { SubnetId: 'subnet-0b' }] });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    const evidence = await gatherTrafficEvidence(
      {
        finding: finding({
          category: 'route-to-igw',
          resource: { type: 'AWS::EC2::RouteTable', id: 'rtb-0main' },
          evidence: [],
        }),
      },
      deps(),
    );
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'subnet-id', Values: ['subnet-0a'] },
    ]);
    expect(evidence.status).toBe('no-interfaces');
  });

  it("the console link uses the console's queryDetail encoding (region host, absolute window, groups, query text)", () => {
    const url = logsInsightsUrl('eu-west-1', 'fields @message\n| limit 5', ['/vpc/a'], new Date(CHANGE), NOW);
    expect(
      url.startsWith(
        'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D$257E$2528end$257E$25272026-11-20T10*3A14*3A03.000Z$257Estart$257E$25272026-11-20T09*3A14*3A03.000Z$257EtimeType$257E$2527ABSOLUTE',
      ),
    ).toBe(true);
    expect(url).toContain('$257EeditorString$257E$2527fields*20*40message*0A*7C*20limit*205');
    expect(url).toContain('$257Esource$257E$2528$257E$2527*2Fvpc*2Fa$2529$2529');
    expect(url).not.toMatch(/[\s"'<>]/);
    expect(logsInsightsUrl('cn-north-1', 'x', [], NOW, NOW)).toMatch(
      /^https:\/\/console\.amazonaws\.cn\/cloudwatch\/home\?region=cn-north-1#/,
    );
  });

  it('the console link never builds a host from a record region that is not a region name (issue 12)', () => {
    // The finding's region is the record's awsRegion: attacker-controlled. It was put into the host unchecked.
    const url = logsInsightsUrl('eu-west-1.evil.example/x#', 'x', [], NOW, NOW);
    expect(new URL(url).host).toBe('console.aws.amazon.com');
    expect(url).toMatch(/^https:\/\/console\.aws\.amazon\.com\/cloudwatch\/home#logsV2:logs-insights/);
    expect(new URL(logsInsightsUrl('us-gov-west-1', 'x', [], NOW, NOW)).host).toBe('console.amazonaws-us-gov.com');
  });
});
