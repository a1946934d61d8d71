import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import type { LambdaDeps } from '../../shared/lambda/deps.ts';
import { sqsBatchHandler } from '../../shared/lambda/sqs-batch.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { MemorySink } from '../../shared/6-deliver/sinks/memory.ts';
import type { Sink } from '../../shared/6-deliver/sinks/sink.ts';
import { StaticApprovals } from '../../shared/5-decide/approvals/providers.ts';
import { inMemoryDelivery } from '../../shared/config/build-delivery.ts';
import { describeRecord, eventBridgeCloudTrail, sqsEvent, sshWorldRecord } from '../support/records.ts';

const context = {
  functionName: 'netwatch-dev-cloudtrailEvents',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:netwatch-dev-cloudtrailEvents',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/netwatch-dev-cloudtrailEvents',
  logStreamName: '2026/11/20/[$LATEST]abcdef',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

function memoryDeps() {
  const paging = new MemorySink('paging');
  const changeLog = new MemorySink('change-log');
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const sinks = new Map<string, Sink>([
    ['paging', paging],
    ['change-log', changeLog],
  ]);
  const deps: LambdaDeps = {
    rules: RULES,
    context: EMPTY_CONTEXT,
    delivery: inMemoryDelivery(sinks),
    approvals: new StaticApprovals([]),
    logger,
    metrics: new Metrics({ namespace: 'NetwatchTest', serviceName: 'test' }),
  };
  return { deps, paging, changeLog };
}

describe('SQS batch handler (shared by both functions)', () => {
  it('pages a world-open SSH rule that arrived EventBridge → SQS, and ignores a read-only call', async () => {
    // Prepare
    const { deps, paging, changeLog } = memoryDeps();
    const event = sqsEvent(
      eventBridgeCloudTrail(sshWorldRecord()),
      eventBridgeCloudTrail(describeRecord()),
    ) as unknown as SQSEvent;
    // Act
    const response = await sqsBatchHandler(deps)(event, context);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(paging.delivered.map((f) => [f.category, f.resource.id, f.changeId])).toEqual([
      ['sg-open-world', 'sg-0a1b2c3d4e5f60718', '9d3a8e5c-2f41-4b7a-8c6d-0e1f2a3b4c5d'],
    ]);
    expect(changeLog.delivered.length).toBeGreaterThanOrEqual(1);
  });

  it('fails only the poison records (bad JSON, wrong shape) and processes the good one between them', async () => {
    const { deps, paging } = memoryDeps();
    const event = sqsEvent(
      '{"detail-type": "AWS API Call via CloudTrail", "detail": {',
      eventBridgeCloudTrail(sshWorldRecord()),
      { hello: 'world' },
    ) as unknown as SQSEvent;
    const response = await sqsBatchHandler(deps)(event, context);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      event.Records[0]?.messageId,
      event.Records[2]?.messageId,
    ]);
    expect(paging.delivered).toHaveLength(1);
  });

  it('fails the record when a routed sink fails, so SQS retries it', async () => {
    const { deps } = memoryDeps();
    (deps.delivery.sinks as Map<string, unknown>).set('paging', {
      name: 'paging',
      kind: 'broken',
      deliver: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')),
    });
    const event = sqsEvent(eventBridgeCloudTrail(sshWorldRecord())) as unknown as SQSEvent;
    const response = await sqsBatchHandler(deps)(event, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
  });
});

describe('deployed handlers', () => {
  it.each(['config-changes', 'cloudtrail-events'])(
    'functions/%s answers a batch with a partial batch response',
    async (name) => {
      const { handler } = (await import(`../../functions/${name}.ts`)) as {
        handler: (e: SQSEvent, c: Context) => Promise<{ batchItemFailures: unknown[] }>;
      };
      const event = sqsEvent(eventBridgeCloudTrail(describeRecord()), 'not json') as unknown as SQSEvent;
      const response = await handler(event, context);
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.messageId }]);
    },
  );
});
