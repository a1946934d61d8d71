import { randomBytes } from 'node:crypto';
import { reply, startReceiver, type Received } from './http-receiver.ts';

/**
 * Local stand-ins for the change-management systems, real HTTP on 127.0.0.1: the subset of the ServiceNow Table API
 * and of Jira REST (Cloud v3 and Data Center v2) that Netwatch uses — authentication checked on every request
 * (basic, OAuth client-credentials bearer tokens, personal access tokens), pagination as the real APIs do it
 * (`sysparm_offset`; `nextPageToken`; `startAt`/`total`), and faults a test scripts (429 with `Retry-After`, 5xx).
 * They keep what they were sent, so tests assert on the tickets that exist and the requests that arrived.
 * @see https://www.servicenow.com/docs/bundle/washingtondc-api-reference/page/integrate/inbound-rest/concept/c_TableAPI.html
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/intro/
 */

/** A scripted answer to the n-th request (0-based) of a server, or undefined for the normal answer. */
export type Fault = (request: Received, n: number) => { status: number; headers?: Record<string, string> } | undefined;

const json = { 'content-type': 'application/json' };

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

// ── ServiceNow ────────────────────────────────────────────────────────────────────────────────────────────────────

export type SnRecord = Record<string, string>;

/** One condition of an encoded query, evaluated the way the Table API does for the operators Netwatch sends. */
function matches(record: SnRecord, condition: string): boolean {
  if (condition.startsWith('ORDERBY') || condition === '') return true;
  const m = /^([a-z_0-9.]+)(!=|>=|<=|=|LIKE|IN|STARTSWITH)(.*)$/.exec(condition);
  if (!m) throw new Error(`fake ServiceNow: unsupported condition ${condition}`);
  const [, field = '', op, value = ''] = m;
  const actual = record[field] ?? '';
  switch (op) {
    case '=':
      return actual === value;
    case '!=':
      return actual !== value;
    case '>=':
      return actual >= value;
    case '<=':
      return actual <= value;
    case 'LIKE':
      return actual.includes(value);
    case 'STARTSWITH':
      return actual.startsWith(value);
    case 'IN':
      return value.split(',').includes(actual);
    default:
      return false;
  }
}

export interface ServiceNowOptions {
  auth:
    | { type: 'basic'; username: string; password: string }
    | { type: 'oauth'; clientId: string; clientSecret: string };
  /** Refuse reads of sys_journal_field (an integration user without that ACL). */
  journalForbidden?: boolean;
}

