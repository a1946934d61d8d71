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
  stringOrSecretSchema,
  type StringOrSecret,
} from './http-json.ts';

/**
 * A Jira REST client for Jira Cloud (REST v3: Atlassian Document Format bodies, `POST /search/jql` with
 * `nextPageToken`) and Jira Data Center / Server (REST v2: wiki-markup bodies, `GET /search` with `startAt`):
 * search, create an issue, list and add comments, list and perform transitions. Cloud authenticates with an account's
 * e-mail and API token (basic), Data Center with a personal access token (bearer).
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-post
 * @see https://developer.atlassian.com/server/jira/platform/rest/v10000/api-group-search/
 * @see https://confluence.atlassian.com/enterprise/using-personal-access-tokens-1026032365.html
 */

export const JIRA_APIS = ['cloud', 'datacenter'] as const;
export type JiraApi = (typeof JIRA_APIS)[number];

export const jiraAuthSchema = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('basic'), email: stringOrSecretSchema, apiToken: secretRefSchema }),
    z.strictObject({ type: z.literal('bearer'), token: secretRefSchema }),
  ]),
);
export type JiraAuth = z.output<typeof jiraAuthSchema>;

export const jiraConnectionFields = {
  /** `https://acme.atlassian.net`, or the Data Center base URL (a context path is kept). */
  baseUrl: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),
  /** `cloud` (REST v3) or `datacenter` (REST v2). */
  api: z.enum(JIRA_APIS).default('cloud'),
  auth: jiraAuthSchema,
  ...changeSystemTransportFields,
};

export interface JiraConnection {
  baseUrl: string;
  api: JiraApi;
  auth: JiraAuth;
  timeoutMs: number;
  retry: RetrySettings;
}

export function jiraSecretRefs(auth: JiraAuth): SecretRef[] {
  const refs: StringOrSecret[] = auth.type === 'basic' ? [auth.email, auth.apiToken] : [auth.token];
  return secretRefsIn(refs);
}

export interface JiraIssue {
  id: string;
  key: string;
  fields: Record<string, unknown>;
}

export interface JiraTransition {
  id: string;
  name: string;
  /** Status category key of the target status (`new`, `indeterminate`, `done`). */
  toCategory?: string;
}

const PAGE = 50;

export class JiraClient {
  constructor(
    readonly owner: string,
    readonly connection: JiraConnection,
    private readonly deps: ChangeSystemDeps,
  ) {}

  /** `3` (Cloud) or `2` (Data Center). */
  get version(): '3' | '2' {
    return this.connection.api === 'cloud' ? '3' : '2';
  }

  private async authorization(): Promise<string> {
    const auth = this.connection.auth;
    if (auth.type === 'bearer') return `Bearer ${await resolveSecret(this.owner, this.deps.secrets, auth.token)}`;
    const email = await settingValue(this.owner, this.deps.secrets, auth.email);
    const token = await resolveSecret(this.owner, this.deps.secrets, auth.apiToken);
    return `Basic ${Buffer.from(`${email}:${token}`, 'utf8').toString('base64')}`;
  }

