import type { InputLocation } from '../../platform/errors.ts';
import type { ChangeEvent, UninspectedDelta } from '../../model/change.ts';
import type { Normalized } from '../normalized.ts';
import { changes, ignored } from '../normalized.ts';
import { field, isRecord } from './field-case.ts';
import type { ExtractorLookup } from './item-change.ts';
import { notNetworkRelated } from './item-change.ts';
import { malformedAt } from './json-pointer.ts';
import { OversizedNotificationSchema, parseAt } from './message.ts';

/** The note every oversized change carries (a later enrichment step fetches the item and replaces it). */
export const OVERSIZED_NOTE = 'oversized item not inspected; fetch it with GetResourceConfigHistory';

/**
 * `OversizedConfigurationItemChangeNotification` → a change with one {@link UninspectedDelta}: Config sends only a
 * summary when the item exceeds the SNS size limit and writes the item to S3 (`s3DeliverySummary.s3BucketLocation`;
 * absent in rule invocations, and on EventBridge). Without the item there is nothing to diff, but a change to a
 * network resource must not vanish, so it is reported as uninspected. Other resource types are ignored.
 * @see https://docs.aws.amazon.com/config/latest/developerguide/example-oversized-configuration-item-change-notification.html
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_GetResourceConfigHistory.html
 */
export function normalizeOversized(
  message: Readonly<Record<string, unknown>>,
  where: InputLocation,
  lookup: ExtractorLookup,
): Normalized {
  const summary = message['configurationItemSummary'];
  if (!isRecord(summary))
    throw malformedAt(where, '/configurationItemSummary', 'oversized notification has no configurationItemSummary');
  const rawType = field(summary, 'resourceType');
  if (typeof rawType !== 'string' || rawType === '')
    throw malformedAt(where, '/configurationItemSummary/resourceType', 'oversized notification has no resourceType');
  const entry = lookup(rawType);
  if (entry === undefined) return ignored(notNetworkRelated(rawType));

  const m = parseAt(OversizedNotificationSchema, message, where, '', 'OversizedConfigurationItemChangeNotification');
  const s = m.configurationItemSummary;
  const delta: UninspectedDelta = { kind: 'uninspected', op: 'changed', reason: 'oversized' };
  if (m.s3DeliverySummary?.s3BucketLocation !== undefined) delta.location = m.s3DeliverySummary.s3BucketLocation;
  if (s.changeType !== undefined) delta.changeType = s.changeType;
  const notes = [OVERSIZED_NOTE];
  const error = m.s3DeliverySummary?.errorCode;
  if (error !== undefined)
    notes.push(
      `S3 delivery of the item failed: ${error}${m.s3DeliverySummary?.errorMessage ? ` (${m.s3DeliverySummary.errorMessage})` : ''}`,
    );
  const event: ChangeEvent = {
    id: `config:${entry.type}/${s.resourceId}@${s.configurationItemCaptureTime}`,
    source: 'config',
    at: s.configurationItemCaptureTime,
    account: s.awsAccountId,
    region: s.awsRegion,
    resource: {
      type: entry.type,
      id: s.resourceId,
      ...(s.ARN !== undefined ? { arn: s.ARN } : {}),
      ...(s.resourceName !== undefined ? { name: s.resourceName } : {}),
    },
    itemStatus: s.configurationItemStatus,
    deltas: [delta],
    notes,
  };
  return changes(event);
}
