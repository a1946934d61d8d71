import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { REGION } from './aws-env.ts';
import type { FunctionHost } from './lambda.ts';
import type { QueueRef } from './scenario.ts';

export interface PollerOptions {
  sqs: SQSClient;
  queue: QueueRef;
  host: FunctionHost;
  /** Records per invocation (≤ 10 here: one ReceiveMessage). Lambda's default for SQS is 10. */
  batchSize?: number;
  /** Concurrent invocations (Lambda scales pollers with the backlog). Default 1. */
  concurrency?: number;
  /** Per-receive visibility timeout override, seconds; default: the queue's own. */
  visibilityTimeoutSeconds?: number;
}

/** What the mapping did, for assertions and the load report. */
export interface PollerStats {
  receives: number;
  received: number;
  invocations: number;
  /** Invocations that errored (threw / crashed): their whole batch went back to the queue. */
  functionErrors: number;
  /** Records reported in `batchItemFailures`. */
  itemFailures: number;
  deleted: number;
  /** Wall time of each invocation, ms. */
  durationsMs: number[];
}

/**
 * Lambda's SQS event source mapping, against a real (emulated) queue: ReceiveMessage with the batch size and
 * visibility timeout, invoke the function with a Lambda-shaped SQSEvent, then with `ReportBatchItemFailures`:
 * - the function returned: delete every record not listed in `batchItemFailures` (a response naming an unknown id,
 *   or an empty id, fails the whole batch, as Lambda does);
 * - the function errored: delete nothing.
 * Undeleted messages reappear after the visibility timeout; the queue's RedrivePolicy moves a message to its DLQ when
 * it is received more than `maxReceiveCount` times (fauxqs implements that on receive, as SQS does).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
export class SqsPoller {
  readonly stats: PollerStats = {
    receives: 0,
    received: 0,
    invocations: 0,
    functionErrors: 0,
    itemFailures: 0,
    deleted: 0,
    durationsMs: [],
  };
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly options: PollerOptions) {}

  /** One receive and (if anything came) one invocation, awaited. Returns the number of records invoked with. */
  async pollOnce(): Promise<number> {
    const messages = await this.receive();
    if (messages.length > 0) await this.invoke(messages);
    return messages.length;
  }

  /**
   * Poll until the source queue is empty (nothing visible, in flight or delayed) and no invocation runs, or fail after
   * `timeoutMs`. Failed records come back after their visibility timeout and are retried until they succeed or are
   * dead-lettered.
   */
  async drain(timeoutMs = 30_000): Promise<PollerStats> {
    const deadline = Date.now() + timeoutMs;
    const concurrency = this.options.concurrency ?? 1;
    for (;;) {
      if (Date.now() > deadline)
        throw new Error(
          `queue ${this.options.queue.name} not drained within ${timeoutMs} ms: ${JSON.stringify(await this.depth())}`,
        );
      if (this.inflight.size >= concurrency) {
        await Promise.race(this.inflight);
        continue;
      }
      const messages = await this.receive();
      if (messages.length > 0) {
        const run: Promise<void> = this.invoke(messages).finally(() => this.inflight.delete(run));
        this.inflight.add(run);
        continue;
      }
      if (this.inflight.size > 0) {
        await Promise.race([...this.inflight, sleep(50)]);
        continue;
      }
      const depth = await this.depth();
      if (depth.visible + depth.inFlight + depth.delayed === 0) return this.stats;
      await sleep(100);
    }
  }

  /** Messages in the source queue by state. */
  async depth(): Promise<{ visible: number; inFlight: number; delayed: number }> {
    const out = await this.options.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.options.queue.url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const n = (name: string) => Number(out.Attributes?.[name as keyof typeof out.Attributes] ?? 0);
    return {
      visible: n('ApproximateNumberOfMessages'),
      inFlight: n('ApproximateNumberOfMessagesNotVisible'),
      delayed: n('ApproximateNumberOfMessagesDelayed'),
    };
  }

  private async receive(): Promise<Message[]> {
    const out = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queue.url,
        MaxNumberOfMessages: Math.min(10, this.options.batchSize ?? 10),
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        ...(this.options.visibilityTimeoutSeconds !== undefined
          ? { VisibilityTimeout: this.options.visibilityTimeoutSeconds }
          : {}),
      }),
    );
    this.stats.receives += 1;
    const messages = out.Messages ?? [];
    this.stats.received += messages.length;
    return messages;
  }

  private async invoke(messages: Message[]): Promise<void> {
    const event = sqsEvent(messages, this.options.queue);
    this.stats.invocations += 1;
    let failedIds: Set<string>;
    const started = Date.now();
    try {
      const response = (await this.options.host
        .invoke(event)
        .finally(() => this.stats.durationsMs.push(Date.now() - started))) as SQSBatchResponse | undefined;
      const failures = response?.batchItemFailures ?? [];
      const ids = new Set(event.Records.map((r) => r.messageId));
      const valid = failures.every((f) => typeof f.itemIdentifier === 'string' && ids.has(f.itemIdentifier));
      failedIds = valid ? new Set(failures.map((f) => f.itemIdentifier)) : ids;
      this.stats.itemFailures += failedIds.size;
    } catch {
      this.stats.functionErrors += 1;
      return;
    }
    const done = messages.filter((m) => !failedIds.has(m.MessageId ?? ''));
    if (done.length === 0) return;
    const out = await this.options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.options.queue.url,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
    this.stats.deleted += out.Successful?.length ?? 0;
  }
}

/** The Lambda SQS event for received messages (field names as the Lambda service spells them). */
export function sqsEvent(messages: readonly Message[], queue: QueueRef): SQSEvent {
  return {
    Records: messages.map(
      (m): SQSRecord => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: m.Attributes?.SenderId ?? 'AIDAIENQZJOLO23YVJ4VO',
          ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        },
        messageAttributes: lambdaAttributes(m.MessageAttributes ?? {}),
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: REGION,
      }),
    ),
  };
}

/** SQS API message attributes (`StringValue`) in Lambda's spelling (`stringValue`, list fields present). */
function lambdaAttributes(attributes: Record<string, MessageAttributeValue>): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, a] of Object.entries(attributes)) {
    out[name] = {
      dataType: a.DataType ?? 'String',
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: Buffer.from(a.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return out;
}
