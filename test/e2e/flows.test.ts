import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventBridge, sample, sshWorldVariant, SSH_WORLD_CLOUDTRAIL, SSH_WORLD_CONFIG } from './harness/events.ts';
import { dedupKey, idempotencyKey } from './harness/receivers.ts';
import { useEmulatedStack } from './harness/suite.ts';

const deploy = useEmulatedStack();
afterEach(() => {
  vi.useRealTimers();
});

describe('end to end on emulators: Config SNS → SQS, EventBridge → SQS, real handlers, real sinks', () => {
  it('a Config notification on the Config topic pages once and reaches change management once', async () => {
    // Prepare
    const { scenario, d, webhook, pagerduty, slack } = await deploy();
    // Act
    await scenario.publishConfig(sample(SSH_WORLD_CONFIG));
    await d.drain();
    // Assess
    const pages = await scenario.readInbox();
    expect(pages).toHaveLength(1);
    expect(pages[0]?.subject).toContain('Security group ingress open to the internet');
    expect(pagerduty.accepted()).toHaveLength(1);
    expect(slack.accepted()).toHaveLength(1);
    expect(webhook.accepted()).toHaveLength(1);
    expect(idempotencyKey(webhook.accepted()[0]!)).toBe(pages[0]?.key);
    expect(dedupKey(pagerduty.accepted()[0]!)).toBe(pages[0]?.key);
    expect(d.configPoller.stats).toMatchObject({ invocations: 1, itemFailures: 0, functionErrors: 0, deleted: 1 });
  });

  it('a CloudTrail event EventBridge → SQS pages once and reaches change management once', async () => {
    // Prepare
    const { scenario, d, webhook, pagerduty, slack } = await deploy();
    // Act
    await scenario.sendEvent(eventBridge(sample(SSH_WORLD_CLOUDTRAIL)));
    await d.drain();
    // Assess
    const pages = await scenario.readInbox();
    expect(pages.map((p) => p.key)).toEqual([idempotencyKey(webhook.accepted()[0]!)]);
    expect([pagerduty.accepted().length, slack.accepted().length, webhook.accepted().length]).toEqual([1, 1, 1]);
    expect(pages[0]?.email).toContain('arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice@example.com');
    expect(d.cloudtrailPoller.stats).toMatchObject({ invocations: 1, itemFailures: 0, deleted: 1 });
  });

  it('the same change via CloudTrail and then Config gives one page and one change record', async () => {
    // Prepare
    const { scenario, d, webhook, pagerduty, slack } = await deploy();
    // Act: EventBridge is seconds behind the call, Config minutes.
    await scenario.sendEvent(eventBridge(sample(SSH_WORLD_CLOUDTRAIL)));
    await d.cloudtrailPoller.drain();
    await scenario.publishConfig(sample(SSH_WORLD_CONFIG));
    await d.configPoller.drain();
    // Assess: both records processed and deleted, one delivery per sink.
    expect(d.cloudtrailPoller.stats.deleted + d.configPoller.stats.deleted).toBe(2);
    expect(await scenario.readInbox()).toHaveLength(1);
    expect([...pagerduty.acceptedBy(dedupKey).values()]).toEqual([1]);
    expect(slack.accepted()).toHaveLength(1);
    expect([...webhook.acceptedBy(idempotencyKey).values()]).toEqual([1]);
  });

  it('an approved change reaches change management only (marked approved), no page', async () => {
    // Prepare: the sample change happened at 2024-05-14T09:01:17Z.
    const approval = {
      ticket: 'CHG0031337',
      windowStart: '2024-05-14T09:00:00Z',
      windowEnd: '2024-05-14T11:00:00Z',
      accounts: ['111122223333'],
      categories: ['sg-open-world'],
    };
    const { scenario, d, webhook, pagerduty, slack } = await deploy({ approvals: [approval] });
    // Act
    await scenario.sendEvent(eventBridge(sample(SSH_WORLD_CLOUDTRAIL)));
    await d.drain();
    // Assess
    expect(await scenario.readInbox()).toHaveLength(0);
    expect([pagerduty.exchanges.length, slack.exchanges.length]).toEqual([0, 0]);
    expect(webhook.accepted()).toHaveLength(1);
    const record = JSON.parse(webhook.accepted()[0]!.body) as {
      approved: boolean;
      approval: { state: string; ticket: string };
    };
    expect(record).toMatchObject({ approved: true, approval: { state: 'approved', ticket: 'CHG0031337' } });
  });

  it('a change after its approval expired pages (and the record says expired)', async () => {
    // Prepare: the window ended an hour before the change.
    const approval = {
      ticket: 'CHG0031338',
      windowStart: '2024-05-14T06:00:00Z',
      windowEnd: '2024-05-14T08:00:00Z',
      accounts: ['111122223333'],
      categories: ['sg-open-world'],
    };
    const { scenario, d, webhook, pagerduty, slack } = await deploy({ approvals: [approval] });
    // Act
    await scenario.sendEvent(eventBridge(sample(SSH_WORLD_CLOUDTRAIL)));
    await d.drain();
    // Assess
    const pages = await scenario.readInbox();
    expect(pages).toHaveLength(1);
    expect(pages[0]?.email).toContain('CHG0031338');
    expect([pagerduty.accepted().length, slack.accepted().length, webhook.accepted().length]).toEqual([1, 1, 1]);
    expect(JSON.parse(webhook.accepted()[0]!.body)).toMatchObject({
      approved: false,
      approval: { state: 'expired', ticket: 'CHG0031338' },
    });
  });

  it('a storm of 50 findings in one account within the window gives one page and one digest of 49; change management gets all 50', async () => {
    // Prepare: the functions read the time through Date. A fake Date (timers stay real: the emulators and the poller
    // need them) stands still while the 50 are processed — all fall inside one 5-minute window however slow the
    // machine — and is then moved past the window for the scheduled digest run. No waiting, no wall-clock assertion.
    vi.useFakeTimers({ toFake: ['Date'] });
    const windowMs = 5 * 60_000;
    const { scenario, d, webhook, pagerduty, slack } = await deploy(
      { groupingWindowMinutes: windowMs / 60_000, visibilityTimeoutSeconds: 10 },
      { concurrency: 2 },
    );
    // Act: the storm, then the digest schedule while the window is open, then once it has closed.
    await Promise.all(Array.from({ length: 50 }, (_, i) => scenario.sendEvent(eventBridge(sshWorldVariant(i + 1)))));
    await d.drain();
    const whileOpen = (await d.runDigest()) as { digests: number };
    vi.setSystemTime(Date.now() + windowMs + 60_000);
    const afterClose = (await d.runDigest()) as { digests: number };
    // Assess: nothing is digested while the window is open; one digest once it closed.
    expect([whileOpen.digests, afterClose.digests]).toEqual([0, 1]);
    // Assess
    const pages = await scenario.readInbox();
    expect(pages.map((p) => (p.key === 'digest' ? 'digest' : 'page')).sort()).toEqual(['digest', 'page']);
    expect(pagerduty.accepted()).toHaveLength(2);
    expect(slack.accepted()).toHaveLength(2);
    expect(webhook.acceptedBy(idempotencyKey).size).toBe(50);
    expect(webhook.accepted()).toHaveLength(50);
    const pagerDutyDigests = pagerduty
      .accepted()
      .map(
        (r) =>
          (JSON.parse(r.body) as { payload: { custom_details: { digest?: { count: number } } } }).payload.custom_details
            .digest?.count,
      );
    expect(pagerDutyDigests).toEqual([undefined, 49]);
    expect(d.cloudtrailPoller.stats).toMatchObject({ received: 50, deleted: 50, itemFailures: 0 });
  });
});
