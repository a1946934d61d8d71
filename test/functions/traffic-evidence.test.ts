import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceRequest } from '../../shared/2-enrich/traffic/evidence.ts';
import { StaticApprovals } from '../../shared/5-decide/approvals/providers.ts';
import { deliveryDepsFromConfig } from '../../shared/config/build-delivery.ts';
import { loadConfigText } from '../../shared/config/load.ts';
import { DynamoDeliveryStore, deliveryTableDefinition } from '../../shared/6-deliver/ledger/dynamodb-store.ts';
import { deliverFindings } from '../../shared/6-deliver/orchestrate.ts';
import { buildChangeRecord } from '../../shared/6-deliver/sinks/format/change-record.ts';
import { MemorySink } from '../../shared/6-deliver/sinks/memory.ts';
import { PagerDutySink, pagerDutySettingsSchema } from '../../shared/6-deliver/sinks/pagerduty.ts';
import type { Sink } from '../../shared/6-deliver/sinks/sink.ts';
import { WebhookSink, webhookSettingsSchema } from '../../shared/6-deliver/sinks/webhook.ts';
import {
  evidenceBatchHandler,
  evidenceSettingsFromEnv,
  parseEvidenceRequest,
  processEvidenceRecord,
} from '../../shared/lambda/evidence-handler.ts';
import { InvocationDeadline } from '../../shared/platform/deadline.ts';
import type { TrafficEvidence } from '../../shared/model/traffic.ts';
import { StaticSecretResolver } from '../../shared/platform/aws/secrets.ts';
import { type LocalDynamo, startDynalite } from '../support/dynalite.ts';
import { instantClock, reply, startReceiver } from '../support/http-receiver.ts';
import { sshWorldFinding } from '../support/findings.ts';
import { readFileSync } from 'node:fs';
import { type Schema, validate } from '../support/json-schema.ts';
import { createAwsClients } from '../../shared/platform/aws/clients.ts';
import { AwsFault, LOCAL_AWS, startAwsJsonServer } from '../support/aws-json-server.ts';
import { RECORDED_EC2 } from '../support/deployed-stack.ts';
import { startEc2QueryServer } from '../support/ec2-query-server.ts';

const SCHEMA = JSON.parse(
  readFileSync(new URL('../../schemas/change-record.schema.json', import.meta.url), 'utf8'),
) as Schema;

/**
 * The evidence function's record handler, end to end on real components: the finding is first delivered through the
 * pipeline's delivery step (DynamoDB ledger on dynalite, PagerDuty and the change-management webhook on loopback
 * receivers, the evidence queue sink in memory); then the queue's message (the change record the evidence sink got)
 * is processed. The Logs Insights part is replaced by a recorded evidence: it has its own tests.
 */
const NOW = new Date('2026-11-20T09:30:00Z');
const EVIDENCE: TrafficEvidence = {
  status: 'traffic',
  summary: 'since it opened: 13 external sources reached tcp/22, 5 accepted',
  since: '2026-11-20T09:15:02.000Z',
  until: '2026-11-20T09:30:00.000Z',
  interfaces: ['eni-0a1b2c3d4e5f60718', 'eni-0b2c3d4e5f6071829'],
  interfaceCount: 2,
  portScope: ['tcp/22'],
  sourceScope: 'external',
  externalSources: 13,
  accepted: { sources: 5, flows: 9, packets: 60, bytes: 51_000 },
  rejected: { sources: 8, flows: 14, packets: 70, bytes: 4_200 },
  ports: [{ protocol: 'tcp', port: 22, sources: 13, acceptedSources: 5, bytes: 55_200 }],
  topSources: [
    {
      address: '45.155.205.44',
      bytes: 16_000,
      packets: 20,
      flows: 3,
      accepted: true,
      rejected: false,
      ports: ['tcp/22'],
    },
  ],
  truncated: false,
  query: {
    text: 'parse @message …',
    logGroups: ['/vpc/flow-logs/prod'],
    queryId: 'q-1',
    consoleUrl: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights',
    savedQueryName: 'netwatch-ci/traffic-of-enis',
  },
  notes: [],
  gatheredAt: NOW.toISOString(),
};

const CONFIG = `
version: 1
sinks:
  pagerduty: { type: memory }
  servicenow: { type: memory }
  evidence-queue: { type: memory }
routes:
  - { name: page-risky, kind: paging, match: { minSeverity: medium, approval: [unapproved, expired] }, sinks: [pagerduty] }
  - { name: change-management, kind: record, sinks: [servicenow] }
  - name: traffic-evidence
    kind: record
    match: { minSeverity: medium, categories: [sg-open-world, endpoint-policy-loosened, endpoint-service-open, route-to-igw] }
    sinks: [evidence-queue]
dedup: { tableName: delivery }
`;

