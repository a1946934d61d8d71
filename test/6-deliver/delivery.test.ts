import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDueDigests } from '../../shared/6-deliver/digest.ts';
import { deliverFindings, deliverOrThrow } from '../../shared/6-deliver/orchestrate.ts';
import { findingKey } from '../../shared/6-deliver/ledger/store.ts';
import type { DigestNotice, Notice } from '../../shared/model/notice.ts';
import { startDynalite, type LocalDynamo } from '../support/dynalite.ts';
import {
  ACCOUNT,
  SG,
  ciWidenedFinding,
  sshWorldConfigFinding,
  sshWorldFinding,
  stormFindings,
} from '../support/findings.ts';
import { harness } from './harness.ts';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

const notices = (n: Array<Notice | DigestNotice>): Notice[] => n.filter((x): x is Notice => x.kind === 'finding');

describe('approvals change the route (DynamoDB approvals table)', () => {
  it('an approved change reaches change management marked approved with its ticket, and does not page', async () => {
    // Prepare: the change-management system approved CHG0012345 for this SG in the 09:00–12:00 window.
    const h = await harness(dynamo);
    await h.approvalsTable.add({
      ticket: 'CHG0012345',
      description: 'Open SSH for the migration bastion',
      windowStart: '2026-11-20T09:00:00.000Z',
      windowEnd: '2026-11-20T12:00:00.000Z',
      accounts: [ACCOUNT],
      resourceIds: [SG],
      categories: ['sg-open-world'],
      source: 'dynamodb',
    });
    // Act
    const [outcome] = await deliverOrThrow([sshWorldFinding()], h.approvals(), h.deps);
    // Assess
    expect(h.paging.notices).toEqual([]);
    const [record] = notices(h.changeLog.notices);
    expect(record?.approval).toMatchObject({
      state: 'approved',
      approval: { ticket: 'CHG0012345', source: 'dynamodb' },
    });
    expect(record?.routes).toEqual(['change-management']);
    expect(outcome?.delivered).toEqual(['change-log']);
  });

  it('an expired approval does not count: the finding pages, and says the approval expired', async () => {
    const h = await harness(dynamo);
    await h.approvalsTable.add({
      ticket: 'CHG0012300',
      windowStart: '2026-11-19T09:00:00.000Z',
      windowEnd: '2026-11-19T11:00:00.000Z',
      accounts: [ACCOUNT],
      resourceIds: [SG],
      source: 'dynamodb',
    });
    await deliverOrThrow([sshWorldFinding()], h.approvals(), h.deps);
    const [page] = notices(h.paging.notices);
    expect(page?.approval.state).toBe('expired');
    expect(page?.approval.approval?.ticket).toBe('CHG0012300');
    expect(page?.approval.reason).toMatch(
      /CHG0012300 covers this change but its window ended at 2026-11-19T11:00:00.000Z, 22 h 15 min before the change/,
    );
    expect(notices(h.changeLog.notices)[0]?.approval.state).toBe('expired');
  });

  it('`approvals expire` ends the window: a change after it pages as expired, one before it stays approved', async () => {
    const h = await harness(dynamo, '', '2026-11-20T09:30:00Z');
    await h.approvalsTable.add({
      ticket: 'CHG0012399',
      windowStart: '2026-11-20T09:00:00.000Z',
      windowEnd: '2026-11-20T12:00:00.000Z',
      resourceIds: [SG],
      source: 'dynamodb',
    });
    await h.approvalsTable.expire('CHG0012399');
    await deliverOrThrow(
      [
        sshWorldFinding({ at: '2026-11-20T09:20:00Z' }),
        sshWorldFinding({
          fingerprint: 'later0000000000000000000000000000',
          changeId: '1e2d3c4b-0000-4000-8000-00000000abcd',
          at: '2026-11-20T09:45:00Z',
        }),
      ],
      h.approvals(),
      h.deps,
    );
    expect(notices(h.changeLog.notices).map((n) => n.approval.state)).toEqual(['approved', 'expired']);
    expect(notices(h.paging.notices).map((n) => n.finding.at)).toEqual(['2026-11-20T09:45:00Z']);
  });

  it('a static approval from the config file works the same way (resource glob)', async () => {
    const h = await harness(
      dynamo,
      '',
      '2026-11-20T09:16:00Z',
      "    - { ticket: OPS-881, description: Bastion migration, windowStart: '2026-11-20T09:00:00Z', windowEnd: '2026-11-20T10:00:00Z', resourceIds: ['sg-0a1b*'] }",
    );
    await deliverOrThrow([sshWorldFinding()], h.approvals(), h.deps);
    expect(h.paging.notices).toEqual([]);
    expect(notices(h.changeLog.notices)[0]?.approval).toMatchObject({
      state: 'approved',
      approval: { ticket: 'OPS-881', source: 'config' },
    });
  });

  it('the CI role allowlisted for sg-widened is recorded as allowlisted and does not page', async () => {
    const h = await harness(dynamo);
    await deliverOrThrow([ciWidenedFinding()], h.approvals(), h.deps);
    expect(h.paging.notices).toEqual([]);
    expect(
      notices(h.changeLog.notices).map((n) => [n.finding.category, n.approval.state, n.approval.allowlist]),
    ).toEqual([['sg-widened', 'allowlisted', 'ci-deployer']]);
  });
});

