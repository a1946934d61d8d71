import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalsTableDefinition } from '../../shared/5-decide/approvals/dynamodb-store.ts';
import { findingRecord } from '../../cli/format.ts';
import { startDynalite, type LocalDynamo } from '../support/dynalite.ts';
import { netwatchAsync, type CliResult } from '../support/cli.ts';
import { ciWidenedFinding, sshWorldFinding } from '../support/findings.ts';

let dynamo: LocalDynamo;
/**
 * Approval windows around the real clock (the CLI reads `now` for --active and the table's look-back): issue 12 caps a
 * window at 30 days, so the old fixed 2026 → 2030 window is refused now (asserted below).
 */
const hour = 3_600_000;
const START = new Date(Math.floor(Date.now() / hour) * hour - 2 * hour).toISOString();
const END = new Date(Math.floor(Date.now() / hour) * hour + 24 * hour).toISOString();
const AT = new Date(Date.parse(START) + 15 * 60_000).toISOString();
const dir = mkdtempSync(join(tmpdir(), 'netwatch-cli-delivery-'));

/** Run the real command (async: dynalite runs in this process and must keep answering). */
function netwatch(args: string[], input?: string): Promise<CliResult> {
  return netwatchAsync(args, {
    env: { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint },
    ...(input !== undefined ? { input } : {}),
  });
}

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createTable(approvalsTableDefinition('cli-approvals'));
});
afterAll(async () => {
  await dynamo.close();
});

const config = join(dir, 'netwatch.config.yml');
writeFileSync(
  config,
  `version: 1
sinks:
  oncall: { type: memory }
  change-log: { type: memory }
routes:
  - { name: page-unapproved, kind: paging, match: { minSeverity: medium, approval: [unapproved, expired] }, sinks: [oncall] }
  - { name: change-management, sinks: [change-log] }
allowlists:
  - { name: ci-deployer, actorArnPatterns: ['arn:aws:iam::111122223333:role/ci-deploy'], categories: [sg-widened], reason: CI pipeline }
approvals:
  dynamodb: { tableName: cli-approvals }
`,
);

