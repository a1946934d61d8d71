import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { approvalsTableDefinition, DynamoApprovalStore } from '../../shared/5-decide/approvals/dynamodb-store.ts';
import { approvalFromChange } from '../../shared/5-decide/approvals/from-change.ts';
import { reconcile } from '../../shared/5-decide/approvals/match.ts';
import {
  approvalSyncSourceSchema,
  planLines,
  syncSource,
} from '../../shared/6-deliver/change-systems/approvals-sync.ts';
import { inboundHandler, inboundSignature } from '../../shared/lambda/approvals.ts';
import { StaticSecretResolver } from '../../shared/platform/aws/secrets.ts';
import { type FakeJira, type FakeServiceNow, startJira, startServiceNow } from '../support/change-systems.ts';
import { startDynalite, type LocalDynamo } from '../support/dynalite.ts';
import { instantClock } from '../support/http-receiver.ts';
import { sshWorldFinding } from '../support/sink-fixtures.ts';

/**
 * Approved changes in: the sync reads change requests from a local ServiceNow Table API / Jira REST server and
 * writes the approvals table (dynalite) in its one item format; the inbound endpoint takes HMAC-signed pushes.
 * Asserted on what the table holds and on the verdict the same finding then gets.
 */

const secrets = new StaticSecretResolver({
  'ssm:/netwatch/servicenow/password': 'Sn0w-p4ss',
  'ssm:/netwatch/jira/token': 'jira-api-token',
});
const NOW = new Date('2026-11-20T08:30:00Z');
const SG = 'sg-0a1b2c3d4e5f60718';

let dynamo: LocalDynamo;
let sn: FakeServiceNow;
let jira: FakeJira;
let table = 0;
let store: DynamoApprovalStore;

beforeAll(async () => {
  dynamo = await startDynalite();
  sn = await startServiceNow({ auth: { type: 'basic', username: 'svc-netwatch', password: 'Sn0w-p4ss' } });
  jira = await startJira({ auth: { type: 'basic', email: 'netwatch@example.com', apiToken: 'jira-api-token' } });
});
afterAll(async () => {
  await Promise.all([sn.stop(), jira.stop()]);
  await dynamo.close();
});
beforeEach(async () => {
  sn.reset();
  jira.reset();
  table += 1;
  await dynamo.createTable(approvalsTableDefinition(`approvals-${table}`));
  store = new DynamoApprovalStore(dynamo.client, `approvals-${table}`, { now: () => NOW });
});

const snSource = (extra: Record<string, unknown> = {}) =>
  approvalSyncSourceSchema.parse({
    name: 'servicenow-changes',
    type: 'servicenow',
    instanceUrl: sn.url,
    auth: { type: 'basic', username: 'svc-netwatch', password: { ssm: '/netwatch/servicenow/password' } },
    fields: { accounts: 'u_aws_accounts', resources: 'u_aws_resources', categories: 'u_netwatch_categories' },
    retry: { attempts: 3, baseDelayMs: 10 },
    ...extra,
  });

/** A change request as ServiceNow stores it (values, UTC date-times). */
function change(number: string, extra: Record<string, string> = {}) {
  return {
    number,
    short_description: 'Open SSH for the vendor maintenance window',
    start_date: '2026-11-20 09:00:00',
    end_date: '2026-11-20 12:00:00',
    approval: 'approved',
    state: '-1',
    u_aws_accounts: '111122223333',
    u_aws_resources: SG,
    u_netwatch_categories: 'sg-open-world',
    ...extra,
  };
}

