import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AwsCall } from '../support/aws-calls.ts';
import { checkCalls, describeDenials, type Verdict } from '../support/iam-check.ts';
import { deployOnEmulators, type DeployedStack, type SqsEventRecord } from '../support/deployed-stack.ts';
import { sqsEvent } from '../support/records.ts';
import { inboundSignature } from '../../shared/lambda/approvals.ts';
import { MODES, type Mode, packagedTemplates, ResolvedStack } from '../support/stack-template.ts';

/**
 * The deployed functions may do what their code does. Each packaged mode (default, org, private) is "deployed" onto the
 * emulators (test/support/deployed-stack.ts); every function of the template runs from its handler with the
 * template's environment and config over every sample in events/ (Config changes with enrichment on — oversized item
 * fetch, actor look-up, VPC tags —, CloudTrail events, an org-trail log file, the digest schedule), the traffic-evidence
 * function over the evidence requests those functions delivered to its queue (ENIs and flow logs from recorded EC2
 * answers, Logs Insights queries from recorded results, follow-ups through the delivery ledger), and the flow-log
 * targets custom resource over CloudFormation's Create request; every AWS request it sends is recorded and judged by an
 * IAM evaluator against that function's role in the template, the resource's policy and, in private mode, the VPC
 * endpoint's policy. Nothing lists the actions a function needs: what the code sent is what is checked, so a new SDK
 * call — or a new function — is checked the day it is added.
 */
const packaged = packagedTemplates('test/deploy/iam-simulation.test.ts');
const root = join(import.meta.dirname, '..', '..');
const samples = (dir: string) =>
  readdirSync(join(root, 'events', dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readFileSync(join(root, 'events', dir, f), 'utf8'));

/** Ids answered by the recorded AWS responses (aws-responses/<Operation>/<id>.json): samples naming one enrich for real. */
const recordedIds = readdirSync(join(root, 'aws-responses')).flatMap((op) =>
  readdirSync(join(root, 'aws-responses', op)).map((f) => f.replace(/\.json$/, '')),
);

/**
 * The samples a mode runs. The default mode runs every sample in events/ (every code path the samples reach); the
 * other modes run the same code under another template, so they run the samples that reach the enrichment APIs (they
 * name a recorded id) and one CloudTrail record per event source — enough to send every kind of call, at a third of
 * the time (the LookupEvents rate limit of 2/s is real in the functions).
 */
function samplesFor(mode: Mode): { config: Record<string, unknown>[]; cloudtrail: Record<string, unknown>[] } {
  const parse = (texts: string[]) => texts.map((t) => JSON.parse(t) as Record<string, unknown>);
  if (mode === 'default') return { config: parse(samples('config')), cloudtrail: parse(samples('cloudtrail')) };
  const bySource = new Map<unknown, Record<string, unknown>>();
  for (const record of parse(samples('cloudtrail')))
    if (!bySource.has(record['eventSource'])) bySource.set(record['eventSource'], record);
  return {
    config: parse(samples('config').filter((text) => recordedIds.some((id) => text.includes(id)))),
    // One record per event source, and an internet-gateway attachment (it looks up the VPC's tags).
    cloudtrail: [
      ...bySource.values(),
      ...parse(samples('cloudtrail')).filter((r) => r['eventName'] === 'AttachInternetGateway'),
    ],
  };
}

/** The EventBridge event around a CloudTrail record, as the rule's SQS target delivers it. */
function eventBridge(record: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    id: `eb-${String(record['eventID'] ?? 'x')}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${String(record['eventSource'] ?? 'ec2.amazonaws.com').replace('.amazonaws.com', '')}`,
    account: record['recipientAccountId'] ?? '111122223333',
    time: record['eventTime'],
    region: record['awsRegion'] ?? 'eu-west-1',
    resources: [],
    detail: record,
  };
}