export async function startServiceNow(options: ServiceNowOptions) {
  const tables = new Map<string, SnRecord[]>();
  const tokens = new Set<string>();
  const requests: Received[] = [];
  let fault: Fault = () => undefined;
  let counter = 0;
  const table = (name: string) => {
    let rows = tables.get(name);
    if (!rows) {
      rows = [];
      tables.set(name, rows);
    }
    return rows;
  };
  const stamp = () => new Date().toISOString().replace('T', ' ').slice(0, 19);
  /** Journal fields are not stored on the record: each write adds a sys_journal_field entry. */
  const write = (tableName: string, record: SnRecord, fields: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'work_notes' || k === 'comments') {
        table('sys_journal_field').push({
          sys_id: randomBytes(16).toString('hex'),
          name: tableName,
          element: k,
          element_id: record['sys_id'] ?? '',
          value: String(v),
          sys_created_on: stamp(),
        });
      } else record[k] = String(v);
    }
    record['sys_updated_on'] = stamp();
  };
  const authorized = (req: Received): boolean => {
    const header = String(req.headers['authorization'] ?? '');
    if (options.auth.type === 'basic') return header === basic(options.auth.username, options.auth.password);
    return header.startsWith('Bearer ') && tokens.has(header.slice(7));
  };
  const server = await startReceiver((req, _n, res) => {
    requests.push(req);
    const scripted = fault(req, requests.length - 1);
    if (scripted)
      return reply(res, scripted.status, '{"error":{"message":"scripted"}}', { ...json, ...scripted.headers });
    const url = new URL(req.url, 'http://x');
    if (req.method === 'POST' && url.pathname === '/oauth_token.do') {
      const form = new URLSearchParams(req.body);
      if (
        options.auth.type !== 'oauth' ||
        form.get('grant_type') !== 'client_credentials' ||
        form.get('client_id') !== options.auth.clientId ||
        form.get('client_secret') !== options.auth.clientSecret
      )
        return reply(res, 401, '{"error":"access_denied"}', json);
      const token = randomBytes(12).toString('hex');
      tokens.add(token);
      return reply(res, 200, JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 1799 }), json);
    }
    if (!authorized(req)) return reply(res, 401, '{"error":{"message":"User Not Authenticated"}}', json);
    const m = /^\/api\/now\/table\/([a-z_0-9]+)(?:\/([0-9a-f]{32}))?$/.exec(url.pathname);
    if (!m) return reply(res, 404, '{"error":{"message":"no such API"}}', json);
    const [, name = '', sysId] = m;
    if (req.method === 'GET') {
      if (name === 'sys_journal_field' && options.journalForbidden)
        return reply(res, 403, '{"error":{"message":"ACL"}}', json);
      const conditions = (url.searchParams.get('sysparm_query') ?? '').split('^');
      const limit = Number(url.searchParams.get('sysparm_limit') ?? '10000');
      const offset = Number(url.searchParams.get('sysparm_offset') ?? '0');
      const fields = url.searchParams.get('sysparm_fields')?.split(',');
      const rows = table(name).filter((r) => conditions.every((c) => matches(r, c)));
      const page = rows
        .slice(offset, offset + limit)
        .map((r) => (fields ? Object.fromEntries(fields.map((f) => [f, r[f] ?? ''])) : { ...r }));
      return reply(res, 200, JSON.stringify({ result: page }), { ...json, 'x-total-count': String(rows.length) });
    }
    const body = JSON.parse(req.body || '{}') as Record<string, unknown>;
    if (req.method === 'POST' && sysId === undefined) {
      counter += 1;
      const record: SnRecord = {
        sys_id: randomBytes(16).toString('hex'),
        number: `${name === 'incident' ? 'INC' : name === 'change_task' ? 'CTASK' : 'CHG'}${String(1_000_000 + counter).slice(1)}`,
        state: name === 'incident' ? '1' : '-5',
        sys_created_on: stamp(),
      };
      write(name, record, body);
      table(name).push(record);
      return reply(res, 201, JSON.stringify({ result: record }), json);
    }
    if (req.method === 'PATCH' && sysId !== undefined) {
      const record = table(name).find((r) => r['sys_id'] === sysId);
      if (!record) return reply(res, 404, '{"error":{"message":"No Record found"}}', json);
      write(name, record, body);
      return reply(res, 200, JSON.stringify({ result: record }), json);
    }
    return reply(res, 405, '{}', json);
  });
  return {
    url: server.url,
    requests,
    /** Records of a table (journal entries in `sys_journal_field`). */
    records: (name: string) => table(name),
    /** Work notes of a record. */
    notes: (sysId: string) =>
      table('sys_journal_field')
        .filter((j) => j['element_id'] === sysId && j['element'] === 'work_notes')
        .map((j) => j['value'] ?? ''),
    /** Put a record in a table (change requests for the approvals sync). */
    seed(name: string, record: SnRecord) {
      table(name).push({ sys_id: randomBytes(16).toString('hex'), ...record });
    },
    set fault(f: Fault) {
      fault = f;
    },
    reset() {
      tables.clear();
      requests.length = 0;
      fault = () => undefined;
    },
    stop: server.stop,
  };
}

export type FakeServiceNow = Awaited<ReturnType<typeof startServiceNow>>;

// ── Jira ──────────────────────────────────────────────────────────────────────────────────────────────────────────

export interface JiraIssueState {
  id: string;
  key: string;
  fields: Record<string, unknown> & { labels: string[]; status: { name: string; statusCategory: { key: string } } };
  comments: unknown[];
}

