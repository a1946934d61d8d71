/**
 * Bounded retries with exponential backoff and full jitter, for AWS throttling. The SDK clients Netwatch builds run
 * with `maxAttempts: 1` (shared/platform/aws/clients.ts) so this is the only retry loop: its bound is what keeps a Lambda
 * invocation (and a page) from waiting on a throttled API indefinitely.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * @see https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
 */

/** How a retry loop waits; injected so tests run without real time. */
export interface RetryOptions {
  /** Total attempts, the first included (default 4). */
  attempts?: number;
  /** First backoff ceiling in ms (default 100); doubles each retry. */
  baseMs?: number;
  /** Largest backoff ceiling in ms (default 2000). */
  maxMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) (default Math.random): full jitter picks the wait uniformly below the ceiling. */
  random?: () => number;
}

/** Error names AWS services use for "slow down" (Config: ThrottlingException; CloudTrail LookupEvents: ThrottlingException). */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

/** The `name` of an error the SDK threw (`ResourceNotDiscoveredException`, …), or `Error`. */
export function errorName(error: unknown): string {
  return error instanceof Error
    ? error.name
    : typeof error === 'object' && error !== null && 'name' in error
      ? String(error.name)
      : 'Error';
}

/** One line about an error, for a finding's `why`: `ThrottlingException: Rate exceeded`. */
export function errorSummary(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const name = errorName(error);
  return message && message !== name ? `${name}: ${message}` : name;
}

/** True for AWS throttling errors (by name, or the SDK's `$retryable.throttling` mark). */
export function isThrottling(error: unknown): boolean {
  if (THROTTLING.has(errorName(error))) return true;
  if (typeof error !== 'object' || error === null || !('$retryable' in error)) return false;
  const retryable = (error as { $retryable?: { throttling?: boolean } }).$retryable;
  return retryable?.throttling === true;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What {@link withRetry} returns: the value, and how many throttled attempts came before it. */
export interface Retried<T> {
  value: T;
  throttled: number;
}

/**
 * Run `call`, retrying while it throws a throttling error, at most `attempts` times in all. Any other error, or the
 * last throttling error, is rethrown with the number of throttled attempts attached (`throttledAttempts`).
 */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<Retried<T>> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 2000;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  let throttled = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { value: await call(), throttled };
    } catch (error) {
      if (!isThrottling(error) || attempt >= attempts) {
        if (typeof error === 'object' && error !== null)
          Object.assign(error, { throttledAttempts: throttled + (isThrottling(error) ? 1 : 0) });
        throw error;
      }
      throttled += 1;
      const ceiling = Math.min(max, base * 2 ** (attempt - 1));
      await sleep(Math.floor(random() * ceiling));
    }
  }
}