/** Revert requests of the response, in this (the emulator's) account. */
function revertRequests(): Record<string, unknown>[] {
  const finding = {
    fingerprint: 'f0e1d2c3b4a5968778695a4b3c2d1e0f',
    ruleId: 'sg-open-world',
    title: 'Security group ingress open to the internet',
    summary: 'tcp/22 open to 0.0.0.0/0 on sg-0a1b2c3d4e5f60718',
    severity: 'high',
    category: 'sg-open-world',
    resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-0a1b2c3d4e5f60718' },
    account: '000000000000',
    region: 'eu-west-1',
    at: '2026-11-20T09:00:00Z',
    source: 'cloudtrail',
    changeId: '2e1a9c3b-5d4f-4e6a-8b7c-1234567890ab',
    evidence: [],
    why: [],
    episode: {
      id: 'ep-0123456789abcdef',
      state: 'open',
      kind: 'sg-ingress',
      exposure: 'tcp/22',
      openedAt: '2026-11-20T09:00:00Z',
    },
  };
  const world = {
    direction: 'ingress',
    protocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
  };
  return [
    {
      kind: 'revert',
      fingerprint: finding.fingerprint,
      dueAt: '2026-11-20T09:15:00Z',
      dryRun: false,
      finding,
      calls: [
        {
          api: 'RevokeSecurityGroupIngress',
          input: { GroupId: 'sg-0a1b2c3d4e5f60718', SecurityGroupRuleIds: ['sgr-0a1b2c3d4e5f60718'] },
          text: 'RevokeSecurityGroupIngress sg-0a1b2c3d4e5f60718 tcp/22 from 0.0.0.0/0',
          undo: { kind: 'sg-permission', op: 'removed', groupId: 'sg-0a1b2c3d4e5f60718', permission: world },
        },
      ],
    },
    {
      kind: 'revert',
      fingerprint: 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
      dueAt: '2026-11-20T09:15:00Z',
      dryRun: false,
      finding: {
        ...finding,
        fingerprint: 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
        ruleId: 'route-to-igw',
        category: 'route-to-igw',
      },
      calls: [
        {
          api: 'DeleteRoute',
          input: { RouteTableId: 'rtb-0a1b2c3d4e5f60718', DestinationCidrBlock: '0.0.0.0/0' },
          text: 'DeleteRoute rtb-0a1b2c3d4e5f60718 0.0.0.0/0',
          undo: {
            kind: 'route',
            op: 'removed',
            routeTableId: 'rtb-0a1b2c3d4e5f60718',
            destination: { kind: 'cidr4', value: '0.0.0.0/0' },
            target: { kind: 'internet-gateway', id: 'igw-0a1b2c3d4e5f60718' },
          },
        },
      ],
    },
  ];
}

const chunks = <T>(items: T[], n: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / n) }, (_, i) => items.slice(i * n, i * n + n));

const TRAIL_BUCKET = 'org-trail-logs-444455556666';
const TRAIL_KEY =
  'AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/eu-west-1/2026/11/20/111122223333_CloudTrail_eu-west-1_20261120T0915Z_Abc123.json.gz';

/** What feeds a function. */
type Feed =
  | { kind: 'config' | 'cloudtrail' | 'trail-log' | 'all' | 'schedule' | 'url' | 'revert' }
  /** A queue the stack's own config delivers into (a sink): fed with what the other functions sent it. */
  | { kind: 'sink'; queue: string; sink: string }
  /** A custom resource's provider: fed by CloudFormation with the resource's Create request. */
  | { kind: 'custom-resource'; resource: string };

/** The sinks of the stack's config (its SSM parameter, as the template writes it): name → settings. */
function configSinks(deployed: DeployedStack): Record<string, { type?: string; queueUrl?: string }> {
  const stack = deployed.stack;
  for (const [, r] of stack.of('AWS::SSM::Parameter')) {
    const value = stack.resolve(r.Properties?.['Value']);
    try {
      const config = JSON.parse(String(value)) as { sinks?: Record<string, { type?: string; queueUrl?: string }> };
      if (config.sinks) return config.sinks;
    } catch {
      // Not the config parameter.
    }
  }
  return {};
}

