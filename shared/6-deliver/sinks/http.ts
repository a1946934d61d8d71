import { DeliveryError } from '../../platform/errors.ts';
import {
  REAL_CLOCK,
  parseRetryAfter,
  retry,
  type AttemptResult,
  type RetryClock,
  type RetrySettings,
} from './retry.ts';

/** One HTTP request a sink wants delivered (a POST unless `method` says otherwise). */
export interface HttpPost {
  /** Default `POST`; ticket sinks also look up (`GET`) and update (`PATCH`, `PUT`) what they created. */
  method?: 'POST' | 'GET' | 'PATCH' | 'PUT';
  url: string;
  /** The exact bytes sent (signatures are computed over them); none for a `GET`. */
  body?: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export interface HttpDeliveryDeps {
  fetch: typeof fetch;
  clock: RetryClock;
}

/** What arrived: status and body text of the successful response, and how many attempts it took. */
export interface HttpResult {
  status: number;
  text: string;
  attempts: number;
}

/**
 * POST with the shared retry policy, the one place HTTP status codes are interpreted for every HTTP sink:
 * - 2xx: delivered.
 * - 429 and 5xx, network errors, per-request timeouts: retried with backoff + jitter, `Retry-After` honoured.
 * - other 4xx: the request itself is wrong (bad routing key, malformed payload) — not retried, `retryable: false`.
 * Each attempt has its own `AbortSignal.timeout`, so one hung connection cannot eat the whole Lambda budget.
 *
 * The URL is never put into error messages: for Slack the URL is the credential.
 */
export async function postWithRetry(
  sink: string,
  request: HttpPost,
  settings: RetrySettings,
  deps: Partial<HttpDeliveryDeps> = {},
): Promise<HttpResult> {
  const doFetch = deps.fetch ?? fetch;
  const clock = deps.clock ?? REAL_CLOCK;
  const outcome = await retry<{ status: number; text: string }>(
    async (): Promise<AttemptResult<{ status: number; text: string }>> => {
      let response: Response;
      try {
        response = await doFetch(request.url, {
          method: request.method ?? 'POST',
          ...(request.body !== undefined ? { body: request.body } : {}),
          headers: request.headers,
          signal: AbortSignal.timeout(request.timeoutMs),
        });
      } catch (cause) {
        const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
        const message = timedOut
          ? `no response within ${request.timeoutMs} ms`
          : `request failed: ${cause instanceof Error ? cause.message : String(cause)}`;
        return { ok: false, retryable: true, error: new Error(message, { cause }) };
      }
      const text = await response.text().catch(() => '');
      if (response.ok) return { ok: true, value: { status: response.status, text } };
      const error = new Error(`HTTP ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`);
      if (response.status === 429 || response.status >= 500) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        return retryAfterMs !== undefined
          ? { ok: false, retryable: true, error, retryAfterMs }
          : { ok: false, retryable: true, error };
      }
      return { ok: false, retryable: false, error };
    },
    settings,
    clock,
  );
  if (outcome.ok) return { status: outcome.value.status, text: outcome.value.text, attempts: outcome.attempts };
  const suffix =
    outcome.retryAfterTooLong !== undefined
      ? ` (server asked to retry after ${outcome.retryAfterTooLong} ms, longer than allowed in process)`
      : '';
  throw new DeliveryError(sink, `${outcome.error.message} after ${outcome.attempts} attempt(s)${suffix}`, {
    cause: outcome.error,
    retryable: outcome.retryable,
  });
}
