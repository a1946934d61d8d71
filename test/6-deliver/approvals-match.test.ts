import { describe, expect, it } from 'vitest';
import { reconcile } from '../../shared/5-decide/approvals/match.ts';
import type { Allowlist, Approval } from '../../shared/5-decide/approvals/model.ts';
import { ACCOUNT, CI_ROLE, SG, ciWidenedFinding, sshWorldFinding } from '../support/findings.ts';

const now = new Date('2026-11-20T10:00:00Z');
const approval = (over: Partial<Approval> = {}): Approval => ({
  ticket: 'CHG0012345',
  description: 'Open SSH for the migration bastion',
  windowStart: '2026-11-20T09:00:00.000Z',
  windowEnd: '2026-11-20T12:00:00.000Z',
  accounts: [ACCOUNT],
  resourceIds: [SG],
  categories: ['sg-open-world'],
  source: 'dynamodb',
  ...over,
});
const ci: Allowlist = {
  name: 'ci-deployer',
  actorArnPatterns: [CI_ROLE],
  categories: ['sg-widened'],
  reason: 'CI deploys',
};

describe('approval reconciliation', () => {
  it('approves a change inside the window that every scope covers, naming the ticket', () => {
    const verdict = reconcile(sshWorldFinding(), [approval()], [], now);
    expect(verdict).toMatchObject({
      state: 'approved',
      approval: { ticket: 'CHG0012345', source: 'dynamodb', windowEnd: '2026-11-20T12:00:00.000Z' },
    });
    expect(verdict.reason).toContain('Open SSH for the migration bastion');
  });

  it('says expired, and how long before the change, when the window had ended', () => {
    const verdict = reconcile(
      sshWorldFinding(),
      [approval({ windowStart: '2026-11-19T09:00:00.000Z', windowEnd: '2026-11-19T11:00:00.000Z' })],
      [],
      now,
    );
    expect(verdict.state).toBe('expired');
    expect(verdict.approval?.ticket).toBe('CHG0012345');
    expect(verdict.reason).toBe(
      'approval CHG0012345 covers this change but its window ended at 2026-11-19T11:00:00.000Z, 22 h 15 min before the change at 2026-11-20T09:15:02.000Z',
    );
  });

  it('uses the change time, not the processing time: a late Config item of an in-window change stays approved', () => {
    expect(
      reconcile(
        sshWorldFinding(),
        [approval({ windowEnd: '2026-11-20T09:30:00.000Z' })],
        [],
        new Date('2026-11-20T11:00:00Z'),
      ).state,
    ).toBe('approved');
  });

  it('does not approve outside its scopes: other resource, category, account, region, tags or actor', () => {
    const f = sshWorldFinding();
    for (const a of [
      approval({ resourceIds: ['sg-0ffffffffffffffff'] }),
      approval({ categories: ['nacl-open'] }),
      approval({ accounts: ['444455556666'] }),
      approval({ regions: ['us-east-1'] }),
      approval({ resourceTags: { Environment: ['staging'] } }),
      approval({ actorArnPatterns: ['arn:aws:sts::111122223333:assumed-role/NetworkAdmin/bob'] }),
    ]) {
      expect(reconcile(f, [a], [], now).state, JSON.stringify(a)).toBe('unapproved');
    }
  });

  it('matches globs on ARNs and tags, and actor patterns on the session or the role', () => {
    const a = approval({
      resourceIds: ['arn:aws:ec2:eu-west-1:111122223333:security-group/*'],
      resourceTags: { Environment: ['prod', 'staging'], Team: ['*'] },
      actorArnPatterns: ['arn:aws:iam::111122223333:role/NetworkAdmin'],
    });
    expect(reconcile(sshWorldFinding(), [a], [], now).state).toBe('approved');
    expect(
      reconcile(
        sshWorldFinding(),
        [approval({ actorArnPatterns: ['arn:aws:sts::111122223333:assumed-role/NetworkAdmin/*'] })],
        [],
        now,
      ).state,
    ).toBe('approved');
  });

  it('names an approval whose window has not started yet, but does not approve', () => {
    const verdict = reconcile(sshWorldFinding(), [approval({ windowStart: '2026-11-20T10:00:00.000Z' })], [], now);
    expect(verdict.state).toBe('unapproved');
    expect(verdict.reason).toContain('CHG0012345 covers this change but its window starts at 2026-11-20T10:00:00.000Z');
  });

  it('allowlists known automation only for its categories', () => {
    expect(reconcile(ciWidenedFinding(), [], [ci], now)).toMatchObject({
      state: 'allowlisted',
      allowlist: 'ci-deployer',
    });
    expect(reconcile(ciWidenedFinding({ category: 'sg-open-world' }), [], [ci], now).state).toBe('unapproved');
    expect(reconcile(sshWorldFinding({ category: 'sg-widened' }), [], [ci], now).state).toBe('unapproved');
  });

  it('prefers an active approval over the allowlist, and the allowlist over an expired approval', () => {
    const f = ciWidenedFinding();
    expect(reconcile(f, [approval({ categories: ['sg-widened'] })], [ci], now).state).toBe('approved');
    expect(
      reconcile(f, [approval({ categories: ['sg-widened'], windowEnd: '2026-11-20T09:10:00.000Z' })], [ci], now).state,
    ).toBe('allowlisted');
  });
});
