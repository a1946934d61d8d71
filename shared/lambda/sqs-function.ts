import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { coldStart, type Telemetry } from './cold-start.ts';

/**
 * The Lambda handler of an SQS-fed function (functions/: config-changes, cloudtrail-events, cloudtrail-s3,
 * traffic-evidence, respond): the batch handler is built once at cold start ({@link coldStart}: started at module
 * load, retried after a failure), every invocation runs with the logger's Lambda context and flushes its metrics.
 */
export function sqsFunction(
  telemetry: Telemetry,
  build: () => Promise<(event: SQSEvent, context: Context) => Promise<SQSBatchResponse>>,
) {
  const batch = coldStart(build);
  return middy(async (event: SQSEvent, context: Context) => (await batch())(event, context))
    .use(injectLambdaContext(telemetry.logger))
    .use(logMetrics(telemetry.metrics));
}
