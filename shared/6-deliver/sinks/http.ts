import type { SinkDeps } from './deps.ts';
import type { InvocationDeadline } from '../../platform/deadline.ts';
import { DeliveryError } from '../../platform/errors.ts';
import {
  DEADLINE_MARGIN_MS,
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
  /**
   * Values that must never appear in an error or a log line: credentials in headers or the body (API keys, routing
   * keys, signing secrets). The URL and its path are always redacted (for Slack the URL is the credential).
   */
  secrets?: readonly string[];
}

export interface HttpDeliveryDeps {
  fetch: typeof fetch;
  clock: RetryClock;
  /** The Lambda invocation's deadline: retries stop {@link DEADLINE_MARGIN_MS} before it. */
  deadline?: InvocationDeadline;
}

/** What arrived: status and body text of the successful response, and how many attempts it took. */
export interface HttpResult {
  status: number;
  text: string;
  attempts: number;
}

/** The HTTP parts of a sink's deps (only those set). */
export function httpDeps(deps: Pick<SinkDeps, 'fetch' | 'clock' | 'deadline'>): Partial<HttpDeliveryDeps> {
  return {
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.deadline ? { deadline: deps.deadline } : {}),
  };
}

/** Same-origin redirects followed per attempt (307/308 only: they keep method and body). */
const MAX_REDIRECTS = 3;

/**
 * POST with the shared retry policy, the one place HTTP status codes are interpreted for every HTTP sink:
 * - 2xx: delivered.
 * - 429 and 5xx, network errors, per-request timeouts: retried with backoff + jitter, `Retry-After` honoured.
 * - other 4xx: the request itself is wrong (bad routing key, malformed payload) — not retried, `retryable: false`.
 * - 3xx: followed only when it is a 307/308 to the *same origin* (scheme, host and port); any other redirect fails,
 *   not retried. `fetch` would otherwise re-send the notice and its secret headers (`X-Api-Key`) to whatever origin
 *   the receiver names, even over plain http.
 * Each attempt has its own `AbortSignal.timeout`, capped by what is left of the Lambda invocation (minus a margin), so
 * one hung connection cannot eat the whole budget; when too little is left the record fails and SQS retries it.
 *
 * No URL, URL path or secret ever reaches an error message (and so a log line): a receiver may echo the request back
 * in its error body, and an undici error may quote the URL. See {@link redactor}.
 */
export async function postWithRetry(
  sink: string,
  request: HttpPost,
  settings: RetrySettings,
  deps: Partial<HttpDeliveryDeps> = {},
): Promise<HttpResult> {
  const doFetch = deps.fetch ?? fetch;
  const clock = deps.clock ?? REAL_CLOCK;
  const redact = redactor(request);
  const remaining = (): number | undefined => {
    const left = deps.deadline?.remainingMs();
    return left === undefined ? undefined : left - DEADLINE_MARGIN_MS;
  };
  const outcome = await retry<{ status: number; text: string }>(
    async (_n, timeoutMs): Promise<AttemptResult<{ status: number; text: string }>> => {
      let response: Response;
      let url = request.url;
      for (let hop = 0; ; hop++) {
        try {
          response = await doFetch(url, {
            method: request.method ?? 'POST',
            ...(request.body !== undefined ? { body: request.body } : {}),
            headers: request.headers,
            redirect: 'manual',
            signal: AbortSignal.timeout(Math.max(1, timeoutMs)),
          });
        } catch (cause) {
          const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
          const message = timedOut
            ? `no response within ${Math.round(timeoutMs)} ms`
            : `request failed: ${causeText(cause)}`;
          return { ok: false, retryable: true, error: new Error(redact(message)) };
        }
        if (response.status < 300 || response.status >= 400) break;
        await response.body?.cancel().catch(() => undefined);
        const target = redirectTarget(url, response);
        if (target === undefined || hop >= MAX_REDIRECTS) {
          const where = target === undefined ? 'to another origin (or not a 307/308)' : 'more than 3 times';
          return {
            ok: false,
            retryable: false,
            error: new Error(
              redact(
                `HTTP ${response.status} redirect ${where} not followed: a notice and its credentials go only to the configured origin (fix the configured URL)`,
              ),
            ),
          };
        }
        url = target;
      }
      const text = await response.text().catch(() => '');
      if (response.ok) return { ok: true, value: { status: response.status, text } };
      const error = new Error(redact(`HTTP ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`));
      if (response.status === 429 || response.status >= 500) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        return retryAfterMs !== undefined
          ? { ok: false, retryable: true, error, retryAfterMs }
          : { ok: false, retryable: true, error };
      }
      return { ok: false, retryable: false, error };
    },
    { ...settings, timeoutMs: request.timeoutMs },
    clock,
    remaining,
  );
  if (outcome.ok) return { status: outcome.value.status, text: outcome.value.text, attempts: outcome.attempts };
  const suffix =
    outcome.retryAfterTooLong !== undefined
      ? ` (server asked to retry after ${outcome.retryAfterTooLong} ms, longer than allowed in process)`
      : '';
  // The cause is the redacted error only: the raw fetch error may quote the URL.
  throw new DeliveryError(sink, `${outcome.error.message} after ${outcome.attempts} attempt(s)${suffix}`, {
    cause: outcome.error,
    retryable: outcome.retryable,
  });
}

/** Where a 307/308 to the same origin leads, or undefined for any other redirect (another origin, 301/302/303). */
function redirectTarget(from: string, response: Response): string | undefined {
  if (response.status !== 307 && response.status !== 308) return undefined;
  const location = response.headers.get('location');
  if (!location) return undefined;
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    return undefined;
  }
  return target.origin === new URL(from).origin ? target.href : undefined;
}

/** An error's message with its causes (`fetch failed: connect ECONNREFUSED …`). */
function causeText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 4; depth++) {
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ');
}

/**
 * A function that removes from text: the request URL (with and without scheme), its path and query and each long path
 * segment or query value (a receiver may echo any of them: the Slack path *is* the credential), every listed secret,
 * and then any remaining URL. Longest first, so a secret inside the URL is not left half-visible.
 */
export function redactor(request: Pick<HttpPost, 'url' | 'secrets'>): (text: string) => string {
  const needles = new Set<string>();
  const add = (value: string | undefined, min = 6) => {
    if (value !== undefined && value.length >= min) needles.add(value);
  };
  for (const secret of request.secrets ?? []) add(secret, 4);
  add(request.url);
  try {
    const url = new URL(request.url);
    add(`${url.host}${url.pathname}${url.search}`);
    add(`${url.pathname}${url.search}`, 2);
    if (url.pathname !== '/') add(url.pathname, 2);
    for (const segment of url.pathname.split('/')) {
      add(segment, 8);
      add(decodeSafe(segment), 8);
    }
    for (const value of url.searchParams.values()) add(value, 4);
    if (url.password) add(url.password, 1);
    if (url.username) add(url.username, 4);
  } catch {
    // Not a URL: nothing more to derive.
  }
  const list = [...needles].sort((a, b) => b.length - a.length);
  return (text: string): string => {
    let out = text;
    for (const needle of list) out = out.split(needle).join('[redacted]');
    return out.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, '[url redacted]');
  };
}

function decodeSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