  private async send(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<unknown> {
    const { json } = await requestJson(
      this.owner,
      {
        method,
        url: `${this.connection.baseUrl}/rest/api/${this.version}${path}`,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        headers: {
          authorization: await this.authorization(),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        timeoutMs: this.connection.timeoutMs,
      },
      this.connection.retry,
      this.deps,
    );
    return json;
  }

  private issues(json: unknown): JiraIssue[] {
    const list = objectOf(this.owner, json, 'the search result')['issues'];
    if (!Array.isArray(list)) throw new DeliveryError(this.owner, 'the search result has no issues array');
    return list.map((raw) => {
      const issue = objectOf(this.owner, raw, 'an issue');
      const fields = issue['fields'];
      return {
        id: String(issue['id'] ?? ''),
        key: String(issue['key'] ?? ''),
        fields: typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>) : {},
      };
    });
  }

  /** Every issue a JQL query finds (paginated), at most `max`. */
  async search(jql: string, fields: readonly string[], max = 1000): Promise<JiraIssue[]> {
    const all: JiraIssue[] = [];
    if (this.connection.api === 'cloud') {
      let nextPageToken: string | undefined;
      do {
        const json = await this.send('POST', '/search/jql', {
          jql,
          fields,
          maxResults: PAGE,
          ...(nextPageToken !== undefined ? { nextPageToken } : {}),
        });
        all.push(...this.issues(json));
        const token = objectOf(this.owner, json, 'the search result')['nextPageToken'];
        nextPageToken = typeof token === 'string' && token !== '' ? token : undefined;
      } while (nextPageToken !== undefined && all.length < max);
      return all.slice(0, max);
    }
    for (let startAt = 0; all.length < max; ) {
      const json = await this.send(
        'GET',
        `/search${queryString({ jql, fields: fields.join(','), startAt, maxResults: PAGE })}`,
      );
      const page = this.issues(json);
      all.push(...page);
      const total = objectOf(this.owner, json, 'the search result')['total'];
      // The server may return fewer than asked (its own page limit): the next page starts after what came.
      startAt += page.length;
      if (page.length === 0 || (typeof total === 'number' && startAt >= total)) break;
    }
    return all.slice(0, max);
  }

  async createIssue(fields: Record<string, unknown>): Promise<{ id: string; key: string }> {
    const created = objectOf(this.owner, await this.send('POST', '/issue', { fields }), 'the created issue');
    return { id: String(created['id'] ?? ''), key: String(created['key'] ?? '') };
  }

  async issue(key: string, fields: readonly string[]): Promise<JiraIssue> {
    const raw = objectOf(
      this.owner,
      await this.send('GET', `/issue/${encodeURIComponent(key)}${queryString({ fields: fields.join(',') })}`),
      'the issue',
    );
    const f = raw['fields'];
    return {
      id: String(raw['id'] ?? ''),
      key: String(raw['key'] ?? key),
      fields: typeof f === 'object' && f !== null ? (f as Record<string, unknown>) : {},
    };
  }

  /** Every comment body of an issue (paginated), as JSON text (ADF) or wiki text. */
  async commentBodies(key: string): Promise<string[]> {
    const bodies: string[] = [];
    for (let startAt = 0; startAt < 5000; ) {
      const page = objectOf(
        this.owner,
        await this.send(
          'GET',
          `/issue/${encodeURIComponent(key)}/comment${queryString({ startAt, maxResults: PAGE })}`,
        ),
        'the comments',
      );
      const comments = Array.isArray(page['comments']) ? page['comments'] : [];
      for (const c of comments) {
        const body = objectOf(this.owner, c, 'a comment')['body'];
        bodies.push(typeof body === 'string' ? body : JSON.stringify(body ?? ''));
      }
      const total = page['total'];
      startAt += comments.length;
      if (comments.length === 0 || (typeof total === 'number' && startAt >= total)) break;
    }
    return bodies;
  }

  async addComment(key: string, body: unknown): Promise<void> {
    await this.send('POST', `/issue/${encodeURIComponent(key)}/comment`, { body });
  }

  async transitions(key: string): Promise<JiraTransition[]> {
    const json = objectOf(
      this.owner,
      await this.send('GET', `/issue/${encodeURIComponent(key)}/transitions`),
      'the transitions',
    );
    const list = Array.isArray(json['transitions']) ? json['transitions'] : [];
    return list.map((raw) => {
      const t = objectOf(this.owner, raw, 'a transition');
      const to = t['to'] as { statusCategory?: { key?: unknown } } | undefined;
      const category = to?.statusCategory?.key;
      return {
        id: String(t['id'] ?? ''),
        name: String(t['name'] ?? ''),
        ...(typeof category === 'string' ? { toCategory: category } : {}),
      };
    });
  }

  async transition(key: string, id: string): Promise<void> {
    await this.send('POST', `/issue/${encodeURIComponent(key)}/transitions`, { transition: { id } });
  }
}

/** A JQL string literal: quotes and backslashes escaped. */
export function jqlString(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}
