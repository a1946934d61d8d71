import * as z from 'zod';
import { secretRefSchema, type SecretRef } from '../../platform/aws/secrets.ts';
import { DeliveryError } from '../../platform/errors.ts';
import type { RetrySettings } from '../sinks/retry.ts';
import { resolveSecret } from '../sinks/secret.ts';
import {
  type ChangeSystemDeps,
  objectOf,
  queryString,
  requestJson,
  changeSystemTransportFields,
  secretRefsIn,
  settingValue,
  statusOf,
  stringOrSecretSchema,
  type StringOrSecret,
} from './http-json.ts';

/**
 * A ServiceNow Table API client: list (paginated with `sysparm_offset`), create, update, with basic auth or an OAuth
 * client-credentials token — every credential from SSM / Secrets Manager. Used by the ServiceNow sink (incidents,
 * change tasks) and the approvals sync (change requests).
 * @see https://www.servicenow.com/docs/bundle/washingtondc-api-reference/page/integrate/inbound-rest/concept/c_TableAPI.html
 * @see https://www.servicenow.com/docs/bundle/washingtondc-platform-security/page/administer/security/concept/client-credentials.html
 */

/** Basic auth (an integration user) or OAuth 2.0 client credentials (an OAuth application registry entry). */
export const serviceNowAuthSchema = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('basic'), username: stringOrSecretSchema, password: secretRefSchema }),
    z.strictObject({ type: z.literal('oauth'), clientId: stringOrSecretSchema, clientSecret: secretRefSchema }),
  ]),
);
export type ServiceNowAuth = z.output<typeof serviceNowAuthSchema>;

/** The connection settings a sink and a sync source share. */
export const serviceNowConnectionFields = {
  /** `https://<instance>.service-now.com` (no path). */
  instanceUrl: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .refine((u) => new URL(u).pathname === '/' || new URL(u).pathname === '', 'the instance URL, without a path'),
  auth: serviceNowAuthSchema,
  ...changeSystemTransportFields,
};

export interface ServiceNowConnection {
  instanceUrl: string;
  auth: ServiceNowAuth;
  timeoutMs: number;
  retry: RetrySettings;
}

/** The secret references of a connection (prefetched at cold start). */
export function serviceNowSecretRefs(auth: ServiceNowAuth): SecretRef[] {
  const refs: StringOrSecret[] =
    auth.type === 'basic' ? [auth.username, auth.password] : [auth.clientId, auth.clientSecret];
  return secretRefsIn(refs);
}

/** One record as the Table API returns it (`sysparm_display_value=false`: values, not labels). */
export type ServiceNowRecord = Record<string, unknown>;

/** Page size of list calls: the Table API's own default limit is 10,000; small pages keep each response small. */
export const SERVICENOW_PAGE = 100;

export class ServiceNowClient {
  #token: { value: string; until: number } | undefined;

  constructor(
    readonly owner: string,
    private readonly connection: ServiceNowConnection,
    private readonly deps: ChangeSystemDeps,
  ) {}

  private now(): number {
    return (this.deps.now?.() ?? new Date()).getTime();
  }

  /** The `Authorization` header: basic, or a bearer token fetched (and cached until a minute before it expires). */
  private async authorization(): Promise<string> {
    const auth = this.connection.auth;
    if (auth.type === 'basic') {
      const user = await settingValue(this.owner, this.deps.secrets, auth.username);
      const password = await resolveSecret(this.owner, this.deps.secrets, auth.password);
      return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
    }
    if (this.#token && this.#token.until > this.now()) return `Bearer ${this.#token.value}`;
    const clientId = await settingValue(this.owner, this.deps.secrets, auth.clientId);
    const clientSecret = await resolveSecret(this.owner, this.deps.secrets, auth.clientSecret);
    const { json } = await requestJson(
      this.owner,
      {
        url: `${this.connection.instanceUrl}/oauth_token.do`,
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
        }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        timeoutMs: this.connection.timeoutMs,
      },
      this.connection.retry,
      this.deps,
    );
    const token = objectOf(this.owner, json, 'the OAuth token response');
    const value = token['access_token'];
    if (typeof value !== 'string' || value === '')
      throw new DeliveryError(this.owner, 'the OAuth token response has no access_token', { retryable: false });
    const seconds = typeof token['expires_in'] === 'number' ? token['expires_in'] : 1800;
    this.#token = { value, until: this.now() + Math.max(0, seconds - 60) * 1000 };
    return `Bearer ${value}`;
  }

