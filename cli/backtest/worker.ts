import { parentPort, workerData } from 'node:worker_threads';
import { RULES } from '../../rules/index.ts';
import type { ToMain, ToWorker, WorkerSetup } from './pool.ts';
import { scanUnit } from './scan.ts';

/**
 * A backtest worker: builds the rules once, then classifies each unit the pool posts and answers with the findings
 * and counts (progress on the way). Several units may be in flight at once (S3 objects wait on the network).
 */
const port = parentPort;
if (port === null) throw new Error('cli/backtest/worker.ts must run in a worker thread');
const setup = workerData as WorkerSetup;
const deps = { rules: RULES, context: setup.context, ...(setup.defer ? { defer: true } : {}) };

port.on('message', (message: ToWorker) => {
  void scanUnit(
    message.unit,
    deps,
    (records, bytes) => port.postMessage({ type: 'progress', records, bytes } satisfies ToMain),
    setup.fast,
    undefined,
    setup.limits,
  ).then((result) => port.postMessage({ type: 'done', id: message.id, result } satisfies ToMain));
});
port.postMessage({ type: 'ready' } satisfies ToMain);