describe('approvals sync from ServiceNow (Table API on a local server)', () => {
  it('writes approved requests in the table format, reports unusable ones, removes cancelled ones', async () => {
    // Prepare: 231 requests, 230 in the window (the sync pages by 100), one with a wildcard resource, one without scope,
    // one not yet approved, one ending days before the window of interest.
    sn.seed('change_request', change('CHG0030001'));
    sn.seed('change_request', change('CHG0030002', { u_aws_resources: 'sg-*' }));
    sn.seed(
      'change_request',
      change('CHG0030003', { u_aws_accounts: '', u_aws_resources: '', u_netwatch_categories: '' }),
    );
    sn.seed('change_request', change('CHG0030004', { approval: 'requested' }));
    sn.seed(
      'change_request',
      change('CHG0030005', { start_date: '2026-11-01 09:00:00', end_date: '2026-11-01 10:00:00' }),
    );
    for (let i = 0; i < 226; i++)
      sn.seed(
        'change_request',
        change(`CHG00400${String(i).padStart(2, '0')}`, { u_aws_resources: `sg-0c0f${String(i).padStart(13, '0')}` }),
      );
    const source = snSource();
    // Act
    const plan = await syncSource(source, store, { secrets, clock: instantClock().clock }, { now: NOW });
    // Assess: the 230 requests in range were read, over three pages.
    expect(plan.read).toBe(230);
    const offsets = sn.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('sysparm_offset'));
    expect(offsets).toEqual(['0', '100', '200']);
    expect(plan.upserts.map((u) => u.ticket)).toContain('CHG0030001');
    expect(plan.upserts).toHaveLength(227);
    expect(plan.reported.map((r) => r.ticket).sort()).toEqual(['CHG0030002', 'CHG0030003']);
    expect(plan.reported.find((r) => r.ticket === 'CHG0030002')?.problems[0]).toContain('no wildcards');
    expect(plan.reported.find((r) => r.ticket === 'CHG0030003')?.problems[0]).toContain('no usable scope');
    const rows = await store.ticketRows('CHG0030001');
    expect(rows).toEqual([
      expect.objectContaining({
        pk: 'APPROVAL#CHG0030001',
        sk: 'ACCOUNT#111122223333',
        account: '111122223333',
        ticket: 'CHG0030001',
        windowStart: '2026-11-20T09:00:00.000Z',
        windowEnd: '2026-11-20T12:00:00.000Z',
        resourceIds: [SG],
        categories: ['sg-open-world'],
        syncedBy: 'servicenow-changes',
        expiresAt: Math.floor(Date.parse('2026-11-20T12:00:00Z') / 1000) + 30 * 86_400,
      }),
    ]);
    // The finding made at 09:14 in that SG is approved by the synced ticket; the wildcard request approved nothing.
    const approvals = await store.forAccount('111122223333');
    expect(reconcile(sshWorldFinding(), approvals, [], NOW)).toMatchObject({
      state: 'approved',
      approval: { ticket: 'CHG0030001' },
    });
    expect(approvals.map((a) => a.ticket)).not.toContain('CHG0030002');

    // A second run changes nothing; then the change is cancelled and the next run removes it.
    const again = await syncSource(source, store, { secrets }, { now: NOW });
    expect(again.upserts).toHaveLength(0);
    expect(again.unchanged).toHaveLength(227);
    const record = sn.records('change_request').find((r) => r['number'] === 'CHG0030001')!;
    record['state'] = '4';
    const cancelled = await syncSource(source, store, { secrets }, { now: NOW });
    expect(cancelled.deletes).toEqual([{ ticket: 'CHG0030001', sk: 'ACCOUNT#111122223333', why: 'cancelled' }]);
    expect(await store.ticketRows('CHG0030001')).toEqual([]);
  });

  it('--dry-run plans without writing; rows someone else wrote are never touched', async () => {
    sn.seed('change_request', change('CHG0030001'));
    sn.seed('change_request', change('CHG0030009'));
    const manual = approvalFromChange(
      {
        ticket: 'CHG0030009',
        windowStart: '2026-11-20T09:00:00Z',
        windowEnd: '2026-11-20T10:00:00Z',
        accounts: ['111122223333'],
        resources: [SG],
      },
      { maxWindowHours: 72 },
    );
    if (!manual.ok) throw new Error('fixture');
    await store.add(manual.approval, { createdBy: 'netwatch-cli:alice' });
    const plan = await syncSource(snSource(), store, { secrets }, { now: NOW, dryRun: true });
    expect(plan.upserts.map((u) => u.ticket)).toEqual(['CHG0030001']);
    expect(plan.reported[0]?.problems[0]).toContain('written by netwatch-cli:alice: left alone');
    expect(await store.ticketRows('CHG0030001')).toEqual([]);
    expect(planLines(plan, true)[1]).toBe(
      `  would approve CHG0030001 2026-11-20T09:00:00.000Z → 2026-11-20T12:00:00.000Z accounts 111122223333 resources ${SG} categories sg-open-world`,
    );
    // The CLI-written row is intact.
    expect(await store.ticketRows('CHG0030009')).toEqual([
      expect.objectContaining({ createdBy: 'netwatch-cli:alice' }),
    ]);
  });

  it('rides out a 429 with Retry-After and a 503, and fails (to be retried next run) when the instance stays down', async () => {
    sn.seed('change_request', change('CHG0030001'));
    const { clock, sleeps } = instantClock();
    sn.fault = (_r, n) =>
      n === 0 ? { status: 429, headers: { 'retry-after': '5' } } : n === 1 ? { status: 503 } : undefined;
    const plan = await syncSource(snSource(), store, { secrets, clock }, { now: NOW });
    expect(sleeps[0]).toBe(5000);
    expect(plan.upserts).toHaveLength(1);
    sn.fault = () => ({ status: 503 });
    await expect(syncSource(snSource(), store, { secrets, clock }, { now: NOW })).rejects.toThrow(/HTTP 503/);
  });
});

