/** CloudTrail API events arriving EventBridge → SQS. Wiring only: the pipeline is shared. */
import '../shared/lambda/zod-jitless.ts';
import { createTelemetry } from '../shared/lambda/cold-start.ts';
import { sqsFunction } from '../shared/lambda/sqs-function.ts';
import { buildLambdaDeps } from '../shared/lambda/deps.ts';
import { sqsBatchHandler } from '../shared/lambda/sqs-batch.ts';

const telemetry = createTelemetry('netwatch-cloudtrail-events');
export const handler = sqsFunction(telemetry, async () =>
  sqsBatchHandler(await buildLambdaDeps('netwatch-cloudtrail-events', process.env, telemetry)),
);
