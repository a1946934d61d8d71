/** Revert requests of the opt-in response (respond queue → this function). Wiring only. */
import '../shared/lambda/zod-jitless.ts';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSEvent } from 'aws-lambda';
import { coldStart, createTelemetry } from '../shared/lambda/cold-start.ts';
import { buildRespondDeps, respondBatchHandler } from '../shared/lambda/respond-handler.ts';

const telemetry = createTelemetry('netwatch-respond');
const batch = coldStart(async () =>
  respondBatchHandler(await buildRespondDeps('netwatch-respond', process.env, telemetry)),
);

export const handler = middy(async (event: SQSEvent, context: Context) => (await batch())(event, context))
  .use(injectLambdaContext(telemetry.logger))
  .use(logMetrics(telemetry.metrics));
