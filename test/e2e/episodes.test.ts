import { describe, expect, it } from 'vitest';
import { eventBridge, sample, SSH_WORLD_CLOUDTRAIL } from './harness/events.ts';
import { dedupKey, idempotencyKey } from './harness/receivers.ts';
import { useEmulatedStack } from './harness/suite.ts';

const deploy = useEmulatedStack();

/** The SSH-to-the-world record at another time, as another call (a revoke names the same permission). */
function call(name: 'AuthorizeSecurityGroupIngress' | 'RevokeSecurityGroupIngress', at: string, id: string) {
  const record = sample(SSH_WORLD_CLOUDTRAIL);
  return eventBridge({ ...record, eventName: name, eventTime: at, eventID: id, requestID: id });
}

describe('end to end on emulators: exposure episodes (state table on dynalite)', () => {
  it('open SSH to the world, close it an hour later, open it again four hours later: 2 pages, 1 PagerDuty resolve, 3 change records', async () => {
    // Prepare: a storm window of 0.1 s — the re-opening comes four hours later in event time, but seconds later on
    // this clock; storm control (a wall-clock rate limit) must not fold it into a digest here.
    const { scenario, d, webhook, pagerduty, slack } = await deploy({ groupingWindowMinutes: 0.1 / 60 });
    // Act: one change at a time, as they happen.
    await scenario.sendEvent(
      call('AuthorizeSecurityGroupIngress', '2024-05-14T09:01:17Z', '16c22eb9-7ee4-5edb-8335-000000000001'),
    );
    await d.drain();
    await scenario.sendEvent(
      call('RevokeSecurityGroupIngress', '2024-05-14T10:01:17Z', '16c22eb9-7ee4-5edb-8335-000000000002'),
    );
    await d.drain();
    await scenario.sendEvent(
      call('AuthorizeSecurityGroupIngress', '2024-05-14T14:01:17Z', '16c22eb9-7ee4-5edb-8335-000000000003'),
    );
    await d.drain();
    // Assess: two pages (opening, re-opening), each its own incident.
    const pages = await scenario.readInbox();
    expect(pages).toHaveLength(2);
    expect(new Set(pages.map((p) => p.key)).size).toBe(2);
    const events = pagerduty.accepted().map((r) => JSON.parse(r.body) as { event_action: string; dedup_key: string });
    expect(events.map((e) => e.event_action)).toEqual(['trigger', 'resolve', 'trigger']);
    // The resolve closes the first incident (the episode's page), not the second.
    expect(events[1]?.dedup_key).toBe(dedupKey(pagerduty.accepted()[0]!));
    expect(events[1]?.dedup_key).toBe(pages[0]?.key);
    expect(slack.accepted()).toHaveLength(2); // pages only: the paging route does not ask for "resolved" notices
    // Three change records: open, closed (who, when, how long), re-open.
    const records = webhook.accepted().map(
      (r) =>
        JSON.parse(r.body) as {
          severity: string;
          episode?: { state: string; openSeconds?: number; closedBy?: string };
        },
    );
    expect(new Set(webhook.accepted().map(idempotencyKey)).size).toBe(3);
    expect(records.map((r) => `${r.severity} ${r.episode?.state}`)).toEqual(['high open', 'info closed', 'high open']);
    expect(records[1]?.episode).toMatchObject({
      openSeconds: 3600,
      closedBy: 'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice@example.com',
    });
    expect(d.cloudtrailPoller.stats).toMatchObject({ received: 3, deleted: 3, itemFailures: 0 });
  });

  it('the same record delivered three times and a revoke: one page, one resolve (redeliveries collapse)', async () => {
    const { scenario, d, pagerduty, webhook } = await deploy();
    const open = call('AuthorizeSecurityGroupIngress', '2024-05-14T09:01:17Z', '16c22eb9-7ee4-5edb-8335-000000000011');
    for (let i = 0; i < 3; i++) await scenario.sendEvent(open);
    await d.drain();
    await scenario.sendEvent(
      call('RevokeSecurityGroupIngress', '2024-05-14T09:31:17Z', '16c22eb9-7ee4-5edb-8335-000000000012'),
    );
    await d.drain();
    expect(await scenario.readInbox()).toHaveLength(1);
    const actions = pagerduty.accepted().map((r) => (JSON.parse(r.body) as { event_action: string }).event_action);
    expect(actions).toEqual(['trigger', 'resolve']);
    expect(new Set(webhook.accepted().map(idempotencyKey)).size).toBe(2);
  });
});