let dynamo: LocalDynamo;
let tables = 0;
const stops: Array<() => Promise<void>> = [];
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => dynamo.close());
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;

async function setup(approvals = new StaticApprovals([])) {
  const pd = await startReceiver((_req, _n, res) => reply(res, 202, '{"status":"success"}'));
  const itsm = await startReceiver((_req, _n, res) => reply(res, 201, '{}'));
  stops.push(pd.stop, itsm.stop);
  const secrets = new StaticSecretResolver({ 'ssm:/pd': 'R0UT1NGKEY0000000000000000000001', 'ssm:/sig': 'signing' });
  const clock = instantClock().clock;
  const evidenceQueue = new MemorySink('evidence-queue');
  const sinks = new Map<string, Sink>([
    [
      'pagerduty',
      new PagerDutySink(
        'pagerduty',
        pagerDutySettingsSchema.parse({ type: 'pagerduty', routingKey: { ssm: '/pd' }, url: `${pd.url}/v2/enqueue` }),
        { secrets, now: () => NOW, clock },
      ),
    ],
    [
      'servicenow',
      new WebhookSink(
        'servicenow',
        webhookSettingsSchema.parse({ type: 'webhook', url: `${itsm.url}/api`, signingSecret: { ssm: '/sig' } }),
        { secrets, now: () => NOW, clock },
      ),
    ],
    ['evidence-queue', evidenceQueue],
  ]);
  const table = `delivery-evidence-${(tables += 1)}`;
  await dynamo.createTable(deliveryTableDefinition(table));
  const store = new DynamoDeliveryStore(dynamo.client, table);
  const delivery = deliveryDepsFromConfig(loadConfigText(CONFIG, 'test.yml'), { store, sinks, now: () => NOW });
  const asked: EvidenceRequest[] = [];
  const deps = {
    evidence: { ec2: {} as never, logs: {} as never, timeoutMs: 30_000 },
    delivery,
    approvals,
    exclude: ['evidence-queue'],
    logger,
    metrics: new Metrics({ namespace: 'Netwatch', serviceName: 'test' }),
    gather: async (request: EvidenceRequest) => {
      asked.push(request);
      return EVIDENCE;
    },
  };
  const queueRecord = (n = 0): SQSRecord =>
    ({
      messageId: `m-${n}`,
      body: JSON.stringify(buildChangeRecord(evidenceQueue.notices[n] as never, NOW)),
    }) as SQSRecord;
  return { pd, itsm, delivery, deps, asked, queueRecord, evidenceQueue, approvals };
}

