// Worker-thread entry for multi-file backtests run from the TypeScript sources (vitest, tsx; the built command runs
// dist/backtest-worker.js instead, see pool.ts). Loader hooks registered in the main thread do not reach worker
// threads, and `execArgv: ['--import', 'tsx']` does not apply to the worker's own entry on Node 20, so this plain-JS
// file registers tsx (a devDependency) itself and then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
