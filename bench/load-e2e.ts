/**
 * Load run (`npm run load [-- EVENTS [CONCURRENCY]]`): EVENTS distinct network changes (default 10,000), half as
 * CloudTrail events EventBridge → SQS, half as Config notifications published to the Config SNS topic, through the
 * emulated path — fauxqs SNS/SQS → the Lambda SQS mapping → the real handlers from functions/ → real sinks (the
 * change-management webhook on a local receiver, the SNS paging topic → an inbox queue, PagerDuty and Slack
 * receivers), with the delivery ledger in dynalite. Reports throughput and what was lost or duplicated, counted at
 * the receivers. A benchmark, not a test: it prints numbers and exits non-zero only if something was lost or
 * duplicated.
 */
import { pathToFileURL } from 'node:url';
import { Deployment } from '../test/e2e/harness/deployment.ts';
import { startEmulators } from '../test/e2e/harness/emulators.ts';
import { eventBridge, sshWorldConfigVariant, sshWorldVariant } from '../test/e2e/harness/events.ts';
import type { LambdaHandler } from '../test/e2e/harness/lambda.ts';
import { dedupKey, idempotencyKey } from '../test/e2e/harness/receivers.ts';
import { Scenario } from '../test/e2e/harness/scenario.ts';

const total = Number(process.argv[2] ?? 10_000);
const concurrency = Number(process.argv[3] ?? 4);
/** Findings spread over this many accounts: one page per (account, rule) window, the rest held for digests. */
const ACCOUNTS = 100;

let environments = 0;
/** Each execution environment gets its own instance of the function module (its own deps and batch processor). */
async function load(entry: string): Promise<{ handler: LambdaHandler }> {
  environments += 1;
  return (await import(`${pathToFileURL(entry).href}?environment=${environments}`)) as { handler: LambdaHandler };
}

/** Run `task` over `items` with at most `width` in flight. */
async function pool<T>(items: readonly T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

const emulators = await startEmulators();
try {
  const scenario = await Scenario.create(emulators, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
  const deployment = new Deployment(scenario, load, { concurrency });
  await deployment.warm();
  const account = (i: number) => String(300000000000 + (i % ACCOUNTS));
  const half = Math.floor(total / 2);
  const started = Date.now();
  await pool(
    Array.from({ length: half }, (_, i) => i),
    32,
    (i) => scenario.sendEvent(eventBridge(sshWorldVariant(i + 1, account(i)))),
  );
  await pool(
    Array.from({ length: total - half }, (_, i) => i),
    32,
    (i) => scenario.publishConfig(sshWorldConfigVariant(i + 1, account(i))),
  );
  const published = Date.now();
  await deployment.drain(3_600_000);
  const drained = Date.now();
  const { webhook, pagerduty, slack } = emulators.receivers;
  const pages = await scenario.readInbox();
  const keys = webhook.acceptedBy(idempotencyKey);
  const dlq =
    (await scenario.drainQueue(scenario.cloudtrailDlq)).length + (await scenario.drainQueue(scenario.configDlq)).length;
  const stats = [deployment.cloudtrailPoller.stats, deployment.configPoller.stats];
  const durations = stats.flatMap((s) => s.durationsMs).sort((a, b) => a - b);
  const pct = (p: number) => durations[Math.min(durations.length - 1, Math.floor((p / 100) * durations.length))] ?? 0;
  const report = {
    events: total,
    concurrency,
    publishSeconds: (published - started) / 1000,
    processSeconds: (drained - published) / 1000,
    eventsPerSecond: Math.round((total / ((drained - started) / 1000)) * 10) / 10,
    invocations: stats.reduce((n, s) => n + s.invocations, 0),
    invocationMs: { p50: pct(50), p95: pct(95), max: durations[durations.length - 1] ?? 0 },
    recordRetries: stats.reduce((n, s) => n + s.itemFailures, 0),
    changeRecords: { distinct: keys.size, accepted: webhook.accepted().length },
    lost: total - keys.size,
    duplicates: webhook.accepted().length - keys.size,
    pages: {
      inbox: pages.length,
      distinct: new Set(pages.map((p) => p.key)).size,
      pagerduty: pagerduty.acceptedBy(dedupKey).size,
      pagerdutyAccepted: pagerduty.accepted().length,
      slack: slack.accepted().length,
    },
    pageDuplicates:
      pages.length -
      new Set(pages.map((p) => p.key)).size +
      (pagerduty.accepted().length - pagerduty.acceptedBy(dedupKey).size),
    deadLettered: dlq,
  };
  console.log(JSON.stringify(report, null, 2));
  await deployment.close();
  if (report.lost !== 0 || report.duplicates !== 0 || report.pageDuplicates !== 0) process.exitCode = 1;
} finally {
  await emulators.stop();
}
