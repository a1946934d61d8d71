/** Org-trail S3 mode: CloudTrail delivery notifications (SNS → SQS) → log objects streamed from S3. Wiring only. */
import '../shared/lambda/zod-jitless.ts';
import { createAwsClients } from '../shared/platform/aws/clients.ts';
import { createTelemetry } from '../shared/lambda/cold-start.ts';
import { sqsFunction } from '../shared/lambda/sqs-function.ts';
import { buildLambdaDeps } from '../shared/lambda/deps.ts';
import { processCloudTrailDeliveryRecord } from '../shared/lambda/cloudtrail-s3.ts';
import { sqsBatchHandler } from '../shared/lambda/sqs-batch.ts';

const telemetry = createTelemetry('netwatch-cloudtrail-s3');
// The S3 client (and the SDK module behind it) is built by the first record that reads a log object, not at load.
export const handler = sqsFunction(telemetry, async () => {
  const clients = createAwsClients();
  return sqsBatchHandler(
    {
      ...(await buildLambdaDeps('netwatch-cloudtrail-s3', process.env, telemetry)),
      get s3() {
        return clients.s3;
      },
    },
    processCloudTrailDeliveryRecord,
  );
});