export interface JiraOptions {
  /** `basic` (Cloud: e-mail + API token) or `bearer` (Data Center: personal access token). */
  auth: { type: 'basic'; email: string; apiToken: string } | { type: 'bearer'; token: string };
  /** Largest page the server returns (small pages make clients paginate). */
  pageSize?: number;
}

/** A tiny JQL: `a = "x" AND b = y` clauses (project, labels, status, issuetype, or any field), ORDER BY ignored. */
function jqlMatches(issue: JiraIssueState, jql: string): boolean {
  const where = jql.replace(/\s+ORDER BY .*$/i, '').trim();
  if (where === '') return true;
  return where.split(/\s+AND\s+/i).every((clause) => {
    const m = /^([\w.]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))$/.exec(clause.trim());
    if (!m) throw new Error(`fake Jira: unsupported JQL clause ${clause}`);
    const field = (m[1] ?? '').toLowerCase();
    const value = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
    if (field === 'project') return (issue.fields['project'] as { key?: string } | undefined)?.key === value;
    if (field === 'labels') return issue.fields.labels.includes(value);
    if (field === 'status') return issue.fields.status.name.toLowerCase() === value.toLowerCase();
    if (field === 'issuetype') return (issue.fields['issuetype'] as { name?: string } | undefined)?.name === value;
    return String(issue.fields[m[1] ?? ''] ?? '') === value;
  });
}

