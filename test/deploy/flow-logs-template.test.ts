import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeFlowLogsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFlowLogFormat } from '../../shared/1-ingest/flow-logs/format.ts';
import { contributorInsightsFields, parseCommand } from '../../shared/2-enrich/traffic/query.ts';
import { discoverTargets } from '../../shared/lambda/flow-log-targets.ts';
import { createAwsClients } from '../../shared/platform/aws/clients.ts';
import { insightRuleProblems } from '../support/insight-rule.ts';

/**
 * Flow logs in the packaged templates, in each mode (`npm run package:all`):
 * - default: flowLogGroups + flowLogFormat=default + trafficEvidence (no PrivateLink);
 * - org: PrivateLink Contributor Insights for an endpoint (consumer) and an endpoint service (provider), two groups,
 *   flowLogFormat=auto (the custom resource reads the LogFormat);
 * - private: one endpoint, a custom v5 format given as a parameter, trafficEvidence, private endpoints.
 * Rule bodies and query strings are Fn::Sub texts over the custom resource's answers: the tests substitute the answer
 * the custom resource gives for recorded EC2 responses, then check the bodies against the documented rule syntax.
 */
const root = join(import.meta.dirname, '..', '..');
const MODES = ['default', 'org', 'private'] as const;
type Mode = (typeof MODES)[number];
type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown };
type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };
const file = (m: Mode) => join(root, `.serverless-${m}`, 'cloudformation-template-update-stack.json');
const packaged = MODES.every((m) => existsSync(file(m)));
const templates = packaged
  ? (Object.fromEntries(MODES.map((m) => [m, JSON.parse(readFileSync(file(m), 'utf8')) as Template])) as Record<
      Mode,
      Template
    >)
  : ({} as Record<Mode, Template>);
const of = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

const V5 =
  'version,account-id,interface-id,srcaddr,dstaddr,srcport,dstport,protocol,packets,bytes,start,end,action,log-status,vpc-id,subnet-id,tcp-flags,flow-direction,traffic-path';
/** A custom format the org package's flow logs use (read at deploy time: flowLogFormat=auto). */
const ORG_LOG_FORMAT =
  '${version} ${vpc-id} ${subnet-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status}';

const ec2 = mockClient(EC2Client);
let answers: Record<Mode, Record<string, string>>;

/** The custom resource's answer for a package, from recorded EC2 responses. */
async function answerFor(targets: string[], groups: string[], format: string): Promise<Record<string, string>> {
  ec2.reset();
  ec2.on(DescribeVpcEndpointsCommand).callsFake((input: { VpcEndpointIds: string[] }) => ({
    VpcEndpoints: [
      {
        VpcEndpointId: input.VpcEndpointIds[0],
        VpcEndpointType: 'Interface',
        NetworkInterfaceIds: ['eni-0e1a2b3c4d5e6f701', 'eni-0e1a2b3c4d5e6f702', 'eni-0e1a2b3c4d5e6f703'],
      },
    ],
  }));
  ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({
    ServiceConfigurations: [
      {
        NetworkLoadBalancerArns: [
          'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/svc-nlb/50dc6c495c0c9188',
        ],
      },
    ],
  });
  ec2.on(DescribeNetworkInterfacesCommand).callsFake((input: { Filters: { Name: string; Values: string[] }[] }) => ({
    NetworkInterfaces:
      input.Filters[0]?.Name === 'description'
        ? [{ NetworkInterfaceId: 'eni-0a9b8c7d6e5f40301' }, { NetworkInterfaceId: 'eni-0a9b8c7d6e5f40302' }]
        : (input.Filters[0]?.Values ?? []).map((id) => ({ NetworkInterfaceId: id })),
  }));
  ec2.on(DescribeFlowLogsCommand).resolves({
    FlowLogs: groups.map((g, i) => ({
      FlowLogId: `fl-0${i}`,
      LogGroupName: g,
      LogFormat: ORG_LOG_FORMAT,
      ResourceId: 'vpc-0a',
    })),
  });
  return discoverTargets(
    createAwsClients({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } }).ec2,
    {
      Targets: targets,
      LogGroups: groups,
      Format: format,
    },
  );
}