describe('netwatch approvals', () => {
  it('adds, lists and expires an approval in the table, and rejects a bad one listing every problem', async () => {
    // Act
    const added = await netwatch([
      'approvals',
      'add',
      '--config',
      config,
      '--ticket',
      'CHG0012345',
      '--start',
      START,
      '--end',
      END,
      '--accounts',
      '111122223333',
      '--resources',
      'sg-0bbbbbbbbbbbbbbbb',
      '--categories',
      'sg-open-world',
      '--description',
      'Open SSH for the bastion migration',
    ]);
    const bad = await netwatch([
      'approvals',
      'add',
      '--table',
      'cli-approvals',
      '--ticket',
      'CHG 1',
      '--start',
      'soon',
      '--end',
      '2026-11-20T09:00:00Z',
      '--categories',
      'sg-open-wrld',
    ]);
    const tooLong = await netwatch([
      'approvals',
      'add',
      '--table',
      'cli-approvals',
      '--ticket',
      'CHG0012346',
      '--start',
      '2026-11-20T09:00:00Z',
      '--end',
      '2030-01-01T00:00:00Z',
      '--categories',
      'sg-open-world',
    ]);
    const everything = await netwatch([
      'approvals',
      'add',
      '--table',
      'cli-approvals',
      '--ticket',
      'CHG0012347',
      '--start',
      START,
      '--end',
      END,
      '--accounts',
      '*',
    ]);
    const listed = await netwatch(['approvals', 'list', '--table', 'cli-approvals', '--active']);
    const expired = await netwatch(['approvals', 'expire', 'CHG0012345', '--table', 'cli-approvals']);
    const afterExpire = await netwatch(['approvals', 'list', '--table', 'cli-approvals', '--format', 'jsonl']);
    const unknown = await netwatch(['approvals', 'expire', 'CHG9999999', '--table', 'cli-approvals']);
    // Assess
    expect(added.stdout).toContain(
      'added CHG0012345 to cli-approvals: accounts 111122223333; resources sg-0bbbbbbbbbbbbbbbb; categories sg-open-world — Open SSH for the bastion migration',
    );
    expect(added.code).toBe(0);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--ticket: must be a ticket id');
    expect(bad.stderr).toContain('--start: must be an ISO-8601 date-time');
    expect(bad.stderr).toContain('--categories[0]: must be one of');
    expect(tooLong.code).toBe(64);
    expect(tooLong.stderr).toMatch(/--end: the window is \d+ h long; at most 30 days/);
    expect(everything.code).toBe(64);
    expect(everything.stderr).toContain('an approval must say what it covers');
    expect(listed.stdout).toMatch(
      new RegExp(
        `^TICKET\\s+STATE\\s+WINDOW START\\s+WINDOW END\\s+COVERS\\nCHG0012345\\s+active\\s+${START.replace(/\./g, '\\.')}\\n?`,
      ),
    );
    expect(listed.stdout).not.toContain('CHG0012346');
    expect(listed.stdout).not.toContain('CHG0012347');
    expect(expired.stdout).toContain('expired CHG0012345');
    expect(JSON.parse(afterExpire.stdout.trim())).toMatchObject({
      ticket: 'CHG0012345',
      state: 'ended',
      source: 'dynamodb',
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no approval with ticket CHG9999999 in cli-approvals');
  });

  it('explains a missing table choice', async () => {
    const { code, stderr } = await netwatch(['approvals', 'list']);
    expect(code).toBe(64);
    expect(stderr).toContain('which approvals table?');
  });
});

describe('netwatch route (dry run)', () => {
  it('prints per finding the approval that applied, the matched routes and the sinks it would reach', async () => {
    // Prepare: an approved change (static table entry), an unapproved one, and the CI role's allowlisted change.
    await netwatch([
      'approvals',
      'add',
      '--table',
      'cli-approvals',
      '--ticket',
      'OPS-881',
      '--start',
      START,
      '--end',
      END,
      '--resources',
      'sg-0a1b*',
      '--regions',
      'eu-west-1',
      '--categories',
      'sg-open-world',
    ]);
    const lines = [
      sshWorldFinding({ at: AT }),
      sshWorldFinding({
        at: AT,
        fingerprint: 'other',
        resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-0fedcba9876543210' },
        summary: 'sg-0fedcba9876543210 allows tcp/22 (SSH) from 0.0.0.0/0',
      }),
      ciWidenedFinding(),
    ].map((f) => JSON.stringify(findingRecord(f)));
    // Act
    const text = await netwatch(['route', '--config', config, '--findings', '-'], `${lines.join('\n')}\n`);
    const jsonl = await netwatch(
      ['route', '--config', config, '--findings', '-', '--format', 'jsonl'],
      `${lines.join('\n')}\n`,
    );
    // Assess
    expect(text.code).toBe(0);
    const blocks = text.stdout.trim().split('\n\n');
    expect(blocks[0]).toContain('HIGH sg-open-world sg-0a1b2c3d4e5f60718 111122223333/eu-west-1');
    expect(blocks[0]).toContain('approval: approved — OPS-881 (dynamodb)');
    expect(blocks[0]).toContain('routes:   change-management (record)');
    expect(blocks[0]).toContain('sinks:    change-log (record)');
    expect(blocks[1]).toContain('approval: unapproved');
    expect(blocks[1]).toContain('routes:   page-unapproved (paging), change-management (record)');
    expect(blocks[1]).toContain('sinks:    oncall (page), change-log (record)');
    expect(blocks[2]).toContain('approval: allowlisted — allowlist ci-deployer');
    expect(blocks[2]).toContain('sinks:    change-log (record)');
    expect(text.stderr).toContain('3 findings: 1 would page, 3 would be recorded, 0 reach no sink.');
    const records = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { approval: { state: string }; pageSinks: string[]; recordSinks: string[] });
    expect(records.map((r) => [r.approval.state, r.pageSinks, r.recordSinks])).toEqual([
      ['approved', [], ['change-log']],
      ['unapproved', ['oncall'], ['change-log']],
      ['allowlisted', [], ['change-log']],
    ]);
  });

  it('a bad config fails at start with every problem and exit 64', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      'version: 1\nsinks: {}\nroutes: [{ name: r, sinks: [nowhere], match: { minSeverity: urgent } }]\n',
    );
    const { code, stderr } = await netwatch(['route', '--config', bad, '--findings', '-'], '');
    expect(code).toBe(64);
    expect(stderr).toContain(`${bad}: invalid Netwatch config (3 problems)`);
    expect(stderr).toContain('routes[0].match.minSeverity:');
    expect(stderr).toContain('routes[0].sinks[0]: no sink named "nowhere"');
    expect(stderr).toContain('sinks: configure at least one sink');
  });
});