  /** Send with auth; an OAuth token refused with 401 (revoked, expired early) is fetched again once. */
  private async send(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.authorization();
      try {
        const { json } = await requestJson(
          this.owner,
          {
            method,
            url: `${this.connection.instanceUrl}${path}`,
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
            headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
            timeoutMs: this.connection.timeoutMs,
          },
          this.connection.retry,
          this.deps,
        );
        return json;
      } catch (error) {
        if (attempt === 0 && this.connection.auth.type === 'oauth' && statusOf(error) === 401) {
          this.#token = undefined;
          continue;
        }
        throw error;
      }
    }
  }

  private resultOf(json: unknown, what: string): unknown {
    return objectOf(this.owner, json, what)['result'];
  }

  /** One page of records. */
  async list(
    table: string,
    options: { query?: string; fields?: readonly string[]; limit?: number; offset?: number },
  ): Promise<ServiceNowRecord[]> {
    const path = `/api/now/table/${encodeURIComponent(table)}${queryString({
      sysparm_query: options.query,
      sysparm_fields: options.fields?.join(','),
      sysparm_limit: options.limit ?? SERVICENOW_PAGE,
      sysparm_offset: options.offset,
      sysparm_exclude_reference_link: 'true',
    })}`;
    const result = this.resultOf(await this.send('GET', path), `the ${table} list`);
    if (!Array.isArray(result))
      throw new DeliveryError(this.owner, `unexpected answer: the ${table} list has no result array`, {
        retryable: false,
      });
    return result.map((r) => objectOf(this.owner, r, `a ${table} record`));
  }

  /** Every record of a query, page by page (`sysparm_offset`), at most `max`. */
  async listAll(
    table: string,
    options: { query?: string; fields?: readonly string[]; pageSize?: number; max?: number },
  ): Promise<ServiceNowRecord[]> {
    const pageSize = options.pageSize ?? SERVICENOW_PAGE;
    const max = options.max ?? 10_000;
    const all: ServiceNowRecord[] = [];
    for (let offset = 0; all.length < max; offset += pageSize) {
      const page = await this.list(table, { ...options, limit: pageSize, offset });
      all.push(...page);
      if (page.length < pageSize) break;
    }
    return all.slice(0, max);
  }

  /** Insert a record; returns it as stored. */
  async create(table: string, fields: Record<string, string>): Promise<ServiceNowRecord> {
    const result = this.resultOf(
      await this.send('POST', `/api/now/table/${encodeURIComponent(table)}`, fields),
      `the created ${table} record`,
    );
    return objectOf(this.owner, result, `the created ${table} record`);
  }

  /** Update some fields of a record (PATCH): journal fields (`work_notes`) add an entry. */
  async update(table: string, sysId: string, fields: Record<string, string>): Promise<ServiceNowRecord> {
    const result = this.resultOf(
      await this.send('PATCH', `/api/now/table/${encodeURIComponent(table)}/${encodeURIComponent(sysId)}`, fields),
      `the updated ${table} record`,
    );
    return objectOf(this.owner, result, `the updated ${table} record`);
  }
}

/**
 * A value safe inside an encoded query (`field=value`): `^` separates conditions and `javascript:` makes ServiceNow
 * evaluate a value, so anything but the characters of our own keys is refused.
 */
export function queryValue(value: string): string {
  if (!/^[A-Za-z0-9:._@ -]{1,200}$/.test(value) || /^\s*javascript:/i.test(value))
    throw new Error(`refusing to put ${JSON.stringify(value.slice(0, 40))} into a ServiceNow encoded query`);
  return value;
}

/** `2026-11-20 09:00:00` (UTC): how the Table API writes and compares date-time values. */
export function serviceNowDateTime(at: Date): string {
  return at
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '');
}

/** A Table API date-time value (`2026-11-20 09:00:00`, UTC) as ISO-8601, or undefined. */
export function parseServiceNowDateTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?Z?$/.exec(value.trim());
  if (!m) return undefined;
  const at = new Date(`${m[1]}T${m[2]}Z`);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}