describe('traffic-evidence function', () => {
  it('follows up on the same PagerDuty alert (same dedup_key) and the same ticket, under its own idempotency key', async () => {
    // Prepare: the finding goes out first (page + ticket + evidence request)
    const s = await setup();
    const finding = sshWorldFinding();
    const first = await deliverFindings([finding], s.approvals, s.delivery);
    expect(first[0]?.delivered).toEqual(['pagerduty', 'servicenow', 'evidence-queue']);
    expect(s.pd.received).toHaveLength(1);
    // Act
    const result = await processEvidenceRecord(s.queueRecord(), s.deps);
    // Assess
    expect(s.asked).toEqual([{ finding }]);
    expect(result.state).toBe('gathered');
    expect(result.followUp?.delivered).toEqual(['pagerduty', 'servicenow']);
    const [page, followUp] = s.pd.received.map(
      (r) => JSON.parse(r.body) as Record<string, unknown> & { payload: Record<string, unknown> },
    );
    expect(followUp?.['dedup_key']).toBe(page?.['dedup_key']);
    expect(followUp?.['dedup_key']).toBe(finding.fingerprint);
    expect(String(followUp?.payload['summary'])).toBe(
      `[FOLLOW-UP] [HIGH] Security group open to the internet: sg-0a1b2c3d4e5f60718 (111122223333/eu-west-1) — since it opened: 13 external sources reached tcp/22, 5 accepted`,
    );
    expect((followUp!.payload['custom_details'] as Record<string, unknown>)['traffic']).toEqual(EVIDENCE);
    expect((followUp!['links'] as Array<{ href: string }>)[0]?.href).toBe(EVIDENCE.query?.consoleUrl);
    const [ticket, attachment] = s.itsm.received;
    expect(ticket?.headers['idempotency-key']).toBe(finding.fingerprint);
    expect(attachment?.headers['idempotency-key']).toBe(`${finding.fingerprint}.traffic`);
    const record = JSON.parse(attachment?.body ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({ kind: 'evidence', fingerprint: finding.fingerprint, traffic: EVIDENCE });
    expect(validate(SCHEMA, record)).toEqual([]);
  });

  it('a redelivered message runs no second query and sends nothing twice', async () => {
    const s = await setup();
    await deliverFindings([sshWorldFinding()], s.approvals, s.delivery);
    await processEvidenceRecord(s.queueRecord(), s.deps);
    // Act
    const again = await processEvidenceRecord(s.queueRecord(), s.deps);
    // Assess
    expect(again.state).toBe('already-done');
    expect(s.asked).toHaveLength(1);
    expect(s.pd.received).toHaveLength(2);
    expect(s.itsm.received).toHaveLength(2);
  });

  it('an approved finding was not paged: the follow-up reaches the ticket only', async () => {
    const approvals = new StaticApprovals([
      {
        ticket: 'CHG0031337',
        windowStart: '2026-11-20T09:00:00Z',
        windowEnd: '2026-11-20T11:00:00Z',
        source: 'config',
        resourceIds: ['sg-0a1b2c3d4e5f60718'],
      },
    ]);
    const s = await setup(approvals);
    const out = await deliverFindings([sshWorldFinding()], s.approvals, s.delivery);
    expect(out[0]?.approval.state).toBe('approved');
    const result = await processEvidenceRecord(s.queueRecord(), s.deps);
    expect(result.followUp?.delivered).toEqual(['servicenow']);
    expect(s.pd.received).toHaveLength(0);
  });

  it('a sink down: the record fails, the query claim is released, the retry sends only what is missing', async () => {
    const s = await setup();
    await deliverFindings([sshWorldFinding()], s.approvals, s.delivery);
    let itsmUp = false;
    s.itsm.received.length = 0;
    const down = await startReceiver((_req, _n, res) => reply(res, itsmUp ? 201 : 503, ''));
    stops.push(down.stop);
    const webhook = s.delivery.sinks.get('servicenow') as WebhookSink;
    (webhook as unknown as { settings: { url: string; retry: { attempts: number } } }).settings.url = `${down.url}/api`;
    (webhook as unknown as { settings: { retry: { attempts: number } } }).settings.retry.attempts = 1;
    // Act
    await expect(processEvidenceRecord(s.queueRecord(), s.deps)).rejects.toThrow(/servicenow/);
    itsmUp = true;
    const retried = await processEvidenceRecord(s.queueRecord(), s.deps);
    // Assess
    expect(retried.followUp).toMatchObject({ delivered: ['servicenow'], alreadyDelivered: ['pagerduty'] });
    expect(s.pd.received).toHaveLength(2);
    expect(down.received.map((r) => r.headers['idempotency-key'])).toEqual([
      `${sshWorldFinding().fingerprint}.traffic`,
      `${sshWorldFinding().fingerprint}.traffic`,
    ]);
  });

  it('AWS refuses StartQuery: the follow-up says "denied" with the action, AwsCallsDenied is counted and logged', async () => {
    // Prepare: the real evidence step over real SDK clients — EC2 answered from the recorded account, Logs refusing
    // StartQuery as IAM does (an SCP, a permission boundary, an endpoint policy, an edited role).
    const s = await setup();
    const ec2Server = await startEc2QueryServer(RECORDED_EC2);
    const logsServer = await startAwsJsonServer({
      'Logs_20140328.StartQuery': () => {
        throw new AwsFault(
          'AccessDeniedException',
          'User: arn:aws:sts::111122223333:assumed-role/netwatch-prod-trafficEvidence/x is not authorized to perform: logs:StartQuery with an explicit deny in a service control policy',
        );
      },
    });
    stops.push(ec2Server.stop, logsServer.stop);
    const clients = createAwsClients({ ...LOCAL_AWS, endpoints: { ec2: ec2Server.url, logs: logsServer.url } });
    const emitted: { name: string; value: number; dimension?: [string, string] }[] = [];
    const warnings: { message: string; extra: Record<string, unknown> }[] = [];
    const metrics = {
      addMetric: (name: string, _unit: unknown, value: number) => emitted.push({ name, value }),
      singleMetric: () => {
        let dimension: [string, string] | undefined;
        const single = {
          addDimension: (k: string, v: string) => {
            dimension = [k, v];
            return single;
          },
          addMetric: (name: string, _unit: unknown, value: number) =>
            emitted.push({ name, value, ...(dimension ? { dimension } : {}) }),
        };
        return single;
      },
    } as unknown as Metrics;
    const warn = (message: string, extra: Record<string, unknown>) => warnings.push({ message, extra });
    const { gather: _recorded, ...real } = s.deps;
    const deps = {
      ...real,
      evidence: { ec2: clients.ec2, logs: clients.logs, timeoutMs: 30_000, now: () => NOW },
      metrics,
      logger: { ...logger, warn } as unknown as Logger,
    };
    const finding = sshWorldFinding();
    await deliverFindings([finding], s.approvals, s.delivery);
    // Act
    const result = await processEvidenceRecord(s.queueRecord(), deps);
    // Assess: the follow-up went out and says what AWS refused
    expect(result.state).toBe('gathered');
    expect(result.evidence).toMatchObject({
      status: 'denied',
      denied: ['logs:StartQuery'],
      summary: 'traffic unknown: logs:StartQuery denied (could not read the flow logs of sg-0a1b2c3d4e5f60718)',
    });
    const attachment = JSON.parse(s.itsm.received[1]?.body ?? '{}') as Record<string, unknown>;
    expect(attachment).toMatchObject({ kind: 'evidence', traffic: { status: 'denied', denied: ['logs:StartQuery'] } });
    expect(validate(SCHEMA, attachment)).toEqual([]);
    expect(JSON.stringify(attachment['details'] ?? attachment)).toContain('AWS refused logs:StartQuery');
    // … and it is counted (the <function>-aws-calls-denied alarm) and logged
    expect(emitted).toEqual([
      { name: 'TrafficEvidence', value: 1, dimension: ['status', 'denied'] },
      { name: 'AwsCallsDenied', value: 1 },
    ]);
    expect(warnings).toEqual([
      {
        message: 'AWS call denied',
        extra: expect.objectContaining({
          step: 'traffic-evidence',
          action: 'logs:StartQuery',
          fingerprint: finding.fingerprint,
        }),
      },
    ]);
    for (const client of [clients.ec2, clients.logs]) client.destroy();
  });

  it('the batch handler begins the invocation deadline, so the follow-up sends stop before the function times out', async () => {
    // Prepare: the deadline the runtime builds (functions/traffic-evidence.ts passes runtime.deadline), on a fixed clock.
    const s = await setup();
    const deadline = new InvocationDeadline(() => 1_000);
    const handler = evidenceBatchHandler({ ...s.deps, deadline });
    const followUp = { messageId: 'm-f', body: JSON.stringify({ kind: 'evidence' }) } as SQSRecord;
    // Act
    const response = await handler(
      { Records: [followUp] } as SQSEvent,
      {
        getRemainingTimeInMillis: () => 42_000,
      } as Context,
    );
    // Assess: the HTTP sinks' retries read this (shared/6-deliver/sinks/retry.ts); before, it was never begun here.
    expect(response.batchItemFailures).toEqual([]);
    expect(deadline.remainingMs()).toBe(42_000);
  });

  it('ignores follow-ups, digests and categories without evidence; refuses bodies that are not change records', () => {
    const base = JSON.parse(
      JSON.stringify(
        buildChangeRecord(
          { kind: 'finding', finding: sshWorldFinding(), approval: { state: 'unapproved', reason: 'x' }, routes: [] },
          NOW,
        ),
      ),
    ) as Record<string, unknown>;
    expect(parseEvidenceRequest(JSON.stringify(base), { file: 'q' }).kind).toBe('evidence');
    expect(parseEvidenceRequest(JSON.stringify({ ...base, kind: 'evidence' }), { file: 'q' })).toEqual({
      kind: 'ignored',
      reason: 'change record of kind evidence',
    });
    const widened = { ...base, finding: { ...(base['finding'] as object), category: 'sg-widened' } };
    expect(parseEvidenceRequest(JSON.stringify(widened), { file: 'q' }).kind).toBe('ignored');
    expect(() => parseEvidenceRequest('{"hello":1}', { file: 'sqs:m-9' })).toThrow(/not a change record/);
    expect(() => parseEvidenceRequest('{', { file: 'sqs:m-9' })).toThrow(/not valid JSON/);
  });

  it('reads its settings from the environment the stack sets', () => {
    expect(
      evidenceSettingsFromEnv({
        NETWATCH_FLOW_LOG_GROUPS: '/vpc/a, /vpc/b',
        NETWATCH_EVIDENCE_TIMEOUT_SECONDS: '90',
        NETWATCH_EVIDENCE_SINK: 'evidence-queue',
      }),
    ).toEqual({ allowedLogGroups: ['/vpc/a', '/vpc/b'], timeoutMs: 90_000, exclude: ['evidence-queue'] });
    expect(() => evidenceSettingsFromEnv({ NETWATCH_EVIDENCE_TIMEOUT_SECONDS: '2h' })).toThrow(/TIMEOUT_SECONDS/);
  });
});
