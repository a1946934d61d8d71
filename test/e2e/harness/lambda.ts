import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import { lambdaContext } from './lambda-context.ts';

/** A deployed function's handler, as the Lambda runtime calls it. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Where a function runs. `invoke` behaves like Lambda's synchronous invoke from an event source mapping: it resolves
 * with the handler's result, or rejects when the function errored (threw, timed out, crashed) — then the mapping
 * treats the whole batch as failed.
 */
export interface FunctionHost {
  readonly name: string;
  invoke(event: unknown): Promise<unknown>;
  /** Start `n` execution environments ahead of traffic (provisioned concurrency): a cold start takes longer than a
   * short visibility timeout, and a batch outliving it reappears and is processed twice (harmless, but it muddles
   * the counts a test asserts). */
  warm(n?: number): Promise<void>;
  /** Execution environments started so far (each one a cold start that re-read env and config). */
  readonly coldStarts: number;
  close(): Promise<void>;
}

/** The handler modules in functions/. */
export const FUNCTIONS = {
  configChanges: fileURLToPath(new URL('../../../functions/config-changes.ts', import.meta.url)),
  cloudtrailEvents: fileURLToPath(new URL('../../../functions/cloudtrail-events.ts', import.meta.url)),
  digest: fileURLToPath(new URL('../../../functions/digest.ts', import.meta.url)),
} as const;

/**
 * Functions in this process. Like Lambda, each execution environment runs one invocation at a time and is reused
 * (warm); concurrent invocations get their own environment, i.e. their own module instance (the batch processor and
 * sink clients are per module). `load` must give a *fresh* module instance each call — in vitest
 * `vi.resetModules()` + `import()` — so a cold start re-reads the environment and the config file. The caller sets
 * `process.env` for as long as the host lives (SDK clients are built lazily and read their endpoints then).
 */
export class InProcessHost implements FunctionHost {
  private readonly idle: LambdaHandler[] = [];
  private loading: Promise<unknown> = Promise.resolve();
  coldStarts = 0;

  constructor(
    readonly name: string,
    private readonly load: () => Promise<{ handler: LambdaHandler }>,
    private readonly timeoutMs = 30_000,
  ) {}

  async invoke(event: unknown): Promise<unknown> {
    const handler = this.idle.pop() ?? (await this.coldStart());
    try {
      return await handler(event, lambdaContext(this.name, this.timeoutMs));
    } finally {
      this.idle.push(handler);
    }
  }

  async warm(n = 1): Promise<void> {
    while (this.idle.length < n) this.idle.push(await this.coldStart());
  }

  private async coldStart(): Promise<LambdaHandler> {
    // Module registry resets must not interleave: load one environment at a time.
    const next = this.loading.then(() => this.load());
    this.loading = next.catch(() => undefined);
    const { handler } = await next;
    this.coldStarts += 1;
    return handler;
  }

  async close(): Promise<void> {
    this.idle.length = 0;
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * A function in a worker thread, so it can be killed the way Lambda kills a crashed or timed-out environment: the
 * thread dies mid-flight (no `finally`, no ledger release), the invocation errors, and the next invocation cold-starts
 * a new environment. One environment, one invocation at a time.
 */
export class WorkerHost implements FunctionHost {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  coldStarts = 0;
  kills = 0;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: Record<string, string>,
    private readonly timeoutMs = 30_000,
  ) {}

  private start(): Promise<void> {
    const worker = new Worker(new URL('./lambda-worker.mjs', import.meta.url), {
      workerData: { entry: this.entry },
      env: { ...process.env, ...this.env },
    });
    this.worker = worker;
    this.coldStarts += 1;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: { ready?: true; id?: number; result?: unknown; error?: string }) => {
        if (message.ready) return resolve();
        const pending = message.id !== undefined ? this.pending.get(message.id) : undefined;
        if (!pending || message.id === undefined) return;
        this.pending.delete(message.id);
        if (message.error !== undefined) pending.reject(new Error(message.error));
        else pending.resolve(message.result);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        reject(new Error(`environment exited (${code}) during init`));
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(new Error(`function crashed: environment exited with code ${code}`));
        }
      });
    });
    return this.ready;
  }

  async warm(): Promise<void> {
    if (!this.worker) await this.start();
    else await this.ready;
  }

  async invoke(event: unknown): Promise<unknown> {
    if (!this.worker) await this.start();
    else await this.ready;
    const worker = this.worker;
    if (!worker) throw new Error('function crashed during init');
    const id = (this.nextId += 1);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, event, functionName: this.name, timeoutMs: this.timeoutMs });
    });
  }

  /** Crash the environment now: whatever it was doing stops mid-way. */
  async kill(): Promise<void> {
    if (this.worker) this.kills += 1;
    await this.close();
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
