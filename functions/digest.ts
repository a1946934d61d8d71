/** Scheduled (every minute): sends one digest page per closed storm window. Wiring only. */
import '../shared/lambda/zod-jitless.ts';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { coldStart, createTelemetry } from '../shared/lambda/cold-start.ts';
import { digestHandler } from '../shared/lambda/digest-handler.ts';
import { buildDeliveryRuntime } from '../shared/lambda/runtime.ts';
import type { Context } from 'aws-lambda';

const telemetry = createTelemetry('netwatch-digest');
const digest = coldStart(async () =>
  digestHandler(await buildDeliveryRuntime('netwatch-digest', process.env, telemetry)),
);

export const handler = middy(async (_event: unknown, context: Context) => (await digest())(context))
  .use(injectLambdaContext(telemetry.logger))
  .use(logMetrics(telemetry.metrics));
