import { DELIVERY_FUNCTION_TIMEOUT_MS } from '../../shared/6-deliver/sinks/retry.ts';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkTemplate } from '../../deploy/check-template.ts';
import { eventPatterns } from '../../deploy/event-patterns.ts';
import { RULES } from '../../rules/index.ts';
import { loadConfigText } from '../../shared/config/load.ts';
import { classifyValue } from '../../shared/4-classify/classify.ts';
import { evaluate } from '../../shared/4-classify/evaluate.ts';
import { atLeast } from '../../shared/model/severity.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { parsePolicyDocument } from '../../shared/net/policy-document.ts';
import { endpointChange, endpointPolicy } from '../../rules/cases/build.ts';
import { tableKeys, type TableShape } from '../../shared/platform/aws/table.ts';
import { DELIVERY_TABLE } from '../../shared/6-deliver/ledger/table.ts';
import { APPROVALS_TABLE } from '../../shared/5-decide/approvals/table.ts';
import { STATE_TABLE } from '../../shared/3-state/table.ts';
import { deliveryTableDefinition } from '../../shared/6-deliver/ledger/dynamodb-store.ts';
import { approvalsTableDefinition } from '../../shared/5-decide/approvals/dynamodb-store.ts';
import { stateTableDefinition } from '../../shared/3-state/dynamodb-store.ts';

/**
 * Assertions on the packaged templates. `.ci/run` (and `npm run package:all` locally) packages three modes before the
 * tests: default (.serverless-default), org (+ Contributor Insights) and private (+ org-trail S3 source, webhook,
 * Secrets Manager). Without them these tests are skipped with a message; everything else runs.
 */
const root = join(import.meta.dirname, '..', '..');
const MODES = ['default', 'org', 'private'] as const;
type Mode = (typeof MODES)[number];
type Obj = Record<string, unknown>;
type Resource = { Type: string; Properties: Obj; DependsOn?: unknown };
type Template = { Resources: Record<string, Resource>; Outputs?: Obj };

const dir = (mode: Mode) => join(root, `.serverless-${mode}`);
const packaged = MODES.every((m) => existsSync(join(dir(m), 'cloudformation-template-update-stack.json')));
if (!packaged)
  console.warn(
    'test/deploy/template.test.ts: packaged templates not found (.serverless-{default,org,private}); run `npm run package:all` — template tests skipped',
  );
