// A Lambda execution environment in a worker thread: cold start = importing the function module (its top-level await
// builds the deps from this thread's env), then one invocation at a time. The host kills the thread to crash it.
// Plain JavaScript on purpose: it registers tsx before the TypeScript function module can be imported.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { handler } = await import(workerData.entry);
// The same invocation context the in-process host passes.
const { lambdaContext } = await import('./lambda-context.ts');

parentPort.on('message', async ({ id, event, functionName, timeoutMs }) => {
  try {
    const result = await handler(event, lambdaContext(functionName, timeoutMs));
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.stack ?? error) });
  }
});
parentPort.postMessage({ ready: true });
