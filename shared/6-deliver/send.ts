import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryError, errorText } from '../platform/errors.ts';
import type { DigestNotice, Notice } from '../model/notice.ts';
import type { Sink } from './sinks/sink.ts';

/** In-invocation retry policy for one sink call. */
export interface RetryPolicy {
  /** Total attempts (default 1: the sinks retry themselves, see {@link DEFAULT_RETRY}). */
  attempts: number;
  /** First back-off in ms, doubled each time (default 200). */
  backoffMs: number;
}

/**
 * One attempt per sink and invocation by default. The sinks already retry where it helps — the HTTP sinks with backoff,
 * jitter and `Retry-After` (shared/6-deliver/sinks/retry.ts), the AWS sinks through the SDK's standard retry mode — so a second
 * retry layer here would multiply attempts (3 × 4 requests within a second against a PagerDuty that asked for 60 s
 * of quiet). When a sink still fails, the record fails and SQS redelivers it later: that is the outer retry.
 */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 1, backoffMs: 200 };

/**
 * Send one notice to one sink, retrying transient failures inside the invocation (a brief 5xx or throttle should not
 * cost an SQS round trip). A non-retryable {@link DeliveryError} (bad request, unknown sink) fails at once. The final
 * error is always a DeliveryError naming the sink, so the record's failure says where delivery broke.
 */
export async function sendWithRetry(
  sink: Sink,
  notice: Notice | DigestNotice,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<void> {
  let last: DeliveryError | undefined;
  for (let attempt = 1; attempt <= Math.max(1, policy.attempts); attempt += 1) {
    try {
      await sink.deliver(notice);
      return;
    } catch (cause) {
      last = cause instanceof DeliveryError ? cause : new DeliveryError(sink.name, errorText(cause), { cause });
      if (!last.retryable) break;
      if (attempt < policy.attempts && policy.backoffMs > 0) await sleep(policy.backoffMs * 2 ** (attempt - 1));
    }
  }
  throw last ?? new DeliveryError(sink.name, 'delivery failed');
}
