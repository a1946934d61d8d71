// Worker-thread entry for multi-file backtests. Loader hooks registered in the main thread (bin/netwatch.js calls
// tsx's register()) do not reach worker threads, and `execArgv: ['--import', 'tsx']` does not apply to the worker's
// own entry on Node 20, so this plain-JS file registers tsx itself and then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
