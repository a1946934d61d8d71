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

/** The HTTP sinks' retry defaults (the only retry default: AWS calls use the SDK's retry strategy). */
export const DEFAULT_HTTP_RETRY: RetrySettings = retrySettingsSchema.parse({});

/**
 * The shortest timeout of a Lambda function that delivers (serverless.yml: `cloudtrail-events`, `config-changes`,
 * 30 s; test/deploy/template.test.ts checks the packaged template). A sink whose worst case cannot fit in it would
 * keep retrying a receiver that never answers until Lambda kills the whole batch.
 */
export const DELIVERY_FUNCTION_TIMEOUT_MS = 30_000;

/** Kept free at the end of an invocation for the ledger writes and the batch response. */
export const DEADLINE_MARGIN_MS = 2_000;

/** Longest time one delivery can take with these settings: every attempt timing out, every backoff at its ceiling. */
export function worstCaseMs(settings: RetrySettings, timeoutMs: number): number {
  let total = settings.attempts * timeoutMs;
  for (let n = 0; n + 1 < settings.attempts; n++) total += Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** n);
  return total;
}

/**
 * Why an HTTP sink's `timeoutMs × attempts` (plus backoff) cannot fit the function timeout, or undefined. Config
 * validation refuses such a sink; at run time the per-record budget ({@link retry}'s `remainingMs`) bounds it anyway.
 */
export function budgetProblem(settings: RetrySettings, timeoutMs: number): string | undefined {
  const worst = worstCaseMs(settings, timeoutMs);
  const budget = DELIVERY_FUNCTION_TIMEOUT_MS - DEADLINE_MARGIN_MS;
  return worst <= budget
    ? undefined
    : `timeoutMs ${timeoutMs} × retry.attempts ${settings.attempts} (+ backoff) = ${worst} ms cannot fit the ${DELIVERY_FUNCTION_TIMEOUT_MS / 1000} s function timeout (${budget} ms usable): lower timeoutMs or retry.attempts`;
}

/** A sink settings refinement: `timeoutMs × retry.attempts` (+ backoff) must fit the function timeout. */
export function fitsFunctionTimeout(
  settings: { timeoutMs: number; retry: RetrySettings },
  ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void },
): void {
  const problem = budgetProblem(settings.retry, settings.timeoutMs);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['timeoutMs'], message: problem });
}

/** Sleep, randomness and time are injected so tests run retries in milliseconds and deterministically. */
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

/** The smallest attempt worth starting: less time than this left in the invocation and the record fails (SQS retries). */
export const MIN_ATTEMPT_MS = 100;

/**
 * Run `attempt` until it succeeds, returns a non-retryable failure, or attempts run out — and never past the
 * invocation's deadline: `remainingMs()` (time left minus {@link DEADLINE_MARGIN_MS}, `undefined` = no deadline)
 * caps each attempt's timeout (passed to `attempt`) and each wait; when too little is left, it stops with a retryable
 * failure, so one receiver that never answers fails its record instead of timing out the whole batch. Never throws
 * itself: the caller turns a {@link RetryFailure} into its own typed error (a sink's DeliveryError).
 */
export async function retry<T>(
  attempt: (n: number, timeoutMs: number) => Promise<AttemptResult<T>>,
  settings: RetrySettings & { timeoutMs?: number },
  clock: RetryClock = REAL_CLOCK,
  remainingMs: () => number | undefined = () => undefined,
): Promise<{ ok: true; value: T; attempts: number } | ({ ok: false } & RetryFailure)> {
  const timeoutMs = settings.timeoutMs ?? Number.POSITIVE_INFINITY;
  const outOfTime = (attempts: number, last?: Error): { ok: false } & RetryFailure => ({
    ok: false,
    error: new Error(
      `no time left in this invocation for another attempt${last ? ` (last: ${last.message})` : ''}; the record is retried later`,
    ),
    retryable: true,
    attempts,
  });
  for (let n = 0; ; n++) {
    const left = remainingMs();
    if (left !== undefined && left < MIN_ATTEMPT_MS) return outOfTime(n);
    const result = await attempt(n, left === undefined ? timeoutMs : Math.min(timeoutMs, left));
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
    const after = remainingMs();
    if (after !== undefined && wait + MIN_ATTEMPT_MS > after) return outOfTime(n + 1, result.error);
    await clock.sleep(wait);
  }
}
