import * as z from 'zod';
import { MalformedInputError, type InputLocation } from '../../platform/errors.ts';
import { isObject } from '../../platform/json.ts';

/**
 * CloudTrail's log-delivery notification, for organisations that centralise CloudTrail in one S3 bucket: each time a
 * trail writes log files it publishes `{"s3Bucket": "…", "s3ObjectKey": ["AWSLogs/…/x.json.gz", …]}` to the trail's
 * SNS topic, which Netwatch's queue subscribes to (raw message delivery on or off).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/configure-sns-notifications-for-cloudtrail.html
 */

/** Log objects to read: one bucket, its keys. */
export interface LogDelivery {
  bucket: string;
  keys: string[];
}

/** What an SQS body held: deliveries, or a reason there is nothing to read. */
export type DeliveryNotice = { kind: 'deliveries'; deliveries: LogDelivery[] } | { kind: 'ignored'; reason: string };

const Notification = z.lazy(() =>
  z.object({ s3Bucket: z.string().min(1), s3ObjectKey: z.array(z.string().min(1)).min(1) }),
);

/**
 * SNS sends this text once when a topic is configured on a trail (not JSON): nothing to read.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-notificaton.html
 */
const VALIDATION_MESSAGE = /^CloudTrail validation message/i;

/**
 * Read an SQS body (SNS notification envelope, or the raw CloudTrail notification with raw delivery on). Throws
 * {@link MalformedInputError} naming the path when the body is neither.
 */
export function parseDeliveryNotice(body: string, where: InputLocation): DeliveryNotice {
  const value = parseJson(body, { ...where, path: '/body' });
  if (isObject(value) && value['Type'] === 'Notification' && 'Message' in value) {
    const message = value['Message'];
    if (typeof message === 'string' && VALIDATION_MESSAGE.test(message.trim()))
      return { kind: 'ignored', reason: 'CloudTrail SNS validation message' };
    const inner = typeof message === 'string' ? parseJson(message, { ...where, path: '/body/Message' }) : message;
    return { kind: 'deliveries', deliveries: [notification(inner, { ...where, path: '/body/Message' })] };
  }
  return { kind: 'deliveries', deliveries: [notification(value, { ...where, path: '/body' })] };
}

function notification(value: unknown, where: InputLocation): LogDelivery {
  const parsed = Notification.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? `${where.path ?? ''}/${issue.path.join('/')}` : where.path;
    throw new MalformedInputError(
      `not a CloudTrail log delivery notification ({"s3Bucket", "s3ObjectKey": [...]}): ${issue?.message ?? 'invalid'}`,
      { ...where, ...(path !== undefined ? { path } : {}) },
    );
  }
  return { bucket: parsed.data.s3Bucket, keys: parsed.data.s3ObjectKey };
}

function parseJson(text: string, where: InputLocation): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new MalformedInputError(`not valid JSON: ${(cause as Error).message}`, where, { cause });
  }
}
