import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { StaticApprovals } from '../../shared/5-decide/approvals/providers.ts';
import { inMemoryDelivery } from '../../shared/config/build-delivery.ts';
import { processCloudTrailDeliveryRecord, readLogObject, type S3LogDeps } from '../../shared/lambda/cloudtrail-s3.ts';
import { sqsBatchHandler } from '../../shared/lambda/sqs-batch.ts';
import { parseDeliveryNotice } from '../../shared/1-ingest/envelope/cloudtrail-delivery.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { MemorySink } from '../../shared/6-deliver/sinks/memory.ts';
import type { Sink } from '../../shared/6-deliver/sinks/sink.ts';
import { startEmulator } from '../support/fauxqs.ts';
import { describeRecord, sqsEvent, sshWorldRecord } from '../support/records.ts';

/**
 * Org-trail S3 mode against fauxqs's S3 (real S3 API, real gzip objects): the SQS body is the SNS notification of
 * CloudTrail's log delivery, exactly as an SQS subscription without raw delivery receives it.
 */
let emulator: Awaited<ReturnType<typeof startEmulator>>;
const BUCKET = 'org-trail-logs-444455556666';
const KEY =
  'AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/eu-west-1/2026/11/20/111122223333_CloudTrail_eu-west-1_20261120T0915Z_Abc123.json.gz';
