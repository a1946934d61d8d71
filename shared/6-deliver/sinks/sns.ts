import { printable } from '../../platform/printable.ts';
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { sdk } from '../../platform/aws/sdk.ts';
import * as z from 'zod';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import { awsDeliveryError } from './aws-error.ts';
import type { SinkDeps } from './deps.ts';
import { digestCategory, digestSeverity, noticeKey } from './format/digest.ts';
import { itemCount, renderEmail } from './format/email.ts';
import { headline } from './format/headline.ts';
import { renderSms } from './format/sms.ts';
import { asciiLine, truncateUtf8, utf8Bytes } from './format/truncate.ts';
import type { Sink } from './sink.ts';

/**
 * SNS paging sink: one Publish per notice with `MessageStructure: 'json'`, so each protocol gets its own text —
 * `email` the full page, `sms` ≤ 140 ASCII characters, `default` (every other protocol: SQS, HTTPS, Lambda, chat) the
 * one-line headline.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-send-custom-platform-specific-payloads-mobile-devices.html
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export const snsSettingsSchema = z.strictObject({
  type: z.literal('sns'),
  topicArn: z.string().regex(/^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+(\.fifo)?$/, 'an SNS topic ARN'),
  /** Prepended to the email subject. */
  subjectPrefix: z.string().max(30).default('Netwatch'),
});

export type SnsSettings = z.output<typeof snsSettingsSchema>;

/** SNS message limit: 256 KB, "262,144 bytes, not 262,144 characters", message attributes included. */
export const SNS_MAX_BYTES = 262_144;
/** SNS email subject: ASCII, one line, "less than 100 characters". */
export const SNS_SUBJECT_MAX = 99;
/** Headroom for the request envelope the size check may count (names, types). */
const MARGIN_BYTES = 1_024;

export interface SnsMessage {
  subject: string;
  /** The JSON string sent as `Message` (keys `default`, `email`, `sms`). */
  message: string;
  attributes: Record<string, MessageAttributeValue>;
  /** Deltas / findings left out of the email text, 0 when complete. */
  omitted: number;
  /** True when even the item-free email had to be cut. */
  textCut: boolean;
}

/** Size of message attributes as SNS counts them: name + data type + value. */
function attributeBytes(attributes: Record<string, MessageAttributeValue>): number {
  let total = 0;
  for (const [name, value] of Object.entries(attributes))
    total += utf8Bytes(name) + utf8Bytes(value.DataType ?? '') + utf8Bytes(value.StringValue ?? '');
  return total;
}

const SHORTENED =
  'this page was shortened to fit the 256 KB SNS message limit; the full finding is in the change record / audit archive';

/**
 * Build subject, message and attributes within {@link SNS_MAX_BYTES}: first all deltas; if too large, as many deltas
 * as fit (binary search) with a "… N more not shown (SHORTENED …)" line; if even none fit, cut the text by bytes.
 */
export function buildSnsMessage(
  notice: Notice | DigestNotice,
  settings: Pick<SnsSettings, 'subjectPrefix'>,
  maxBytes = SNS_MAX_BYTES,
): SnsMessage {
  const severity = notice.kind === 'finding' ? notice.finding.severity : digestSeverity(notice);
  const category = notice.kind === 'finding' ? notice.finding.category : digestCategory(notice);
  const account = notice.kind === 'finding' ? notice.finding.account : notice.account;
  const rule = notice.kind === 'finding' ? notice.finding.ruleId : notice.ruleId;
  const attributes: Record<string, MessageAttributeValue> = {
    severity: { DataType: 'String', StringValue: severity },
    category: { DataType: 'String', StringValue: category },
    account: { DataType: 'String', StringValue: account },
    rule: { DataType: 'String', StringValue: rule },
  };
  const subject = asciiLine(`${settings.subjectPrefix} ${headline(notice)}`, SNS_SUBJECT_MAX);
  // `default` reaches chat (AWS Chatbot), HTTPS and SQS subscribers: one printable line.
  const text = printable(headline(notice));
  const sms = renderSms(notice);
  const budget = maxBytes - attributeBytes(attributes) - utf8Bytes(subject) - MARGIN_BYTES;
  const pack = (email: string) => JSON.stringify({ default: text, email, sms });

  const full = pack(renderEmail(notice));
  if (utf8Bytes(full) <= budget) return { subject, message: full, attributes, omitted: 0, textCut: false };

  const total = itemCount(notice);
  const withItems = (n: number) => pack(renderEmail(notice, { maxItems: n, reason: SHORTENED }));
  let lo = 0;
  let hi = total;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (utf8Bytes(withItems(mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const fitted = withItems(lo);
  if (utf8Bytes(fitted) <= budget) return { subject, message: fitted, attributes, omitted: total - lo, textCut: false };

  // Not even the item-free text fits (a single enormous policy document): cut the text, re-measuring because JSON
  // escaping makes the encoded size larger than the text.
  let email = renderEmail(notice, { maxItems: 0, reason: SHORTENED });
  let target = budget - utf8Bytes(pack(''));
  let message = pack(email);
  while (utf8Bytes(message) > budget && target > 0) {
    email = truncateUtf8(email, target, `\n… [SHORTENED: ${SHORTENED}]`);
    message = pack(email);
    target = Math.floor(target * 0.9);
  }
  return { subject, message, attributes, omitted: total, textCut: true };
}

/** Publishes each notice to one SNS topic. */
export class SnsSink implements Sink {
  readonly kind = 'sns';
  constructor(
    readonly name: string,
    private readonly settings: SnsSettings,
    private readonly deps: Pick<SinkDeps, 'clients'>,
  ) {}

  async deliver(notice: Notice | DigestNotice): Promise<void> {
    const built = buildSnsMessage(notice, this.settings);
    // FIFO topics need a group; the fingerprint as deduplication id makes SNS drop a redelivered page within 5 minutes.
    const fifo = this.settings.topicArn.endsWith('.fifo')
      ? {
          MessageGroupId: notice.kind === 'finding' ? notice.finding.account : notice.account,
          MessageDeduplicationId: noticeKey(notice),
        }
      : {};
    try {
      await this.deps.clients.sns.send(
        new (sdk.sns().PublishCommand)({
          TopicArn: this.settings.topicArn,
          Subject: built.subject,
          Message: built.message,
          MessageStructure: 'json',
          MessageAttributes: built.attributes,
          ...fifo,
        }),
      );
    } catch (cause) {
      throw awsDeliveryError(this.name, `SNS Publish to ${this.settings.topicArn}`, cause);
    }
  }
}

export function createSnsSink(name: string, settings: SnsSettings, deps: SinkDeps): SnsSink {
  return new SnsSink(name, settings, deps);
}