describe('approvals sync from Jira (JQL on a local server)', () => {
  it('maps custom fields (options, label lists, text) and honours statuses and the horizon', async () => {
    const fields = (start: string, end: string, extra: Record<string, unknown> = {}) => ({
      project: { key: 'CHG' },
      summary: 'Firewall change for the payments VPC',
      customfield_10100: start,
      customfield_10101: end,
      customfield_10102: [{ value: '111122223333' }],
      customfield_10103: `${SG}, sg-0b2c3d4e5f6071829`,
      labels: ['sg-open-world'],
      ...extra,
    });
    jira.seed('CHG-1', fields('2026-11-20T09:00:00.000+0000', '2026-11-20T11:00:00.000+0000'));
    jira.seed('CHG-2', fields('2026-11-20T09:00:00.000+0000', '2026-11-20T11:00:00.000+0000'), 'Cancelled');
    jira.seed('CHG-3', fields('2026-12-20T09:00:00.000+0000', '2026-12-20T11:00:00.000+0000'));
    jira.seed(
      'CHG-4',
      fields('2026-11-20T09:00:00.000+0000', '2026-11-20T11:00:00.000+0000', { customfield_10102: 'prod' }),
    );
    const source = approvalSyncSourceSchema.parse({
      name: 'jira-changes',
      type: 'jira',
      baseUrl: jira.url,
      auth: { type: 'basic', email: 'netwatch@example.com', apiToken: { ssm: '/netwatch/jira/token' } },
      jql: 'project = CHG',
      fields: {
        windowStart: 'customfield_10100',
        windowEnd: 'customfield_10101',
        accounts: 'customfield_10102',
        resources: 'customfield_10103',
        categories: 'labels',
      },
    });
    const plan = await syncSource(source, store, { secrets }, { now: NOW });
    expect(plan.read).toBe(3); // CHG-3 is outside the horizon
    expect(plan.upserts.map((u) => [u.ticket, u.approval.resourceIds])).toEqual([
      ['CHG-1', [SG, 'sg-0b2c3d4e5f6071829']],
    ]);
    expect(plan.reported).toEqual([
      { ticket: 'CHG-4', problems: ['accounts: "prod" is not a 12-digit account id (no wildcards)'] },
    ]);
    // Paginated: the server returns 2 issues per page.
    expect(jira.requests.filter((r) => r.url === '/rest/api/3/search/jql')).toHaveLength(2);
    expect((await store.forAccount('111122223333')).map((a) => a.ticket)).toEqual(['CHG-1']);
  });
});

