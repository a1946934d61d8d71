/** CloudTrail API events arriving EventBridge → SQS. Wiring only: the pipeline is shared. */
import '../shared/lambda/zod-jitless.ts';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSEvent } from 'aws-lambda';
import { coldStart, createTelemetry } from '../shared/lambda/cold-start.ts';
import { buildLambdaDeps } from '../shared/lambda/deps.ts';
import { sqsBatchHandler } from '../shared/lambda/sqs-batch.ts';

const telemetry = createTelemetry('netwatch-cloudtrail-events');
const batch = coldStart(async () =>
  sqsBatchHandler(await buildLambdaDeps('netwatch-cloudtrail-events', process.env, telemetry)),
);

export const handler = middy(async (event: SQSEvent, context: Context) => (await batch())(event, context))
  .use(injectLambdaContext(telemetry.logger))
  .use(logMetrics(telemetry.metrics));