/**
 * What feeds a function, read from the template (not from its name, so a function added later is driven too): the
 * queue of its event source mapping — the Config queue gets Config notifications; the CloudTrail queue gets EventBridge
 * events, or in org-trail S3 mode (the queue subscribed to the trail's topic) log-delivery notifications; a queue that
 * a sink of the stack's config delivers into (the evidence queue) gets what the other functions delivered there; any
 * other queue gets every sample, except the respond queue, which gets revert requests — a custom resource naming it as
 * ServiceToken is fed CloudFormation's Create request; otherwise the EventBridge schedule event.
 */
function feedOf(deployed: DeployedStack, fnId: string): Feed {
  const stack = deployed.stack;
  const names = (v: unknown) => JSON.stringify(v).includes(`"${fnId}"`);
  const mapping = stack.of('AWS::Lambda::EventSourceMapping').find(([, r]) => names(r.Properties?.['FunctionName']));
  // A function URL (the inbound approvals endpoint) is fed signed HTTP requests.
  if (stack.of('AWS::Lambda::Url').some(([, r]) => names(r.Properties?.['TargetFunctionArn']))) return { kind: 'url' };
  const source = mapping?.[1].Properties?.['EventSourceArn'] as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const queue = source?.['Fn::GetAtt']?.[0];
  if (queue === undefined) {
    const custom = Object.entries(stack.template.Resources).find(
      ([, r]) => r.Type.startsWith('Custom::') && names(r.Properties?.['ServiceToken']),
    );
    return custom ? { kind: 'custom-resource', resource: custom[0] } : { kind: 'schedule' };
  }
  if (queue === 'ConfigQueue') return { kind: 'config' };
  // The respond queue holds revert requests (docs/response.md), which the ingest functions queue with a 15-minute delay.
  if (queue === 'RespondQueue') return { kind: 'revert' };
  const sink = Object.entries(configSinks(deployed)).find(([, s]) => s.queueUrl === stack.ref(queue));
  if (sink) return { kind: 'sink', queue, sink: sink[0] };
  if (queue !== 'CloudTrailQueue') return { kind: 'all' };
  const viaTopic = stack
    .of('AWS::SNS::Subscription')
    .some(([, r]) => JSON.stringify(r.Properties?.['Endpoint']).includes('"CloudTrailQueue"'));
  return { kind: viaTopic ? 'trail-log' : 'cloudtrail' };
}

/**
 * Invoke with a batch the way the SQS event source mapping does: records the function reports failed (two records of
 * one change in a batch: the second finds the first's delivery claim and asks to be retried) come back in a later
 * batch, up to three times. What still fails is returned.
 */
async function redelivered(
  deployed: DeployedStack,
  fn: DeployedStack['functions'][number],
  event: { Records: Record<string, unknown>[] },
): Promise<string[]> {
  let records = event.Records;
  for (let attempt = 0; attempt < 3 && records.length > 0; attempt += 1) {
    const response = (await deployed.invoke(fn, { Records: records })) as
      | { batchItemFailures?: { itemIdentifier: string }[] }
      | undefined;
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    records = records.filter((r) => failed.has(String(r['messageId'])));
  }
  return records.map((r) => `${fn.handler}: record ${String(r['messageId'])} failed 3 times`);
}

/** What one mode's run did besides the calls: failures, and what each sink-fed function was given. */
interface Run {
  verdicts: Map<string, Verdict[]>;
  /** Per sink-fed function: the records it was invoked with (the messages the other functions sent its queue). */
  fedBySink: Map<string, SqsEventRecord[]>;
  /** Per custom-resource function: the responses CloudFormation received. */
  customResources: Map<string, Record<string, unknown>[]>;
  /** What reached the sink queues no function consumes (the change-management queue), by sink name. */
  delivered: Map<string, Record<string, unknown>[]>;
  /** The recorded calls, per function handler. */
  calls: Map<string | undefined, AwsCall[]>;
}

