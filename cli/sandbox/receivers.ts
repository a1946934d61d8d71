import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signBody } from '../../shared/6-deliver/sinks/webhook.ts';
import { printable } from '../../shared/platform/printable.ts';

/**
 * The sandbox's stand-ins for the outside world, one HTTP server on 127.0.0.1: the receivers of the real sinks
 * (webhook, PagerDuty Events API v2, a Slack incoming webhook, the ServiceNow Table API) and the two secret stores
 * (SSM Parameter Store and Secrets Manager, AWS JSON 1.1 protocol), so `netwatch replay --config` runs the real sink
 * code — HTTP, retries, signatures, secret resolution — and every arrival is printed as one line a person reads.
 * Nothing here is for production: no TLS, no authentication beyond what the sinks send, everything in memory.
 * @see https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
 * @see https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks
 * @see https://www.servicenow.com/docs/bundle/washingtondc-api-reference/page/integrate/inbound-rest/concept/c_TableAPI.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 */

/** The secrets the sandbox serves: SSM parameters by name, Secrets Manager secrets by name (JSON text). */
export interface SandboxSecrets {
  ssm: Record<string, string>;
  secretsManager: Record<string, string>;
}

/** Where each receiver listens, under the one server's base URL. */
export const RECEIVER_PATHS = {
  webhook: '/webhook',
  pagerduty: '/pagerduty/v2/enqueue',
  slack: '/slack/services/T0SANDBOX/B0SANDBOX/sandbox',
} as const;

export interface Receivers {
  /** `http://127.0.0.1:PORT`: the ServiceNow instance URL and the AWS endpoint of SSM and Secrets Manager. */
  url: string;
  /** Every line printed so far (tests read them). */
  lines: string[];
  /** The ServiceNow records created, by table. */
  servicenow: Record<string, Record<string, string>[]>;
  close(): Promise<void>;
}

/** Start the receivers; `say` prints one line per arrival (already made printable). */
export async function startReceivers(
  secrets: SandboxSecrets,
  signingSecret: () => string | undefined,
  say: (line: string) => void,
  port = 0,
): Promise<Receivers> {
  const lines: string[] = [];
  const print = (who: string, text: string) => {
    const line = `${who.padEnd(11)} ${printable(text)}`;
    lines.push(line);
    say(line);
  };
  const servicenow: Record<string, Record<string, string>[]> = {};
  const handle = (req: IncomingMessage, body: string, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method === 'POST' && url.pathname === '/' && target) return aws(target, body, res, secrets, print);
    if (req.method === 'POST' && url.pathname === RECEIVER_PATHS.webhook)
      return webhook(req, body, res, signingSecret(), print);
    if (req.method === 'POST' && url.pathname === RECEIVER_PATHS.pagerduty) return pagerduty(body, res, print);
    if (req.method === 'POST' && url.pathname === RECEIVER_PATHS.slack) return slack(body, res, print);
    if (url.pathname.startsWith('/api/now/table/'))
      return serviceNow(req.method ?? '', url, body, res, servicenow, print);
    print('(unknown)', `${req.method} ${url.pathname}: no sandbox receiver here (404)`);
    return json(res, 404, { error: 'no sandbox receiver at this path' });
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, Buffer.concat(chunks).toString('utf8'), res);
      } catch (error) {
        print('(error)', `${req.method} ${req.url}: ${(error as Error).message}`);
        json(res, 400, { error: (error as Error).message });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    lines,
    servicenow,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answer with JSON; returns undefined so a handler can `return json(…)`. */
function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): undefined {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
  return undefined;
}

type Print = (who: string, text: string) => void;

/** SSM GetParameter(s) and Secrets Manager GetSecretValue, the calls Powertools Parameters makes. */
function aws(target: string, body: string, res: ServerResponse, secrets: SandboxSecrets, print: Print): undefined {
  const input = JSON.parse(body || '{}') as Record<string, unknown>;
  const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() };
  const fault = (type: string, message: string): undefined => {
    print(target.startsWith('AmazonSSM') ? 'ssm' : 'secrets', `${message} (${type})`);
    return json(res, 400, { __type: type, message }, { ...headers, 'x-amzn-errortype': type });
  };
  if (target === 'AmazonSSM.GetParameter') {
    const name = String(input['Name'] ?? '');
    const value = secrets.ssm[name];
    if (value === undefined) return fault('ParameterNotFound', `no sandbox parameter ${name}`);
    print('ssm', `GetParameter ${name} (SecureString, decrypted): resolved locally`);
    return json(res, 200, { Parameter: parameter(name, value) }, headers);
  }
  if (target === 'AmazonSSM.GetParameters') {
    const names = (input['Names'] as string[] | undefined) ?? [];
    print('ssm', `GetParameters ${names.join(', ')}: resolved locally`);
    return json(
      res,
      200,
      {
        Parameters: names.filter((n) => secrets.ssm[n] !== undefined).map((n) => parameter(n, secrets.ssm[n] ?? '')),
        InvalidParameters: names.filter((n) => secrets.ssm[n] === undefined),
      },
      headers,
    );
  }
  if (target === 'secretsmanager.GetSecretValue') {
    const name = String(input['SecretId'] ?? '');
    const value = secrets.secretsManager[name];
    if (value === undefined) return fault('ResourceNotFoundException', `no sandbox secret ${name}`);
    print('secrets', `GetSecretValue ${name}: resolved locally`);
    return json(
      res,
      200,
      {
        ARN: `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}-AbCdEf`,
        Name: name,
        SecretString: value,
        VersionId: '00000000-0000-0000-0000-000000000001',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_767_225_600,
      },
      headers,
    );
  }
  fault('UnknownOperationException', `the sandbox does not answer ${target}`);
}