export async function startJira(options: JiraOptions) {
  const issues: JiraIssueState[] = [];
  const requests: Received[] = [];
  const page = options.pageSize ?? 2;
  let fault: Fault = () => undefined;
  const authorized = (req: Received) => {
    const header = String(req.headers['authorization'] ?? '');
    return options.auth.type === 'basic'
      ? header === basic(options.auth.email, options.auth.apiToken)
      : header === `Bearer ${options.auth.token}`;
  };
  const view = (issue: JiraIssueState, fields: string[] | undefined) => ({
    id: issue.id,
    key: issue.key,
    fields: fields ? Object.fromEntries(fields.map((f) => [f, issue.fields[f] ?? null])) : issue.fields,
  });
  const server = await startReceiver((req, _n, res) => {
    requests.push(req);
    const scripted = fault(req, requests.length - 1);
    if (scripted)
      return reply(res, scripted.status, '{"errorMessages":["scripted"]}', { ...json, ...scripted.headers });
    if (!authorized(req)) return reply(res, 401, '{"errorMessages":["unauthorized"]}', json);
    const url = new URL(req.url, 'http://x');
    const m = /^\/rest\/api\/(2|3)(\/.*)$/.exec(url.pathname);
    if (!m) return reply(res, 404, '{}', json);
    const version = m[1];
    const path = m[2] ?? '';
    const body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
    // Cloud: POST /search/jql with nextPageToken (an offset here); Data Center: GET /search with startAt / total.
    if (version === '3' && req.method === 'POST' && path === '/search/jql') {
      const found = issues.filter((i) => jqlMatches(i, String(body['jql'] ?? '')));
      const start = Number(body['nextPageToken'] ?? 0);
      const size = Math.min(page, Number(body['maxResults'] ?? page));
      const slice = found.slice(start, start + size);
      const more = start + size < found.length;
      return reply(
        res,
        200,
        JSON.stringify({
          issues: slice.map((i) => view(i, body['fields'] as string[] | undefined)),
          ...(more ? { nextPageToken: String(start + size) } : {}),
          isLast: !more,
        }),
        json,
      );
    }
    if (version === '2' && req.method === 'GET' && path === '/search') {
      const found = issues.filter((i) => jqlMatches(i, url.searchParams.get('jql') ?? ''));
      const startAt = Number(url.searchParams.get('startAt') ?? 0);
      const size = Math.min(page, Number(url.searchParams.get('maxResults') ?? page));
      return reply(
        res,
        200,
        JSON.stringify({
          startAt,
          maxResults: size,
          total: found.length,
          issues: found.slice(startAt, startAt + size).map((i) => view(i, url.searchParams.get('fields')?.split(','))),
        }),
        json,
      );
    }
    if (req.method === 'POST' && path === '/issue') {
      const fields = body['fields'] as Record<string, unknown>;
      const description = fields['description'];
      // Cloud takes Atlassian Document Format, Data Center a wiki-markup string: the wrong one is a 400, as in Jira.
      if (version === '3' ? typeof description !== 'object' : typeof description !== 'string')
        return reply(res, 400, '{"errors":{"description":"Operation value must be a string / an ADF document"}}', json);
      const project = (fields['project'] as { key: string }).key;
      const issue: JiraIssueState = {
        id: String(10000 + issues.length),
        key: `${project}-${issues.length + 1}`,
        fields: {
          ...fields,
          labels: (fields['labels'] as string[] | undefined) ?? [],
          status: { name: 'To Do', statusCategory: { key: 'new' } },
        },
        comments: [],
      };
      issues.push(issue);
      return reply(res, 201, JSON.stringify({ id: issue.id, key: issue.key }), json);
    }
    const im = /^\/issue\/([A-Z][A-Z0-9_]*-\d+)(\/comment|\/transitions)?$/.exec(path);
    const issue = im ? issues.find((i) => i.key === im[1]) : undefined;
    if (!im || !issue) return reply(res, 404, '{"errorMessages":["Issue does not exist"]}', json);
    if (im[2] === undefined && req.method === 'GET')
      return reply(res, 200, JSON.stringify(view(issue, url.searchParams.get('fields')?.split(','))), json);
    if (im[2] === '/comment' && req.method === 'GET') {
      const startAt = Number(url.searchParams.get('startAt') ?? 0);
      const size = Math.min(page, Number(url.searchParams.get('maxResults') ?? page));
      return reply(
        res,
        200,
        JSON.stringify({
          startAt,
          maxResults: size,
          total: issue.comments.length,
          comments: issue.comments.slice(startAt, startAt + size).map((b, i) => ({ id: String(startAt + i), body: b })),
        }),
        json,
      );
    }
    if (im[2] === '/comment' && req.method === 'POST') {
      if (version === '3' ? typeof body['body'] !== 'object' : typeof body['body'] !== 'string')
        return reply(res, 400, '{"errors":{"body":"wrong body format"}}', json);
      issue.comments.push(body['body']);
      return reply(res, 201, JSON.stringify({ id: String(issue.comments.length) }), json);
    }
    const transitions = [
      { id: '21', name: 'In Progress', to: { name: 'In Progress', statusCategory: { key: 'indeterminate' } } },
      { id: '31', name: 'Done', to: { name: 'Done', statusCategory: { key: 'done' } } },
    ];
    if (im[2] === '/transitions' && req.method === 'GET') return reply(res, 200, JSON.stringify({ transitions }), json);
    if (im[2] === '/transitions' && req.method === 'POST') {
      const id = (body['transition'] as { id?: string } | undefined)?.id;
      const t = transitions.find((x) => x.id === id);
      if (!t) return reply(res, 400, '{"errorMessages":["no such transition"]}', json);
      issue.fields.status = { name: t.to.name, statusCategory: t.to.statusCategory };
      return reply(res, 204, '', {});
    }
    return reply(res, 405, '{}', json);
  });
  return {
    url: server.url,
    requests,
    issues,
    /** Put an issue in (change requests for the approvals sync). */
    seed(key: string, fields: Record<string, unknown>, status = 'Approved') {
      issues.push({
        id: String(20000 + issues.length),
        key,
        fields: {
          ...fields,
          labels: (fields['labels'] as string[] | undefined) ?? [],
          status: { name: status, statusCategory: { key: status === 'Approved' ? 'indeterminate' : 'done' } },
        },
        comments: [],
      });
    },
    set fault(f: Fault) {
      fault = f;
    },
    reset() {
      issues.length = 0;
      requests.length = 0;
      fault = () => undefined;
    },
    stop: server.stop,
  };
}

export type FakeJira = Awaited<ReturnType<typeof startJira>>;

