import { applyEnv } from './aws-env.ts';
import { FUNCTIONS, InProcessHost, WorkerHost, type FunctionHost, type LambdaHandler } from './lambda.ts';
import { SqsPoller } from './poller.ts';
import type { Scenario } from './scenario.ts';

/** Gives a fresh instance of a function module (a cold start): `vi.resetModules()` + `import()` in vitest. */
export type ModuleLoader = (entry: string) => Promise<{ handler: LambdaHandler }>;

export interface DeploymentOptions {
  /** Concurrent invocations per event source mapping. Default 1. */
  concurrency?: number;
  /** Records per invocation. Default 10. */
  batchSize?: number;
  /** Run the two SQS functions in worker threads (killable) instead of in process. */
  killable?: boolean;
}

/**
 * The stack as deployed: the three functions from functions/ and the two SQS event source mappings, over one
 * {@link Scenario}'s resources. The in-process functions see the scenario's environment through `process.env`, set
 * here for the deployment's life.
 */
export class Deployment {
  readonly configChanges: FunctionHost;
  readonly cloudtrailEvents: FunctionHost;
  readonly digest: FunctionHost;
  readonly configPoller: SqsPoller;
  readonly cloudtrailPoller: SqsPoller;
  private readonly restoreEnv: () => void;
  private readonly concurrency: number;

  constructor(
    readonly scenario: Scenario,
    load: ModuleLoader,
    options: DeploymentOptions = {},
  ) {
    this.restoreEnv = applyEnv(scenario.env);
    this.concurrency = options.concurrency ?? 1;
    const host = (name: string, entry: string): FunctionHost =>
      options.killable ? new WorkerHost(name, entry, scenario.env) : new InProcessHost(name, () => load(entry));
    this.configChanges = host('netwatch-config-changes', FUNCTIONS.configChanges);
    this.cloudtrailEvents = host('netwatch-cloudtrail-events', FUNCTIONS.cloudtrailEvents);
    this.digest = new InProcessHost('netwatch-digest', () => load(FUNCTIONS.digest));
    const sqs = scenario.emulators.clients.sqs;
    const mapping = { sqs, batchSize: options.batchSize ?? 10, concurrency: this.concurrency };
    this.configPoller = new SqsPoller({ ...mapping, queue: scenario.configQueue, host: this.configChanges });
    this.cloudtrailPoller = new SqsPoller({ ...mapping, queue: scenario.cloudtrailQueue, host: this.cloudtrailEvents });
  }

  /** Cold-start as many environments as the mappings may use concurrently, before traffic. */
  async warm(): Promise<void> {
    await this.configChanges.warm(this.concurrency);
    await this.cloudtrailEvents.warm(this.concurrency);
  }

  /** Run both mappings until both source queues are empty (processed or dead-lettered). */
  async drain(timeoutMs = 30_000): Promise<void> {
    await Promise.all([this.configPoller.drain(timeoutMs), this.cloudtrailPoller.drain(timeoutMs)]);
  }

  /** The scheduled digest function's run (EventBridge Scheduler event). */
  async runDigest(): Promise<unknown> {
    return this.digest.invoke({
      version: '0',
      id: 'e2e-digest',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '111122223333',
      time: new Date().toISOString(),
      region: 'eu-west-1',
      resources: [],
      detail: {},
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.configChanges.close(), this.cloudtrailEvents.close(), this.digest.close()]);
    this.restoreEnv();
  }
}
