import { arnOf, type CfnTemplate, denyInsecureTransport, type Json, policyDocument, ref, sub } from './cfn.ts';
import type { StackParams } from './params.ts';
import type { FunctionInfo } from './resources.ts';

/**
 * Reconciliation from AWS Config (docs/reconciliation.md): the scheduled `reconcile` function (removed with
 * `reconcileSchedule=off`), its environment and the private bucket its first run writes the posture report to. Its
 * role is built with the others (deploy/stack/roles.ts `reconcileStatements`).
 */

/** The reconciliation function: its key in serverless.yml. */
export const RECONCILE_FUNCTION = 'reconcile';

/**
 * The posture reports bucket's name (account and Region make it unique in the partition): a CloudFormation `Fn::Sub`
 * value, also the reconcile function's `NETWATCH_REPORTS_BUCKET`.
 */
export function reportsBucketName(service: string, params: StackParams): Json {
  return sub(`${service}-${params.stage}-reports-\${AWS::AccountId}-\${AWS::Region}`);
}

/** The reconcile function's environment: which Regions (or which aggregator) it queries, where reports go. */
export function reconcileEnvironment(service: string, params: StackParams): Record<string, Json> {
  return {
    ...(params.reconcileRegions.length ? { NETWATCH_RECONCILE_REGIONS: params.reconcileRegions.join(',') } : {}),
    ...(params.reconcileAggregator ? { NETWATCH_RECONCILE_AGGREGATOR: params.reconcileAggregator } : {}),
    NETWATCH_REPORTS_BUCKET: reportsBucketName(service, params),
  };
}

/**
 * The first reconciliation's HTML report bucket: private, encrypted with the stack key, TLS only, reports kept 400
 * days. Only when the reconcile function is deployed.
 */
export function buildReportsBucket(
  service: string,
  params: StackParams,
  functions: readonly FunctionInfo[],
  keyArn: Json,
): CfnTemplate {
  if (!functions.some((f) => f.key === RECONCILE_FUNCTION)) return { Resources: {} };
  return {
    Resources: {
      ReportsBucket: {
        Type: 'AWS::S3::Bucket',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BucketName: reportsBucketName(service, params),
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              {
                ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
                BucketKeyEnabled: true,
              },
            ],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          LifecycleConfiguration: { Rules: [{ Id: 'expire-reports', Status: 'Enabled', ExpirationInDays: 400 }] },
        },
      },
      ReportsBucketPolicy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: ref('ReportsBucket'),
          PolicyDocument: policyDocument([
            denyInsecureTransport('s3:*', [arnOf('ReportsBucket'), sub('${ReportsBucket.Arn}/*')]),
          ]),
        },
      },
    },
    Outputs: {
      ReportsBucketName: {
        Description: 'Posture reports of the first reconciliation (posture/<time>.html)',
        Value: ref('ReportsBucket'),
      },
    },
  };
}