/** Resolve an Fn::Sub text with the custom resource's answer and the pseudo parameters. */
function subText(value: unknown, answer: Record<string, string>): string {
  const text = typeof value === 'string' ? value : String((value as { 'Fn::Sub': string })['Fn::Sub']);
  return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
    if (name.startsWith('FlowLogTargets.')) {
      const v = answer[name.slice('FlowLogTargets.'.length)];
      if (v === undefined) throw new Error(`the custom resource gives no ${name}`);
      return v;
    }
    return (
      (
        { 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '111122223333', 'AWS::Partition': 'aws' } as Record<
          string,
          string
        >
      )[name] ?? `<${name}>`
    );
  });
}

const rulesOf = (t: Template) => of(t, 'AWS::CloudWatch::InsightRule');

describe.skipIf(!packaged)('flow logs in the packaged templates', () => {
  beforeAll(async () => {
    answers = {
      default: {},
      org: await answerFor(
        ['vpce-0123456789abcdef0', 'vpce-svc-0123456789abcdef0'],
        ['/vpc/flow-logs/consumer', '/vpc/flow-logs/provider'],
        'auto',
      ),
      private: await answerFor(['vpce-0a1b2c3d4e5f60718'], ['/vpc/flow-logs/prod'], V5),
    };
  });

  it('PrivateLink Contributor Insights in any mode: four rules per named endpoint or service, none without', () => {
    expect(rulesOf(templates.default)).toHaveLength(0);
    expect(
      rulesOf(templates.org)
        .map(([, r]) => r.Properties['RuleName'])
        .sort(),
    ).toEqual(
      [
        'netwatch-ci-pl-vpce-0123456789abcdef0-bytes',
        'netwatch-ci-pl-vpce-0123456789abcdef0-packets',
        'netwatch-ci-pl-vpce-0123456789abcdef0-source-action',
        'netwatch-ci-pl-vpce-0123456789abcdef0-tcp-rejects',
        'netwatch-ci-pl-vpce-svc-0123456789abcdef0-bytes',
        'netwatch-ci-pl-vpce-svc-0123456789abcdef0-packets',
        'netwatch-ci-pl-vpce-svc-0123456789abcdef0-source-action',
        'netwatch-ci-pl-vpce-svc-0123456789abcdef0-tcp-rejects',
      ].sort(),
    );
    expect(rulesOf(templates.private)).toHaveLength(4);
    for (const mode of ['org', 'private'] as const)
      for (const [, r] of rulesOf(templates[mode])) expect(r.Properties['RuleState']).toBe('ENABLED');
  });

  it.each(['org', 'private'] as const)(
    '%s: every rule body, substituted, follows the documented rule syntax',
    (mode) => {
      for (const [id, r] of rulesOf(templates[mode])) {
        const body = JSON.parse(subText(r.Properties['RuleBody'], answers[mode])) as Record<string, unknown>;
        expect(insightRuleProblems(body), id).toEqual([]);
      }
    },
  );

  it('the checker can fail: it reports what the old reject rule got wrong and a filter with 11 ENIs', () => {
    const bad = {
      Schema: { Name: 'CloudWatchLogRule', Version: 1 },
      LogGroupNames: ['/vpc/flow-logs/prod'],
      LogFormat: 'CLF',
      Fields: { '3': 'interfaceId', '4': 'srcAddr' },
      Contribution: {
        Keys: ['srcAddr', 'dstAddr', 'dstPort'],
        ValueOf: 'bytes',
        Filters: [
          { Match: 'interfaceId', In: Array.from({ length: 11 }, (_, i) => `eni-${i}`) },
          { Match: 'action', In: ['REJECT'], EqualTo: 1 },
        ],
      },
      AggregateOn: 'Count',
    };
    expect(insightRuleProblems(bad)).toEqual([
      'Keys[1] dstAddr is not a field of the rule (a Fields alias or position)',
      'Keys[2] dstPort is not a field of the rule (a Fields alias or position)',
      'ValueOf bytes is not a field of the rule (a Fields alias or position)',
      'ValueOf is only allowed with AggregateOn Sum',
      'Filters[0].In must hold 1 to 10 strings',
      'Filters[1].Match action is not a field of the rule (a Fields alias or position)',
      'Filters[1] needs exactly one operator, has In, EqualTo',
    ]);
  });

  it("org (flowLogFormat=auto): the Fields are the positions of the LogFormat the flow logs write; the ENIs the endpoint's", () => {
    const t = templates.org;
    const rejects = JSON.parse(
      subText(t.Resources['Vpce0123456789abcdef0RejectsInsightRule']?.Properties['RuleBody'], answers.org),
    ) as {
      Fields: Record<string, string>;
      LogGroupNames: string[];
      Contribution: { Keys: string[]; Filters: unknown[] };
      AggregateOn: string;
    };
    expect(rejects.Fields).toEqual(contributorInsightsFields(parseFlowLogFormat(ORG_LOG_FORMAT)));
    expect(rejects.Fields).toMatchObject({
      '4': 'interfaceId',
      '7': 'srcAddr',
      '8': 'dstAddr',
      '10': 'dstPort',
      '11': 'protocol',
      '16': 'action',
    });
    expect(rejects.LogGroupNames).toEqual(['/vpc/flow-logs/consumer', '/vpc/flow-logs/provider']);
    // Rejected TCP connections, keyed by source only.
    expect(rejects.Contribution.Keys).toEqual(['srcAddr']);
    expect(rejects.Contribution.Filters).toEqual([
      { Match: 'interfaceId', In: ['eni-0e1a2b3c4d5e6f701', 'eni-0e1a2b3c4d5e6f702', 'eni-0e1a2b3c4d5e6f703'] },
      { Match: 'action', In: ['REJECT'] },
      { Match: 'protocol', EqualTo: 6 },
    ]);
    expect(rejects.AggregateOn).toBe('Count');
    // Provider side: the endpoint service's NLB ENIs.
    const provider = JSON.parse(
      subText(t.Resources['VpceSvc0123456789abcdef0BytesInsightRule']?.Properties['RuleBody'], answers.org),
    ) as {
      Contribution: { Keys: string[]; ValueOf: string; Filters: unknown[] };
      AggregateOn: string;
    };
    expect(provider.Contribution).toEqual({
      Keys: ['srcAddr', 'dstAddr'],
      ValueOf: 'bytes',
      Filters: [{ Match: 'interfaceId', In: ['eni-0a9b8c7d6e5f40301', 'eni-0a9b8c7d6e5f40302'] }],
    });
    expect(provider.AggregateOn).toBe('Sum');
    const actions = JSON.parse(
      subText(t.Resources['Vpce0123456789abcdef0ActionsInsightRule']?.Properties['RuleBody'], answers.org),
    ) as {
      Contribution: { Keys: string[] };
    };
    expect(actions.Contribution.Keys).toEqual(['srcAddr', 'action']);
    const packets = JSON.parse(
      subText(t.Resources['Vpce0123456789abcdef0PacketsInsightRule']?.Properties['RuleBody'], answers.org),
    ) as {
      Contribution: { ValueOf: string };
    };
    expect(packets.Contribution.ValueOf).toBe('packets');
    // The custom resource is asked for exactly these targets, groups and format.
    expect(t.Resources['FlowLogTargets']?.Properties).toMatchObject({
      ServiceToken: { 'Fn::GetAtt': ['FlowLogTargetsLambdaFunction', 'Arn'] },
      Targets: ['vpce-0123456789abcdef0', 'vpce-svc-0123456789abcdef0'],
      LogGroups: ['/vpc/flow-logs/consumer', '/vpc/flow-logs/provider'],
      Format: 'auto',
    });
  });

  it('private (format given as a parameter): literal Fields in the template, no format look-up', () => {
    const body = templates.private.Resources['Vpce0a1b2c3d4e5f60718BytesInsightRule']?.Properties['RuleBody'] as {
      'Fn::Sub': string;
    };
    const fields = contributorInsightsFields(parseFlowLogFormat(V5));
    expect(body['Fn::Sub']).toContain(`"Fields":${JSON.stringify(fields)}`);
    expect(body['Fn::Sub']).not.toContain('FlowLogTargets.Fields');
    expect(answers.private['FormatSource']).toBe('flowLogFormat parameter');
  });

  it.each(['org', 'private'] as const)(
    '%s: one alarm per target on its rejected-TCP rule, paging; dashboard widgets per rule',
    (mode) => {
      const t = templates[mode];
      const rules = new Set(rulesOf(t).map(([, r]) => String(r.Properties['RuleName'])));
      const alarms = of(t, 'AWS::CloudWatch::Alarm').filter(([id]) => id.endsWith('RejectsAlarm'));
      expect(alarms).toHaveLength(mode === 'org' ? 2 : 1);
      for (const [id, a] of alarms) {
        const [metric] = a.Properties['Metrics'] as { Expression: string; Period: number }[];
        const rule = /INSIGHT_RULE_METRIC\('([^']+)', 'Sum'\)/.exec(metric?.Expression ?? '')?.[1];
        expect(rule?.endsWith('-tcp-rejects'), id).toBe(true);
        expect(rules.has(rule ?? '')).toBe(true);
        expect(a.DependsOn).toBe(id.replace('RejectsAlarm', 'RejectsInsightRule'));
        expect(a.Properties).toMatchObject({
          Threshold: 100,
          ComparisonOperator: 'GreaterThanThreshold',
          AlarmActions: [{ Ref: 'PagingTopic' }],
        });
      }
      const dashboard = JSON.parse(
        String((t.Resources['NetwatchDashboard']!.Properties['DashboardBody'] as { 'Fn::Sub': string })['Fn::Sub']),
      ) as { widgets: { properties: { title: string; insightRule?: { ruleName: string } } }[] };
      const widgetRules = dashboard.widgets.flatMap((w) =>
        w.properties.insightRule ? [w.properties.insightRule.ruleName] : [],
      );
      expect(new Set(widgetRules)).toEqual(rules);
      expect(dashboard.widgets.map((w) => w.properties.title)).toContain(
        mode === 'org'
          ? 'vpce-svc-0123456789abcdef0: rejected TCP by source'
          : 'vpce-0a1b2c3d4e5f60718: top talkers (bytes)',
      );
    },
  );

  it.each(MODES)('%s: saved Logs Insights queries on the flow-log groups, parsing the format in use', (mode) => {
    const t = templates[mode];
    const queries = Object.fromEntries(
      of(t, 'AWS::Logs::QueryDefinition').map(([, q]) => [
        String(q.Properties['Name']).replace('netwatch-ci/', ''),
        q.Properties,
      ]),
    );
    const targets = {
      default: [],
      org: ['vpce-0123456789abcdef0', 'vpce-svc-0123456789abcdef0'],
      private: ['vpce-0a1b2c3d4e5f60718'],
    }[mode];
    expect(Object.keys(queries).sort()).toEqual(
      ['bytes-per-peer', 'rejections-per-source', 'traffic-of-enis', ...targets.map((x) => `top-talkers-${x}`)].sort(),
    );
    const format = {
      default: parseFlowLogFormat('default'),
      org: parseFlowLogFormat(ORG_LOG_FORMAT),
      private: parseFlowLogFormat(V5),
    }[mode];
    for (const [name, q] of Object.entries(queries)) {
      const text = subText(q['QueryString'], answers[mode]);
      expect(
        text.split('\n').find((l) => l.startsWith('parse')),
        name,
      ).toBe(parseCommand(format));
      expect(q['LogGroupNames']).toEqual(
        mode === 'org' ? ['/vpc/flow-logs/consumer', '/vpc/flow-logs/provider'] : ['/vpc/flow-logs/prod'],
      );
    }
    expect(subText(queries['rejections-per-source']?.['QueryString'], answers[mode])).toContain(
      '| filter action = "REJECT"\n| stats count(*) as rejectedFlows, sum(packets) as packetCount by srcAddr',
    );
    expect(subText(queries['bytes-per-peer']?.['QueryString'], answers[mode])).toContain('by srcAddr, dstAddr');
    if (mode === 'org')
      expect(subText(queries['top-talkers-vpce-svc-0123456789abcdef0']?.['QueryString'], answers.org)).toContain(
        '| filter interfaceId in ["eni-0a9b8c7d6e5f40301", "eni-0a9b8c7d6e5f40302"]',
      );
  });

  it.each(['default', 'private'] as const)(
    '%s: traffic evidence — delayed queue with DLQ, its own role: StartQuery on the flow-log groups only',
    (mode) => {
      const t = templates[mode];
      expect(t.Resources['EvidenceQueue']?.Properties).toMatchObject({
        DelaySeconds: 600,
        VisibilityTimeout: 6 * 180,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['EvidenceDLQ', 'Arn'] }, maxReceiveCount: 5 },
        KmsMasterKeyId: { 'Fn::GetAtt': ['NetwatchKey', 'Arn'] },
      });
      const fn = t.Resources['TrafficEvidenceLambdaFunction']?.Properties;
      expect(fn?.['Timeout']).toBe(180);
      expect((fn!['Environment'] as { Variables: Record<string, unknown> }).Variables).toMatchObject({
        NETWATCH_FLOW_LOG_GROUPS: '/vpc/flow-logs/prod',
        NETWATCH_EVIDENCE_TIMEOUT_SECONDS: '120',
        NETWATCH_EVIDENCE_SINK: 'evidence-queue',
        NETWATCH_EVIDENCE_SAVED_QUERY: 'netwatch-ci/traffic-of-enis',
      });
      const policies = (
        t.Resources['TrafficEvidenceRole']!.Properties['Policies'] as {
          PolicyDocument: { Statement: Record<string, unknown>[] };
        }[]
      ).flatMap((p) => p.PolicyDocument.Statement);
      const startQuery = policies.find((s) => s['Action'] === 'logs:StartQuery');
      expect(JSON.stringify(startQuery?.['Resource'])).toBe(
        JSON.stringify([
          { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/vpc/flow-logs/prod' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/vpc/flow-logs/prod:*' },
        ]),
      );
      expect(policies.find((s) => s['Sid'] === 'ConsumeEvidenceQueue')?.['Resource']).toEqual({
        'Fn::GetAtt': ['EvidenceQueue', 'Arn'],
      });
      // The functions that deliver findings (the ingest functions and the reconciliation) may send to the evidence
      // queue; nobody else.
      const senders = of(t, 'AWS::IAM::Role')
        .filter(([, r]) => JSON.stringify(r.Properties['Policies']).includes('"EvidenceQueueSink"'))
        .map(([id]) => id)
        .sort();
      expect(senders).toEqual(
        mode === 'default'
          ? ['CloudtrailEventsRole', 'ConfigChangesRole', 'ReconcileRole']
          : ['CloudtrailS3Role', 'ConfigChangesRole', 'ReconcileRole'],
      );
      expect(t.Outputs?.['EvidenceQueueUrl']).toBeDefined();
    },
  );

  it.each(['org', 'private'] as const)(
    '%s: the custom resource role may describe ENIs and flow logs — and deliver nothing',
    (mode) => {
      const role = templates[mode].Resources['FlowLogTargetsRole']!.Properties;
      const statements = (
        role['Policies'] as { PolicyDocument: { Statement: { Sid: string; Action: unknown }[] } }[]
      ).flatMap((p) => p.PolicyDocument.Statement);
      expect(statements.map((s) => s.Sid)).toEqual(['OwnLogGroup', 'StackKey', 'FindEndpointEnisAndFlowLogs']);
      expect(JSON.stringify(role)).not.toMatch(/sns:Publish|sqs:SendMessage|dynamodb:/);
    },
  );

  it('private: Logs Insights and EC2 look-ups go through the endpoints, StartQuery only on the flow-log group', () => {
    const endpoints = Object.fromEntries(
      of(templates.private, 'AWS::EC2::VPCEndpoint').map(([id, e]) => [
        id,
        e.Properties['PolicyDocument'] as { Statement: Record<string, unknown>[] },
      ]),
    );
    const logs = endpoints['LogsEndpoint']?.Statement ?? [];
    expect(logs.map((s) => s['Action'])).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      ['logs:StartQuery'],
      ['logs:GetQueryResults', 'logs:StopQuery'],
    ]);
    expect(JSON.stringify(logs[1]?.['Resource'])).toContain('log-group:/vpc/flow-logs/prod');
    expect(endpoints['Ec2Endpoint']?.Statement[0]?.['Action']).toContain('ec2:DescribeFlowLogs');
    // The delivering functions reach the evidence queue through the SQS endpoint.
    expect(endpoints['SqsEndpoint']?.Statement[0]?.['Resource']).toEqual([
      { 'Fn::GetAtt': ['ChangeQueue', 'Arn'] },
      { 'Fn::GetAtt': ['EvidenceQueue', 'Arn'] },
    ]);
  });
});
