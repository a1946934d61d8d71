/** Traffic evidence (evidence queue → Logs Insights over the flow logs → follow-up on the same page / ticket). Wiring only. */
import '../shared/lambda/zod-jitless.ts';
import { createAwsClients } from '../shared/platform/aws/clients.ts';
import { createTelemetry } from '../shared/lambda/cold-start.ts';
import { sqsFunction } from '../shared/lambda/sqs-function.ts';
import { evidenceBatchHandler, evidenceSettingsFromEnv } from '../shared/lambda/evidence-handler.ts';
import { buildDeliveryRuntime } from '../shared/lambda/runtime.ts';

const telemetry = createTelemetry('netwatch-traffic-evidence');
export const handler = sqsFunction(telemetry, async () => {
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
