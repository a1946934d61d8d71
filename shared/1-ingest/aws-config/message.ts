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

/**
 * The account and Region of an item that does not say them (older recorders, trimmed samples): from its ARN
 * (`arn:aws:ec2:eu-west-1:111122223333:…`), else `unknown`; each stand-in is listed in `assumed`.
 */
function placeOf<
  T extends { awsAccountId?: string | undefined; awsRegion?: string | undefined; ARN?: string | undefined },
>(item: T): Omit<T, 'awsAccountId' | 'awsRegion'> & { awsAccountId: string; awsRegion: string; assumed: string[] } {
  const parts = item.ARN?.split(':') ?? [];
  const assumed: string[] = [];
  let account = item.awsAccountId;
  if (account === undefined) {
    account = /^\d{12}$/.test(parts[4] ?? '') ? (parts[4] as string) : 'unknown';
    assumed.push(`awsAccountId missing: ${account === 'unknown' ? 'account unknown' : `${account}, from the ARN`}`);
  }
  let region = item.awsRegion;
  if (region === undefined) {
    region = parts[3] ? parts[3] : 'unknown';
    assumed.push(`awsRegion missing: ${region === 'unknown' ? 'region unknown' : `${region}, from the ARN`}`);
  }
  return { ...item, awsAccountId: account, awsRegion: region, assumed };
}

/**
 * One configuration item (`configurationItem`, or one element of the old list form). Required: what a decision reads
 * — the resource (type, id), when (capture time). Everything else may be missing, as in items from older recorders
 * and documentation examples: no status means a recorded item (`OK`); no `relationships` / `supplementaryConfiguration`
 * / `configuration` means unknown (never "none"); no account / Region comes from the ARN (`assumed` says so).
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationItem.html
 */
export const ConfigurationItemSchema = z.lazy(() =>
  z.preprocess(
    withAliases,
    z
      .object({
        resourceType: z.string().min(1),
        resourceId: z.string().min(1),
        configurationItemCaptureTime: z.string().min(1),
        awsAccountId: AccountId.nullish().transform((v) => v ?? undefined),
        awsRegion: optionalString,
        configurationItemStatus: ItemStatusSchema.nullish().transform((v) => v ?? 'OK'),
        resourceName: optionalString,
        ARN: optionalString,
        configuration: z.unknown().optional(),
        supplementaryConfiguration: z.unknown().optional(),
        relationships: z.unknown().optional(),
        tags: z.record(z.string(), z.unknown()).nullish(),
        relatedEvents: z.array(z.string()).nullish(),
      })
      .transform(placeOf),
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
        // A diff entry without its changeType says it by which side it has (Config writes all three, samples not).
        z
          .object({
            previousValue: z.unknown().optional(),
            updatedValue: z.unknown().optional(),
            changeType: z.enum(['CREATE', 'UPDATE', 'DELETE']).nullish(),
          })
          .transform((p) => ({
            previousValue: p.previousValue,
            updatedValue: p.updatedValue,
            changeType:
              p.changeType ??
              (p.previousValue == null
                ? ('CREATE' as const)
                : p.updatedValue == null
                  ? ('DELETE' as const)
                  : ('UPDATE' as const)),
          })),
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
      z
        .object({
          changeType: optionalString,
          configurationItemCaptureTime: z.string().min(1),
          awsAccountId: AccountId.nullish().transform((v) => v ?? undefined),
          awsRegion: optionalString,
          configurationItemStatus: ItemStatusSchema.nullish().transform((v) => v ?? 'OK'),
          resourceType: z.string().min(1),
          resourceId: z.string().min(1),
          resourceName: optionalString,
          ARN: optionalString,
        })
        .transform(placeOf),
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
  z
    .object({
      configRuleName: z.string().min(1),
      resourceType: z.string().min(1),
      resourceId: z.string().min(1),
      awsAccountId: AccountId.nullish().transform((v) => v ?? undefined),
      awsRegion: optionalString,
      newEvaluationResult: EvaluationResult,
      // The previous result only says what it was before: absent or unreadable = unknown (a first evaluation).
      oldEvaluationResult: EvaluationResult.nullish().catch(undefined),
      notificationCreationTime: optionalString,
    })
    .transform(placeOf),
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
