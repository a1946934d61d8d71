import type { DecodeLimits } from '../../shared/1-ingest/envelope/decode-stream.ts';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RULES } from '../../rules/index.ts';
import { EMPTY_CONTEXT, type RuleContext } from '../../shared/model/rule.ts';
import { emptyScan, mergeScan, scanUnit, type OnProgress, type ScanResult } from './scan.ts';
import { unitName, type BacktestUnit } from './unit.ts';

/**
 * Spread backtest units over worker threads (one per core by default): classification is CPU-bound, and a month of
 * trail logs is thousands of files. Units are handed out one at a time as workers finish (largest input first, so
 * one big file does not end up last on one core), each worker keeping up to `perWorker` in flight (S3 objects spend
 * most of their time on the network). One unit, or `workers: 1`, runs in this thread.
 */

/**
 * Local files in flight per thread: while one file's gzip stream inflates on libuv's thread pool, the other's records
 * are classified (`npm run bench`, backtest part: one thread with two files in flight read a 67 MB log tree in 3.9 s
 * instead of 4.7 s).
 */
export const FILES_IN_FLIGHT = 2;

/** Input size from which worker threads pay for their start-up, when --workers is not given. */
export const WORKER_THRESHOLD_BYTES = 32 * 1024 * 1024;

/**
 * The worker thread's entry. The built command (dist/, scripts/build-cli.ts) runs the compiled worker bundled next to
 * this code; run from the TypeScript sources (vitest, tsx), this module is `pool.ts` and its worker is `worker.ts`,
 * which a thread can load only after registering tsx (worker-boot.js).
 */
const WORKER_ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./worker-boot.js', import.meta.url)
  : new URL('./backtest-worker.js', import.meta.url);

/** Sent to a worker. */
export type ToWorker = { id: number; unit: BacktestUnit };
/** Sent by a worker. */
export type ToMain =
  | { type: 'ready' }
  | { type: 'progress'; records: number; bytes: number }
  | { type: 'done'; id: number; result: ScanResult };
/** workerData of a backtest worker. */
export interface WorkerSetup {
  fast: boolean;
  /** Line / document length limits (`--max-line-mb`). */
  limits: DecodeLimits;
  /** The rules' estate context (plain data with Sets: structured clone carries it). */
  context: RuleContext;
  /** Kept state: collect the changes (`pending`) for the main thread to judge in event-time order. */
  defer?: boolean;
}

/** How to run a set of units. */
export interface PoolOptions {
  /** Worker threads; default os.availableParallelism(). 1 = this thread. */
  workers?: number;
  /** Units in flight per worker (default {@link FILES_IN_FLIGHT}; more for S3, whose objects wait on the network). */
  perWorker?: number;
  fast?: boolean;
  limits?: DecodeLimits;
  /** Estate context for the rules (`--config`'s `context:`); default none. */
  context?: RuleContext;
  /** Collect changes instead of judging them (kept state: the caller judges them in event-time order). */
  defer?: boolean;
  onProgress?: OnProgress;
  /** Abort = stop handing out units and stop the workers; what is done so far is returned. */
  signal?: AbortSignal;
}

/** The merged result, and whether the run was cut short. */
export interface PoolResult extends ScanResult {
  interrupted: boolean;
}

/** Classify every unit; never throws for a bad unit (it becomes an error of that unit). */
export async function scanUnits(units: readonly BacktestUnit[], options: PoolOptions = {}): Promise<PoolResult> {
  const queue = [...units].sort((a, b) => b.size - a.size);
  const bytes = queue.reduce((sum, u) => sum + u.size, 0);
  // A compiled worker is ready in ≈ 50 ms but then warms its own JIT (`npm run bench`, backtest rows); below a few
  // tens of MB one thread is faster.
  const wanted = options.workers ?? (bytes >= WORKER_THRESHOLD_BYTES ? availableParallelism() : 1);
  const workers = Math.max(1, Math.min(wanted, queue.length));
  const perWorker = Math.max(1, options.perWorker ?? FILES_IN_FLIGHT);
  const onProgress = options.onProgress ?? (() => undefined);
  const setup: WorkerSetup = {
    fast: options.fast ?? true,
    limits: options.limits ?? {},
    context: options.context ?? EMPTY_CONTEXT,
    ...(options.defer ? { defer: true } : {}),
  };
  return workers <= 1
    ? inThread(queue, perWorker, setup, onProgress, options.signal)
    : inWorkers(queue, workers, perWorker, setup, onProgress, options.signal);
}

async function inThread(
  queue: BacktestUnit[],
  concurrency: number,
  { fast, context, defer, limits }: WorkerSetup,
  onProgress: OnProgress,
  signal?: AbortSignal,
): Promise<PoolResult> {
  const total: PoolResult = { ...emptyScan(), interrupted: false };
  const deps = { rules: RULES, context, ...(defer ? { defer: true } : {}) };
  const lane = async (): Promise<void> => {
    for (let unit = queue.shift(); unit !== undefined; unit = queue.shift()) {
      if (signal?.aborted) return;
      mergeScan(total, await scanUnit(unit, deps, onProgress, fast, signal, limits));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  total.interrupted = Boolean(signal?.aborted);
  return total;
}

function inWorkers(
  queue: BacktestUnit[],
  count: number,
  perWorker: number,
  setup: WorkerSetup,
  onProgress: OnProgress,
  signal?: AbortSignal,
): Promise<PoolResult> {
  const total: PoolResult = { ...emptyScan(), interrupted: false };
  const inFlight = new Map<number, { worker: Worker; unit: BacktestUnit }>();
  const live = new Set<Worker>();
  let nextId = 0;
  return new Promise((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener('abort', abort);
      for (const worker of live) void worker.terminate();
      total.interrupted = Boolean(signal?.aborted);
      resolve(total);
    };
    const settleIfDone = (): void => {
      if (inFlight.size === 0 && (queue.length === 0 || live.size === 0 || signal?.aborted)) {
        // Units a crashed pool never ran are reported, not silently dropped.
        if (!signal?.aborted)
          for (const unit of queue.splice(0))
            total.errors.push(`${unitName(unit)}: not read (every worker thread failed)`);
        finish();
      }
    };
    const feed = (worker: Worker): void => {
      let mine = [...inFlight.values()].filter((f) => f.worker === worker).length;
      while (mine < perWorker && queue.length > 0 && !signal?.aborted) {
        const unit = queue.shift()!;
        const id = nextId++;
        inFlight.set(id, { worker, unit });
        worker.postMessage({ id, unit } satisfies ToWorker);
        mine++;
      }
    };
    const abort = (): void => finish();
    signal?.addEventListener('abort', abort, { once: true });
    for (let i = 0; i < count; i++) {
      const worker = new Worker(WORKER_ENTRY, { workerData: setup });
      live.add(worker);
      worker.on('message', (message: ToMain) => {
        if (message.type === 'ready') feed(worker);
        else if (message.type === 'progress') onProgress(message.records, message.bytes);
        else {
          inFlight.delete(message.id);
          mergeScan(total, message.result);
          feed(worker);
          settleIfDone();
        }
      });
      worker.on('error', (error) => {
        live.delete(worker);
        for (const [id, flight] of inFlight) {
          if (flight.worker !== worker) continue;
          inFlight.delete(id);
          total.units += 1;
          total.errors.push(`${unitName(flight.unit)}: worker thread failed: ${error.message}`);
        }
        settleIfDone();
      });
    }
    if (signal?.aborted) finish();
  });
}
