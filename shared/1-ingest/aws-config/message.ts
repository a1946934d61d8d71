import * as z from 'zod';
import type { InputLocation } from '../../platform/errors.ts';
import { isRecord, optionalString } from './field-case.ts';
import { malformedAt, pointer } from './json-pointer.ts';

/**
 * zod schemas for the AWS Config notification messages this source reads (the inner message: SNS `Message`,
 * EventBridge `detail`, or a Config rule's `invokingEvent`, already unwrapped by the envelope layer).
 * Only the fields Netwatch uses are declared; everything else passes unchecked, so a new Config field never breaks
 * parsing. Config writes `null` for absent values, which every optional field accepts.
 * @see https://docs.aws.amazon.com/config/latest/developerguide/notifications-for-AWS-Config.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/example-sns-notification.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/example-oversized-configuration-item-change-notification.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/example-config-rule-compliance-notification.html
 */

/**
 * Message types that carry no change to judge: delivery/snapshot/evaluation bookkeeping and periodic rule triggers.
 * Ignored with a reason rather than rejected.
 * @see https://docs.aws.amazon.com/config/latest/developerguide/notifications-for-AWS-Config.html
 */
export const IGNORED_MESSAGE_TYPES: ReadonlyMap<string, string> = new Map([
  ['ScheduledNotification', 'periodic Config rule trigger (ScheduledNotification) carries no change'],
  ['ConfigurationSnapshotDeliveryStarted', 'Config snapshot delivery notice carries no change'],
  ['ConfigurationSnapshotDeliveryCompleted', 'Config snapshot delivery notice carries no change'],
  ['ConfigurationSnapshotDeliveryFailed', 'Config snapshot delivery notice carries no change'],
  ['ConfigurationHistoryDeliveryCompleted', 'Config history delivery notice carries no change'],
  ['ConfigRulesEvaluationStarted', 'Config rule evaluation start notice carries no change'],
]);

/** `configurationItemStatus` values. @see https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationItem.html */
export const ItemStatusSchema = z.lazy(() =>
  z.enum(['OK', 'ResourceDiscovered', 'ResourceNotRecorded', 'ResourceDeleted', 'ResourceDeletedNotRecorded']),
);

/** Account ids are strings, but some producers write them as JSON numbers. */
const AccountId = z.lazy(() => z.union([z.string().min(1), z.number()]).transform(String));

/**
 * Items in the pre-1.2 docs format (`configurationItem` as a list) spell `accountId` and `arn`; current items
 * `awsAccountId` and `ARN`. The old names are accepted when the new ones are absent.
 */
function withAliases(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const out = { ...value };
  if (out['awsAccountId'] === undefined && out['accountId'] !== undefined) out['awsAccountId'] = out['accountId'];
  if (out['ARN'] === undefined && out['arn'] !== undefined) out['ARN'] = out['arn'];
  return out;
}

/** One configuration item (`configurationItem`, or one element of the old list form). */
export const ConfigurationItemSchema = z.lazy(() =>
  z.preprocess(
    withAliases,
    z.object({
      resourceType: z.string().min(1),
      resourceId: z.string().min(1),
      configurationItemCaptureTime: z.string().min(1),
      awsAccountId: AccountId,
      awsRegion: z.string().min(1),
      configurationItemStatus: ItemStatusSchema,
      resourceName: optionalString,
      ARN: optionalString,
      configuration: z.unknown(),
      supplementaryConfiguration: z.unknown(),
      relationships: z.unknown(),
      tags: z.record(z.string(), z.unknown()).nullish(),
      relatedEvents: z.array(z.string()).nullish(),
    }),
  ),
);
export type ConfigurationItem = z.output<typeof ConfigurationItemSchema>;

/** `configurationItemDiff` (null or absent in rule invocations and unchanged re-recordings). */
export const ConfigurationItemDiffSchema = z.lazy(() =>
  z.object({
    changeType: optionalString,
    changedProperties: z
      .record(
        z.string(),
        z.object({
          previousValue: z.unknown(),
          updatedValue: z.unknown(),
          changeType: z.enum(['CREATE', 'UPDATE', 'DELETE']),
        }),
      )
      .nullish()
      .transform((v) => v ?? {}),
  }),
);
export type ConfigurationItemDiff = z.output<typeof ConfigurationItemDiffSchema>;

/** `OversizedConfigurationItemChangeNotification`: a summary instead of the item, the item itself in S3. */
export const OversizedNotificationSchema = z.lazy(() =>
  z.object({
    configurationItemSummary: z.preprocess(
      withAliases,
      z.object({
        changeType: optionalString,
        configurationItemCaptureTime: z.string().min(1),
        awsAccountId: AccountId,
        awsRegion: z.string().min(1),
        configurationItemStatus: ItemStatusSchema,
        resourceType: z.string().min(1),
        resourceId: z.string().min(1),
        resourceName: optionalString,
        ARN: optionalString,
      }),
    ),
    s3DeliverySummary: z
      .object({ s3BucketLocation: optionalString, errorCode: optionalString, errorMessage: optionalString })
      .nullish()
      .transform((v) => v ?? undefined),
  }),
);

/** Compliance types as Config spells them. @see https://docs.aws.amazon.com/config/latest/APIReference/API_EvaluationResult.html */
export const ComplianceTypeSchema = z.lazy(() =>
  z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA']),
);

const EvaluationResult = z.lazy(() =>
  z.object({
    complianceType: ComplianceTypeSchema,
    annotation: optionalString,
    resultRecordedTime: optionalString,
    evaluationResultIdentifier: z.object({ orderingTimestamp: optionalString }).nullish(),
  }),
);

/**
 * `ComplianceChangeNotification` — the SNS message and the EventBridge "Config Rules Compliance Change" `detail`
 * share these fields (EventBridge's `oldEvaluationResult` is often absent).
 * @see https://docs.aws.amazon.com/config/latest/developerguide/monitor-config-with-cloudwatchevents.html
 */
export const ComplianceNotificationSchema = z.lazy(() =>
  z.object({
    configRuleName: z.string().min(1),
    resourceType: z.string().min(1),
    resourceId: z.string().min(1),
    awsAccountId: AccountId,
    awsRegion: z.string().min(1),
    newEvaluationResult: EvaluationResult,
    oldEvaluationResult: EvaluationResult.nullish(),
    notificationCreationTime: optionalString,
  }),
);

/** Parses `value` (found at `at` inside the message) or throws MalformedInputError naming the first bad field. */
export function parseAt<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: InputLocation,
  at: string,
  what: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw malformedAt(
    where,
    pointer(at, ...(issue?.path ?? [])),
    `${what}: ${issue?.message ?? 'invalid'}`,
    result.error,
  );
}