const context = {
  functionName: 'netwatch-dev-cloudtrailS3',
  awsRequestId: 'r1',
  getRemainingTimeInMillis: () => 120_000,
} as unknown as Context;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.stop();
});
beforeEach(async () => {
  emulator.server.reset();
  await emulator.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

function snsNotification(message: unknown) {
  return {
    Type: 'Notification',
    MessageId: '6f2b1c9e-33a4-5b1e-9d2f-0a1b2c3d4e5f',
    TopicArn: 'arn:aws:sns:eu-west-1:444455556666:org-trail-notifications',
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: '2026-11-20T09:20:11.123Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-example.pem',
    UnsubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
  };
}

function deps(): { deps: S3LogDeps; paging: MemorySink; changeLog: MemorySink } {
  const paging = new MemorySink('paging');
  const changeLog = new MemorySink('change-log');
  const sinks = new Map<string, Sink>([
    ['paging', paging],
    ['change-log', changeLog],
  ]);
  return {
    paging,
    changeLog,
    deps: {
      rules: RULES,
      context: EMPTY_CONTEXT,
      delivery: inMemoryDelivery(sinks),
      approvals: new StaticApprovals([]),
      s3: emulator.clients.s3,
    },
  };
}

async function putLog(key: string, body: Uint8Array) {
  await emulator.clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

describe('CloudTrail S3 log delivery (org trail)', () => {
  it('streams a gzip log file named by the SNS notification and pages the risky record, ignoring the read-only one', async () => {
    // Prepare
    await putLog(KEY, gzipSync(JSON.stringify({ Records: [describeRecord(), sshWorldRecord()] })));
    const { deps: d, paging, changeLog } = deps();
    const event = sqsEvent(snsNotification({ s3Bucket: BUCKET, s3ObjectKey: [KEY] })) as unknown as SQSEvent;
    // Act
    const response = await sqsBatchHandler(
      { ...d, logger: new Logger({ logLevel: 'SILENT' }), metrics: new Metrics({ namespace: 'NetwatchTest' }) },
      processCloudTrailDeliveryRecord,
    )(event, context);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(paging.delivered.map((f) => [f.ruleId, f.resource.id, f.source])).toEqual([
      ['sg-open-world', 'sg-0a1b2c3d4e5f60718', 'cloudtrail'],
    ]);
    expect(changeLog.delivered).toHaveLength(1);
  });

  it('reads every key of a notification, raw delivery (no SNS envelope) included, and counts the records', async () => {
    await putLog(KEY, gzipSync(JSON.stringify({ Records: [sshWorldRecord()] })));
    await putLog(
      `${KEY}.2.json.gz`,
      gzipSync(
        JSON.stringify({
          Records: [
            {
              ...sshWorldRecord('0c9a8b7d-0000-4000-8000-000000000002'),
              requestParameters: {
                groupId: 'sg-0fedcba9876543210',
                ipPermissions: {
                  items: [
                    { ipProtocol: 'tcp', fromPort: 3389, toPort: 3389, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } },
                  ],
                },
              },
            },
            describeRecord(),
          ],
        }),
      ),
    );
    const { deps: d, changeLog } = deps();
    const record = sqsEvent({ s3Bucket: BUCKET, s3ObjectKey: [KEY, `${KEY}.2.json.gz`] })
      .Records[0] as unknown as SQSEvent['Records'][number];
    const result = await processCloudTrailDeliveryRecord(record, d);
    expect(result.classified.records).toBe(3);
    // Both reach change management; paging is storm-controlled (one page per account + rule per window, the rest digested).
    expect(changeLog.delivered.map((f) => f.resource.id).sort()).toEqual([
      'sg-0a1b2c3d4e5f60718',
      'sg-0fedcba9876543210',
    ]);
    expect(result.outcomes.flatMap((o) => o.digested)).toEqual(['paging']);
  });

  it('a missing object fails the record (retried, then dead-lettered) and names it', async () => {
    const { deps: d } = deps();
    const event = sqsEvent(
      snsNotification({ s3Bucket: BUCKET, s3ObjectKey: ['AWSLogs/missing.json.gz'] }),
    ) as unknown as SQSEvent;
    const response = await sqsBatchHandler(
      { ...d, logger: new Logger({ logLevel: 'SILENT' }), metrics: new Metrics({ namespace: 'NetwatchTest' }) },
      processCloudTrailDeliveryRecord,
    )(event, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
  });

  it('a damaged gzip object fails with the s3:// name; a plain JSON object is read too', async () => {
    const gz = gzipSync(JSON.stringify({ Records: [sshWorldRecord()] }));
    await putLog('AWSLogs/damaged.json.gz', gz.subarray(0, gz.length - 12));
    await expect(readLogObject(emulator.clients.s3, BUCKET, 'AWSLogs/damaged.json.gz', 1 << 20)).rejects.toThrow(
      /could not read log object/,
    );
    await putLog('AWSLogs/plain.json', new TextEncoder().encode(JSON.stringify({ Records: [] })));
    await expect(readLogObject(emulator.clients.s3, BUCKET, 'AWSLogs/plain.json', 1 << 20)).resolves.toBe(
      '{"Records":[]}',
    );
    await putLog('AWSLogs/big.json.gz', gzipSync(Buffer.alloc(4096, 0x20)));
    await expect(readLogObject(emulator.clients.s3, BUCKET, 'AWSLogs/big.json.gz', 1024)).rejects.toThrow(
      /larger than 1024 bytes/,
    );
  });

  it('parses notifications: SNS-wrapped, raw, the trail validation message, and malformed bodies with a path', () => {
    expect(parseDeliveryNotice(JSON.stringify(snsNotification({ s3Bucket: 'b', s3ObjectKey: ['k'] })), {})).toEqual({
      kind: 'deliveries',
      deliveries: [{ bucket: 'b', keys: ['k'] }],
    });
    expect(parseDeliveryNotice(JSON.stringify(snsNotification('CloudTrail validation message.')), {})).toEqual({
      kind: 'ignored',
      reason: 'CloudTrail SNS validation message',
    });
    expect(() => parseDeliveryNotice(JSON.stringify({ s3Bucket: 'b', s3ObjectKey: 'k' }), { file: 'sqs:m1' })).toThrow(
      /not a CloudTrail log delivery notification/,
    );
    expect(() => parseDeliveryNotice('{"Type":', { file: 'sqs:m1' })).toThrow(/not valid JSON/);
  });
});

describe('functions/cloudtrail-s3', () => {
  it('answers a batch with a partial batch response (validation message succeeds, a non-notification fails)', async () => {
    const { handler } = (await import('../../functions/cloudtrail-s3.ts')) as {
      handler: (e: SQSEvent, c: Context) => Promise<{ batchItemFailures: unknown[] }>;
    };
    const event = sqsEvent(snsNotification('CloudTrail validation message.'), {
      hello: 'world',
    }) as unknown as SQSEvent;
    const response = await handler(event, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.messageId }]);
  });
});
