import { DeliveryError, errorText } from '../platform/errors.ts';
import type { DigestNotice, Notice } from '../model/notice.ts';
import type { Clock, DeliveryStore } from './ledger/store.ts';
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

/**
 * Send one notice to the sink `name` at most once under the ledger key `key`: claim (key, sink), send, complete as
 * delivered; on failure release the claim so a retry sends it. `'already'`: the ledger has it done; a DeliveryError:
 * no such sink (not retryable, `(context)` in the message), the claim is held elsewhere (`busy`), or the send failed.
 * The digest, posture and traffic follow-up passes send with it; the finding pass claims every sink first
 * (orchestrate.ts) and does not.
 */
export async function sendOnce(
  deps: { sinks: ReadonlyMap<string, Sink>; store: DeliveryStore },
  key: string,
  name: string,
  notice: Notice | DigestNotice,
  clock: Clock & { leaseMs: number },
  words: { context: string; busy: string },
): Promise<'sent' | 'already' | DeliveryError> {
  const sink = deps.sinks.get(name);
  if (sink === undefined)
    return new DeliveryError(name, `no sink with this name is configured (${words.context})`, { retryable: false });
  const claim = await deps.store.claim(key, name, clock);
  if (claim.state === 'done') return 'already';
  if (claim.state === 'busy') return new DeliveryError(name, words.busy);
  try {
    await send(sink, notice);
  } catch (error) {
    await deps.store.release(key, name, claim.token);
    return error instanceof DeliveryError ? error : new DeliveryError(name, errorText(error), { cause: error });
  }
  await deps.store.complete(key, name, 'delivered', clock);
  return 'sent';
}
