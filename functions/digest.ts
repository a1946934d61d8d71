/** Scheduled (every minute): sends one digest page per closed storm window. Wiring only. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { digestHandler } from '../shared/delivery/digest-handler.ts';
import { buildDeliveryRuntime } from '../shared/delivery/runtime.ts';
import { initOnce } from '../shared/lambda-init.ts';

export const handler = initOnce(async () => {
  const runtime = await buildDeliveryRuntime('netwatch-digest');
  return middy(digestHandler(runtime)).use(injectLambdaContext(runtime.logger)).use(logMetrics(runtime.metrics));
});
