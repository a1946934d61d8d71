import { setTimeout as delay } from 'node:timers/promises';
import * as z from 'zod';

/**
 * In-process retry for HTTP sinks. Bounded on purpose: a Lambda has a deadline, and the SQS redrive is the outer retry
 * loop. Exponential backoff with *full jitter* (sleep = random × min(cap, base × 2^attempt)) spreads a burst of
 * findings that all hit a 429 at once instead of retrying them in lock step.
 * @see https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
 */
export const retrySettingsSchema = z.strictObject({
  /** Total attempts including the first (1 = no retry). */
  attempts: z.number().int().min(1).max(10).default(4),
  baseDelayMs: z.number().int().min(0).max(60_000).default(200),
  maxDelayMs: z.number().int().min(0).max(300_000).default(5_000),
  /** Longest `Retry-After` honoured in process; a longer one fails the delivery (retryable) and SQS redelivers later. */
  maxRetryAfterMs: z.number().int().min(0).max(900_000).default(30_000),
});

export type RetrySettings = z.output<typeof retrySettingsSchema>;

export const DEFAULT_RETRY: RetrySettings = retrySettingsSchema.parse({});

/** Sleep and randomness are injected so tests run retries in milliseconds and deterministically. */
export interface RetryClock {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const REAL_CLOCK: RetryClock = { sleep: (ms) => delay(ms), random: Math.random };

/** Backoff before attempt `attempt + 1` (0-based `attempt` that just failed), full jitter. */
export function backoffMs(
  attempt: number,
  settings: Pick<RetrySettings, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Parse an HTTP `Retry-After` header: delta-seconds or an HTTP-date. Returns milliseconds, or undefined when absent or
 * unparseable.
 * @see https://www.rfc-editor.org/rfc/rfc9110#name-retry-after
 */
export function parseRetryAfter(value: string | null, now: Date = new Date()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** What one attempt concluded. `retryAfterMs` overrides the backoff when the server said when to come back. */
export type AttemptResult<T> =
  | { ok: true; value: T }
  | { ok: false; retryable: boolean; error: Error; retryAfterMs?: number };

/** Why retrying stopped. */
export interface RetryFailure {
  error: Error;
  retryable: boolean;
  attempts: number;
  /** Set when the server asked to wait longer than `maxRetryAfterMs`. */
  retryAfterTooLong?: number;
}

/**
 * Run `attempt` until it succeeds, returns a non-retryable failure, or attempts run out. Never throws itself: the
 * caller turns a {@link RetryFailure} into its own typed error (a sink's DeliveryError).
 */
export async function retry<T>(
  attempt: (n: number) => Promise<AttemptResult<T>>,
  settings: RetrySettings,
  clock: RetryClock = REAL_CLOCK,
): Promise<{ ok: true; value: T; attempts: number } | ({ ok: false } & RetryFailure)> {
  for (let n = 0; ; n++) {
    const result = await attempt(n);
    if (result.ok) return { ok: true, value: result.value, attempts: n + 1 };
    if (!result.retryable || n + 1 >= settings.attempts)
      return { ok: false, error: result.error, retryable: result.retryable, attempts: n + 1 };
    if (result.retryAfterMs !== undefined && result.retryAfterMs > settings.maxRetryAfterMs) {
      return {
        ok: false,
        error: result.error,
        retryable: true,
        attempts: n + 1,
        retryAfterTooLong: result.retryAfterMs,
      };
    }
    const wait = result.retryAfterMs ?? backoffMs(n, settings, clock.random);
    await clock.sleep(wait);
  }
}
