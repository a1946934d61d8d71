import { DeliveryError } from '../../platform/errors.ts';
import type { SecretRef, SecretResolver } from '../../platform/aws/secrets.ts';
import * as z from 'zod';
import { secretRefSchema } from '../../platform/aws/secrets.ts';
import { postWithRetry, type HttpPost } from '../sinks/http.ts';
import { retrySettingsSchema, type RetryClock, type RetrySettings } from '../sinks/retry.ts';
import { resolveSecret } from '../sinks/secret.ts';

/**
 * JSON over HTTP for the change-management systems (ServiceNow Table API, Jira REST), on the sinks' one HTTP helper
 * (shared/6-deliver/sinks/http.ts): the same retry policy (429 / 5xx / network errors retried with backoff and
 * `Retry-After`, other 4xx not), the same per-request timeout, and the URL never in an error message. Used by the
 * ticket sinks (out) and the approvals sync (in).
 */

/** What a change-system client needs from its composition root. */
export interface ChangeSystemDeps {
  secrets: SecretResolver;
  fetch?: typeof fetch;
  clock?: RetryClock;
  now?: () => Date;
}

/** A setting that is either plain (a user name, a client id) or a secret reference. */
export const stringOrSecretSchema = z.lazy(() => z.union([z.string().min(1), secretRefSchema]));
export type StringOrSecret = string | SecretRef;

/** The secret references among a connection's plain-or-secret settings (prefetched at cold start). */
export function secretRefsIn(values: readonly StringOrSecret[]): SecretRef[] {
  return values.filter((r): r is SecretRef => typeof r !== 'string');
}

/** The per-request timeout and the retry policy of a change-system connection (ServiceNow, Jira: the same). */
export const changeSystemTransportFields = {
  timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
  retry: retrySettingsSchema.default(retrySettingsSchema.parse({})),
};

/** Resolve a plain-or-secret setting. */
export async function settingValue(owner: string, secrets: SecretResolver, value: StringOrSecret): Promise<string> {
  return typeof value === 'string' ? value : resolveSecret(owner, secrets, value);
}

/** One JSON request's outcome. */
export interface JsonResponse {
  status: number;
  json: unknown;
}

/** The HTTP status a failed request was answered with (read from the helper's error), if it got an answer. */
export function statusOf(error: unknown): number | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const match = /^HTTP (\d{3})\b/.exec(e.message);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/**
 * Send one request and parse the JSON answer. A 2xx answer that is not JSON (ServiceNow answers a hibernating
 * instance's requests with an HTML page and 200) is a retryable failure, never a silent success.
 */
export async function requestJson(
  owner: string,
  request: HttpPost,
  settings: RetrySettings,
  deps: Pick<ChangeSystemDeps, 'fetch' | 'clock'>,
): Promise<JsonResponse> {
  const result = await postWithRetry(
    owner,
    { ...request, headers: { accept: 'application/json', 'user-agent': 'netwatch', ...request.headers } },
    settings,
    { ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.clock ? { clock: deps.clock } : {}) },
  );
  if (result.text.trim() === '') return { status: result.status, json: undefined };
  try {
    return { status: result.status, json: JSON.parse(result.text) as unknown };
  } catch (cause) {
    throw new DeliveryError(owner, `HTTP ${result.status} answered with a body that is not JSON`, {
      cause,
      retryable: true,
    });
  }
}

/** `?a=1&b=2` from pairs (undefined values left out). */
export function queryString(params: Readonly<Record<string, string | number | undefined>>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length
    ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`
    : '';
}

/** A JSON object, or a typed error naming what was expected where. */
export function objectOf(owner: string, value: unknown, what: string): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new DeliveryError(owner, `unexpected answer: ${what} is not a JSON object`, { retryable: false });
}
