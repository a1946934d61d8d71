import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingRecord } from '../../cli/format.ts';
import { parseFindingLines } from '../../cli/commands/findings-input.ts';
import { RULES } from '../../rules/index.ts';
import { classifyValue } from '../../shared/4-classify/classify.ts';
import {
  approvalItem,
  approvalsTableDefinition,
  DynamoApprovalStore,
} from '../../shared/5-decide/approvals/dynamodb-store.ts';
import { reconcile } from '../../shared/5-decide/approvals/match.ts';
import { approvalSchema, toApproval, type Allowlist, type Approval } from '../../shared/5-decide/approvals/model.ts';
import { configSchema, crossCheckProblems } from '../../shared/config/schema.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { startDynalite, type LocalDynamo } from '../support/dynalite.ts';
import { ACCOUNT, SG, sshWorldFinding } from '../support/findings.ts';

/**
 * Issue 12, "Approvals that approve too much". Each block names what was reproduced on main before the fix.
 */
const now = new Date('2026-11-20T10:00:00Z');
const WINDOW = { windowStart: '2026-11-20T09:00:00Z', windowEnd: '2026-11-20T12:00:00Z' };
const approval = (over: Partial<Approval>): Approval => ({
  ticket: 'CHG0012345',
  windowStart: '2026-11-20T09:00:00.000Z',
  windowEnd: '2026-11-20T12:00:00.000Z',
  source: 'config',
  ...over,
});
const problemsOf = (input: unknown): string[] => {
  const parsed = approvalSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(approval)'}: ${i.message}`);
};

describe('an approval must name what it approves', () => {
  it.each([
    ["accounts ['*'] alone (approved every change everywhere)", { accounts: ['*'] }],
    ['accounts and regions only', { accounts: [ACCOUNT], regions: ['eu-west-1'] }],
    ["resourceIds ['*']", { resourceIds: ['*'] }],
    ["actorArnPatterns ['*']", { actorArnPatterns: ['*'] }],
    ['a session pattern with any role', { actorArnPatterns: ['arn:aws:sts::111122223333:assumed-role/*/alice'] }],
    ['tags only', { resourceTags: { Environment: 'sandbox' } }],
    [
      'tags + category (the changer can retag)',
      { resourceTags: { Environment: 'sandbox' }, categories: ['sg-open-world'] },
    ],
  ])('refuses %s', (_, scope) => {
    expect(problemsOf({ ticket: 'CHG1', ...WINDOW, ...scope }).length).toBeGreaterThan(0);
  });

  it.each([
    ['a resource', { resourceIds: [SG] }],
    ['a category', { accounts: ['*'], categories: ['sg-open-world'] }],
    ['an actor role', { actorArnPatterns: ['arn:aws:iam::111122223333:role/NetworkAdmin'] }],
    ['tags with an actor', { resourceTags: { Team: 'net' }, actorArnPatterns: ['arn:aws:iam::*:role/NetworkAdmin'] }],
    ['tags with resources', { resourceTags: { Team: 'net' }, resourceIds: ['sg-0a1b*'] }],
  ])('accepts %s', (_, scope) => {
    expect(problemsOf({ ticket: 'CHG1', ...WINDOW, ...scope })).toEqual([]);
  });

  it('says why, naming the scopes that count', () => {
    expect(problemsOf({ ticket: 'CHG1', ...WINDOW, accounts: ['*'] })).toEqual([
      expect.stringMatching(
        /^\(approval\): an approval must say what it covers: set at least one of resourceIds, categories, actorArnPatterns/,
      ),
    ]);
    expect(problemsOf({ ticket: 'CHG1', ...WINDOW, resourceTags: { a: 'b' }, categories: ['sg-widened'] })).toEqual([
      expect.stringMatching(/^resourceTags: a tag scope needs a resourceIds or actorArnPatterns scope too/),
    ]);
  });
});

describe('window length is capped (approvals.maxWindowDays, default 30)', () => {
  const config = (approvals: Record<string, unknown>) => ({
    version: 1,
    sinks: { s: { type: 'memory' } },
    routes: [{ name: 'r', sinks: ['s'] }],
    approvals,
  });
  const longTicket = {
    ticket: 'CHG1',
    categories: ['sg-open-world'],
    windowStart: '2026-11-01T00:00:00Z',
    windowEnd: '2027-01-01T00:00:00Z',
  };

  it('refuses a 61-day static approval by default, accepts it when the config allows 90 days', () => {
    const strict = config({ static: [longTicket] });
    expect(configSchema.safeParse(strict).success).toBe(true); // formats are fine…
    expect(crossCheckProblems(strict)).toEqual([
      expect.stringMatching(/^approvals\.static\[0\]\.windowEnd: the window is 1464 h long; at most 30 days/),
    ]); // …the cross-section pass refuses it
    expect(crossCheckProblems(config({ static: [longTicket], maxWindowDays: 90 }))).toEqual([]);
  });
});