/** Drive every function of a deployed mode over the samples; return the verdicts on what each one sent. */
async function exercise(deployed: DeployedStack): Promise<Run> {
  const { config, cloudtrail } = samplesFor(deployed.mode);
  // Every record must have gone all the way (delivered): a failing sink would leave calls unmade and unchecked.
  const failures: string[] = [];
  const feeds = new Map(deployed.functions.map((fn) => [fn.handler, feedOf(deployed, fn.id)] as const));
  const fedBySink = new Map<string, SqsEventRecord[]>();
  const customResources = new Map<string, Record<string, unknown>[]>();
  const consumers = deployed.functions.flatMap((fn) => {
    const feed = feeds.get(fn.handler);
    return feed?.kind === 'sink' ? [{ fn, queue: feed.queue }] : [];
  });
  /**
   * The functions fed by a sink run over what was just delivered to it, before the ledger is reset: a traffic
   * follow-up goes to the sinks the finding reached, which the ledger says.
   */
  const runConsumers = async () => {
    for (const { fn, queue } of consumers) {
      const records = await deployed.receive(queue);
      fedBySink.set(fn.handler, [...(fedBySink.get(fn.handler) ?? []), ...records]);
      for (const batch of chunks(records, 10)) failures.push(...(await redelivered(deployed, fn, { Records: batch })));
    }
  };
  for (const fn of deployed.functions) {
    const t0 = Date.now();
    const feed = feeds.get(fn.handler) ?? { kind: 'schedule' };
    if (feed.kind === 'sink') continue;
    // Each ingest function starts from empty tables; a scheduled function (the digest), a custom resource and the
    // inbound endpoint run over what the functions before them left (the digest: their storm windows).
    if (
      feed.kind === 'config' ||
      feed.kind === 'cloudtrail' ||
      feed.kind === 'all' ||
      feed.kind === 'trail-log' ||
      feed.kind === 'revert'
    )
      await deployed.resetTables();
    if (feed.kind === 'config' || feed.kind === 'cloudtrail' || feed.kind === 'all') {
      const bodies =
        feed.kind === 'config'
          ? config
          : feed.kind === 'cloudtrail'
            ? cloudtrail.map(eventBridge)
            : [...config, ...cloudtrail.map(eventBridge)];
      for (const batch of chunks(bodies, 10)) failures.push(...(await redelivered(deployed, fn, sqsEvent(...batch))));
    } else if (feed.kind === 'revert') {
      // Revert requests as the ingest functions queue them, due now and not a dry run, so the responder makes its
      // EC2 calls: a world-open rule (by its rule id) and a default route to an internet gateway, in this account.
      failures.push(...(await redelivered(deployed, fn, sqsEvent(...revertRequests()))));
    } else if (feed.kind === 'trail-log') {
      await deployed.putLogObject(TRAIL_BUCKET, TRAIL_KEY, cloudtrail);
      const delivery = { s3Bucket: TRAIL_BUCKET, s3ObjectKey: [TRAIL_KEY] };
      const response = await redelivered(
        deployed,
        fn,
        sqsEvent({
          Type: 'Notification',
          MessageId: '6f2b1c9e-33a4-5b1e-9d2f-0a1b2c3d4e5f',
          TopicArn: 'arn:aws:sns:eu-west-1:444455556666:org-trail-notifications',
          Message: JSON.stringify(delivery),
          Timestamp: '2026-11-20T09:20:11.123Z',
        }),
      );
      failures.push(...response);
    } else if (feed.kind === 'custom-resource') {
      // Deploy time: CloudFormation creates the resource; a FAILED answer would fail the deploy.
      const response = await deployed.createCustomResource(fn, feed.resource);
      customResources.set(fn.handler, [...(customResources.get(fn.handler) ?? []), response]);
      if (response['Status'] !== 'SUCCESS')
        failures.push(
          `${fn.handler}: ${feed.resource} answered ${String(response['Status'])}: ${String(response['Reason'])}`,
        );
    } else if (feed.kind === 'url') {
      // A change system pushing an approval, then its cancellation, signed with the key the harness's SSM holds.
      const now = Math.floor(Date.now() / 1000);
      for (const [i, body] of [
        {
          action: 'approve',
          approval: {
            ticket: 'CHG0099001',
            windowStart: '2026-11-20T09:00:00Z',
            windowEnd: '2026-11-20T11:00:00Z',
            accounts: ['111122223333'],
            resourceIds: ['sg-0a1b2c3d4e5f60718'],
          },
        },
        { action: 'cancel', ticket: 'CHG0099001' },
      ].entries()) {
        const text = JSON.stringify(body);
        const ts = String(now + i);
        const response = (await deployed.invoke(fn, {
          requestContext: { http: { method: 'POST' } },
          headers: {
            'x-netwatch-timestamp': ts,
            'x-netwatch-signature': inboundSignature('local-signing-secret-0123456789', ts, text),
          },
          body: text,
        })) as { statusCode?: number };
        if (response.statusCode !== 200) failures.push(`${fn.handler}: answered ${response.statusCode}`);
      }
    } else {
      // Fifteen minutes later, as the schedule sees it: the storm windows the ingest functions opened have closed, so
      // the digest function reads them, sends the held-back findings and marks them — its whole path, not just the scan.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 15 * 60_000);
      try {
        await deployed.invoke(fn, { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} });
      } finally {
        vi.useRealTimers();
      }
    }
    await runConsumers();
    if (process.env['NETWATCH_PRINT_IAM']) console.log(deployed.mode, fn.handler, feed.kind, Date.now() - t0, 'ms');
  }
  // What the functions delivered to the queues nobody in the stack consumes (the change-management queue).
  const delivered = new Map<string, Record<string, unknown>[]>();
  for (const [name, sink] of Object.entries(configSinks(deployed))) {
    const queue = deployed.stack
      .of('AWS::SQS::Queue')
      .find(([id]) => sink.queueUrl === deployed.stack.ref(id) && !consumers.some((c) => c.queue === id));
    if (queue)
      delivered.set(
        name,
        (await deployed.receive(queue[0])).map((r) => JSON.parse(r.body) as Record<string, unknown>),
      );
  }
  const calls = deployed.calls();
  const verdicts = new Map<string, Verdict[]>();
  for (const fn of deployed.functions)
    verdicts.set(fn.handler, await checkCalls(deployed.stack, fn, calls.get(fn.handler) ?? []));
  // A call made outside any function's scope would go unchecked: there must be none but the harness's own setup.
  expect((calls.get(undefined) ?? []).map((c) => `${c.signingName}:${c.operation}`)).toEqual([]);
  expect(failures).toEqual([]);
  return { verdicts, fedBySink, customResources, delivered, calls };
}

