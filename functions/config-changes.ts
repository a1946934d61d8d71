/** AWS Config notifications arriving SNS → SQS (also EventBridge → SQS). Wiring only: the pipeline is shared. */
import '../shared/lambda/zod-jitless.ts';
import { createTelemetry } from '../shared/lambda/cold-start.ts';
import { sqsFunction } from '../shared/lambda/sqs-function.ts';
import { buildLambdaDeps } from '../shared/lambda/deps.ts';
import { sqsBatchHandler } from '../shared/lambda/sqs-batch.ts';

const telemetry = createTelemetry('netwatch-config-changes');
export const handler = sqsFunction(telemetry, async () =>
  sqsBatchHandler(await buildLambdaDeps('netwatch-config-changes', process.env, telemetry)),
);