describe('approvals-table items are validated exactly like config approvals', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startDynalite();
    await dynamo.createTable(approvalsTableDefinition('approvals'));
  });
  afterAll(async () => dynamo.close());

  it('skips (and reports) items without a real scope, with reversed or too long windows; keeps the good one', async () => {
    // Prepare: rows a change system (or an attacker with table write access) could write.
    const client = dynamo.client;
    const rows: Array<[string, Partial<Approval>]> = [
      ['CHG-EVERYTHING', { windowEnd: '2026-11-20T12:00:00.000Z' }], // accounts '*' only: no scope at all
      [
        'CHG-REVERSED',
        {
          categories: ['sg-open-world'],
          windowStart: '2026-11-20T12:00:00.000Z',
          windowEnd: '2026-11-20T09:00:00.000Z',
        },
      ],
      [
        'CHG-YEAR',
        {
          categories: ['sg-open-world'],
          windowStart: '2026-01-01T00:00:00.000Z',
          windowEnd: '2026-12-31T00:00:00.000Z',
        },
      ],
      ['CHG-TAGS', { resourceTags: { Team: ['sandbox'] } }],
      ['CHG-GOOD', { resourceIds: [SG], categories: ['sg-open-world'] }],
    ];
    for (const [ticket, over] of rows)
      await client.send(
        new PutCommand({
          TableName: 'approvals',
          Item: approvalItem(approval({ ticket, source: 'dynamodb', ...over }), '*'),
        }),
      );
    const invalid: string[] = [];
    const store = new DynamoApprovalStore(client, 'approvals', { now: () => now, onInvalid: (p) => invalid.push(p) });
    // Act
    const approvals = await store.forAccount(ACCOUNT);
    const verdict = reconcile(
      sshWorldFinding({ resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-0fedcba9876543210' } }),
      approvals,
      [],
      now,
    );
    // Assess: before the fix CHG-EVERYTHING approved this unrelated group's change.
    expect(approvals.map((a) => a.ticket)).toEqual(['CHG-GOOD']);
    expect(verdict.state).toBe('unapproved');
    expect(invalid).toHaveLength(4);
    expect(invalid.join('\n')).toMatch(
      /APPROVAL#CHG-EVERYTHING\/ACCOUNT#\* skipped: \(item\): an approval must say what it covers/,
    );
    expect(invalid.join('\n')).toMatch(/CHG-REVERSED.*windowEnd: must be after windowStart/);
    expect(invalid.join('\n')).toMatch(/CHG-YEAR.*windowEnd: the window is \d+ h long; at most 30 days/);
    expect(invalid.join('\n')).toMatch(/CHG-TAGS.*an approval must say what it covers/);
  });
});