const actions = (verdicts: readonly Verdict[] | undefined) => new Set((verdicts ?? []).map((v) => v.action));

describe.skipIf(!packaged)('IAM: every AWS call a deployed function makes is allowed by its role', () => {
  const results = new Map<Mode, Run & { deployed: DeployedStack }>();
  beforeAll(async () => {
    for (const mode of MODES) {
      const deployed = await deployOnEmulators(mode);
      try {
        results.set(mode, { deployed, ...(await exercise(deployed)) });
      } finally {
        await deployed.close();
      }
    }
  }, 120_000);
  afterAll(() => {
    if (process.env['NETWATCH_PRINT_IAM']) {
      for (const [mode, { verdicts }] of results)
        for (const [fn, vs] of verdicts)
          console.log(mode, fn, [...new Set(vs.map((v) => `${v.action} ${v.resource}`))].sort().join('\n    '));
    }
  });

  it.each(MODES)('%s: no call is refused by the role, a resource policy or an endpoint policy', (mode) => {
    const r = results.get(mode);
    expect(r).toBeDefined();
    const all = [...(r?.verdicts.values() ?? [])].flat();
    expect(describeDenials(all)).toEqual([]);
  });

  it.each(MODES)('%s: the run exercised every function and its AWS calls (the check cannot pass empty)', (mode) => {
    const r = results.get(mode);
    const byFn = r?.verdicts ?? new Map<string, Verdict[]>();
    const config = actions(byFn.get('functions/config-changes.handler'));
    // Enrichment, delivery (SNS paging, SQS change queue), ledger + approvals, config from SSM.
    for (const action of [
      'config:GetResourceConfigHistory',
      'config:BatchGetResourceConfig',
      'cloudtrail:LookupEvents',
      'sns:Publish',
      'sqs:SendMessage',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'ssm:GetParameter',
      'kms:GenerateDataKey',
    ])
      expect(config, `configChanges in ${mode} should have called ${action}`).toContain(action);
    const trail = actions(
      byFn.get('functions/cloudtrail-events.handler') ?? byFn.get('functions/cloudtrail-s3.handler'),
    );
    for (const action of ['sns:Publish', 'sqs:SendMessage', 'dynamodb:PutItem', 'ssm:GetParameter'])
      expect(trail, `the CloudTrail function in ${mode} should have called ${action}`).toContain(action);
    if (mode === 'private') expect(trail).toContain('s3:GetObject');
    expect(trail, `the CloudTrail function in ${mode} should have looked up a VPC`).toContain(
      'config:BatchGetResourceConfig',
    );
    if (mode === 'default') {
      // The default package turns on Security Hub and both change-management functions.
      expect(config, 'configChanges should have imported into Security Hub').toContain(
        'securityhub:BatchImportFindings',
      );
      const inbound = actions(byFn.get('functions/approvals-inbound.handler'));
      for (const action of ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem', 'ssm:GetParameter'])
        expect(inbound, `approvalsInbound should have called ${action}`).toContain(action);
      expect(actions(byFn.get('functions/approvals-sync.handler'))).toContain('ssm:GetParameter');
    }
    const digest = actions(byFn.get('functions/digest.handler'));
    for (const action of ['dynamodb:Query', 'dynamodb:UpdateItem', 'sns:Publish'])
      expect(digest, `the digest function in ${mode} should have called ${action}`).toContain(action);
    // The opt-in response (default mode: respondAccounts=self,…, not a dry run): the revert calls, its records.
    if (mode === 'default') {
      const respond = actions(byFn.get('functions/respond.handler'));
      for (const action of ['ec2:RevokeSecurityGroupIngress', 'ec2:DeleteRoute', 'sqs:SendMessage', 'dynamodb:PutItem'])
        expect(respond, `the respond function should have called ${action}`).toContain(action);
    }
    // Reconciliation: the advanced query (over the aggregator in org mode), the state table scan, the first run's
    // posture report (HTML to the reports bucket, the digest page).
    const reconcile = actions(byFn.get('functions/reconcile.handler'));
    for (const action of [
      mode === 'org' ? 'config:SelectAggregateResourceConfig' : 'config:SelectResourceConfig',
      'dynamodb:Scan',
      'dynamodb:PutItem',
      's3:PutObject',
      'sns:Publish',
    ])
      expect(reconcile, `the reconcile function in ${mode} should have called ${action}`).toContain(action);
    // Every function of the template was driven and sent something (a function added later included).
    for (const fn of r?.deployed.functions ?? [])
      expect(byFn.get(fn.handler)?.length ?? 0, `${fn.handler} in ${mode} made no AWS call`).toBeGreaterThan(0);
  });

  it.each(MODES)(
    '%s: the traffic-evidence function ran over the evidence requests the ingest functions sent',
    (mode) => {
      // Prepare
      const r = results.get(mode);
      const fn = r?.deployed.functions.find((f) => f.handler === 'functions/traffic-evidence.handler');
      if (mode === 'org') {
        // org here is packaged without trafficEvidence: no function, no evidence queue, no evidence sink.
        expect(fn).toBeUndefined();
        return;
      }
      expect(fn).toBeDefined();
      const fed = r?.fedBySink.get('functions/traffic-evidence.handler') ?? [];
      const bodies = fed.map(
        (record) => JSON.parse(record.body) as { kind?: string; finding?: Record<string, unknown> },
      );
      // Assess: real change records of the evidence categories, as the `evidence-queue` sink wrote them.
      expect(bodies.length).toBeGreaterThan(0);
      expect(new Set(bodies.map((b) => b.kind))).toEqual(new Set(['finding']));
      expect(new Set(bodies.map((b) => b.finding?.['category']))).toContain('sg-open-world');
      for (const record of fed) expect(record['eventSourceARN']).toMatch(/:netwatch-ci-traffic-evidence$/);
      const calls = actions(r?.verdicts.get('functions/traffic-evidence.handler'));
      // ENI and flow-log look-ups, the Logs Insights query, the claim in the ledger, the follow-up to the page and record.
      const expected = [
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeFlowLogs',
        'logs:StartQuery',
        'logs:GetQueryResults',
        'dynamodb:PutItem',
        'sns:Publish',
        'sqs:SendMessage',
        'ssm:GetParameter',
      ];
      // Every sample (default mode) reaches every interface look-up: SG, endpoint, endpoint service, route table.
      if (mode === 'default')
        expected.push(
          'ec2:DescribeVpcEndpoints',
          'ec2:DescribeVpcEndpointServiceConfigurations',
          'ec2:DescribeRouteTables',
          'ec2:DescribeSubnets',
        );
      for (const action of expected)
        expect(calls, `trafficEvidence in ${mode} should have called ${action}`).toContain(action);
      // The follow-ups reached the change-management queue, each with what the flow logs (or their absence) showed.
      const followUps = (r?.delivered.get('change-queue') ?? []).filter((b) => b['kind'] === 'evidence');
      const statuses = new Set(followUps.map((b) => (b['traffic'] as { status?: string } | undefined)?.status));
      expect(statuses).toContain('traffic');
      if (mode === 'default') expect([...statuses].sort()).toEqual(['failed', 'no-interfaces', 'traffic']);
      const seen = followUps.find((b) => (b['traffic'] as { status?: string }).status === 'traffic');
      expect(seen?.['traffic']).toMatchObject({
        summary: expect.stringMatching(/^since it opened: 13 (external )?sources reached /),
        query: { logGroups: ['/vpc/flow-logs/prod'], savedQueryName: 'netwatch-ci/traffic-of-enis' },
      });
    },
  );

  it.each(MODES)('%s: the flow-log targets custom resource answered CloudFormation with the ENIs', (mode) => {
    const r = results.get(mode);
    const fn = r?.deployed.functions.find((f) => f.handler === 'functions/flow-log-targets.handler');
    if (mode === 'default') {
      // default here names no PrivateLink endpoint and a fixed format: the custom resource is not needed.
      expect(fn).toBeUndefined();
      return;
    }
    const [response] = r?.customResources.get('functions/flow-log-targets.handler') ?? [];
    expect(response).toMatchObject({ Status: 'SUCCESS', LogicalResourceId: 'FlowLogTargets' });
    const data = response?.['Data'] as Record<string, string> | undefined;
    if (mode === 'org') {
      expect(data).toMatchObject({
        Target0Enis: '"eni-01234567890abcde1", "eni-01234567890abcde2"',
        Target1Enis: '"eni-0123456789abcdef3", "eni-0123456789abcdef4"',
        FormatSource: 'LogFormat of fl-0aaaaaaaaaaaaaaa1, fl-0aaaaaaaaaaaaaaa2',
      });
      expect(actions(r?.verdicts.get('functions/flow-log-targets.handler'))).toEqual(
        new Set([
          'ec2:DescribeVpcEndpoints',
          'ec2:DescribeVpcEndpointServiceConfigurations',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeFlowLogs',
        ]),
      );
    } else {
      expect(data).toMatchObject({ Target0Enis: '"eni-0a7b8c9d0e1f20304"', FormatSource: 'flowLogFormat parameter' });
      expect(actions(r?.verdicts.get('functions/flow-log-targets.handler'))).toEqual(
        new Set(['ec2:DescribeVpcEndpoints', 'ec2:DescribeNetworkInterfaces']),
      );
    }
  });

  it('the check refuses a call once the permission is removed from the role (it can fail)', async () => {
    // Prepare: the default stack's ConfigChanges role without the enrichment statement.
    const r = results.get('default');
    const deployed = r?.deployed;
    expect(deployed).toBeDefined();
    if (!deployed) return;
    const template = structuredClone(deployed.stack.template);
    const role = template.Resources['ConfigChangesRole']?.Properties as {
      Policies: { PolicyDocument: { Statement: { Action: string | string[] }[] } }[];
    };
    for (const policy of role.Policies)
      policy.PolicyDocument.Statement = policy.PolicyDocument.Statement.filter(
        (s) => ![s.Action].flat().includes('cloudtrail:LookupEvents'),
      );
    const stripped = new ResolvedStack(template, deployed.stack.env);
    const fn = deployed.functions.find((f) => f.handler === 'functions/config-changes.handler');
    expect(fn).toBeDefined();
    if (!fn) return;
    const lookup = {
      fn: fn.handler,
      signingName: 'cloudtrail',
      region: 'eu-west-1',
      operation: 'LookupEvents',
      input: {},
    };
    // Act
    const [kept] = await checkCalls(deployed.stack, fn, [lookup]);
    const [removed] = await checkCalls(stripped, fn, [lookup]);
    // Assess
    expect(kept?.result).toBe('Allowed');
    expect(removed?.result).toBe('ImplicitlyDenied');
  });

  it.each(['default', 'private'] as const)(
    '%s: without logs:StartQuery in TrafficEvidenceRole, the queries the function really sent are refused',
    async (mode) => {
      // Prepare: the calls the evidence function made in this run, and its role without the query statement.
      const r = results.get(mode);
      const deployed = r?.deployed;
      const fn = deployed?.functions.find((f) => f.handler === 'functions/traffic-evidence.handler');
      expect(fn).toBeDefined();
      if (!deployed || !fn) return;
      const calls = r?.calls.get(fn.handler) ?? [];
      expect(calls.filter((c) => c.operation === 'StartQuery').length).toBeGreaterThan(0);
      const template = structuredClone(deployed.stack.template);
      const role = template.Resources['TrafficEvidenceRole']?.Properties as {
        Policies: { PolicyDocument: { Statement: { Action: string | string[] }[] } }[];
      };
      for (const policy of role.Policies)
        policy.PolicyDocument.Statement = policy.PolicyDocument.Statement.filter(
          (s) => ![s.Action].flat().includes('logs:StartQuery'),
        );
      // Act
      const verdicts = await checkCalls(new ResolvedStack(template, deployed.stack.env), fn, calls);
      // Assess: exactly the StartQuery requests are refused, by the role
      expect(describeDenials(verdicts)).toEqual([
        expect.stringMatching(
          /^functions\/traffic-evidence\.handler: logs:StartQuery on arn:aws:logs:eu-west-1:000000000000:log-group:\/vpc\/flow-logs\/prod → ImplicitlyDenied \(identity: ImplicitlyDenied, /,
        ),
      ]);
    },
  );
});
