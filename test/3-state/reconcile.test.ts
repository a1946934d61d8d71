import { pagingAndChangeLog } from '../support/delivery.ts';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { readInventory, type SelectApi } from '../../shared/2-enrich/inventory.ts';
import { recordedSelect } from '../../shared/2-enrich/recorded.ts';
import { StateEngine } from '../../shared/3-state/engine.ts';
import { MemoryStateStore } from '../../shared/3-state/memory-store.ts';
import { classifyValueAsync } from '../../shared/4-classify/classify.ts';
import { StaticApprovals } from '../../shared/5-decide/approvals/providers.ts';
import { postureHtml } from '../../shared/6-deliver/posture.ts';
import { runReconciliation } from '../../shared/lambda/reconcile-run.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';

/**
 * Reconciliation from AWS Config's own state, over recorded advanced-query responses
 * (test/fixtures/advanced-query: day 1 and day 2 of one account in three pages each; an aggregator over two accounts):
 * pagination, throttling, the first run's posture report, an exposure never seen as an event, a resource deleted
 * between runs (its episode closed through the same resolve path as an event's close).
 */

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'advanced-query');
const DAY1 = new Date('2026-03-01T07:00:00Z');
const DAY2 = new Date('2026-03-02T07:00:00Z');
const noSleep = async () => undefined;
/** {@link fakeTime} as readInventory's options name it. */
function inventoryTime() {
  const t = fakeTime();
  return { now: t.clock, sleep: t.sleep };
}
/** A clock that moves only when the rate limiter sleeps: no real waiting. */
function fakeTime() {
  let t = 0;
  return { clock: () => t, sleep: async (ms: number) => void (t += ms) };
}

