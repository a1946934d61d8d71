/** Lambda function URL: HMAC-signed approvals pushed by the change system, into the approvals table. Wiring only. */
import '../shared/lambda/zod-jitless.ts';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { buildInbound, type FunctionUrlEvent } from '../shared/lambda/approvals.ts';
import { coldStart, createTelemetry } from '../shared/lambda/cold-start.ts';

const telemetry = createTelemetry('netwatch-approvals-inbound');
const inbound = coldStart(() => buildInbound(process.env, telemetry));

export const handler = middy(async (event: FunctionUrlEvent) => (await inbound())(event)).use(
  injectLambdaContext(telemetry.logger),
);