describe('what a change request can never approve', () => {
  const base = { ticket: 'CHG1', windowStart: '2026-11-20T09:00:00Z', windowEnd: '2026-11-20T10:00:00Z' };
  it.each([
    [{ accounts: ['*'] }, 'accounts'],
    [{ resources: ['sg-0a1b*'] }, 'resources'],
    [{ resources: ['arn:aws:ec2:eu-west-1:111122223333:security-group/*'] }, 'resources'],
    [{ actors: ['arn:aws:iam::*:role/admin'] }, 'actors'],
    [{ actors: ['*'] }, 'actors'],
    [{ categories: ['everything'] }, 'categories'],
    [{ resources: [SG], windowEnd: '2026-12-20T10:00:00Z' }, 'window'],
    [{}, 'no usable scope'],
  ])('%j is reported (%s)', (fields, problem) => {
    const result = approvalFromChange({ ...base, ...fields }, { maxWindowHours: 72 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join(' ')).toContain(problem);
  });
  it('a one-SG, one-account request in a 1 h window is an approval', () => {
    const result = approvalFromChange({ ...base, accounts: ['111122223333'], resources: [SG] }, { maxWindowHours: 72 });
    expect(result).toMatchObject({ ok: true, approval: { resourceIds: [SG], accounts: ['111122223333'] } });
  });
});

describe('the inbound endpoint (HMAC-signed pushes)', () => {
  const SECRET = 'inbound-hmac-secret-0123456789';
  const t = Math.floor(NOW.getTime() / 1000);
  const handler = () => inboundHandler({ store, secret: async () => SECRET, now: () => NOW });
  const event = (body: unknown, ts = String(t), secret = SECRET) => {
    const text = JSON.stringify(body);
    return {
      requestContext: { http: { method: 'POST' } },
      headers: { 'X-Netwatch-Timestamp': ts, 'X-Netwatch-Signature': inboundSignature(secret, ts, text) },
      body: Buffer.from(text).toString('base64'),
      isBase64Encoded: true,
    };
  };
  const approve = {
    action: 'approve',
    approval: {
      ticket: 'CHG0050001',
      windowStart: '2026-11-20T09:00:00Z',
      windowEnd: '2026-11-20T11:00:00Z',
      accounts: ['111122223333'],
      resourceIds: [SG],
    },
  };

  it('writes a signed approval; refuses a replay, a stale timestamp, a bad signature and an invalid approval', async () => {
    const h = handler();
    const ok = await h(event(approve));
    expect(ok.statusCode).toBe(200);
    expect(await store.ticketRows('CHG0050001')).toEqual([
      expect.objectContaining({ sk: 'ACCOUNT#111122223333', syncedBy: 'inbound', resourceIds: [SG] }),
    ]);
    expect((await h(event(approve))).statusCode).toBe(409);
    expect((await h(event(approve, String(t - 301)))).statusCode).toBe(401);
    expect((await h(event(approve, String(t), 'wrong-secret'))).statusCode).toBe(401);
    const invalid = await h(
      event(
        {
          action: 'approve',
          approval: {
            ...approve.approval,
            accounts: undefined,
            resourceIds: undefined,
            windowEnd: '2026-11-20T08:00:00Z',
          },
        },
        String(t + 1),
      ),
    );
    expect(invalid.statusCode).toBe(400);
    expect(JSON.parse(invalid.body).problems).toEqual([
      'approval.windowEnd: must be after windowStart (2026-11-20T09:00:00Z)',
      "approval: an approval must say what it covers: set at least one of resourceIds, categories, actorArnPatterns (accounts, regions and resourceTags only narrow it; accounts ['*'] alone would approve every change everywhere)",
    ]);
    const cancel = await h(event({ action: 'cancel', ticket: 'CHG0050001' }, String(t + 2)));
    expect(JSON.parse(cancel.body)).toEqual({ ticket: 'CHG0050001', removed: 1 });
    expect(await store.ticketRows('CHG0050001')).toEqual([]);
  });
});
