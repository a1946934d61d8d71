/** Scheduled: the approved change requests of the config's `approvals.sync` sources into the approvals table. Wiring only. */
import '../shared/lambda/zod-jitless.ts';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { approvalsSyncHandler, buildSyncRuntime } from '../shared/lambda/approvals.ts';
import { coldStart, createTelemetry } from '../shared/lambda/cold-start.ts';

const telemetry = createTelemetry('netwatch-approvals-sync');
const sync = coldStart(async () => approvalsSyncHandler(await buildSyncRuntime(process.env, telemetry)));

export const handler = middy(async () => (await sync())())
  .use(injectLambdaContext(telemetry.logger))
  .use(logMetrics(telemetry.metrics));
