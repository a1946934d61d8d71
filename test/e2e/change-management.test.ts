import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from './harness/lambda-context.ts';
import { eventBridge, sample, SSH_WORLD_CLOUDTRAIL } from './harness/events.ts';
import { CHANGE_SYSTEM_CREDENTIALS, SECRETS } from './harness/emulators.ts';
import { loadFresh, useEmulatedStack } from './harness/suite.ts';
import {
  type FakeJira,
  type FakeSecurityHub,
  type FakeServiceNow,
  startJira,
  startSecurityHub,
  startServiceNow,
} from '../support/change-systems.ts';
import { fileURLToPath } from 'node:url';

/**
 * Change management end to end on the emulators: the real handlers, the stack's tables on dynalite, the paging topic
 * on fauxqs, and local ServiceNow (Table API), Jira (Cloud REST v3) and Security Hub (BatchImportFindings) servers.
 * - An unapproved SSH-to-the-world change gives one incident, one issue, one Security Hub finding; delivered three
 *   times, still one each; the revoke resolves each.
 * - A ServiceNow change request approved for that security group and window, synced by the approvalsSync function,
 *   makes the same change approved: it pages no one and opens no ticket, and change management records it approved.
 */

const deploy = useEmulatedStack();
const SG = 'sg-0a1b2c3d4e5f60718';
const SYNC = fileURLToPath(new URL('../../functions/approvals-sync.ts', import.meta.url));

let sn: FakeServiceNow;
let jira: FakeJira;
let hub: FakeSecurityHub;
beforeAll(async () => {
  sn = await startServiceNow({ auth: { type: 'basic', ...CHANGE_SYSTEM_CREDENTIALS.serviceNow } });
  jira = await startJira({ auth: { type: 'basic', ...CHANGE_SYSTEM_CREDENTIALS.jira } });
  hub = await startSecurityHub();
});
afterAll(async () => {
  await Promise.all([sn.stop(), jira.stop(), hub.stop()]);
});

/** The SSH-to-the-world record (or its revoke) at `at`, under its own event id. */
function call(name: 'AuthorizeSecurityGroupIngress' | 'RevokeSecurityGroupIngress', at: Date, id: string) {
  const record = sample(SSH_WORLD_CLOUDTRAIL);
  return eventBridge({
    ...record,
    eventName: name,
    eventTime: at.toISOString().replace(/\.\d+Z$/, 'Z'),
    eventID: id,
    requestID: id,
  });
}

/** The config of these tests: the three ticket sinks on an unapproved-risky route, the ServiceNow sync source. */
function configure(config: Record<string, unknown>): Record<string, unknown> {
  const sinks = config['sinks'] as Record<string, unknown>;
  const retry = { attempts: 2, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 1000 };
  const serviceNowAuth = {
    type: 'basic',
    username: CHANGE_SYSTEM_CREDENTIALS.serviceNow.username,
    password: { ssm: SECRETS.serviceNowPassword },
  };
  return {
    ...config,
    sinks: {
      ...sinks,
      servicenow: { type: 'servicenow', instanceUrl: sn.url, auth: serviceNowAuth, retry },
      jira: {
        type: 'jira',
        baseUrl: jira.url,
        auth: { type: 'basic', email: CHANGE_SYSTEM_CREDENTIALS.jira.email, apiToken: { ssm: SECRETS.jiraApiToken } },
        project: 'NET',
        retry,
      },
      'security-hub': { type: 'securityhub', accountId: '111122223333' },
    },
    routes: [
      ...(config['routes'] as unknown[]),
      {
        name: 'tickets',
        kind: 'record',
        match: { minSeverity: 'medium', approval: ['unapproved', 'expired'] },
        sinks: ['servicenow', 'jira', 'security-hub'],
      },
    ],
    approvals: {
      ...(config['approvals'] as Record<string, unknown>),
      sync: [
        {
          name: 'servicenow-changes',
          type: 'servicenow',
          instanceUrl: sn.url,
          auth: serviceNowAuth,
          fields: { accounts: 'u_aws_accounts', resources: 'u_aws_resources', categories: 'u_netwatch_categories' },
          retry,
        },
      ],
    },
  };
}

const snTime = (d: Date) =>
  d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '');

