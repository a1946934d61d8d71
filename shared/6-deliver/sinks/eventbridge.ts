import { sdk } from '../../platform/aws/sdk.ts';
import * as z from 'zod';
import { DeliveryError } from '../../platform/errors.ts';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import { awsDeliveryError } from './aws-error.ts';
import type { SinkDeps } from './deps.ts';
import { changeRecordJson } from './format/change-record.ts';
import type { Sink } from './sink.ts';

/**
 * EventBridge sink: one PutEvents entry per notice, `Detail` = the change record, so users route findings with
 * ordinary event patterns (`{"source": ["netwatch"], "detail": {"severity": ["critical"]}}`).
 *
 * PutEvents reports per-entry failures in a *successful* response (`FailedEntryCount`, `Entries[].ErrorCode`): an
 * unchecked call silently drops events. Throttling / internal entry errors are retryable, the rest are not.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html (256 KB entry size)
 */
export const eventBridgeSettingsSchema = z.strictObject({
  type: z.literal('eventbridge'),
  /** Bus name or ARN. */
  eventBusName: z.string().min(1).default('default'),
  source: z
    .string()
    .min(1)
    .max(256)
    .refine((s) => !s.startsWith('aws.'), 'the aws. prefix is reserved for AWS services')
    .default('netwatch'),
});

export type EventBridgeSettings = z.output<typeof eventBridgeSettingsSchema>;

export const FINDING_DETAIL_TYPE = 'Netwatch Finding';
/** A finding's traffic follow-up (the change record has `kind: evidence`). */
export const TRAFFIC_DETAIL_TYPE = 'Netwatch Traffic Evidence';
export const DIGEST_DETAIL_TYPE = 'Netwatch Digest';
/** Entry size limit; the budget leaves room for Source, DetailType, Resources and Time. */
const ENTRY_MAX_BYTES = 262_144;
const RETRYABLE_ENTRY_ERRORS = new Set([
  'ThrottlingException',
  'InternalFailure',
  'InternalException',
  'ServiceUnavailable',
]);

export class EventBridgeSink implements Sink {
  readonly kind = 'eventbridge';
  constructor(
    readonly name: string,
    private readonly settings: EventBridgeSettings,
    private readonly deps: Pick<SinkDeps, 'clients' | 'now'>,
  ) {}

  async deliver(notice: Notice | DigestNotice): Promise<void> {
    const now = (this.deps.now ?? (() => new Date()))();
    const { json } = changeRecordJson(
      notice,
      now,
      ENTRY_MAX_BYTES - 4_096,
      'shortened to fit the 256 KB EventBridge entry limit',
    );
    // `Resources` must hold ARNs: a record's odd `arn` would make PutEvents refuse the whole entry, every retry.
    const raw = notice.kind === 'finding' ? notice.finding.resource.arn : undefined;
    const arn = raw !== undefined && /^arn:aws[a-z-]*:[a-z0-9-]+:[^\s]{0,1500}$/.test(raw) ? raw : undefined;
    const at = new Date(notice.kind === 'finding' ? notice.finding.at : notice.windowEnd);
    let response: import('@aws-sdk/client-eventbridge').PutEventsCommandOutput;
    try {
      response = await this.deps.clients.eventBridge.send(
        new (sdk.eventBridge().PutEventsCommand)({
          Entries: [
            {
              Source: this.settings.source,
              DetailType:
                notice.kind === 'digest'
                  ? DIGEST_DETAIL_TYPE
                  : notice.traffic
                    ? TRAFFIC_DETAIL_TYPE
                    : FINDING_DETAIL_TYPE,
              Detail: json,
              EventBusName: this.settings.eventBusName,
              ...(arn !== undefined ? { Resources: [arn] } : {}),
              ...(Number.isNaN(at.getTime()) ? {} : { Time: at }),
            },
          ],
        }),
      );
    } catch (cause) {
      throw awsDeliveryError(this.name, `EventBridge PutEvents to ${this.settings.eventBusName}`, cause);
    }
    const failed =
      (response.FailedEntryCount ?? 0) > 0 ? response.Entries?.find((e) => e.ErrorCode !== undefined) : undefined;
    if ((response.FailedEntryCount ?? 0) > 0 || failed) {
      const code = failed?.ErrorCode ?? 'Unknown';
      throw new DeliveryError(
        this.name,
        `EventBridge rejected the event: ${code}${failed?.ErrorMessage ? `: ${failed.ErrorMessage}` : ''}`,
        { retryable: RETRYABLE_ENTRY_ERRORS.has(code) },
      );
    }
  }
}

export function createEventBridgeSink(name: string, settings: EventBridgeSettings, deps: SinkDeps): EventBridgeSink {
  return new EventBridgeSink(name, settings, deps);
}
