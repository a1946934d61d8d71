/** Scheduled (daily by default): reconciles the state with AWS Config's current state. Wiring only. */
import '../shared/lambda/zod-jitless.ts';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { coldStart, createTelemetry } from '../shared/lambda/cold-start.ts';
import { buildReconcileDeps, reconcileHandler } from '../shared/lambda/reconcile-handler.ts';

const telemetry = createTelemetry('netwatch-reconcile');
const reconcile = coldStart(async () =>
  reconcileHandler(await buildReconcileDeps('netwatch-reconcile', process.env, telemetry)),
);

export const handler = middy(async (event: { time?: string } | undefined) => (await reconcile())(event))
  .use(injectLambdaContext(telemetry.logger))
  .use(logMetrics(telemetry.metrics));
