import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { sdk } from '../../platform/aws/sdk.ts';
import * as z from 'zod';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import { awsDeliveryError } from './aws-error.ts';
import type { SinkDeps } from './deps.ts';
import { changeRecordJson } from './format/change-record.ts';
import { noticeKey } from './format/digest.ts';
import type { Sink } from './sink.ts';

/**
 * SQS sink: the change record as the message body, `severity` / `category` / `account` / `rule` as message attributes
 * (consumers and SNS-style filters read them without parsing the body). FIFO queues get the account as message group
 * and the fingerprint as deduplication id, so a redelivered finding is dropped by SQS itself within 5 minutes.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
export const sqsSettingsSchema = z.strictObject({
  type: z.literal('sqs'),
  queueUrl: z.url({ protocol: /^https?$/ }),
});

export type SqsSettings = z.output<typeof sqsSettingsSchema>;

/** 256 KB counting attributes, the limit every SQS queue accepts (queues may be configured lower, never we assume higher). */
export const SQS_MAX_BYTES = 262_144;

export class SqsSink implements Sink {
  readonly kind = 'sqs';
  constructor(
    readonly name: string,
    private readonly settings: SqsSettings,
    private readonly deps: Pick<SinkDeps, 'clients' | 'now'>,
  ) {}

  async deliver(notice: Notice | DigestNotice): Promise<void> {
    const now = (this.deps.now ?? (() => new Date()))();
    const { record, json } = changeRecordJson(
      notice,
      now,
      SQS_MAX_BYTES - 2_048,
      'shortened to fit the 256 KB SQS message limit',
    );
    const attributes: Record<string, MessageAttributeValue> = {
      severity: { DataType: 'String', StringValue: record.severity },
      category: { DataType: 'String', StringValue: record.category },
      account: { DataType: 'String', StringValue: record.account },
      rule: { DataType: 'String', StringValue: record.ruleId },
    };
    const fifo = this.settings.queueUrl.endsWith('.fifo')
      ? { MessageGroupId: record.account, MessageDeduplicationId: noticeKey(notice) }
      : {};
    try {
      await this.deps.clients.sqs.send(
        new (sdk.sqs().SendMessageCommand)({
          QueueUrl: this.settings.queueUrl,
          MessageBody: json,
          MessageAttributes: attributes,
          ...fifo,
        }),
      );
    } catch (cause) {
      throw awsDeliveryError(this.name, `SQS SendMessage to ${this.settings.queueUrl}`, cause);
    }
  }
}

export function createSqsSink(name: string, settings: SqsSettings, deps: SinkDeps): SqsSink {
  return new SqsSink(name, settings, deps);
}
