import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** Logger + metrics: built synchronously at module load, so middy middlewares can hold them before init finishes. */
export interface Telemetry {
  logger: Logger;
  metrics: Metrics;
}

/** The functions' telemetry: namespace `Netwatch`, dimension `service` = the function's service name. */
export function createTelemetry(serviceName: string): Telemetry {
  return { logger: new Logger({ serviceName }), metrics: new Metrics({ namespace: 'Netwatch', serviceName }) };
}

/**
 * Start an asynchronous cold-start build at module load and hand out the same promise to every invocation — without
 * top-level `await`. Why not top-level await: Node ≥ 20.19 / 22.12 can `require()` an ES module, but not one whose
 * graph has top-level await (`ERR_REQUIRE_ASYNC_MODULE`), and `serverless invoke local` (osls) loads handlers with
 * `require()`, falling back to `import()` only on `ERR_REQUIRE_ESM`. Starting the build at load time still overlaps
 * Lambda's init phase. A failed build is not cached: the next invocation retries it (a transient SSM error must not
 * poison the container), and the failure is reported by the invocation that awaited it — so a bad config still fails
 * loudly on the first record instead of mis-routing.
 * @see https://nodejs.org/docs/latest-v22.x/api/modules.html#loading-ecmascript-modules-using-require
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
 */
export function coldStart<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const attempt = build();
    pending = attempt;
    attempt.catch(() => {
      if (pending === attempt) pending = undefined;
    });
    return attempt;
  };
  start();
  return () => pending ?? start();
}
