// A Lambda execution environment in a worker thread: cold start = importing the function module (its top-level await
// builds the deps from this thread's env), then one invocation at a time. The host kills the thread to crash it.
// Plain JavaScript on purpose: it registers tsx before the TypeScript function module can be imported.
import { parentPort, workerData } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import { register } from 'tsx/esm/api';

register();
const { handler } = await import(workerData.entry);

function context(functionName, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `[$LATEST]${randomUUID()}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

parentPort.on('message', async ({ id, event, functionName, timeoutMs }) => {
  try {
    const result = await handler(event, context(functionName, timeoutMs));
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.stack ?? error) });
  }
});
parentPort.postMessage({ ready: true });
