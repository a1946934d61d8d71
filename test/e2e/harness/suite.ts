import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { Deployment, type DeploymentOptions } from './deployment.ts';
import { startEmulators, type Emulators } from './emulators.ts';
import type { LambdaHandler } from './lambda.ts';
import { Scenario, type ScenarioOptions } from './scenario.ts';

/** A fresh function module per cold start: its top-level composition re-reads env and the config file. */
export async function loadFresh(entry: string): Promise<{ handler: LambdaHandler }> {
  vi.resetModules();
  return (await import(entry)) as { handler: LambdaHandler };
}

/**
 * Registers the suite's hooks: emulators started once per test file, each test's deployment closed after it (and
 * DynamoDB reachable again). Returns `deploy`, which gives a test its own resources, warm functions and the receivers.
 */
export function useEmulatedStack() {
  let emulators: Emulators | undefined;
  const deployments: Deployment[] = [];
  beforeAll(async () => {
    emulators = await startEmulators();
  });
  afterEach(async () => {
    await Promise.all(deployments.splice(0).map((d) => d.close()));
    await emulators?.dynamoGate.open();
  });
  afterAll(async () => {
    await emulators?.stop();
  });
  return async function deploy(options: ScenarioOptions = {}, deployment: DeploymentOptions = {}) {
    if (!emulators) throw new Error('emulators not started');
    const scenario = await Scenario.create(emulators, options);
    const d = new Deployment(scenario, loadFresh, deployment);
    deployments.push(d);
    await d.warm();
    return { scenario, d, emulators, ...emulators.receivers };
  };
}