describe('dedup: one page per change', () => {
  it('three deliveries of the same change (redelivery + the Config item naming the CloudTrail event) give one page and one record', async () => {
    const h = await harness(dynamo);
    // Act: the EventBridge event, its SQS redelivery a minute later, then the Config item (separate records/invocations).
    await deliverOrThrow([sshWorldFinding()], h.approvals(), h.deps);
    h.advance(60_000);
    const again = await deliverOrThrow([sshWorldFinding()], h.approvals(), h.deps);
    h.advance(90_000);
    const config = await deliverOrThrow([sshWorldConfigFinding()], h.approvals(), h.deps);
    // Assess
    expect(notices(h.paging.notices)).toHaveLength(1);
    expect(notices(h.changeLog.notices)).toHaveLength(1);
    expect(again[0]?.alreadyDelivered).toEqual(['paging', 'change-log']);
    expect(config[0]?.alreadyDelivered).toEqual(['paging', 'change-log']);
    expect((await h.store.ledger(findingKey(sshWorldFinding().fingerprint))).map((e) => [e.sink, e.status])).toEqual([
      ['change-log', 'delivered'],
      ['paging', 'delivered'],
    ]);
  });

  it('a Config item whose relatedEvents names an already-paged CloudTrail event does not page, even with another fingerprint', async () => {
    const h = await harness(dynamo);
    await deliverOrThrow([sshWorldFinding()], h.approvals(), h.deps);
    const [outcome] = await deliverOrThrow(
      [sshWorldConfigFinding({ fingerprint: 'c0ffee00000000000000000000000000' })],
      h.approvals(),
      h.deps,
    );
    expect(notices(h.paging.notices)).toHaveLength(1);
    expect(notices(h.changeLog.notices)).toHaveLength(1);
    expect(outcome?.fingerprint).toBe(sshWorldFinding().fingerprint);
  });

  it('two findings of one CloudTrail event on one resource (different peers) are two changes, both recorded', async () => {
    // Prepare: one AuthorizeSecurityGroupIngress with tcp/22 from 0.0.0.0/0 and tcp/22 from ::/0 → two fingerprints.
    const h = await harness(dynamo);
    const v6 = sshWorldFinding({
      fingerprint: '6f1d2c3b4a5968776655443322110006',
      summary: `${SG} allows tcp/22 (SSH) from ::/0`,
    });
    // Act
    await deliverOrThrow([sshWorldFinding(), v6], h.approvals(), h.deps);
    // Assess: storm control holds the second page for the digest, but change management gets both.
    expect(notices(h.changeLog.notices).map((n) => n.finding.fingerprint)).toEqual([
      sshWorldFinding().fingerprint,
      v6.fingerprint,
    ]);
  });

  it('works the other way round: Config item first, then the CloudTrail event it named', async () => {
    const h = await harness(dynamo);
    await deliverOrThrow(
      [sshWorldConfigFinding({ fingerprint: 'c0ffee00000000000000000000000001' })],
      h.approvals(),
      h.deps,
    );
    await deliverOrThrow([sshWorldFinding()], h.approvals(), h.deps);
    expect(notices(h.paging.notices)).toHaveLength(1);
  });

  it('the same change pages again after the dedup window', async () => {
    const h = await harness(dynamo, 'grouping: { windowMinutes: 1 }');
    await deliverOrThrow([sshWorldFinding()], h.approvals(), h.deps);
    h.advance(25 * 3_600_000);
    await deliverOrThrow([sshWorldFinding()], h.approvals(), h.deps);
    expect(notices(h.paging.notices)).toHaveLength(2);
  });
});

