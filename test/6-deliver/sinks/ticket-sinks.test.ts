import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding.ts';
import type { Notice } from '../../../shared/model/notice.ts';
import { createAwsClients } from '../../../shared/platform/aws/clients.ts';
import { TokenBuckets } from '../../../shared/platform/aws/rate-limit.ts';
import { StaticSecretResolver } from '../../../shared/platform/aws/secrets.ts';
import { DeliveryError } from '../../../shared/platform/errors.ts';
import { JiraSink, jiraSettingsSchema } from '../../../shared/6-deliver/sinks/jira.ts';
import { SecurityHubSink, securityHubSettingsSchema } from '../../../shared/6-deliver/sinks/securityhub.ts';
import { ServiceNowSink, serviceNowSettingsSchema } from '../../../shared/6-deliver/sinks/servicenow.ts';
import {
  type FakeJira,
  type FakeSecurityHub,
  type FakeServiceNow,
  startJira,
  startSecurityHub,
  startServiceNow,
} from '../../support/change-systems.ts';
import { LOCAL_AWS } from '../../support/aws-json-server.ts';
import { instantClock } from '../../support/http-receiver.ts';
import { digest, notice, sshWorldDelta, sshWorldFinding } from '../../support/sink-fixtures.ts';

/**
 * The ticket sinks over real HTTP against local servers implementing the ServiceNow Table API, Jira REST (Cloud v3,
 * Data Center v2) and Security Hub's BatchImportFindings: what each server holds after a change opens an exposure,
 * is delivered again, changes again, and closes — one ticket per episode, notes once, resolved at the close.
 */

const secrets = new StaticSecretResolver({
  'ssm:/netwatch/servicenow/user': 'svc-netwatch',
  'ssm:/netwatch/servicenow/password': 'Sn0w-p4ss',
  'ssm:/netwatch/servicenow/client-secret': 'oauth-s3cret',
  'ssm:/netwatch/jira/token': 'jira-api-token',
  'ssm:/netwatch/jira/pat': 'jira-pat-0123',
});

const EPISODE = 'ep-7c1d0a5e9b3f2a41';

/** The SSH-to-the-world finding as the stateful pipeline emits it: about an open episode. */
function opened(overrides: Partial<Finding> = {}): Notice {
  return notice(
    sshWorldFinding({
      episode: {
        id: EPISODE,
        state: 'open',
        kind: 'sg-ingress',
        exposure: 'tcp/22 from the whole IPv4 internet',
        openedAt: '2026-11-20T09:14:03Z',
        openedBy: 'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice',
      },
      ...overrides,
    }),
  );
}

/** A later change of the same episode (the hole widened to tcp/0-1024): another fingerprint, the same episode. */
function widened(): Notice {
  return opened({
    fingerprint: '5a2b3c4d5e6f708192a3b4c5d6e7f801',
    at: '2026-11-20T09:40:00Z',
    changeId: 'a1b2c3d4-0000-4000-8000-000000000002',
    summary: 'sg-0a1b2c3d4e5f60718 (web-frontend) now allows tcp/0-1024 from 0.0.0.0/0',
    evidence: [
      sshWorldDelta({
        permission: {
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 0,
          toPort: 1024,
          peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
        },
      }),
    ],
  });
}

/** The record of the close: the episode closed an hour after it opened. */
function closed(): Notice {
  return notice(
    sshWorldFinding({
      fingerprint: '6b3c4d5e6f708192a3b4c5d6e7f80192',
      title: 'Security group open to the world — closed',
      severity: 'info',
      summary: 'sg-0a1b2c3d4e5f60718: tcp/22 from the whole IPv4 internet is closed after 1 h',
      at: '2026-11-20T10:14:03Z',
      episode: {
        id: EPISODE,
        state: 'closed',
        kind: 'sg-ingress',
        exposure: 'tcp/22 from the whole IPv4 internet',
        openedAt: '2026-11-20T09:14:03Z',
        closedAt: '2026-11-20T10:14:03Z',
        closedBy: 'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/bob',
        openSeconds: 3600,
      },
    }),
  );
}

