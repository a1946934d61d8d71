import { DeliveryError, errorText } from '../platform/errors.ts';
import type { DigestNotice, Notice } from '../model/notice.ts';
import type { Sink } from './sinks/sink.ts';

/**
 * Send one notice to one sink, once. There is no retry layer here: the HTTP sinks retry with backoff, jitter and
 * `Retry-After` within the invocation's deadline (shared/6-deliver/sinks/retry.ts, the one HTTP retry), the AWS sinks
 * through the SDK's retry strategy; a second layer here would multiply attempts. When a sink still fails, the record
 * fails and SQS redelivers it later: that is the outer retry. The error is always a DeliveryError naming the sink.
 */
export async function send(sink: Sink, notice: Notice | DigestNotice): Promise<void> {
  try {
    await sink.deliver(notice);
  } catch (cause) {
    throw cause instanceof DeliveryError ? cause : new DeliveryError(sink.name, errorText(cause), { cause });
  }
}
