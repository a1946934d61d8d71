/** CloudTrail API events arriving EventBridge → SQS. Wiring only: the pipeline is shared. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { buildLambdaDeps } from '../shared/deps.ts';
import { sqsBatchHandler } from '../shared/engine/sqs-batch.ts';
import { initOnce } from '../shared/lambda-init.ts';

export const handler = initOnce(async () => {
  const deps = await buildLambdaDeps('netwatch-cloudtrail-events');
  return middy(sqsBatchHandler(deps)).use(injectLambdaContext(deps.logger)).use(logMetrics(deps.metrics));
});