function parameter(name: string, value: string) {
  return {
    Name: name,
    Type: 'SecureString',
    Value: value,
    Version: 1,
    ARN: `arn:aws:ssm:eu-west-1:111122223333:parameter${name}`,
    DataType: 'text',
  };
}

/** The signed change-management webhook: the signature is checked with the sandbox's signing secret. */
function webhook(
  req: IncomingMessage,
  body: string,
  res: ServerResponse,
  secret: string | undefined,
  print: Print,
): void {
  const timestamp = String(req.headers['x-netwatch-timestamp'] ?? '');
  const signature = String(req.headers['x-netwatch-signature'] ?? '');
  const expected = secret === undefined ? '' : signBody(secret, timestamp, body);
  const valid = expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
  const record = JSON.parse(body) as Record<string, unknown>;
  const finding = (record['finding'] ?? record) as Record<string, unknown>;
  const what =
    typeof finding['summary'] === 'string'
      ? `${String(finding['severity'] ?? '').toUpperCase()} ${finding['summary']}`
      : String(record['kind'] ?? record['type'] ?? 'record');
  const approval = record['approval'] as { state?: string; ticket?: string | null } | undefined;
  const approved = approval?.state ? `, ${approval.state}${approval.ticket ? ` by ${approval.ticket}` : ''}` : '';
  print(
    'webhook',
    `${String(record['kind'] ?? 'record')}: ${what} (signature ${valid ? 'valid' : 'INVALID'}${approved}, ${body.length} bytes)`,
  );
  res.writeHead(valid ? 200 : 401).end();
}

/** PagerDuty Events API v2: trigger or resolve, answered as PagerDuty does (202, status success). */
function pagerduty(body: string, res: ServerResponse, print: Print): void {
  const event = JSON.parse(body) as {
    event_action?: string;
    dedup_key?: string;
    payload?: { severity?: string; summary?: string };
  };
  const key = event.dedup_key ?? '';
  print(
    'pagerduty',
    event.event_action === 'trigger'
      ? `trigger ${event.payload?.severity ?? '?'}: ${event.payload?.summary ?? ''} (dedup_key ${key.slice(0, 12)}…)`
      : `${event.event_action ?? '?'} dedup_key ${key.slice(0, 12)}…`,
  );
  json(res, 202, { status: 'success', message: 'Event processed', dedup_key: key });
}

/** A Slack incoming webhook: the plain-text fallback is what a notification shows. */
function slack(body: string, res: ServerResponse, print: Print): void {
  const message = JSON.parse(body) as { text?: string; blocks?: unknown[] };
  // Slack shows &amp; &lt; &gt; as the characters (the sink escapes them so record text cannot form links or pings).
  const text = (message.text ?? '(no text)').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
  print('slack', `${text} (${message.blocks?.length ?? 0} blocks)`);
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
}

/** The subset of the ServiceNow Table API the sink uses: list by query, create, update. */
function serviceNow(
  method: string,
  url: URL,
  body: string,
  res: ServerResponse,
  tables: Record<string, Record<string, string>[]>,
  print: Print,
): undefined {
  const [, , , , table = '', sysId] = url.pathname.split('/').map(decodeURIComponent);
  const records = (tables[table] ??= []);
  if (method === 'GET') {
    const conditions = (url.searchParams.get('sysparm_query') ?? '').split('^');
    const result = records.filter((r) => conditions.every((c) => matches(r, c)));
    return json(res, 200, { result });
  }
  const fields = Object.fromEntries(
    Object.entries(JSON.parse(body || '{}') as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
  );
  if (method === 'POST') {
    const record = {
      ...fields,
      sys_id: randomUUID().replaceAll('-', ''),
      number: `${table === 'incident' ? 'INC' : 'CTASK'}${String(1_000_001 + records.length)}`,
      sys_created_on: new Date().toISOString().replace('T', ' ').slice(0, 19),
    };
    records.push(record);
    print('servicenow', `created ${table} ${record.number}: ${fields['short_description'] ?? ''}`);
    return json(res, 201, { result: record });
  }
  if (method === 'PATCH' && sysId) {
    const record = records.find((r) => r['sys_id'] === sysId);
    if (!record) return json(res, 404, { error: { message: 'No Record found' } });
    Object.assign(record, fields);
    const changed = Object.keys(fields).join(', ');
    print('servicenow', `updated ${table} ${record['number']}: ${changed}`);
    return json(res, 200, { result: record });
  }
  json(res, 405, { error: { message: `${method} not supported by the sandbox` } });
}

/** One condition of an encoded query (`field=value`, `fieldLIKEvalue`, `ORDERBY…`), as the Table API reads it. */
function matches(record: Record<string, string>, condition: string): boolean {
  if (condition === '' || condition.startsWith('ORDERBY')) return true;
  const m = /^([a-z_0-9.]+)(!=|=|LIKE)(.*)$/.exec(condition);
  if (!m) return false;
  const [, field = '', op, value = ''] = m;
  const actual = record[field] ?? '';
  return op === '=' ? actual === value : op === '!=' ? actual !== value : actual.includes(value);
}