describe('tag scopes match the tags as they were before the change', () => {
  const retagged = () =>
    sshWorldFinding({
      resource: {
        type: 'AWS::EC2::SecurityGroup',
        id: SG,
        tags: { Environment: 'sandbox' },
        tagsBefore: { Environment: 'prod' },
      },
    });
  const scoped = (env: string) =>
    approval({ resourceIds: ['sg-*'], resourceTags: { Environment: [env] }, categories: ['sg-open-world'] });

  it('a change that retags prod as sandbox is not approved by a sandbox approval', () => {
    expect(reconcile(retagged(), [scoped('sandbox')], [], now).state).toBe('unapproved');
    expect(reconcile(retagged(), [scoped('prod')], [], now).state).toBe('approved');
  });

  it('saved classify output keeps the tags before (route --findings reconciles tag scopes like the functions)', () => {
    const { findings } = parseFindingLines(JSON.stringify(findingRecord(retagged())), 'saved.jsonl');
    expect(findings[0]?.resource.tagsBefore).toEqual({ Environment: 'prod' });
    expect(reconcile(findings[0]!, [scoped('prod')], [], now).state).toBe('approved');
  });

  it('unknown tags before (a CloudTrail call carries none) never meet a tag scope', () => {
    const finding = sshWorldFinding();
    delete finding.resource.tagsBefore;
    expect(reconcile(finding, [scoped('prod')], [], now).state).toBe('unapproved');
  });

  it('AWS Config: the tags before are rebuilt from the diff (Tags.<key>), and a retag in the same item is undone', () => {
    // Prepare: the Config item of an SSH rule added to the prod group while retagging it Environment=sandbox.
    const message = JSON.parse(
      readFileSync(new URL('../../events/config/sg-ssh-world-added.json', import.meta.url), 'utf8'),
    ) as {
      configurationItem: { tags: Record<string, string> };
      configurationItemDiff: { changedProperties: Record<string, unknown> };
    };
    message.configurationItem.tags = { ...message.configurationItem.tags, Environment: 'sandbox', Owner: 'mallory' };
    Object.assign(message.configurationItemDiff.changedProperties, {
      'Tags.Environment': { previousValue: 'prod', updatedValue: 'sandbox', changeType: 'UPDATE' },
      'Tags.Owner': { previousValue: null, updatedValue: 'mallory', changeType: 'CREATE' },
    });
    // Act
    const { findings } = classifyValue(message, { file: 't' }, { rules: RULES, context: EMPTY_CONTEXT });
    // Assess
    const [finding] = findings;
    expect(finding?.resource.tags).toMatchObject({ Environment: 'sandbox', Owner: 'mallory' });
    expect(finding?.resource.tagsBefore).toEqual({ Name: 'bastion', team: 'platform', Environment: 'prod' });
    const at = new Date(finding!.at);
    const window = {
      windowStart: new Date(at.getTime() - 3_600_000).toISOString(),
      windowEnd: new Date(at.getTime() + 3_600_000).toISOString(),
    };
    const sandbox = toApproval(
      { ticket: 'CHG-SB', ...window, resourceIds: ['sg-*'], resourceTags: { Environment: 'sandbox' } },
      'config',
    );
    expect(reconcile(finding!, [sandbox], [], at).state).toBe('unapproved');
  });
});

describe('actor patterns match the role, not the caller-chosen session name', () => {
  // An attacker holding any role in the account names their session after the approved person / pipeline.
  const attacker = () =>
    sshWorldFinding({
      actor: {
        arn: 'arn:aws:sts::111122223333:assumed-role/SandboxDev/alice',
        type: 'AssumedRole',
        sessionIssuerArn: 'arn:aws:iam::111122223333:role/SandboxDev',
      },
    });
  const alice = () => sshWorldFinding(); // NetworkAdmin/alice, issuer role NetworkAdmin
  const byActor = (pattern: string) => approval({ actorArnPatterns: [pattern] });

  it.each([['*alice*'], ['arn:aws:sts::111122223333:assumed-role/*alice'], ['arn:aws:sts::111122223333:*/alice']])(
    '%s no longer approves another role whose session is named alice',
    (pattern) => {
      expect(reconcile(attacker(), [byActor(pattern)], [], now).state).toBe('unapproved');
    },
  );

  it('role patterns and session patterns naming the role still approve the real session', () => {
    expect(reconcile(alice(), [byActor('arn:aws:iam::111122223333:role/NetworkAdmin')], [], now).state).toBe(
      'approved',
    );
    expect(
      reconcile(alice(), [byActor('arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice')], [], now).state,
    ).toBe('approved');
    expect(
      reconcile(attacker(), [byActor('arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice')], [], now).state,
    ).toBe('unapproved');
    // A session pattern restricts the session name on top of the role.
    expect(
      reconcile(alice(), [byActor('arn:aws:sts::111122223333:assumed-role/NetworkAdmin/bob')], [], now).state,
    ).toBe('unapproved');
  });

  it('allowlists follow the same rule', () => {
    const ci: Allowlist = {
      name: 'ci',
      actorArnPatterns: ['*ci-deploy*'],
      categories: ['sg-open-world'],
      reason: 'CI',
    };
    const spoof = sshWorldFinding({
      actor: {
        arn: 'arn:aws:sts::111122223333:assumed-role/SandboxDev/ci-deploy',
        type: 'AssumedRole',
        sessionIssuerArn: 'arn:aws:iam::111122223333:role/SandboxDev',
      },
    });
    const real = sshWorldFinding({
      actor: {
        arn: 'arn:aws:sts::111122223333:assumed-role/ci-deploy/GitHubActions-1',
        type: 'AssumedRole',
        sessionIssuerArn: 'arn:aws:iam::111122223333:role/ci-deploy',
      },
    });
    expect(reconcile(spoof, [], [ci], now).state).toBe('unapproved');
    expect(reconcile(real, [], [ci], now).state).toBe('allowlisted');
  });
});