describe('storm control', () => {
  it('50 findings of one rule in one account within the window: 1 page, then 1 digest with the other 49; change management gets all 50', async () => {
    const h = await harness(dynamo);
    const findings = stormFindings(50);
    // Act: findings arrive over 50 s in 10 records of 5.
    for (let i = 0; i < 50; i += 5) {
      await deliverOrThrow(findings.slice(i, i + 5), h.approvals(), h.deps);
      h.advance(5_000);
    }
    const early = await sendDueDigests(h.deps);
    h.advance(5 * 60_000);
    const due = await sendDueDigests(h.deps);
    const rerun = await sendDueDigests(h.deps);
    // Assess
    expect(early).toEqual([]);
    const pages = h.paging.notices;
    expect(pages.filter((n) => n.kind === 'finding')).toHaveLength(1);
    const digests = pages.filter((n): n is DigestNotice => n.kind === 'digest');
    expect(digests).toHaveLength(1);
    expect(digests[0]).toMatchObject({ account: ACCOUNT, ruleId: 'sg-ingress-open-world' });
    expect(digests[0]?.findings).toHaveLength(49);
    expect(new Set(digests[0]?.findings.map((f) => f.fingerprint)).size).toBe(49);
    expect(notices(h.changeLog.notices)).toHaveLength(50);
    expect(due[0]?.sent).toEqual({ paging: 49 });
    expect(rerun).toEqual([]);
  });

  it('a different rule or account in the same minutes pages on its own', async () => {
    const h = await harness(dynamo);
    const [a, b] = stormFindings(2);
    await deliverOrThrow(
      [a!, { ...b!, ruleId: 'sg-ingress-admin-ports' }, { ...b!, fingerprint: 'acc2', account: '444455556666' }],
      h.approvals(),
      h.deps,
    );
    expect(notices(h.paging.notices)).toHaveLength(3);
  });

  it('after the window closes, the next finding pages again', async () => {
    const h = await harness(dynamo);
    const [a, b, c] = stormFindings(3);
    await deliverOrThrow([a!, b!], h.approvals(), h.deps);
    h.advance(6 * 60_000);
    await deliverOrThrow([c!], h.approvals(), h.deps);
    expect(notices(h.paging.notices).map((n) => n.finding.fingerprint)).toEqual([a!.fingerprint, c!.fingerprint]);
  });
});

describe('delivery ledger: no loss, no duplicates', () => {
  it('paging fails in an invocation → the record fails → the redelivery re-sends only to paging', async () => {
    // Prepare: the paging endpoint is down for the first invocation. The functions send once per sink and invocation
    // (send.ts has no retry layer: the HTTP sinks retry themselves within the deadline, SQS redelivery is the outer
    // retry), as this harness does.
    const h = await harness(dynamo);
    const realDeliver = h.paging.deliver.bind(h.paging);
    let calls = 0;
    h.paging.deliver = async (n) => {
      calls += 1;
      if (calls === 1) throw new Error('connect ETIMEDOUT 203.0.113.10:443');
      return realDeliver(n);
    };
    // Act
    const first = await deliverOrThrow([sshWorldFinding()], h.approvals(), h.deps).catch((e: unknown) => e);
    const callsInFirst = calls;
    h.advance(30_000);
    const retry = await deliverOrThrow([sshWorldFinding()], h.approvals(), h.deps);
    // Assess
    expect(first).toBeInstanceOf(AggregateError);
    expect((first as AggregateError).message).toContain('sink paging: connect ETIMEDOUT');
    expect(callsInFirst, 'no second attempt inside the invocation').toBe(1);
    expect(retry[0]?.delivered).toEqual(['paging']);
    expect(retry[0]?.alreadyDelivered).toEqual(['change-log']);
    expect(notices(h.paging.notices)).toHaveLength(1);
    expect(notices(h.changeLog.notices)).toHaveLength(1);
  });

  it('a finding another invocation is delivering fails this record (retried later) instead of being dropped', async () => {
    const h = await harness(dynamo);
    const fp = sshWorldFinding().fingerprint;
    await h.store.claim(findingKey(fp), 'paging', { now: h.clock.now, ttlMs: 86_400_000, leaseMs: 120_000 });
    const outcomes = await deliverFindings([sshWorldFinding()], h.approvals(), h.deps);
    expect(outcomes[0]?.inProgress).toEqual(['paging']);
    expect(outcomes[0]?.failed.map((e) => e.sink)).toEqual(['paging']);
    // The holder crashed: after its lease the retry takes over and pages.
    h.advance(121_000);
    await deliverOrThrow([sshWorldFinding()], h.approvals(), h.deps);
    expect(notices(h.paging.notices)).toHaveLength(1);
    expect(notices(h.changeLog.notices)).toHaveLength(1);
  });

  it('a digest that fails for one sink is re-sent only to that sink on the next run', async () => {
    const h = await harness(dynamo);
    const [a, b, c] = stormFindings(3);
    await deliverOrThrow([a!, b!, c!], h.approvals(), h.deps);
    h.advance(6 * 60_000);
    const realDeliver = h.paging.deliver.bind(h.paging);
    h.paging.deliver = async () => Promise.reject(new Error('429 Too Many Requests'));
    const failed = await sendDueDigests(h.deps);
    h.paging.deliver = realDeliver;
    const resent = await sendDueDigests(h.deps);
    expect(failed[0]?.failed.map((e) => e.sink)).toEqual(['paging']);
    expect(resent[0]?.sent).toEqual({ paging: 2 });
    expect(h.paging.notices.filter((n) => n.kind === 'digest')).toHaveLength(1);
    expect(await sendDueDigests(h.deps)).toEqual([]);
  });
});