describe('end to end on emulators: ServiceNow, Jira and Security Hub out, ServiceNow approvals in', () => {
  it('an unapproved SSH-to-the-world change: one incident, one issue, one Security Hub finding; ×3 still one each; the revoke resolves each', async () => {
    sn.reset();
    jira.reset();
    hub.reset();
    const { scenario, d, pagerduty } = await deploy({
      approvalsTable: true,
      configure,
      env: { AWS_ENDPOINT_URL_SECURITYHUB: hub.url },
    });
    const opened = new Date(Date.now() - 20 * 60_000);
    const open = call('AuthorizeSecurityGroupIngress', opened, '16c22eb9-7ee4-5edb-8335-00000000e2e1');
    // Act: the same change delivered three times (SQS redelivery), then the revoke.
    for (let i = 0; i < 3; i++) await scenario.sendEvent(open);
    await d.drain();
    // Assess: one of each, and the one page.
    expect(sn.records('incident')).toHaveLength(1);
    expect(jira.issues).toHaveLength(1);
    expect(hub.findings()).toHaveLength(1);
    expect(await scenario.readInbox()).toHaveLength(1);
    const incident = sn.records('incident')[0]!;
    expect(incident['short_description']).toContain(SG);
    expect(incident['correlation_id']).toMatch(/^netwatch:ep-/);
    expect(jira.issues[0]!.fields.labels).toContain(
      `netwatch-${incident['correlation_id']!.slice('netwatch:'.length)}`,
    );
    expect(hub.findings()[0]).toMatchObject({ RecordState: 'ACTIVE', Workflow: { Status: 'NEW' } });
    // Act: the revoke ten minutes later.
    await scenario.sendEvent(
      call(
        'RevokeSecurityGroupIngress',
        new Date(opened.getTime() + 10 * 60_000),
        '16c22eb9-7ee4-5edb-8335-00000000e2e2',
      ),
    );
    await d.drain();
    // Assess: resolved everywhere, still one of each; PagerDuty resolved its incident too.
    expect(sn.records('incident')).toHaveLength(1);
    expect(sn.records('incident')[0]).toMatchObject({ state: '6', close_code: 'Resolved by change' });
    expect(jira.issues).toHaveLength(1);
    expect(jira.issues[0]!.fields.status.statusCategory.key).toBe('done');
    expect(hub.findings()).toHaveLength(1);
    expect(hub.findings()[0]).toMatchObject({
      RecordState: 'ARCHIVED',
      Compliance: { Status: 'PASSED' },
      Workflow: { Status: 'RESOLVED' },
    });
    expect(pagerduty.accepted().map((r) => (JSON.parse(r.body) as { event_action: string }).event_action)).toEqual([
      'trigger',
      'resolve',
    ]);
    // Copies of one change in one batch wait for each other's delivery claim (item failures, retried); none is lost.
    expect(d.cloudtrailPoller.stats).toMatchObject({ functionErrors: 0, deleted: 4 });
    expect(await scenario.drainQueue(scenario.cloudtrailDlq)).toHaveLength(0);
  });

  it('a ServiceNow change request approved for that group and window, synced: the same change is approved and pages no one', async () => {
    sn.reset();
    jira.reset();
    hub.reset();
    const { scenario, d, pagerduty, slack, webhook } = await deploy({
      approvalsTable: true,
      configure,
      env: { AWS_ENDPOINT_URL_SECURITYHUB: hub.url },
    });
    const at = new Date(Date.now() - 20 * 60_000);
    // Prepare: the change request in ServiceNow, approved, its window around the change.
    sn.seed('change_request', {
      number: 'CHG0077001',
      short_description: 'Open SSH on web-frontend for the vendor',
      start_date: snTime(new Date(at.getTime() - 30 * 60_000)),
      end_date: snTime(new Date(at.getTime() + 90 * 60_000)),
      approval: 'approved',
      state: '-1',
      u_aws_accounts: '111122223333',
      u_aws_resources: SG,
      u_netwatch_categories: 'sg-open-world',
    });
    // Act: the scheduled sync runs (the real handler, with the scenario's environment), then the change arrives.
    const { handler } = await loadFresh(SYNC);
    const result = (await handler(
      { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} },
      lambdaContext('netwatch-approvals-sync', 30_000),
    )) as { sources: { upserts: { ticket: string }[] }[] };
    expect(result.sources[0]?.upserts.map((u) => u.ticket)).toEqual(['CHG0077001']);
    await scenario.sendEvent(call('AuthorizeSecurityGroupIngress', at, '16c22eb9-7ee4-5edb-8335-00000000e2e3'));
    await d.drain();
    // Assess: no page anywhere, no ticket; change management has it, approved by the synced ticket.
    expect(await scenario.readInbox()).toHaveLength(0);
    expect(pagerduty.accepted()).toHaveLength(0);
    expect(slack.accepted()).toHaveLength(0);
    expect(sn.records('incident')).toHaveLength(0);
    expect(jira.issues).toHaveLength(0);
    expect(hub.findings()).toHaveLength(0);
    const records = webhook
      .accepted()
      .map((r) => JSON.parse(r.body) as { approved: boolean; approval: { ticket: string } });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ approved: true, approval: { ticket: 'CHG0077001' } });
  });
});