describe('servicenow sink (Table API on a local server)', () => {
  let sn: FakeServiceNow;
  beforeAll(async () => {
    sn = await startServiceNow({ auth: { type: 'basic', username: 'svc-netwatch', password: 'Sn0w-p4ss' } });
  });
  afterAll(() => sn.stop());
  beforeEach(() => sn.reset());

  const sink = (extra: Record<string, unknown> = {}, clock = instantClock().clock) =>
    new ServiceNowSink(
      'servicenow',
      serviceNowSettingsSchema.parse({
        type: 'servicenow',
        instanceUrl: sn.url,
        auth: {
          type: 'basic',
          username: { ssm: '/netwatch/servicenow/user' },
          password: { ssm: '/netwatch/servicenow/password' },
        },
        assignmentGroup: '287ebd7da9fe198100f92cc8d1d2154e',
        fields: { category: 'network', u_aws_account: '${account}' },
        retry: { attempts: 3, baseDelayMs: 10 },
        ...extra,
      }),
      { secrets, clock },
    );

  it('opens one incident per episode: redeliveries add nothing, a later change adds one work note, the close resolves it', async () => {
    // Act: the opening three times (SQS redelivery), the widening twice, the close twice.
    const s = sink();
    for (let i = 0; i < 3; i++) await s.deliver(opened());
    for (let i = 0; i < 2; i++) await s.deliver(widened());
    for (let i = 0; i < 2; i++) await s.deliver(closed());
    // Assess: one incident, created with the mapped fields, one note for the widening, resolved.
    const incidents = sn.records('incident');
    expect(incidents).toHaveLength(1);
    const incident = incidents[0]!;
    expect(incident).toMatchObject({
      correlation_id: `netwatch:${EPISODE}`,
      correlation_display: 'Netwatch',
      impact: '1',
      urgency: '2',
      assignment_group: '287ebd7da9fe198100f92cc8d1d2154e',
      category: 'network',
      u_aws_account: '111122223333',
      state: '6',
      close_code: 'Resolved by change',
    });
    expect(incident['short_description']).toBe(
      '[HIGH] Security group open to the world: sg-0a1b2c3d4e5f60718 (111122223333/eu-west-1)',
    );
    expect(incident['description']).toContain('tcp/22 from 0.0.0.0/0');
    expect(incident['description']).toContain('[netwatch:4f1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a]');
    const notes = sn.notes(incident['sys_id']!);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toContain('tcp/0-1024');
    expect(notes[1]).toContain('RESOLVED: the exposure closed after 60 min');
    expect(incident['close_notes']).toContain('by arn:aws:sts::111122223333:assumed-role/NetworkAdmin/bob');
    // Every request carried the integration user's basic credentials.
    expect(new Set(sn.requests.map((r) => r.headers['authorization']))).toEqual(
      new Set([`Basic ${Buffer.from('svc-netwatch:Sn0w-p4ss').toString('base64')}`]),
    );
  });

  it('a change task instead of an incident, closed with its own state', async () => {
    const s = sink({ table: 'change_task', fields: { change_request: 'c0ffee00c0ffee00c0ffee00c0ffee00' } });
    await s.deliver(opened());
    await s.deliver(closed());
    const [task] = sn.records('change_task');
    expect(task).toMatchObject({ change_request: 'c0ffee00c0ffee00c0ffee00c0ffee00', state: '3' });
    expect(sn.records('incident')).toHaveLength(0);
  });

  it('a close for an episode it never ticketed changes nothing', async () => {
    await sink().deliver(closed());
    expect(sn.records('incident')).toHaveLength(0);
    expect(sn.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('waits as long as a 429 asks (Retry-After), retries a 503, and fails a 400 for good', async () => {
    const { clock, sleeps } = instantClock();
    sn.fault = (_r, n) =>
      n === 0 ? { status: 429, headers: { 'retry-after': '7' } } : n === 1 ? { status: 503 } : undefined;
    await sink({}, clock).deliver(opened());
    expect(sleeps[0]).toBe(7000);
    expect(sn.records('incident')).toHaveLength(1);
    sn.fault = (r) => (r.method === 'POST' ? { status: 400 } : undefined);
    sn.reset();
    sn.fault = (r) => (r.method === 'POST' ? { status: 400 } : undefined);
    const error = await sink({}, clock)
      .deliver(opened())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).retryable).toBe(false);
    expect(String((error as Error).message)).not.toContain(sn.url);
  });

  it('wrong credentials are a non-retryable failure', async () => {
    const s = new ServiceNowSink(
      'servicenow',
      serviceNowSettingsSchema.parse({
        type: 'servicenow',
        instanceUrl: sn.url,
        auth: { type: 'basic', username: 'svc-netwatch', password: { ssm: '/netwatch/jira/token' } },
      }),
      { secrets, clock: instantClock().clock },
    );
    const error = (await s.deliver(opened()).catch((e: unknown) => e)) as DeliveryError;
    expect(error.message).toContain('HTTP 401');
    expect(error.retryable).toBe(false);
  });

  it('record strings are text: a [code] tag in a group name is defanged, not rendered as HTML', async () => {
    const evil = opened({
      resource: {
        type: 'AWS::EC2::SecurityGroup',
        id: 'sg-0a1b2c3d4e5f60718',
        name: '[code]<img src=x onerror=alert(1)>[/code]',
      },
    });
    await sink().deliver(evil);
    const [incident] = sn.records('incident');
    expect(incident?.['description']).not.toMatch(/\[\s*\/?code\s*\]/i);
    expect(incident?.['description']).toContain('(code)<img src=x onerror=alert(1)>(/code)');
  });

  it('without read access to the journal (403) a note is still written (at least once)', async () => {
    const locked = await startServiceNow({
      auth: { type: 'basic', username: 'svc-netwatch', password: 'Sn0w-p4ss' },
      journalForbidden: true,
    });
    try {
      const s = sink({ instanceUrl: locked.url });
      await s.deliver(opened());
      await s.deliver(widened());
      const [incident] = locked.records('incident');
      expect(locked.notes(incident!['sys_id']!)).toHaveLength(1);
    } finally {
      await locked.stop();
    }
  });
});

describe('servicenow sink with OAuth client credentials', () => {
  it('fetches one token, reuses it, and fetches a new one when the instance refuses it', async () => {
    const sn = await startServiceNow({
      auth: { type: 'oauth', clientId: 'netwatch-client', clientSecret: 'oauth-s3cret' },
    });
    try {
      const s = new ServiceNowSink(
        'servicenow',
        serviceNowSettingsSchema.parse({
          type: 'servicenow',
          instanceUrl: sn.url,
          auth: {
            type: 'oauth',
            clientId: 'netwatch-client',
            clientSecret: { ssm: '/netwatch/servicenow/client-secret' },
          },
        }),
        { secrets, clock: instantClock().clock },
      );
      await s.deliver(opened());
      await s.deliver(widened());
      const tokenCalls = () => sn.requests.filter((r) => r.url === '/oauth_token.do').length;
      expect(tokenCalls()).toBe(1);
      // The token is revoked: the next request gets a 401 and the sink asks for a new token once.
      sn.fault = (r, n) => (n === sn.requests.length - 1 && r.url.startsWith('/api/') ? { status: 401 } : undefined);
      let first = true;
      sn.fault = (r) => {
        if (first && r.url.startsWith('/api/')) {
          first = false;
          return { status: 401 };
        }
        return undefined;
      };
      await s.deliver(closed());
      expect(tokenCalls()).toBe(2);
      expect(sn.records('incident')[0]?.['state']).toBe('6');
    } finally {
      await sn.stop();
    }
  });
});

describe('jira sink, Cloud REST v3 (ADF) on a local server', () => {
  let jira: FakeJira;
  beforeAll(async () => {
    jira = await startJira({ auth: { type: 'basic', email: 'netwatch@example.com', apiToken: 'jira-api-token' } });
  });
  afterAll(() => jira.stop());
  beforeEach(() => jira.reset());

  const sink = (extra: Record<string, unknown> = {}, clock = instantClock().clock) =>
    new JiraSink(
      'jira',
      jiraSettingsSchema.parse({
        type: 'jira',
        baseUrl: jira.url,
        auth: { type: 'basic', email: 'netwatch@example.com', apiToken: { ssm: '/netwatch/jira/token' } },
        project: 'NET',
        labels: ['aws-network'],
        fields: { components: [{ name: 'Network' }] },
        retry: { attempts: 3, baseDelayMs: 10 },
        ...extra,
      }),
      { secrets, clock },
    );

  it('one issue per episode, found again by its label; a comment per later change (once); the close transitions it', async () => {
    const s = sink();
    for (let i = 0; i < 3; i++) await s.deliver(opened());
    for (let i = 0; i < 3; i++) await s.deliver(widened());
    for (let i = 0; i < 2; i++) await s.deliver(closed());
    expect(jira.issues).toHaveLength(1);
    const issue = jira.issues[0]!;
    expect(issue.fields).toMatchObject({
      project: { key: 'NET' },
      issuetype: { name: 'Task' },
      priority: { name: 'High' },
      components: [{ name: 'Network' }],
      summary: '[HIGH] Security group open to the world: sg-0a1b2c3d4e5f60718 (111122223333/eu-west-1)',
    });
    expect(issue.fields.labels).toEqual(['aws-network', 'netwatch', `netwatch-${EPISODE}`]);
    expect((issue.fields['description'] as { type: string }).type).toBe('doc');
    expect(issue.comments).toHaveLength(2);
    expect(JSON.stringify(issue.comments[0])).toContain('tcp/0-1024');
    expect(JSON.stringify(issue.comments[1])).toContain('RESOLVED');
    expect(issue.fields.status.statusCategory.key).toBe('done');
    expect(jira.requests.filter((r) => r.url.endsWith('/transitions') && r.method === 'POST')).toHaveLength(1);
  });

  it('reads every page of comments before deciding a note is new (pagination)', async () => {
    const s = sink();
    await s.deliver(opened());
    // Five unrelated comments (the server pages by 2), then the widening's own note.
    for (let i = 0; i < 5; i++) jira.issues[0]!.comments.push({ type: 'doc', version: 1, content: [] });
    await s.deliver(widened());
    await s.deliver(widened());
    expect(jira.issues[0]!.comments).toHaveLength(6);
    const pages = jira.requests.filter((r) => r.method === 'GET' && r.url.includes('/comment'));
    expect(pages.some((r) => r.url.includes('startAt=4'))).toBe(true);
  });

  it('retries a 429 after its Retry-After and a 502', async () => {
    const { clock, sleeps } = instantClock();
    jira.fault = (_r, n) =>
      n === 0 ? { status: 429, headers: { 'retry-after': '3' } } : n === 1 ? { status: 502 } : undefined;
    await sink({}, clock).deliver(opened());
    expect(sleeps[0]).toBe(3000);
    expect(jira.issues).toHaveLength(1);
  });
});

describe('jira sink, Data Center REST v2 (wiki markup) on a local server', () => {
  it('bearer token, search by startAt pages, and record strings escaped so they stay text', async () => {
    const jira = await startJira({ auth: { type: 'bearer', token: 'jira-pat-0123' }, pageSize: 1 });
    try {
      const s = new JiraSink(
        'jira-dc',
        jiraSettingsSchema.parse({
          type: 'jira',
          api: 'datacenter',
          baseUrl: `${jira.url}`,
          auth: { type: 'bearer', token: { ssm: '/netwatch/jira/pat' } },
          project: 'NET',
          priorities: false,
        }),
        { secrets, clock: instantClock().clock },
      );
      // Another project's issue carries the same label: the search must not take it (and pages through both).
      jira.seed('OPS-1', { project: { key: 'OPS' }, labels: [`netwatch-${EPISODE}`] });
      const evil = opened({
        resource: {
          type: 'AWS::EC2::SecurityGroup',
          id: 'sg-0a1b2c3d4e5f60718',
          name: '{noformat}[phish|https://evil.example]*x*',
        },
      });
      await s.deliver(evil);
      await s.deliver(evil);
      await s.deliver(closed());
      const mine = jira.issues.filter((i) => (i.fields['project'] as { key: string }).key === 'NET');
      expect(mine).toHaveLength(1);
      const description = String(mine[0]!.fields['description']);
      expect(description).toContain('\\{noformat\\}\\[phish\\|https://evil.example\\]\\*x\\*');
      expect(description).not.toMatch(/(^|[^\\])\[phish/);
      expect(mine[0]!.fields['priority']).toBeUndefined();
      expect(mine[0]!.fields.status.name).toBe('Done');
      expect(jira.requests.every((r) => r.headers['authorization'] === 'Bearer jira-pat-0123')).toBe(true);
      expect(jira.requests.some((r) => r.method === 'GET' && r.url.startsWith('/rest/api/2/search?jql='))).toBe(true);
    } finally {
      await jira.stop();
    }
  });
});

describe('securityhub sink (BatchImportFindings through the SDK, on a local REST-JSON endpoint)', () => {
  let hub: FakeSecurityHub;
  beforeAll(async () => {
    hub = await startSecurityHub();
  });
  afterAll(() => hub.stop());
  beforeEach(() => hub.reset());

  const sink = () =>
    new SecurityHubSink(
      'securityhub',
      securityHubSettingsSchema.parse({ type: 'securityhub', accountId: '111122223333' }),
      {
        clients: createAwsClients({ ...LOCAL_AWS, endpoint: hub.url, maxAttempts: 3 }),
        buckets: new TokenBuckets(1000, { burst: 1000 }),
      },
    );

  it('imports one ASFF finding per episode, updated (not duplicated) on redelivery and later changes, resolved at the close', async () => {
    const s = sink();
    for (let i = 0; i < 3; i++) await s.deliver(opened());
    await s.deliver(widened());
    expect(hub.findings()).toHaveLength(1);
    const open = hub.findings()[0]!;
    expect(open).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: `netwatch/eu-west-1/111122223333/${EPISODE}`,
      ProductArn: 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default',
      AwsAccountId: '111122223333',
      GeneratorId: 'netwatch/sg-open-world',
      Types: [
        'Software and Configuration Checks/AWS Security Best Practices/Network Reachability',
        'Effects/Data Exposure',
      ],
      Severity: { Label: 'HIGH', Original: 'high' },
      Compliance: { Status: 'FAILED' },
      Workflow: { Status: 'NEW' },
      RecordState: 'ACTIVE',
      CreatedAt: '2026-11-20T09:14:03Z',
      UpdatedAt: '2026-11-20T09:40:00Z',
    });
    expect(open['Resources']).toEqual([
      {
        Type: 'AwsEc2SecurityGroup',
        Id: 'arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0a1b2c3d4e5f60718',
        Partition: 'aws',
        Region: 'eu-west-1',
        Details: {
          AwsEc2SecurityGroup: {
            GroupId: 'sg-0a1b2c3d4e5f60718',
            GroupName: 'web-frontend',
            OwnerId: '111122223333',
            VpcId: 'vpc-0fedcba9876543210',
            IpPermissions: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 1024, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
          },
        },
      },
    ]);
    await s.deliver(closed());
    expect(hub.findings()).toHaveLength(1);
    expect(hub.findings()[0]).toMatchObject({
      RecordState: 'ARCHIVED',
      Compliance: { Status: 'PASSED' },
      Workflow: { Status: 'RESOLVED' },
      Severity: { Label: 'INFORMATIONAL' },
    });
    // Signed for Security Hub (SigV4 service name securityhub), as the IAM check expects.
    expect(String(hub.requests[0]?.headers['authorization'])).toMatch(/\/securityhub\/aws4_request/);
  });

  it('a digest of 250 findings goes in batches of at most 100', async () => {
    await sink().deliver(digest(250));
    const sizes = hub.requests.map((r) => (JSON.parse(r.body) as { Findings: unknown[] }).Findings.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(hub.findings()).toHaveLength(250);
  });

  it('throttling is retried by the SDK; a partial failure inside a 200 is a failed delivery', async () => {
    hub.fault = (_r, n) => (n === 0 ? { status: 429 } : undefined);
    await sink().deliver(opened());
    expect(hub.requests).toHaveLength(2);
    // Security Hub refuses a finding inside a 200 (FailedCount): the delivery fails, retryable only for throttling.
    hub.fault = () => undefined;
    hub.refuse = () => 'InvalidInput';
    const error = (await sink()
      .deliver(opened())
      .catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toContain('Security Hub refused 1 of 1 finding(s)');
    expect(error.retryable).toBe(false);
    hub.refuse = () => 'ThrottlingException';
    expect(
      (
        (await sink()
          .deliver(opened())
          .catch((e: unknown) => e)) as DeliveryError
      ).retryable,
    ).toBe(true);
  });

  it('paces its requests: 10 per second after a burst of 30', async () => {
    const waits: number[] = [];
    let now = 0;
    const buckets = new TokenBuckets(10, {
      burst: 30,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    const s = new SecurityHubSink(
      'securityhub',
      securityHubSettingsSchema.parse({ type: 'securityhub', accountId: '111122223333' }),
      {
        clients: createAwsClients({ ...LOCAL_AWS, endpoint: hub.url }),
        buckets,
      },
    );
    for (let i = 0; i < 32; i++) await s.deliver(opened({ fingerprint: `fp${i}`, episode: undefined }));
    expect(waits).toEqual([100, 100]);
  });
});

describe('ticket text encoders', () => {
  it('strip control characters, defang ServiceNow [code] and javascript: values, escape Jira wiki markup', async () => {
    const { plainText, serviceNowText, jiraWikiText } = await import(
      '../../../shared/6-deliver/sinks/format/ticket.ts'
    );
    expect(plainText('a\u0000b\u001bc\u2028d\r\ne\tf')).toBe('abcd\ne\tf');
    expect(serviceNowText('[ /CODE ]x[code]')).toBe('( /CODE )x(code)');
    expect(serviceNowText('javascript:gs.getUserID()')).toBe('text: javascript:gs.getUserID()');
    expect(jiraWikiText('h1. Title\n*bold* {code}')).toBe('h1\\. Title\n\\*bold\\* \\{code\\}');
  });
});
