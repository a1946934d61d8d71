import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StaticApprovals } from '../../shared/5-decide/approvals/providers.ts';
import { MemoryDeliveryStore } from '../../shared/6-deliver/ledger/memory-store.ts';
import { deliverFindings, type DeliveryDeps } from '../../shared/6-deliver/orchestrate.ts';
import { buildChangeRecord } from '../../shared/6-deliver/sinks/format/change-record.ts';
import { findingHeadline } from '../../shared/6-deliver/sinks/format/headline.ts';
import { MemorySink } from '../../shared/6-deliver/sinks/memory.ts';
import { PagerDutySink } from '../../shared/6-deliver/sinks/pagerduty.ts';
import type { Sink } from '../../shared/6-deliver/sinks/sink.ts';
import type { RouteSpec } from '../../shared/5-decide/route.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { UNAPPROVED } from '../../shared/model/notice.ts';
import { cidr, ct, perm, SG_REF, sgDelta, stateJudge } from '../3-state/helpers.ts';
import { validate, type Schema } from '../support/json-schema.ts';

/**
 * Delivering the life of an exposure: pages of an open episode are remembered (the ledger's episode rows), and the
 * record of its close reaches change management and goes back to the sinks that paged it — PagerDuty as `resolve`
 * with the page's dedup_key, others when their paging route asks for "resolved" notices.
 */

const schema = JSON.parse(
  readFileSync(new URL('../../schemas/change-record.schema.json', import.meta.url), 'utf8'),
) as Schema;

/** PagerDuty against a recording fetch (the Events API's 202). */
function pagerDuty(): { sink: PagerDutySink; bodies: Record<string, unknown>[] } {
  const bodies: Record<string, unknown>[] = [];
  const sink = new PagerDutySink(
    'pagerduty',
    {
      type: 'pagerduty',
      routingKey: { ssm: '/netwatch/pagerduty/routing-key' },
      url: 'https://events.pagerduty.invalid/v2/enqueue',
      client: 'Netwatch',
      timeoutMs: 1000,
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    },
    {
      secrets: { resolve: async () => 'R0UTINGKEY0123456789ABCDEFGHIJKL', prefetch: async () => undefined },
      fetch: async (_url, init) => {
        bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
        return new Response('{"status":"success"}', { status: 202 });
      },
    },
  );
  return { sink, bodies };
}

async function lifeOfAnExposure(): Promise<Finding[][]> {
  const j = stateJudge();
  const world = perm('ingress', 'tcp', 22, cidr('0.0.0.0/0'));
  return [
    await j.judge(ct(SG_REF, [sgDelta('added', world)], 0, 'e-open')),
    await j.judge(ct(SG_REF, [sgDelta('removed', world)], 60, 'e-close', 'RevokeSecurityGroupIngress')),
    await j.judge(ct(SG_REF, [sgDelta('added', world)], 300, 'e-reopen')),
  ];
}

function deps(sinks: Sink[], routes: RouteSpec[]): DeliveryDeps {
  return {
    routes,
    sinks: new Map(sinks.map((s) => [s.name, s])),
    store: new MemoryDeliveryStore(),
    allowlists: [],
    dedupWindowMs: 86_400_000,
    groupingWindowMs: 1, // storm control off: each page stands alone
    claimLeaseMs: 60_000,
  };
}

describe('delivering episodes', () => {
  it('the close resolves the episode in PagerDuty (its page dedup_key), is recorded, and pages nothing', async () => {
    // Prepare
    const [opened, closed, reopened] = await lifeOfAnExposure();
    const pd = pagerDuty();
    const slack = new MemorySink('slack');
    const changeLog = new MemorySink('change-log');
    const d = deps(
      [pd.sink, slack, changeLog],
      [
        { name: 'page', kind: 'paging', minSeverity: 'medium', sinks: ['pagerduty', 'slack'] },
        { name: 'cm', kind: 'record', sinks: ['change-log'] },
      ],
    );
    const approvals = new StaticApprovals([]);
    // Act: each finding as its change is processed
    const outcomes = [];
    for (const f of [...opened!, ...closed!, ...reopened!]) {
      outcomes.push(...(await deliverFindings([f], approvals, d)));
      await new Promise((r) => setTimeout(r, 2)); // past the 1 ms storm window
    }
    // Assess
    expect(pd.bodies.map((b) => b['event_action'])).toEqual(['trigger', 'resolve', 'trigger']);
    expect(pd.bodies[1]).toEqual({
      routing_key: 'R0UTINGKEY0123456789ABCDEFGHIJKL',
      event_action: 'resolve',
      dedup_key: opened![0]!.fingerprint,
    });
    expect(slack.notices).toHaveLength(2);
    expect(changeLog.notices).toHaveLength(3);
    expect(outcomes[1]).toMatchObject({ delivered: ['change-log', 'pagerduty'], resolved: ['pagerduty'] });
  });

  it('a paging route with resolved: true also sends the close to its other sinks that paged (Slack gets "RESOLVED")', async () => {
    const [opened, closed] = await lifeOfAnExposure();
    const slack = new MemorySink('slack');
    const sms = new MemorySink('sms');
    const d = deps(
      [slack, sms],
      [
        { name: 'chat', kind: 'paging', minSeverity: 'medium', sinks: ['slack'], resolved: true },
        { name: 'phone', kind: 'paging', minSeverity: 'high', sinks: ['sms'] },
      ],
    );
    for (const f of [...opened!, ...closed!]) await deliverFindings([f], new StaticApprovals([]), d);
    expect(slack.notices).toHaveLength(2);
    expect(sms.notices).toHaveLength(1);
    const close = slack.notices[1];
    expect(close?.kind === 'finding' && findingHeadline(close.finding)).toBe(
      '[RESOLVED] Security group ingress open to the internet — closed: sg-0123456789abcdef0 (111122223333/eu-west-1)',
    );
    expect(close?.kind === 'finding' && close.resolves).toEqual([opened![0]!.fingerprint]);
  });

  it('a close of an episode that never paged goes to change management only', async () => {
    const [opened, closed] = await lifeOfAnExposure();
    const pd = pagerDuty();
    const changeLog = new MemorySink('change-log');
    const d = deps(
      [pd.sink, changeLog],
      [
        // Nothing pages: the opening is high, the paging route wants critical.
        { name: 'page', kind: 'paging', minSeverity: 'critical', sinks: ['pagerduty'] },
        { name: 'cm', kind: 'record', sinks: ['change-log'] },
      ],
    );
    for (const f of [...opened!, ...closed!]) await deliverFindings([f], new StaticApprovals([]), d);
    expect(pd.bodies).toEqual([]);
    expect(changeLog.notices).toHaveLength(2);
  });

  it('the change records of the open and the close validate against the schema and carry the episode', async () => {
    const [opened, closed] = await lifeOfAnExposure();
    const now = new Date('2026-03-02T10:00:05Z');
    const records = [opened![0]!, closed![0]!].map(
      (f) =>
        JSON.parse(
          JSON.stringify(buildChangeRecord({ kind: 'finding', finding: f, approval: UNAPPROVED, routes: [] }, now)),
        ) as Record<string, unknown>,
    );
    for (const r of records) expect(validate(schema, r)).toEqual([]);
    expect(records[1]?.['episode']).toMatchObject({ state: 'closed', openSeconds: 3600 });
    expect((records[1]!['finding'] as Finding).stateAfter).toMatchObject({ kind: 'security-group', permissions: [] });
  });
});