// ── Security Hub ──────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Security Hub's `BatchImportFindings` over its REST-JSON protocol (`POST /findings/import`), as the SDK v3 client
 * speaks it: findings stored by (ProductArn, Id) — an import of a known Id updates it (Workflow kept, and set to
 * RESOLVED when the record is archived or compliance passes, as Security Hub does) — and its validations (at most
 * 100 findings per request, AwsAccountId = the product's account for a default product).
 * @see https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html
 */
export async function startSecurityHub() {
  const findings = new Map<string, Record<string, unknown>>();
  const requests: Received[] = [];
  let fault: Fault = () => undefined;
  /** Refuse a finding inside a successful answer (FailedFindings), as Security Hub does per finding. */
  let refuse: (finding: Record<string, unknown>) => string | undefined = () => undefined;
  const server = await startReceiver((req, _n, res) => {
    requests.push(req);
    const scripted = fault(req, requests.length - 1);
    if (scripted)
      return reply(
        res,
        scripted.status,
        JSON.stringify({ Code: 'TooManyRequestsException', Message: 'Rate exceeded' }),
        {
          ...json,
          'x-amzn-errortype': scripted.status === 429 ? 'TooManyRequestsException' : 'InternalException',
          ...scripted.headers,
        },
      );
    if (
      !/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/securityhub\/aws4_request/.test(
        String(req.headers['authorization'] ?? ''),
      )
    )
      return reply(res, 403, JSON.stringify({ message: 'Missing Authentication Token' }), json);
    if (req.method !== 'POST' || req.url !== '/findings/import')
      return reply(res, 404, JSON.stringify({ message: 'no such route' }), json);
    const input = JSON.parse(req.body) as { Findings?: Record<string, unknown>[] };
    const batch = input.Findings ?? [];
    if (batch.length === 0 || batch.length > 100)
      return reply(res, 400, JSON.stringify({ Code: 'InvalidInputException', Message: '1 to 100 findings' }), {
        ...json,
        'x-amzn-errortype': 'InvalidInputException',
      });
    const failed: Record<string, string>[] = [];
    for (const f of batch) {
      const refusal = refuse(f);
      if (refusal !== undefined) {
        failed.push({ Id: String(f['Id']), ErrorCode: refusal, ErrorMessage: 'refused' });
        continue;
      }
      const product = String(f['ProductArn'] ?? '');
      const owner = /:product\/(\d{12})\/default$/.exec(product)?.[1];
      if (f['SchemaVersion'] !== '2018-10-08' || !f['Id'] || !f['Types'] || !f['Resources'] || !f['Severity']) {
        failed.push({ Id: String(f['Id']), ErrorCode: 'InvalidInput', ErrorMessage: 'missing required fields' });
        continue;
      }
      if (owner !== undefined && f['AwsAccountId'] !== owner) {
        failed.push({ Id: String(f['Id']), ErrorCode: 'AccessDeniedException', ErrorMessage: 'account mismatch' });
        continue;
      }
      const key = `${product}|${String(f['Id'])}`;
      const before = findings.get(key);
      const archived = f['RecordState'] === 'ARCHIVED' || (f['Compliance'] as { Status?: string })?.Status === 'PASSED';
      const workflow = before
        ? archived
          ? { Status: 'RESOLVED' }
          : before['Workflow']
        : (f['Workflow'] ?? { Status: 'NEW' });
      findings.set(key, { ...f, ...(before ? { CreatedAt: before['CreatedAt'] } : {}), Workflow: workflow });
    }
    return reply(
      res,
      200,
      JSON.stringify({
        FailedCount: failed.length,
        SuccessCount: batch.length - failed.length,
        FailedFindings: failed,
      }),
      json,
    );
  });
  return {
    url: server.url,
    requests,
    findings: () => [...findings.values()],
    set fault(f: Fault) {
      fault = f;
    },
    set refuse(r: (finding: Record<string, unknown>) => string | undefined) {
      refuse = r;
    },
    reset() {
      refuse = () => undefined;
      findings.clear();
      requests.length = 0;
      fault = () => undefined;
    },
    stop: server.stop,
  };
}

export type FakeSecurityHub = Awaited<ReturnType<typeof startSecurityHub>>;
