import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../../shared/6-deliver/sinks/format/change-record.ts';
import { archiveKey, S3Sink, s3SettingsSchema } from '../../../shared/6-deliver/sinks/s3.ts';
import { SqsSink, sqsSettingsSchema } from '../../../shared/6-deliver/sinks/sqs.ts';
import { startEmulator } from '../../support/fauxqs.ts';
import { digest, manyDeltas, notice, sshWorldFinding } from '../../support/sink-fixtures.ts';

let emulator: Awaited<ReturnType<typeof startEmulator>>;
const NOW = new Date('2026-11-21T02:00:00.123Z');

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.stop();
});
beforeEach(() => {
  emulator.server.reset();
});

async function receiveAll(queueUrl: string) {
  const out = await emulator.clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return out.Messages ?? [];
}

describe('SQS sink', () => {
  it('sends the change record with severity / category attributes', async () => {
    // Prepare
    const { queueUrl } = emulator.server.createQueue('change-records', { region: 'eu-west-1' });
    const sink = new SqsSink('queue', sqsSettingsSchema.parse({ type: 'sqs', queueUrl }), {
      clients: emulator.clients,
      now: () => NOW,
    });
    // Act
    await sink.deliver(notice());
    // Assess
    const [message] = await receiveAll(queueUrl);
    const record = JSON.parse(message?.Body ?? '{}') as ChangeRecord;
    expect(record).toMatchObject({
      schemaVersion: 1,
      kind: 'finding',
      fingerprint: sshWorldFinding().fingerprint,
      deliveredAt: NOW.toISOString(),
    });
    expect(record.finding).toEqual(sshWorldFinding());
    expect(message?.MessageAttributes?.severity).toMatchObject({ DataType: 'String', StringValue: 'high' });
    expect(message?.MessageAttributes?.category).toMatchObject({ DataType: 'String', StringValue: 'sg-open-world' });
  });

  it('dedups a redelivered finding on a FIFO queue by fingerprint', async () => {
    const { queueUrl } = emulator.server.createQueue('change-records.fifo', {
      region: 'eu-west-1',
      attributes: { FifoQueue: 'true' },
    });
    const sink = new SqsSink('queue', sqsSettingsSchema.parse({ type: 'sqs', queueUrl }), {
      clients: emulator.clients,
      now: () => NOW,
    });
    await sink.deliver(notice());
    await sink.deliver(notice());
    const messages = await receiveAll(queueUrl);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Attributes?.MessageGroupId).toBe('111122223333');
    expect(messages[0]?.Attributes?.MessageDeduplicationId).toBe(sshWorldFinding().fingerprint);
  });

  it('keeps 5,000 deltas under 256 KB, saying what was dropped', async () => {
    const { queueUrl } = emulator.server.createQueue('change-records', { region: 'eu-west-1' });
    const sink = new SqsSink('queue', sqsSettingsSchema.parse({ type: 'sqs', queueUrl }), {
      clients: emulator.clients,
      now: () => NOW,
    });
    await sink.deliver(notice(sshWorldFinding({ evidence: manyDeltas(5_000) })));
    const [message] = await receiveAll(queueUrl);
    expect(Buffer.byteLength(message?.Body ?? '')).toBeLessThan(256 * 1024);
    const record = JSON.parse(message?.Body ?? '{}') as ChangeRecord;
    expect(record.shortened?.reason).toContain('256 KB SQS');
    expect((record.finding?.evidence.length ?? 0) + (record.shortened?.omitted ?? 0)).toBe(5_000);
  });
});

describe('S3 audit archive sink', () => {
  it('writes one JSON Lines object per notice, partitioned by the finding hour', async () => {
    // Prepare
    emulator.server.createBucket('netwatch-audit');
    const sink = new S3Sink(
      'archive',
      s3SettingsSchema.parse({ type: 's3', bucket: 'netwatch-audit', prefix: '/findings/' }),
      { clients: emulator.clients, now: () => NOW },
    );
    // Act
    await sink.deliver(notice());
    // Assess
    const listed = await emulator.clients.s3.send(new ListObjectsV2Command({ Bucket: 'netwatch-audit' }));
    const key = `findings/year=2026/month=11/day=20/hour=09/${sshWorldFinding().fingerprint}-${NOW.getTime()}.jsonl`;
    expect(listed.Contents?.map((o) => o.Key)).toEqual([key]);
    const object = await emulator.clients.s3.send(new GetObjectCommand({ Bucket: 'netwatch-audit', Key: key }));
    const text = (await object.Body?.transformToString()) ?? '';
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as ChangeRecord);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.finding).toEqual(sshWorldFinding());
  });

  it('batches until close(): one object per partition', async () => {
    emulator.server.createBucket('netwatch-audit');
    const sink = new S3Sink('archive', s3SettingsSchema.parse({ type: 's3', bucket: 'netwatch-audit', batch: true }), {
      clients: emulator.clients,
      now: () => NOW,
    });
    await sink.deliver(notice());
    await sink.deliver(notice(sshWorldFinding({ fingerprint: 'b'.repeat(32), at: '2026-11-20T09:59:59Z' })));
    await sink.deliver(notice(sshWorldFinding({ fingerprint: 'c'.repeat(32), at: '2026-11-20T10:00:00Z' })));
    await sink.deliver(digest(3));
    expect((await emulator.clients.s3.send(new ListObjectsV2Command({ Bucket: 'netwatch-audit' }))).KeyCount ?? 0).toBe(
      0,
    );
    await sink.close();
    const keys = (
      (await emulator.clients.s3.send(new ListObjectsV2Command({ Bucket: 'netwatch-audit' }))).Contents ?? []
    )
      .map((o) => o.Key ?? '')
      .sort();
    expect(keys).toEqual([
      `netwatch/findings/year=2026/month=11/day=20/hour=09/${sshWorldFinding().fingerprint}-${NOW.getTime()}.jsonl`,
      `netwatch/findings/year=2026/month=11/day=20/hour=10/${'c'.repeat(32)}-${NOW.getTime()}.jsonl`,
    ]);
    const nine = await emulator.clients.s3.send(new GetObjectCommand({ Bucket: 'netwatch-audit', Key: keys[0] }));
    const lines = ((await nine.Body?.transformToString()) ?? '').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as ChangeRecord).kind)).toEqual(['finding', 'finding', 'digest']);
  });

  it('falls back to the delivery time for an unparseable finding time', () => {
    expect(archiveKey('p', notice(sshWorldFinding({ at: 'not-a-date' })), NOW)).toBe(
      `p/year=2026/month=11/day=21/hour=02/${sshWorldFinding().fingerprint}-${NOW.getTime()}.jsonl`,
    );
  });

  it('fails with a non-retryable DeliveryError for a missing bucket', async () => {
    const sink = new S3Sink('archive', s3SettingsSchema.parse({ type: 's3', bucket: 'no-such-bucket' }), {
      clients: emulator.clients,
      now: () => NOW,
    });
    await expect(sink.deliver(notice())).rejects.toMatchObject({ name: 'DeliveryError', retryable: false });
  });
});
