import { afterEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../shared/platform/aws/clients.ts';
import { DeliveryError } from '../../../shared/platform/errors.ts';
import { EventBridgeSink, eventBridgeSettingsSchema } from '../../../shared/6-deliver/sinks/eventbridge.ts';
import type { ChangeRecord } from '../../../shared/6-deliver/sinks/format/change-record.ts';
import { AwsFault, LOCAL_AWS, startAwsJsonServer } from '../../support/aws-json-server.ts';
import { digest, manyDeltas, notice, sshWorldFinding } from '../../support/sink-fixtures.ts';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

type Entry = {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  Resources?: string[];
  Time?: number;
};

/** An EventBridge speaker: records entries; `failWith` makes it report a per-entry failure in a 200 response. */
async function eventBridge(failWith?: { ErrorCode: string; ErrorMessage: string }) {
  const entries: Entry[] = [];
  const server = await startAwsJsonServer({
    'AWSEvents.PutEvents': (input) => {
      const batch = input.Entries as Entry[];
      entries.push(...batch);
      if (failWith) return { FailedEntryCount: batch.length, Entries: batch.map(() => failWith) };
      return {
        FailedEntryCount: 0,
        Entries: batch.map((_, i) => ({ EventId: `11111111-2222-3333-4444-55555555555${i}` })),
      };
    },
  });
  stop = server.stop;
  const clients = createAwsClients({ ...LOCAL_AWS, endpoint: server.url, maxAttempts: 1 });
  const sink = (extra: Record<string, unknown> = {}) =>
    new EventBridgeSink(
      'bus',
      eventBridgeSettingsSchema.parse({ type: 'eventbridge', eventBusName: 'security', ...extra }),
      { clients, now: () => new Date('2026-11-20T09:14:09Z') },
    );
  return { server, entries, sink };
}

describe('EventBridge sink', () => {
  it('puts one Netwatch Finding event whose detail is the change record', async () => {
    // Prepare
    const { server, entries, sink } = await eventBridge();
    // Act
    await sink().deliver(notice());
    // Assess
    expect(server.received[0]?.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry).toMatchObject({
      Source: 'netwatch',
      DetailType: 'Netwatch Finding',
      EventBusName: 'security',
      Resources: ['arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0a1b2c3d4e5f60718'],
    });
    expect(entry?.Time).toBe(Date.parse('2026-11-20T09:14:03Z') / 1000);
    const detail = JSON.parse(entry?.Detail ?? '{}') as ChangeRecord;
    expect(detail).toMatchObject({
      kind: 'finding',
      fingerprint: sshWorldFinding().fingerprint,
      severity: 'high',
      approved: false,
    });
  });

  it('labels digests Netwatch Digest and keeps a 5,000-delta finding under the 256 KB entry limit', async () => {
    const { entries, sink } = await eventBridge();
    await sink().deliver(digest(5));
    await sink().deliver(notice(sshWorldFinding({ evidence: manyDeltas(5_000) })));
    expect(entries[0]?.DetailType).toBe('Netwatch Digest');
    const detail = entries[1]?.Detail ?? '';
    expect(Buffer.byteLength(detail)).toBeLessThan(256 * 1024);
    expect((JSON.parse(detail) as ChangeRecord).shortened?.reason).toContain('EventBridge');
  });

  it('throws when the response reports a failed entry (retryable only for throttling / internal)', async () => {
    const throttled = await eventBridge({ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' });
    const error = (await throttled
      .sink()
      .deliver(notice())
      .catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toContain('ThrottlingException: Rate exceeded');
    expect(error.retryable).toBe(true);
    await stop?.();

    const denied = await eventBridge({
      ErrorCode: 'NotAuthorizedForSourceException',
      ErrorMessage: 'Not authorized for the source.',
    });
    const error2 = (await denied
      .sink()
      .deliver(notice())
      .catch((e: unknown) => e)) as DeliveryError;
    expect(error2.retryable).toBe(false);
  });

  it('maps a missing bus (ResourceNotFoundException) to a non-retryable DeliveryError', async () => {
    const server = await startAwsJsonServer({
      'AWSEvents.PutEvents': () => {
        throw new AwsFault('ResourceNotFoundException', 'Event bus security does not exist.');
      },
    });
    stop = server.stop;
    const sink = new EventBridgeSink(
      'bus',
      eventBridgeSettingsSchema.parse({ type: 'eventbridge', eventBusName: 'security' }),
      { clients: createAwsClients({ ...LOCAL_AWS, endpoint: server.url, maxAttempts: 1 }) },
    );
    const error = (await sink.deliver(notice()).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('ResourceNotFoundException');
  });

  it('rejects the reserved aws. source prefix in config', () => {
    expect(eventBridgeSettingsSchema.safeParse({ type: 'eventbridge', source: 'aws.ec2' }).success).toBe(false);
  });
});
