/** Traffic evidence (evidence queue → Logs Insights over the flow logs → follow-up on the same page / ticket). Wiring only. */
import '../shared/lambda/zod-jitless.ts';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSEvent } from 'aws-lambda';
import { createAwsClients } from '../shared/platform/aws/clients.ts';
import { coldStart, createTelemetry } from '../shared/lambda/cold-start.ts';
import { evidenceBatchHandler, evidenceSettingsFromEnv } from '../shared/lambda/evidence-handler.ts';
import { buildDeliveryRuntime } from '../shared/lambda/runtime.ts';

const telemetry = createTelemetry('netwatch-traffic-evidence');
const batch = coldStart(async () => {
  const settings = evidenceSettingsFromEnv(process.env);
  const runtime = await buildDeliveryRuntime('netwatch-traffic-evidence', process.env, telemetry);
  const clients = createAwsClients();
  return evidenceBatchHandler({
    evidence: {
      get ec2() {
        return clients.ec2;
      },
      get logs() {
        return clients.logs;
      },
      timeoutMs: settings.timeoutMs,
      ...(settings.allowedLogGroups ? { allowedLogGroups: settings.allowedLogGroups } : {}),
      ...(settings.savedQueryName ? { savedQueryName: settings.savedQueryName } : {}),
    },
    delivery: runtime.delivery,
    approvals: runtime.approvals,
    exclude: settings.exclude,
    logger: runtime.logger,
    metrics: runtime.metrics,
    deadline: runtime.deadline,
  });
});

export const handler = middy(async (event: SQSEvent, context: Context) => (await batch())(event, context))
  .use(injectLambdaContext(telemetry.logger))
  .use(logMetrics(telemetry.metrics));
