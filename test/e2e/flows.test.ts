import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Deployment, type DeploymentOptions } from './harness/deployment.ts';
import { startEmulators, type Emulators } from './harness/emulators.ts';
import { eventBridge, sample, SSH_WORLD_CLOUDTRAIL, SSH_WORLD_CONFIG } from './harness/events.ts';
import type { LambdaHandler } from './harness/lambda.ts';
import { dedupKey, idempotencyKey } from './harness/receivers.ts';
import { Scenario, type ScenarioOptions } from './harness/scenario.ts';

let emulators: Emulators;
const deployments: Deployment[] = [];

beforeAll(async () => {
  emulators = await startEmulators();
});
afterEach(async () => {
  await Promise.all(deployments.splice(0).map((d) => d.close()));
});
afterAll(async () => {
  await emulators.stop();
});

/** A fresh function module per cold start: the handler's top-level composition re-reads env and config. */
async function load(entry: string): Promise<{ handler: LambdaHandler }> {
  vi.resetModules();
  return (await import(entry)) as { handler: LambdaHandler };
}

async function deploy(options: ScenarioOptions = {}, deployment: DeploymentOptions = {}) {
  const scenario = await Scenario.create(emulators, options);
  const d = new Deployment(scenario, load, deployment);
  deployments.push(d);
  return { scenario, d, ...emulators.receivers };
}

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
});
