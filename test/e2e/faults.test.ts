import { describe, expect, it } from 'vitest';
import { eventBridge, sample, sshWorldVariant, SSH_WORLD_CLOUDTRAIL } from './harness/events.ts';
import type { WorkerHost } from './harness/lambda.ts';
import { dedupKey, idempotencyKey } from './harness/receivers.ts';
import { useEmulatedStack } from './harness/suite.ts';

const deploy = useEmulatedStack();

/** Distinct findings that do not storm together: one per account (storm windows are per account and rule). */
const accountOf = (i: number) => String(210000000000 + i);
const SSH_EVENT = () => JSON.stringify(eventBridge(sample(SSH_WORLD_CLOUDTRAIL)));

/**
 * Each fault: what was sent, what the receivers got. "Exactly once" is counted at the receivers: accepted (2xx)
 * requests per Idempotency-Key (webhook) / dedup_key (PagerDuty), and messages in the paging inbox per fingerprint.
 */
describe('faults: every finding reaches every routed sink exactly once after recovery', () => {
  it('webhook answers 500 three times, then recovers: the record is retried through SQS; one change record, one page', async () => {
    // Prepare
    const { scenario, d, webhook, pagerduty, slack } = await deploy();
    webhook.script = (_req, n) => (n < 3 ? { status: 500, body: 'upstream unavailable' } : undefined);
    // Act
    await scenario.sendRaw(scenario.cloudtrailQueue, SSH_EVENT());
    await d.drain();
    // Assess: one attempt per invocation (the sink is configured with one attempt; the delivery layer adds no second
    // retry loop), so each 500 failed the record and SQS redelivered it; the fourth delivery got through. The other
    // sinks were delivered on the first invocation and never again (ledger).
    expect(webhook.exchanges.map((e) => e.status)).toEqual([500, 500, 500, 200]);
    expect([...webhook.acceptedBy(idempotencyKey).values()]).toEqual([1]);
    expect(await scenario.readInbox()).toHaveLength(1);
    expect([pagerduty.exchanges.length, slack.exchanges.length]).toEqual([1, 1]);
    expect(d.cloudtrailPoller.stats).toMatchObject({ invocations: 4, itemFailures: 3, deleted: 1 });
    expect(await scenario.drainQueue(scenario.cloudtrailDlq)).toHaveLength(0);
  });

  it('PagerDuty answers 429 with a long Retry-After: SQS redelivers later; one PagerDuty alert, one page, one record', async () => {
    // Prepare
    const { scenario, d, webhook, pagerduty, slack } = await deploy();
    pagerduty.script = (_req, n) =>
      n < 3 ? { status: 429, headers: { 'retry-after': '60' }, body: '{"status":"throttle event"}' } : undefined;
    // Act
    await scenario.sendRaw(scenario.cloudtrailQueue, SSH_EVENT());
    await d.drain();
    // Assess
    // Assess: a Retry-After longer than the sink waits fails the record at once (no burst of retries against a
    // throttled PagerDuty); each SQS redelivery makes one attempt.
    expect(pagerduty.exchanges.map((e) => e.status)).toEqual([429, 429, 429, 202]);
    expect([...pagerduty.acceptedBy(dedupKey).values()]).toEqual([1]);
    expect([webhook.exchanges.length, slack.exchanges.length, (await scenario.readInbox()).length]).toEqual([1, 1, 1]);
    expect(d.cloudtrailPoller.stats).toMatchObject({ invocations: 4, itemFailures: 3, deleted: 1 });
  });

  it('SNS Publish fails (paging topic deleted), then the topic is restored: one page after recovery, nothing repeated', async () => {
    // Prepare
    const { scenario, d, webhook, pagerduty, slack } = await deploy();
    scenario.breakPagingTopic();
    await scenario.sendRaw(scenario.cloudtrailQueue, SSH_EVENT());
    // Act 1: the first invocation pages everywhere but SNS, and fails the record.
    await d.cloudtrailPoller.pollOnce();
    // Assess 1
    expect(d.cloudtrailPoller.stats).toMatchObject({ invocations: 1, itemFailures: 1, deleted: 0 });
    expect([webhook.accepted().length, pagerduty.accepted().length, slack.accepted().length]).toEqual([1, 1, 1]);
    // Act 2
    scenario.restorePagingTopic();
    await d.drain();
    // Assess 2: SNS got its page; the other sinks were not sent to again.
    expect(await scenario.readInbox()).toHaveLength(1);
    expect([webhook.exchanges.length, pagerduty.exchanges.length, slack.exchanges.length]).toEqual([1, 1, 1]);
    expect(d.cloudtrailPoller.stats).toMatchObject({ invocations: 2, deleted: 1 });
  });

  it('DynamoDB unreachable: records fail (not dropped, nothing sent); once it is back, each sink gets the finding once', async () => {
    // Prepare
    const { scenario, d, emulators, webhook, pagerduty, slack } = await deploy();
    await emulators.dynamoGate.close();
    await scenario.sendRaw(scenario.cloudtrailQueue, SSH_EVENT());
    await scenario.publishConfig(sample('config/igw-attached.json'));
    // Act 1
    await d.cloudtrailPoller.pollOnce();
    await d.configPoller.pollOnce();
    // Assess 1: nothing delivered without the ledger, nothing deleted.
    expect(d.cloudtrailPoller.stats.itemFailures + d.configPoller.stats.itemFailures).toBe(2);
    expect([
      webhook.exchanges.length,
      pagerduty.exchanges.length,
      slack.exchanges.length,
      (await scenario.readInbox()).length,
    ]).toEqual([0, 0, 0, 0]);
    // Act 2
    await emulators.dynamoGate.open();
    await d.drain();
    // Assess 2
    expect(webhook.acceptedBy(idempotencyKey).size).toBe(2);
    expect(webhook.accepted()).toHaveLength(2);
    expect(pagerduty.acceptedBy(dedupKey).size).toBe(2);
    expect(pagerduty.accepted()).toHaveLength(2);
    expect(await scenario.readInbox()).toHaveLength(2);
    expect(await scenario.drainQueue(scenario.cloudtrailDlq)).toHaveLength(0);
    expect(await scenario.drainQueue(scenario.configDlq)).toHaveLength(0);
  });

  it('the same message delivered three times (in one batch): one page, one alert, one record', async () => {
    // Prepare
    const { scenario, d, webhook, pagerduty, slack } = await deploy();
    // Act
    for (let i = 0; i < 3; i += 1) await scenario.sendRaw(scenario.cloudtrailQueue, SSH_EVENT());
    await d.drain();
    // Assess: the copies raced for the ledger claim; the losers were retried and found it delivered.
    expect(await scenario.readInbox()).toHaveLength(1);
    expect([webhook.exchanges.length, pagerduty.exchanges.length, slack.exchanges.length]).toEqual([1, 1, 1]);
    expect(d.cloudtrailPoller.stats.deleted).toBe(3);
    expect(await scenario.drainQueue(scenario.cloudtrailDlq)).toHaveLength(0);
  });

  it('poison records (bad JSON, a 256 KB truncated body, wrong shape) among good ones: only they reach the DLQ', async () => {
    // Prepare: each poison record fails alone; after maxReceiveCount receives SQS moves it to the DLQ.
    const { scenario, d, webhook, pagerduty } = await deploy({ maxReceiveCount: 2 });
    const good = [1, 2, 3].map((i) => JSON.stringify(eventBridge(sshWorldVariant(i, accountOf(i)))));
    const padded = JSON.stringify({ ...eventBridge(sample(SSH_WORLD_CLOUDTRAIL)), padding: 'A'.repeat(270_000) });
    const poison = [
      '{"version":"0","detail-type":"AWS API Call via CloudTrail","detail": {',
      padded.slice(0, 262_144),
      JSON.stringify({ version: '0', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: [1, 2] }),
    ];
    const [g1, g2, g3] = good as [string, string, string];
    for (const body of [poison[0], g1, poison[1], g2, poison[2], g3] as string[])
      await scenario.sendRaw(scenario.cloudtrailQueue, body);
    // Act
    await d.drain();
    // Assess
    const dlq = (await scenario.drainQueue(scenario.cloudtrailDlq)).map((m) => m.Body ?? '');
    expect(dlq.sort()).toEqual([...poison].sort());
    expect(Buffer.byteLength(poison[1] ?? '')).toBe(262_144);
    expect(webhook.acceptedBy(idempotencyKey).size).toBe(3);
    expect(webhook.accepted()).toHaveLength(3);
    expect(pagerduty.accepted()).toHaveLength(3);
    expect(await scenario.readInbox()).toHaveLength(3);
  });

  it('the function crashes mid-batch (environment killed during a delivery): every finding still arrives everywhere; a repeat is possible only for a send the dead invocation had not yet recorded, and carries the same key', async () => {
    // Prepare: killable environments; lease 5 s ≤ visibility timeout 5 s, so the retry after the crash takes over the
    // claims the dead invocation left pending.
    const { scenario, d, webhook, pagerduty, slack } = await deploy(
      { claimLeaseSeconds: 5, visibilityTimeoutSeconds: 5, maxReceiveCount: 5 },
      { killable: true },
    );
    const host = d.cloudtrailEvents as WorkerHost;
    webhook.script = (_req, n) => (n === 2 ? 'hang' : undefined);
    webhook.onRequest = (_req, n) => {
      if (n === 2) void host.kill();
    };
    for (let i = 1; i <= 5; i += 1) await scenario.sendEvent(eventBridge(sshWorldVariant(i, accountOf(i))));
    // Act
    await d.drain(40_000);
    // Assess: the crash failed the whole batch once; the retry delivered the rest.
    expect(host.kills).toBe(1);
    expect(d.cloudtrailPoller.stats).toMatchObject({ functionErrors: 1, deleted: 5 });
    expect(await scenario.drainQueue(scenario.cloudtrailDlq)).toHaveLength(0);
    const pages = await scenario.readInbox();
    const perSink = {
      webhook: webhook.acceptedBy(idempotencyKey),
      pagerduty: pagerduty.acceptedBy(dedupKey),
      slack: slack.acceptedBy((r) => /fingerprint ([0-9a-f]+)/.exec(r.body)?.[1] ?? ''),
      sns: pages.reduce((m, p) => m.set(p.key, (m.get(p.key) ?? 0) + 1), new Map<string, number>()),
    };
    // Nothing lost: five distinct findings at every sink. The ledger bounds repeats to the sends in flight at the
    // crash: at most twice per finding, always under the same key (PagerDuty dedup_key / Idempotency-Key dedup them;
    // SNS email/SMS and Slack cannot).
    for (const counts of Object.values(perSink)) {
      expect(counts.size).toBe(5);
      expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
    }
    const repeats = Object.fromEntries(
      Object.entries(perSink).map(([sink, counts]) => [
        sink,
        [...counts.values()].reduce((a, b) => a + b, 0) - counts.size,
      ]),
    );
    console.info('crash mid-batch: accepted repeats per sink (same key)', repeats);
  });
});
