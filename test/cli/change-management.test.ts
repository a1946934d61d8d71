import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalsTableDefinition } from '../../shared/5-decide/approvals/dynamodb-store.ts';
import { AwsFault, startAwsJsonServer } from '../support/aws-json-server.ts';
import { startServiceNow, type FakeServiceNow } from '../support/change-systems.ts';
import { netwatch, netwatchAsync } from '../support/cli.ts';
import { startDynalite, type LocalDynamo } from '../support/dynalite.ts';

/**
 * The command line of change management: `netwatch route` says what each ticket / archive sink would do with a
 * finding, and `netwatch approvals sync --dry-run` prints what a sync would write from a (local) ServiceNow, reading
 * its credential from a (local) SSM and the approvals table from dynalite — writing nothing.
 */

const dir = mkdtempSync(join(tmpdir(), 'netwatch-cm-'));
let sn: FakeServiceNow;
let dynamo: LocalDynamo;
let ssm: Awaited<ReturnType<typeof startAwsJsonServer>>;

beforeAll(async () => {
  sn = await startServiceNow({ auth: { type: 'basic', username: 'svc-netwatch', password: 'Sn0w-p4ss' } });
  dynamo = await startDynalite();
  await dynamo.createTable(approvalsTableDefinition('netwatch-approvals'));
  ssm = await startAwsJsonServer({
    'AmazonSSM.GetParameter': (input) => {
      if (input['Name'] !== '/netwatch/servicenow/password') throw new AwsFault('ParameterNotFound', 'not found');
      return { Parameter: { Name: input['Name'], Type: 'SecureString', Value: 'Sn0w-p4ss', Version: 1 } };
    },
  });
});
afterAll(async () => {
  await Promise.all([sn.stop(), ssm.stop()]);
  await dynamo.close();
});

function config(): string {
  const file = join(dir, 'netwatch.config.json');
  const auth = { type: 'basic', username: 'svc-netwatch', password: { ssm: '/netwatch/servicenow/password' } };
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      sinks: {
        servicenow: { type: 'servicenow', instanceUrl: sn.url, auth },
        jira: {
          type: 'jira',
          baseUrl: 'https://example.atlassian.net',
          auth: { type: 'bearer', token: { ssm: '/netwatch/jira/pat' } },
          project: 'NET',
        },
        'security-hub': { type: 'securityhub', accountId: '111122223333' },
        lake: { type: 's3', bucket: 'netwatch-ocsf', prefix: 'ext/netwatch', format: 'ocsf' },
      },
      routes: [{ name: 'tickets', kind: 'record', sinks: ['servicenow', 'jira', 'security-hub', 'lake'] }],
      approvals: {
        dynamodb: { tableName: 'netwatch-approvals' },
        sync: [
          {
            name: 'servicenow-changes',
            type: 'servicenow',
            instanceUrl: sn.url,
            auth,
            fields: { accounts: 'u_aws_accounts', resources: 'u_aws_resources' },
            horizonHours: 24 * 14,
            lookbackHours: 24 * 14,
          },
        ],
      },
    }),
  );
  return file;
}

describe('netwatch route with the change-management sinks', () => {
  it('names the ticket each sink would open or update, and by which key it finds it again', () => {
    const { code, stdout } = netwatch([
      'route',
      '--config',
      config(),
      '--no-table',
      'events/cloudtrail/authorize-sg-ingress-ssh-world.json',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /servicenow \(record: ServiceNow incident with correlation_id netwatch:(ep-)?[0-9a-f]+: created, or a work note on it\)/,
    );
    expect(stdout).toMatch(
      /jira \(record: Jira NET Task labelled netwatch-(ep-)?[0-9a-f]+: created, or a comment on it\)/,
    );
    expect(stdout).toMatch(
      /security-hub \(record: Security Hub finding netwatch\/eu-west-1\/111122223333\/(ep-)?[0-9a-f]+ imported or updated\)/,
    );
    expect(stdout).toContain(
      'lake (record: OCSF 1.1.0 Detection Finding + API Activity to s3://netwatch-ocsf/ext/netwatch)',
    );
    const jsonl = netwatch([
      'route',
      '--config',
      config(),
      '--no-table',
      '--format',
      'jsonl',
      'events/cloudtrail/authorize-sg-ingress-ssh-world.json',
    ]);
    const record = JSON.parse(jsonl.stdout.trim().split('\n')[0] ?? '{}') as { sinkActions?: Record<string, string> };
    expect(Object.keys(record.sinkActions ?? {})).toEqual(['servicenow', 'jira', 'security-hub', 'lake']);
  });
});

describe('netwatch approvals sync --dry-run', () => {
  it('prints what it would approve and what it reports, and writes nothing', async () => {
    // A window around now (the sync reads changes whose window is near).
    const hour = 3_600_000;
    const start = new Date(Math.floor(Date.now() / hour) * hour);
    const end = new Date(start.getTime() + 2 * hour);
    const sn8 = (d: Date) =>
      d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, '');
    sn.seed('change_request', {
      number: 'CHG0088001',
      short_description: 'Open SSH for the vendor',
      start_date: sn8(start),
      end_date: sn8(end),
      approval: 'approved',
      state: '-1',
      u_aws_accounts: '111122223333',
      u_aws_resources: 'sg-0a1b2c3d4e5f60718',
    });
    sn.seed('change_request', {
      number: 'CHG0088002',
      short_description: 'Everything',
      start_date: sn8(start),
      end_date: sn8(end),
      approval: 'approved',
      state: '-1',
      u_aws_accounts: '*',
      u_aws_resources: '',
    });
    const env = {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_SSM: ssm.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    };
    const { code, stdout, stderr } = await netwatchAsync(['approvals', 'sync', '--dry-run', '--config', config()], {
      env,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('servicenow-changes: 2 change request(s) read');
    expect(stdout).toContain(
      `would approve CHG0088001 ${start.toISOString()} → ${end.toISOString()} accounts 111122223333 resources sg-0a1b2c3d4e5f60718`,
    );
    expect(stdout).toContain('NOT APPROVED CHG0088002: accounts: "*" is not a 12-digit account id (no wildcards)');
    const scan = await dynamo.client.send(
      new (await import('@aws-sdk/lib-dynamodb')).ScanCommand({ TableName: 'netwatch-approvals' }),
    );
    expect(scan.Items ?? []).toEqual([]);
  });
});
