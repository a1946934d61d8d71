/** Revert requests of the opt-in response (respond queue → this function). Wiring only. */
import '../shared/lambda/zod-jitless.ts';
import { createTelemetry } from '../shared/lambda/cold-start.ts';
import { sqsFunction } from '../shared/lambda/sqs-function.ts';
import { buildRespondDeps, respondBatchHandler } from '../shared/lambda/respond-handler.ts';

const telemetry = createTelemetry('netwatch-respond');
export const handler = sqsFunction(telemetry, async () =>
  respondBatchHandler(await buildRespondDeps('netwatch-respond', process.env, telemetry)),
);