const load = (mode: Mode): Template =>
  JSON.parse(readFileSync(join(dir(mode), 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
const templates = packaged
  ? (Object.fromEntries(MODES.map((m) => [m, load(m)])) as Record<Mode, Template>)
  : ({} as Record<Mode, Template>);
const of = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const isRef = (v: unknown, id: string) =>
  JSON.stringify(v) === JSON.stringify({ Ref: id }) ||
  JSON.stringify(v) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** What `Ref` returns for the stack's resources that sinks name (queue URL, topic ARN, table name). */
const REF_VALUES: Obj = {
  PagingTopic: 'arn:aws:sns:eu-west-1:111122223333:netwatch-ci-paging',
  ChangeQueue: 'https://sqs.eu-west-1.amazonaws.com/111122223333/netwatch-ci-changes',
  EvidenceQueue: 'https://sqs.eu-west-1.amazonaws.com/111122223333/netwatch-ci-traffic-evidence',
  DeliveryTable: 'netwatch-ci-delivery',
  ApprovalsTable: 'netwatch-ci-approvals',
};

/** Resolve intrinsics to concrete strings, as CloudFormation would in account 111122223333 / eu-west-1. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Obj;
  if ('Ref' in o)
    return (
      ({ 'AWS::AccountId': '111122223333', 'AWS::Region': 'eu-west-1', 'AWS::Partition': 'aws' } as Obj)[
        String(o['Ref'])
      ] ??
      REF_VALUES[String(o['Ref'])] ??
      `arn:aws:test:eu-west-1:111122223333:${String(o['Ref'])}`
    );
  if ('Fn::GetAtt' in o) return `arn:aws:test:eu-west-1:111122223333:${(o['Fn::GetAtt'] as string[])[0]}`;
  if ('Fn::Sub' in o) {
    const text = Array.isArray(o['Fn::Sub']) ? String((o['Fn::Sub'] as unknown[])[0]) : String(o['Fn::Sub']);
    return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) =>
      String(resolve(name.includes('.') ? { 'Fn::GetAtt': name.split('.') } : { Ref: name })),
    );
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
}

/** Every IAM statement of every role / inline policy in a template (trust policies excluded). */
function iamStatements(t: Template): { where: string; statement: Obj }[] {
  return of(t, 'AWS::IAM::Role').flatMap(([id, r]) =>
    list(r.Properties['Policies'] as { PolicyName: string; PolicyDocument: { Statement: Obj[] } }[]).flatMap((p) =>
      p.PolicyDocument.Statement.map((statement) => ({ where: `${id}/${p.PolicyName}`, statement })),
    ),
  );
}

/**
 * Actions allowed on Resource "*", and why: they have no resource-level permissions.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
 */
const STAR_RESOURCE_ALLOWED: Record<string, string> = {
  'ec2:CreateNetworkInterface': 'VPC Lambda ENIs (private mode); AWSLambdaVPCAccessExecutionRole uses "*"',
  'ec2:DescribeNetworkInterfaces': 'Describe* has no resource-level permissions',
  'ec2:DescribeSubnets': 'Describe* has no resource-level permissions',
  'ec2:DescribeVpcEndpoints': 'Describe* has no resource-level permissions (flow logs: endpoint ENIs)',
  'ec2:DescribeVpcEndpointServiceConfigurations':
    'Describe* has no resource-level permissions (flow logs: NLB of a service)',
  'ec2:DescribeRouteTables': 'Describe* has no resource-level permissions (traffic evidence: subnets of a route table)',
  'ec2:DescribeFlowLogs': 'Describe* has no resource-level permissions (which flow logs, which format)',
  'logs:GetQueryResults': 'takes a query id, not a resource',
  'config:SelectResourceConfig': 'the advanced query has no resource-level permissions (reconciliation)',
  'logs:StopQuery': 'takes a query id, not a resource',
  'ec2:DeleteNetworkInterface': 'VPC Lambda ENIs (private mode)',
  'ec2:AssignPrivateIpAddresses': 'VPC Lambda ENIs (private mode)',
  'ec2:UnassignPrivateIpAddresses': 'VPC Lambda ENIs (private mode)',
  'cloudwatch:PutMetricData': 'no resource-level permissions',
  'config:GetResourceConfigHistory': 'no resource-level permissions',
  'config:BatchGetResourceConfig': 'no resource-level permissions',
  'cloudtrail:LookupEvents': 'no resource-level permissions',
  'sts:GetCallerIdentity': 'no resource-level permissions',
};

describe.skipIf(!packaged)('packaged templates (default, org, private)', () => {
  it.each(MODES)('%s: validates against the CloudFormation resource specification', async (mode) => {
    const { resources, problems } = await checkTemplate(templates[mode]);
    expect(problems).toEqual([]);
    expect(resources).toBeGreaterThan(40);
  });

  it.each(MODES)(
    '%s: ingest queues dead-letter after 5 receives into 14-day DLQs; visibility ≥ 6 × the consumer timeout',
    (mode) => {
      const t = templates[mode];
      const functions = Object.fromEntries(of(t, 'AWS::Lambda::Function').map(([id, r]) => [id, r.Properties]));
      for (const queue of ['ConfigQueue', 'CloudTrailQueue']) {
        const props = t.Resources[queue]?.Properties ?? {};
        const redrive = props['RedrivePolicy'] as { deadLetterTargetArn: unknown; maxReceiveCount: number };
        expect(redrive.maxReceiveCount).toBe(5);
        const dlqId = (redrive.deadLetterTargetArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
        expect(t.Resources[dlqId]?.Properties['MessageRetentionPeriod']).toBe(1_209_600);
        const consumers = of(t, 'AWS::Lambda::EventSourceMapping').filter(([, m]) =>
          isRef(m.Properties['EventSourceArn'], queue),
        );
        expect(consumers.length).toBe(1);
        for (const [, m] of consumers) {
          expect(m.Properties['FunctionResponseTypes']).toEqual(['ReportBatchItemFailures']);
          const fnId = (m.Properties['FunctionName'] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
          expect(props['VisibilityTimeout'] as number).toBeGreaterThanOrEqual(
            6 * (functions[fnId]?.['Timeout'] as number),
          );
        }
      }
    },
  );

  it.each(MODES)(
    "%s: every function that delivers has at least the timeout the HTTP sinks' retry budget is checked against",
    (mode) => {
      // shared/6-deliver/sinks/retry.ts refuses sink configs whose timeoutMs × attempts cannot fit this (issue 12).
      // The inbound approvals endpoint answers a change system's push and sends no notice: it keeps its short timeout.
      const timeouts = of(templates[mode], 'AWS::Lambda::Function')
        .filter(([, r]) => !String(r.Properties['Handler']).includes('approvals-inbound'))
        .map(([, r]) => r.Properties['Timeout'] as number);
      expect(timeouts.length).toBeGreaterThan(0);
      for (const timeout of timeouts) expect(timeout * 1000).toBeGreaterThanOrEqual(DELIVERY_FUNCTION_TIMEOUT_MS);
    },
  );

  it.each(MODES)(
    '%s: encryption everywhere — queues, topics, tables (+ PITR, TTL) and log groups use the stack key',
    (mode) => {
      const t = templates[mode];
      const key = { 'Fn::GetAtt': ['NetwatchKey', 'Arn'] };
      expect(t.Resources['NetwatchKey']?.Properties['EnableKeyRotation']).toBe(true);
      for (const [, q] of of(t, 'AWS::SQS::Queue')) expect(q.Properties['KmsMasterKeyId']).toEqual(key);
      for (const [, s] of of(t, 'AWS::SNS::Topic')) expect(s.Properties['KmsMasterKeyId']).toEqual(key);
      const tables = of(t, 'AWS::DynamoDB::Table');
      expect(tables.map(([id]) => id).sort()).toEqual(['ApprovalsTable', 'DeliveryTable', 'StateTable']);
      for (const [, table] of tables) {
        expect(table.Properties['SSESpecification']).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: key });
        expect(table.Properties['PointInTimeRecoverySpecification']).toEqual({ PointInTimeRecoveryEnabled: true });
        expect(table.Properties['TimeToLiveSpecification']).toEqual({ AttributeName: 'expiresAt', Enabled: true });
      }
      const gsi = (t.Resources['ApprovalsTable']!.Properties['GlobalSecondaryIndexes'] as Obj[])[0];
      expect(gsi).toMatchObject({
        IndexName: 'byAccount',
        KeySchema: [
          { AttributeName: 'account', KeyType: 'HASH' },
          { AttributeName: 'windowEnd', KeyType: 'RANGE' },
        ],
      });
      for (const [, g] of of(t, 'AWS::Logs::LogGroup')) expect(g.Properties['KmsKeyId']).toEqual(key);
      for (const [, f] of of(t, 'AWS::Lambda::Function')) expect(f.Properties['KmsKeyArn']).toEqual(key);
      const keyPolicy = JSON.stringify(t.Resources['NetwatchKey']?.Properties['KeyPolicy']);
      for (const service of [
        'sns.amazonaws.com',
        'events.amazonaws.com',
        'config.amazonaws.com',
        'cloudwatch.amazonaws.com',
      ])
        expect(keyPolicy).toContain(service);
    },
  );

  /** Functions per mode: the three pipeline functions, + trafficEvidence (default, private), + the flow-log custom resource (org, private). */
  // Default: + approvalsSync and approvalsInbound (approvalsSync=true, approvalsInbound=true in this package).
  // + the reconcile function (issue 17) in every mode, + the responder where respondAccounts names accounts (the
  // default package does: package.json).
  const FUNCTION_COUNT: Record<Mode, number> = { default: 8, org: 5, private: 6 };

  it.each(MODES)('%s: functions run nodejs22.x on arm64, each with its own role', (mode) => {
    const fns = of(templates[mode], 'AWS::Lambda::Function');
    expect(fns.length).toBe(FUNCTION_COUNT[mode]);
    const roles = new Set<string>();
    for (const [, f] of fns) {
      expect(f.Properties['Runtime']).toBe('nodejs22.x');
      expect(f.Properties['Architectures']).toEqual(['arm64']);
      roles.add(JSON.stringify(f.Properties['Role']));
    }
    expect(roles.size).toBe(fns.length);
  });

  it.each(MODES)('%s: IAM has no Action "*" / "service:*" and no Resource "*" except resource-less APIs', (mode) => {
    const statements = iamStatements(templates[mode]);
    expect(statements.length).toBeGreaterThan(10);
    for (const { where, statement } of statements) {
      const actions = list(statement['Action'] as string | string[]);
      for (const action of actions) expect(action, where).not.toMatch(/(^\*$|:\*$)/);
      if (JSON.stringify(statement['Resource']) === '"*"')
        for (const action of actions) expect(STAR_RESOURCE_ALLOWED[action], `${where}: ${action} on "*"`).toBeDefined();
    }
  });

  it.each(MODES)('%s: alarms page — DLQ depth, errors, throttles, queue age and the per-source heartbeats', (mode) => {
    const t = templates[mode];
    const alarms = of(t, 'AWS::CloudWatch::Alarm').map(([id, a]) => ({ id, ...a.Properties }) as Obj & { id: string });
    for (const a of alarms) expect(a['AlarmActions']).toEqual([{ Ref: 'PagingTopic' }]);
    const metric = (m: string) => alarms.filter((a) => a['MetricName'] === m);
    expect(
      metric('ApproximateNumberOfMessagesVisible')
        .map((a) => a.id)
        .sort(),
    ).toEqual(
      [
        'CloudTrailDLQDepthAlarm',
        'ConfigDLQDepthAlarm',
        ...(mode === 'org' ? [] : ['EvidenceDLQDepthAlarm']),
        ...(mode === 'default' ? ['RespondDLQDepthAlarm'] : []),
      ].sort(),
    );
    expect(
      metric('ApproximateNumberOfMessagesVisible').every(
        (a) => a['Threshold'] === 1 && a['ComparisonOperator'] === 'GreaterThanOrEqualToThreshold',
      ),
    ).toBe(true);
    expect(metric('Errors')).toHaveLength(FUNCTION_COUNT[mode]);
    expect(metric('Throttles')).toHaveLength(FUNCTION_COUNT[mode]);
    expect(metric('ApproximateAgeOfOldestMessage')).toHaveLength(2);
    const heartbeats = alarms.filter((a) => a.id.endsWith('HeartbeatAlarm'));
    expect(heartbeats.map((a) => a.id).sort()).toEqual(['CloudTrailHeartbeatAlarm', 'ConfigHeartbeatAlarm']);
    for (const h of heartbeats)
      expect(h).toMatchObject({
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        TreatMissingData: 'breaching',
        Period: 3600,
        EvaluationPeriods: 6,
      });
    const body = JSON.stringify(t.Resources['NetwatchDashboard']?.Properties['DashboardBody']);
    for (const text of [
      'Findings by severity',
      'Findings by category',
      'ChangesProcessed',
      'SinkFailures',
      'Dead-letter queue depth',
      'Duration',
    ])
      expect(body).toContain(text);
  });

  it.each(['default', 'org'] as const)(
    "%s: the CloudTrail rule's pattern is the one generated from the rules, targeting the queue with a DLQ",
    (mode) => {
      const rule = templates[mode].Resources['CloudTrailEventsRule'];
      expect(rule?.Properties['EventPattern']).toEqual(eventPatterns(RULES).cloudtrail);
      expect(rule?.Properties['Targets']).toMatchObject([
        {
          Arn: { 'Fn::GetAtt': ['CloudTrailQueue', 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['CloudTrailDLQ', 'Arn'] } },
        },
      ]);
    },
  );

  it('default: Config arrives SNS → SQS from the given topic; the queue policy admits only that topic', () => {
    const t = templates.default;
    expect(t.Resources['ConfigTopicSubscription']?.Properties).toMatchObject({
      Protocol: 'sqs',
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:config-delivery',
      RawMessageDelivery: false,
    });
    expect(JSON.stringify(t.Resources['ConfigQueuePolicy']?.Properties)).toContain(
      '"aws:SourceArn":"arn:aws:sns:eu-west-1:111122223333:config-delivery"',
    );
    expect(of(t, 'AWS::SNS::Subscription').filter(([, s]) => s.Properties['Protocol'] === 'email')).toHaveLength(2);
    expect(of(t, 'AWS::SNS::Subscription').filter(([, s]) => s.Properties['Protocol'] === 'sms')).toHaveLength(1);
    expect(of(t, 'AWS::EC2::VPCEndpoint')).toHaveLength(0);
  });

  it.each(MODES)(
    '%s: each table is the shape its store uses (key schema, GSIs, TTL attribute: one definition for both)',
    (mode) => {
      const t = templates[mode];
      const shapes: Record<string, TableShape> = {
        DeliveryTable: DELIVERY_TABLE,
        ApprovalsTable: APPROVALS_TABLE,
        StateTable: STATE_TABLE,
      };
      for (const [id, shape] of Object.entries(shapes)) {
        const p = t.Resources[id]!.Properties;
        const keys = tableKeys(shape);
        expect(p['AttributeDefinitions'], id).toEqual(keys.AttributeDefinitions);
        expect(p['KeySchema'], id).toEqual(keys.KeySchema);
        expect(p['GlobalSecondaryIndexes'], id).toEqual(keys.GlobalSecondaryIndexes);
        expect(p['TimeToLiveSpecification'], id).toEqual({ AttributeName: shape.ttlAttribute, Enabled: true });
        // The stores' tables in tests and on the CLI are created from the same shapes.
        const create = {
          approvals: approvalsTableDefinition,
          delivery: deliveryTableDefinition,
          state: stateTableDefinition,
        };
        const store = create[id.replace('Table', '').toLowerCase() as keyof typeof create]('t');
        expect({ ...store, TableName: undefined, BillingMode: undefined }).toEqual({
          ...keys,
          TableName: undefined,
          BillingMode: undefined,
        });
      }
    },
  );

  it.each(MODES)(
    '%s: the state table (issue 14) has the open-episode GSI; every ingest function names it and may use it and the look-ups',
    (mode) => {
      const t = templates[mode];
      expect((t.Resources['StateTable']!.Properties['GlobalSecondaryIndexes'] as Obj[])[0]).toMatchObject({
        IndexName: 'open',
        KeySchema: [
          { AttributeName: 'openIndex', KeyType: 'HASH' },
          { AttributeName: 'openSince', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      });
      // The ingest functions (the digest, traffic-evidence and flow-log-target functions judge no change).
      const functions = of(t, 'AWS::Lambda::Function').filter(([id]) =>
        /^(ConfigChanges|CloudtrailEvents|CloudtrailS3)LambdaFunction$/.test(id),
      );
      expect(functions.length).toBe(2);
      for (const [id, f] of functions) {
        const env = (f.Properties['Environment'] as { Variables: Obj }).Variables;
        expect(env['NETWATCH_STATE_TABLE'], id).toBe('netwatch-ci-state');
        const roleId = (f.Properties['Role'] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
        const statements = iamStatements({ Resources: { [roleId]: t.Resources[roleId]! } }).map((s) => s.statement);
        const state = statements.find((s) => s['Sid'] === 'NetworkState');
        expect(state?.['Action']).toEqual([
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:PutItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
        ]);
        expect(resolve(state?.['Resource'])).toEqual([
          'arn:aws:test:eu-west-1:111122223333:StateTable',
          'arn:aws:test:eu-west-1:111122223333:StateTable/index/open',
        ]);
        expect(statements.find((s) => s['Sid'] === 'StateLookupConfig')?.['Action']).toBe(
          'config:BatchGetResourceConfig',
        );
        expect(resolve(statements.find((s) => s['Sid'] === 'StateLookupPrefixLists')?.['Resource'])).toBe(
          'arn:aws:ec2:eu-west-1:*:prefix-list/*',
        );
      }
    },
  );

  it("default: the stack's generated Netwatch config is valid and pages through the stack's topic", () => {
    const text = String(resolve(templates.default.Resources['NetwatchConfigParameter']?.Properties['Value']));
    const config = loadConfigText(text, 'ssm:/netwatch/ci/config');
    expect(config.sinks['paging']).toMatchObject({
      type: 'sns',
      topicArn: 'arn:aws:sns:eu-west-1:111122223333:netwatch-ci-paging',
    });
    // trafficEvidence=true in this package: risky findings of the evidence categories also go to the evidence queue.
    // securityHub=true: risky findings also to Security Hub, as the account's own custom integration.
    expect(config.routes.map((r) => r.name)).toEqual([
      'page-risky',
      'change-management',
      'traffic-evidence',
      'security-hub',
    ]);
    expect(config.sinks['security-hub']).toMatchObject({ type: 'securityhub', accountId: '111122223333' });
    expect(config.sinks['evidence-queue']).toEqual({
      type: 'sqs',
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/netwatch-ci-traffic-evidence',
    });
    expect(config.routes[2]).toMatchObject({
      kind: 'record',
      match: {
        minSeverity: 'medium',
        categories: ['sg-open-world', 'endpoint-policy-loosened', 'endpoint-service-open', 'route-to-igw'],
      },
      sinks: ['evidence-queue'],
    });
    expect(config.dedup.tableName).toBe('netwatch-ci-delivery');
    expect(config.approvals.dynamodb?.tableName).toBe('netwatch-ci-approvals');
    expect([...config.context.internalVpcIds]).toEqual(['vpc-0123456789abcdef0']);
    // The private package adds the webhook sink with its SSM signing secret.
    const privateText = String(resolve(templates.private.Resources['NetwatchConfigParameter']?.Properties['Value']));
    expect(loadConfigText(privateText, 'ssm').sinks['change-webhook']).toMatchObject({
      type: 'webhook',
      url: 'https://itsm.example.com/api/netwatch',
      signingSecret: { ssm: '/netwatch/webhook/signing-secret' },
    });
  });

  it('org: the default bus admits the organization only; member template forwards the same generated patterns', async () => {
    const t = templates.org;
    expect(t.Resources['OrgEventBusPolicy']?.Properties['Statement']).toMatchObject({
      Action: 'events:PutEvents',
      Principal: '*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    });
    const member = parse(readFileSync(join(root, 'deploy', 'member-account.yml'), 'utf8')) as Template;
    expect((await checkTemplate(member)).problems).toEqual([]);
    expect(member.Resources['ForwardCloudTrailRule']?.Properties['EventPattern']).toEqual(
      eventPatterns(RULES).cloudtrail,
    );
    expect(member.Resources['ForwardConfigRule']?.Properties['EventPattern']).toEqual(eventPatterns(RULES).config);
  });

  it('private: functions in the private subnets; interface endpoints for every service the issue names, gateway for DynamoDB', () => {
    const t = templates.private;
    // The flow-log custom resource answers CloudFormation on an S3 pre-signed URL: it runs outside the VPC.
    expect(t.Resources['FlowLogTargetsLambdaFunction']?.Properties['VpcConfig']).toBeUndefined();
    for (const [id, f] of of(t, 'AWS::Lambda::Function'))
      if (id !== 'FlowLogTargetsLambdaFunction')
        expect(f.Properties['VpcConfig']).toEqual({
          SecurityGroupIds: [{ Ref: 'FunctionSecurityGroup' }],
          SubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
        });
    const endpoints = Object.fromEntries(
      of(t, 'AWS::EC2::VPCEndpoint').map(([, e]) => [
        String(resolve(e.Properties['ServiceName'])).replace('com.amazonaws.eu-west-1.', ''),
        e.Properties,
      ]),
    );
    for (const service of [
      'sqs',
      'sns',
      'logs',
      'monitoring',
      'config',
      'cloudtrail',
      'kms',
      'events',
      'sts',
      'ssm',
      'secretsmanager',
      'ec2',
    ]) {
      expect(endpoints[service], service).toMatchObject({
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        SecurityGroupIds: [{ Ref: 'EndpointSecurityGroup' }],
      });
    }
    expect(endpoints['dynamodb']).toMatchObject({
      VpcEndpointType: 'Gateway',
      RouteTableIds: ['rtb-0a1b2c3d4e5f60718', 'rtb-0f1e2d3c4b5a69788'],
    });
    expect(endpoints['s3']).toMatchObject({ VpcEndpointType: 'Gateway' });
    for (const [service, e] of Object.entries(endpoints)) {
      const statements = (e['PolicyDocument'] as { Statement: Obj[] }).Statement;
      for (const s of statements) {
        expect(s['Condition'], service).toMatchObject({
          StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceVpc': 'vpc-0a1b2c3d4e5f60718' },
        });
        for (const action of list(s['Action'] as string[])) expect(action).not.toMatch(/(^\*$|:\*$)/);
        if (s['Resource'] === '*')
          for (const action of list(s['Action'] as string[]))
            expect(STAR_RESOURCE_ALLOWED[action], `${service}: ${action}`).toBeDefined();
      }
    }
    const ingress = t.Resources['EndpointIngressFromFunctions']?.Properties;
    expect(ingress).toMatchObject({
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: { Ref: 'FunctionSecurityGroup' },
    });
  });

  it("private: Netwatch's own endpoint-policy rule finds nothing medium or above in the stack's endpoint policies", () => {
    const endpoints = of(templates.private, 'AWS::EC2::VPCEndpoint');
    expect(endpoints.length).toBeGreaterThanOrEqual(12);
    const sample = JSON.parse(
      readFileSync(join(root, 'events', 'cloudtrail', 'create-vpc-endpoint-gateway-s3-wildcard-policy.json'), 'utf8'),
    ) as Obj & { requestParameters: { CreateVpcEndpointRequest: Obj } };
    for (const [id, e] of endpoints) {
      const doc = resolve(e.Properties['PolicyDocument']);
      const after = parsePolicyDocument(doc);
      // Config-style deltas: created with this policy; replacing the AWS default (full access); policy of unknown before.
      for (const delta of [
        endpointPolicy('added', after),
        endpointPolicy('changed', after, parsePolicyDocument(undefined)),
        endpointPolicy('changed', after),
      ]) {
        const { findings, errors } = evaluate(endpointChange([delta]), RULES, EMPTY_CONTEXT);
        expect(errors).toEqual([]);
        expect(findings.filter((f) => atLeast(f.severity, 'medium')).map((f) => `${id}: ${f.summary}`)).toEqual([]);
      }
      // And the CloudTrail path: a CreateVpcEndpoint record carrying the generated PolicyDocument.
      const record = {
        ...sample,
        requestParameters: {
          CreateVpcEndpointRequest: {
            ...sample.requestParameters.CreateVpcEndpointRequest,
            PolicyDocument: JSON.stringify(doc),
          },
        },
      };
      const classified = classifyValue(record, { file: id }, { rules: RULES, context: EMPTY_CONTEXT });
      expect(classified.errors).toEqual([]);
      expect(classified.changes.length).toBe(1);
      expect(classified.findings.filter((f) => atLeast(f.severity, 'medium'))).toEqual([]);
    }
  });

  it("private (org-trail S3 source): cloudtrailS3 consumes the trail topic's deliveries and may read only AWSLogs/ in the trail bucket", () => {
    const t = templates.private;
    expect(t.Resources['CloudtrailEventsLambdaFunction']).toBeUndefined();
    expect(t.Resources['CloudTrailEventsRule']).toBeUndefined();
    expect(t.Resources['CloudTrailTopicSubscription']?.Properties).toMatchObject({
      TopicArn: 'arn:aws:sns:eu-west-1:444455556666:org-trail-notifications',
      Endpoint: { 'Fn::GetAtt': ['CloudTrailQueue', 'Arn'] },
    });
    const s3 = iamStatements(t).filter(({ statement }) => statement['Action'] === 's3:GetObject');
    expect(s3.map(({ where, statement }) => [where.split('/')[0], resolve(statement['Resource'])])).toEqual([
      ['CloudtrailS3Role', 'arn:aws:s3:::org-trail-logs-444455556666/AWSLogs/*'],
    ]);
  });

  it.each(MODES)(
    '%s: every function zip holds its ESM bundle and package.json {"type":"module"}, and a source map exactly when the function runs with --enable-source-maps',
    (mode) => {
      const t = templates[mode];
      for (const [id, f] of of(t, 'AWS::Lambda::Function')) {
        const key = String((f.Properties['Code'] as { S3Key: string }).S3Key);
        const zip = join(dir(mode), key.split('/').pop() ?? '');
        const entries = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n').sort();
        const handler = String(f.Properties['Handler']).replace(/\.handler$/, '.js');
        // A map without the flag is dead weight; the flag without a map costs a failed read at every cold start.
        const env = (f.Properties['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables;
        const sourceMaps = String(env?.['NODE_OPTIONS'] ?? '')
          .split(/\s+/)
          .includes('--enable-source-maps');
        expect(entries, id).toEqual(
          [handler, ...(sourceMaps ? [`${handler}.map`] : []), 'functions/package.json'].sort(),
        );
        expect(JSON.parse(execFileSync('unzip', ['-p', zip, 'functions/package.json'], { encoding: 'utf8' }))).toEqual({
          type: 'module',
        });
        if (sourceMaps) {
          // Mappings only (serverless.yml sourcesContent: false): stack traces need no more, and Node parses the map
          // at every cold start.
          const map = JSON.parse(execFileSync('unzip', ['-p', zip, `${handler}.map`], { encoding: 'utf8' })) as {
            sources: string[];
            sourcesContent?: unknown;
          };
          expect(
            map.sources.some((s) => s.includes('shared/')),
            id,
          ).toBe(true);
          expect(map.sourcesContent, id).toBeUndefined();
        }
      }
    },
  );
  it.each(MODES)(
    '%s: the response exists only where respondAccounts names accounts, its EC2 calls scoped to them',
    (mode) => {
      const t = templates[mode];
      const reverting = iamStatements(t).filter(({ statement }) =>
        list(statement['Action'] as string | string[]).some((a) =>
          /^ec2:(RevokeSecurityGroupIngress|DeleteRoute|ReplaceRoute)$/.test(a),
        ),
      );
      if (mode !== 'default') {
        // org and private are packaged without respondAccounts: no queue, no function, no revert permission anywhere.
        expect(t.Resources['RespondQueue']).toBeUndefined();
        expect(t.Resources['RespondLambdaFunction']).toBeUndefined();
        expect(reverting).toEqual([]);
        return;
      }
      expect(reverting.map((r) => r.where.split('/')[0])).toEqual(['RespondRole', 'RespondRole']);
      const scoped = (type: string) => [
        { 'Fn::Sub': `arn:\${AWS::Partition}:ec2:*:\${AWS::AccountId}:${type}/*` },
        { 'Fn::Sub': `arn:\${AWS::Partition}:ec2:*:444455556666:${type}/*` },
      ];
      expect(reverting.map((r) => r.statement)).toEqual([
        expect.objectContaining({ Action: 'ec2:RevokeSecurityGroupIngress', Resource: scoped('security-group') }),
        expect.objectContaining({ Action: ['ec2:DeleteRoute', 'ec2:ReplaceRoute'], Resource: scoped('route-table') }),
      ]);
      // Who may queue revert requests: the ingest functions (and the responder itself, to wait out a long grace period).
      const senders = iamStatements(t)
        .filter(({ statement }) => JSON.stringify(statement['Resource']).includes('"RespondQueue"'))
        .filter(({ statement }) => list(statement['Action'] as string | string[]).includes('sqs:SendMessage'))
        .map((r) => r.where.split('/')[0])
        .sort();
      expect(senders).toEqual(['CloudtrailEventsRole', 'ConfigChangesRole', 'RespondRole']);
      const config = JSON.stringify(t.Resources['NetwatchConfigParameter']?.Properties ?? {});
      expect(config).toContain('respond');
    },
  );
});