/** The recorded API, counting requests and failing with throttling `throttles` times first. */
function api(dir: string, throttles = 0): { select: SelectApi; calls: { NextToken?: string; aggregator?: string }[] } {
  const recorded = recordedSelect(join(FIXTURES, dir));
  const calls: { NextToken?: string; aggregator?: string }[] = [];
  let left = throttles;
  return {
    calls,
    select: async (input) => {
      calls.push({
        ...(input.NextToken !== undefined ? { NextToken: input.NextToken } : {}),
        ...(input.ConfigurationAggregatorName !== undefined ? { aggregator: input.ConfigurationAggregatorName } : {}),
      });
      if (left > 0) {
        left -= 1;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      return recorded(input);
    },
  };
}

function delivery() {
  return { ...pagingAndChangeLog(), approvals: new StaticApprovals([]) };
}

function setup() {
  const store = new MemoryStateStore();
  const engine = new StateEngine({ store });
  const d = delivery();
  const run = (dir: string, now: Date, throttles = 0) => {
    const a = api(dir, throttles);
    return {
      calls: a.calls,
      result: runReconciliation({
        engine,
        select: a.select,
        regions: ['eu-west-1'],
        rules: RULES,
        context: EMPTY_CONTEXT,
        delivery: { deps: d.deps, approvals: d.approvals },
        ...fakeTime(),
        now: () => now,
      }),
    };
  };
  return { store, engine, run, ...d };
}

const line = (f: Finding) => `${f.severity} ${f.ruleId} ${f.resource.id}`;

describe('reading the inventory (advanced query)', () => {
  it('follows NextToken across pages and reads every row with the Config extractors', async () => {
    const a = api('day1');
    const time = fakeTime();
    const inventory = await readInventory({ api: a.select, region: 'eu-west-1', sleep: time.sleep, now: time.clock });
    expect(a.calls.map((c) => c.NextToken ?? 'first')).toEqual(['first', 'page-2', 'page-3']);
    expect(inventory.requests).toBe(3);
    expect(inventory.items).toHaveLength(10);
    expect(inventory.errors).toEqual([]);
    const eni = inventory.items.find((i) => i.resource.id === 'eni-0aaa0000000000001');
    expect(eni?.snapshot?.deltas).toContainEqual({
      kind: 'binding',
      op: 'added',
      holder: { kind: 'network-interface', id: 'eni-0aaa0000000000001' },
      binding: { kind: 'public-address', family: 4, address: '54.217.10.20' },
    });
    expect([...inventory.scopes].sort()).toContain('111122223333|eu-west-1|security-group');
  });

  it('backs off on throttling and counts it; spaces requests with its token bucket', async () => {
    const a = api('day1', 2);
    const sleeps: number[] = [];
    let clock = 0;
    const inventory = await readInventory({
      api: a.select,
      region: 'eu-west-1',
      ratePerSecond: 1,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      retry: { sleep: async () => undefined, random: () => 0 },
    });
    expect(inventory.items).toHaveLength(10);
    expect(inventory.throttled).toBe(2);
    expect(inventory.requests).toBe(5);
    // One request a second: every request after the first waited for its token.
    expect(sleeps.length).toBeGreaterThanOrEqual(4);
    expect(sleeps.every((ms) => ms <= 1000)).toBe(true);
  });

  it('gives up after its retries and says why (the run fails; a partial inventory would close what it did not reach)', async () => {
    const a = api('day1', 100);
    await expect(
      readInventory({ api: a.select, region: 'eu-west-1', ...inventoryTime(), retry: { attempts: 3, sleep: noSleep } }),
    ).rejects.toThrow('SelectResourceConfig failed (throttled 3 times): ThrottlingException: Rate exceeded');
  });

  it('an aggregator: SelectAggregateResourceConfig over two accounts', async () => {
    const a = api('org');
    const inventory = await readInventory({
      api: a.select,
      region: 'eu-west-1',
      aggregator: 'org-network-aggregator',
      ...inventoryTime(),
    });
    expect(a.calls).toEqual([
      { aggregator: 'org-network-aggregator' },
      { NextToken: 'page-2', aggregator: 'org-network-aggregator' },
    ]);
    expect([...new Set(inventory.items.map((i) => i.account))].sort()).toEqual(['111122223333', '444455556666']);
  });
});

describe('reconciliation runs', () => {
  it('the first run seeds the state and sends ONE posture report instead of a page per exposure', async () => {
    // Prepare
    const w = setup();
    // Act
    const result = await w.run('day1', DAY1).result;
    // Assess: the open exposures are in the report, none paged one by one.
    expect(result.failures).toEqual([]);
    expect(result.reconciliation.scopes.map((s) => [s.account, s.first, s.resources])).toEqual([
      ['111122223333', true, 10],
    ]);
    // The bastion group is open and reachable; the (default-like) ACL admits everything; the interface's path.
    expect(result.posture?.findings.map(line)).toEqual([
      'critical sg-open-world sg-0aaa0000000000022',
      'high nacl-open acl-0aaa0000000000001',
      'info internet-path eni-0aaa0000000000001',
    ]);
    expect(w.paging.notices.map((n) => n.kind)).toEqual(['digest']);
    const digest = w.paging.notices[0];
    expect(digest?.kind === 'digest' && digest.title).toBe('Netwatch posture at deployment (first reconciliation)');
    // Change management gets the baseline as records.
    expect(w.changes.delivered.map(line).sort()).toEqual(result.posture!.findings.map(line).sort());
    // The group's path is known (the interface with its public IP, the gateway route): raised one grade.
    expect(result.posture?.findings[0]?.why).toContain(
      'raised: reachable from the internet now: eni-0aaa0000000000001 in subnet-0aaa0000000000001 reachable from the IPv4 internet on tcp/22: sg-0aaa0000000000022 allows tcp/22 from 0.0.0.0/0, eni-0aaa0000000000001 has public IP 54.217.10.20, route table rtb-0aaa0000000000001 sends 0.0.0.0/0 -> igw-0a1b2c3d4e5f60718, igw-0a1b2c3d4e5f60718 is attached to vpc-0a1b2c3d4e5f60718, network ACL acl-0aaa0000000000001 allows it in (rule #100), network ACL acl-0aaa0000000000001 lets the replies out (rule #100)',
    );
    expect(await w.store.inventory('eu-west-1', '111122223333')).toMatchObject({ firstAt: DAY1.toISOString() });
    // The HTML report escapes what it shows and runs nothing.
    const html = postureHtml(result.posture!);
    expect(html).toContain('<h1>Netwatch posture report</h1>');
    expect(html).not.toContain('<script');
  });

  it('the next run reports what no event said (routed like any other) and closes the episode of a resource deleted between runs', async () => {
    // Prepare: day 1 seeded.
    const w = setup();
    await w.run('day1', DAY1).result;
    const pagedBefore = w.paging.notices.length;
    // Act: day 2 — the web group was opened to the world, the bastion group deleted, no event seen for either.
    const result = await w.run('day2', DAY2).result;
    // Assess
    expect(result.failures).toEqual([]);
    expect(result.reconciliation.scopes).toMatchObject([{ first: false, deleted: 1 }]);
    const opened = result.findings.filter((f) => f.episode?.state === 'open');
    expect(opened.map(line)).toEqual([
      'high sg-open-world sg-0ccc0000000000443',
      'info internet-path eni-0aaa0000000000001',
    ]);
    expect(opened[0]?.summary).toBe(
      'found by reconciliation, no change event seen: CloudTrail/EventBridge delivery gap or a change made before deployment: tcp/443 open to 0.0.0.0/0 on sg-0ccc0000000000443 (web) (ingress, added)',
    );
    const closed = result.findings.filter((f) => f.episode?.state === 'closed');
    expect(closed.map(line).sort()).toEqual([
      'info internet-path eni-0aaa0000000000001',
      'info sg-open-world sg-0aaa0000000000022',
    ]);
    // Routed like any other: the new exposure paged; the closes resolved the pages of their episodes (routes with
    // `resolved: true`, as PagerDuty always does) — the same path as a close seen as an event.
    const sent = w.paging.notices.slice(pagedBefore);
    expect(
      sent
        .filter((n) => n.kind === 'finding' && n.finding.episode?.state === 'open')
        .map((n) => n.kind === 'finding' && line(n.finding)),
    ).toEqual(['high sg-open-world sg-0ccc0000000000443']);
    const resolves = result.outcomes.filter((o) => o.resolved.length > 0).map((o) => line(o.finding));
    expect(resolves).toEqual([]);
    // (The posture digest is not a page of an episode: its closes resolve nothing; the records reach change management.)
    expect(
      w.changes.delivered
        .filter((f) => f.episode?.state === 'closed')
        .map(line)
        .sort(),
    ).toEqual(closed.map(line).sort());
  });

  it('a run where nothing changed writes nothing but its marker and sends nothing', async () => {
    // Prepare: day 1 seeded; count the store's writes from here.
    const w = setup();
    await w.run('day1', DAY1).result;
    const sent = w.paging.notices.length + w.changes.delivered.length;
    let writes = 0;
    const save = w.store.save.bind(w.store);
    w.store.save = (item, expected) => {
      writes += 1;
      return save(item, expected);
    };
    // Act: the same inventory the next day (the run's id differs, the resources' capture times do not).
    const result = await w.run('day1', DAY2).result;
    // Assess
    expect(result.failures).toEqual([]);
    expect(result.reconciliation).toMatchObject({ saved: 0, unchanged: 10, judged: [] });
    expect(writes).toBe(0);
    expect(w.paging.notices.length + w.changes.delivered.length).toBe(sent);
    expect(await w.store.inventory('eu-west-1', '111122223333')).toMatchObject({ at: DAY2.toISOString() });
  });

  it('closing an episode that paged as an event resolves that page (the resolve path of an event close)', async () => {
    // Prepare: day 1 seeded; then an event opens ssh on the web group, and the page goes out.
    const w = setup();
    await w.run('day1', DAY1).result;
    const engine = w.engine;
    const event = {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice',
        accountId: '111122223333',
      },
      eventTime: '2026-03-01T12:00:00Z',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AuthorizeSecurityGroupIngress',
      awsRegion: 'eu-west-1',
      requestParameters: {
        groupId: 'sg-0ccc0000000000443',
        ipPermissions: {
          items: [{ ipProtocol: 'tcp', fromPort: 3389, toPort: 3389, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
        },
      },
      responseElements: { _return: true },
      eventID: '5c1d2e3f-4a5b-4c6d-8e7f-901234567890',
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
    };
    const classified = await classifyValueAsync(
      event,
      { file: 'event' },
      { rules: RULES, context: EMPTY_CONTEXT, state: engine },
    );
    const { deliverFindings } = await import('../../shared/6-deliver/orchestrate.ts');
    const paged = await deliverFindings(classified.findings, w.approvals, w.deps);
    expect(paged.some((o) => o.delivered.includes('paging') && o.finding.ruleId === 'sg-open-world')).toBe(true);
    // Act: day 2's Config state has no 3389 rule (it was revoked, and the revoke event was lost).
    const result = await w.run('day2', DAY2).result;
    // Assess: the 3389 episode closed and its page was resolved on the paging sink.
    const close = result.outcomes.find(
      (o) =>
        o.finding.episode?.state === 'closed' &&
        o.finding.ruleId === 'sg-open-world' &&
        o.finding.resource.id === 'sg-0ccc0000000000443',
    );
    expect(close?.resolved).toEqual(['paging']);
    expect(close?.finding.summary).toMatch(
      /closed: tcp\/3389 from the whole IPv4 internet on sg-0ccc0000000000443 .*\(found by reconciliation: no change event seen\)$/,
    );
  });

  it('a retried run (same scheduled time) sends nothing twice and stays a first run until delivered', async () => {
    const w = setup();
    const failing = { ...w.deps, sinks: new Map(w.deps.sinks) };
    // The paging sink fails on the first attempt.
    let fail = true;
    failing.sinks.set('paging', {
      name: 'paging',
      kind: 'memory',
      deliver: async (n) => {
        if (fail) throw new Error('sink down');
        await w.paging.deliver(n);
      },
    });
    const a = api('day1');
    const first = await runReconciliation({
      engine: w.engine,
      select: a.select,
      regions: ['eu-west-1'],
      rules: RULES,
      context: EMPTY_CONTEXT,
      delivery: { deps: failing, approvals: w.approvals },
      ...fakeTime(),
      now: () => DAY1,
    });
    expect(first.failures.length).toBeGreaterThan(0);
    expect(await w.store.inventory('eu-west-1', '111122223333')).toBeUndefined();
    // Act: the invocation is retried (same scheduled time), the sink is back.
    fail = false;
    const again = await runReconciliation({
      engine: w.engine,
      select: api('day1').select,
      regions: ['eu-west-1'],
      rules: RULES,
      context: EMPTY_CONTEXT,
      delivery: { deps: failing, approvals: w.approvals },
      ...fakeTime(),
      now: () => DAY1,
    });
    // Assess: still the first run, the same posture; one digest; each record once.
    expect(again.failures).toEqual([]);
    expect(again.posture?.findings.map(line)).toEqual(first.posture?.findings.map(line));
    expect(w.paging.notices.filter((n) => n.kind === 'digest')).toHaveLength(1);
    const records = w.changes.delivered.map((f) => f.fingerprint);
    expect(new Set(records).size).toBe(records.length);
    expect(await w.store.inventory('eu-west-1', '111122223333')).toBeDefined();
  });

  it('an aggregator over two accounts: one posture report covering both', async () => {
    const w = setup();
    const a = api('org');
    const result = await runReconciliation({
      engine: w.engine,
      select: a.select,
      regions: ['eu-west-1'],
      aggregator: 'org-network-aggregator',
      rules: RULES,
      context: EMPTY_CONTEXT,
      delivery: { deps: w.deps, approvals: w.approvals },
      ...fakeTime(),
      now: () => DAY1,
    });
    expect(result.posture?.scopes.map((s) => s.account).sort()).toEqual(['111122223333', '444455556666']);
    // No interface in either account (the inventory is complete): one grade lower, the missing link named.
    expect(result.posture?.findings.map(line).sort()).toEqual([
      'medium sg-open-world sg-0aaa0000000000022',
      'medium sg-open-world sg-0ddd0000000003389',
    ]);
    const digest = w.paging.notices.find((n) => n.kind === 'digest');
    expect(digest?.kind === 'digest' && digest.account).toBe('2 accounts');
  });
});
