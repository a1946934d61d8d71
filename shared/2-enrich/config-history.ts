import type { GetResourceConfigHistoryCommandInput } from '@aws-sdk/client-config-service';
import * as z from 'zod';
import type { ItemPair } from '../1-ingest/aws-config/index.ts';
import type { RetryOptions } from '../platform/aws/retry.ts';
import { errorName, errorSummary, withRetry } from '../platform/aws/retry.ts';

/**
 * Fetching the two configuration items behind an oversized change. `OversizedConfigurationItemChangeNotification`
 * carries only a summary (the item is too large for SNS); `GetResourceConfigHistory` with `limit: 2`,
 * `chronologicalOrder: 'Reverse'` and `laterTime` = the summary's capture time returns the item the change produced and
 * the one before it, newest first. They are mapped to the notification's item shape here, then diffed by the Config
 * normalizer's own extractors (`deltasFromItems`), so an oversized change is judged exactly like a small one.
 *
 * The API's item differs from the notification's: `accountId`/`arn` (not `awsAccountId`/`ARN`), `configuration` is a
 * JSON *string*, `supplementaryConfiguration` a map of JSON strings, relationships name their label
 * `relationshipName` (not `name`), and times are timestamps (epoch seconds on the wire, `Date` in SDK v3).
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_GetResourceConfigHistory.html
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationItem.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/example-oversized-configuration-item-change-notification.html
 */

/** The GetResourceConfigHistory call: the live SDK client (clients.ts) or recorded responses (recorded.ts). */
export type ConfigHistoryApi = (
  input: GetResourceConfigHistoryCommandInput & { region: string },
) => Promise<{ configurationItems?: readonly unknown[] | undefined }>;

/** Which item to fetch: from the oversized summary. */
export interface ItemRequest {
  resourceType: string;
  resourceId: string;
  region: string;
  /** `configurationItemCaptureTime` of the summary (ISO-8601). */
  capturedAt: string;
}

/** How a fetch ended. `throttled` counts throttled attempts that were retried (or that exhausted the retries). */
export type ItemFetch =
  | { kind: 'fetched'; pair: ItemPair; throttled: number }
  | { kind: 'not-found'; detail: string }
  | { kind: 'failed'; detail: string; throttled: number };

/** Timestamps: `Date` from the SDK, epoch seconds in raw API JSON (recorded responses), or ISO text. */
const Timestamp = z.lazy(() =>
  z.union([z.date(), z.number(), z.string().min(1)]).transform((v, ctx) => {
    const date = v instanceof Date ? v : typeof v === 'number' ? new Date(v * 1000) : new Date(v);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: `not a timestamp: ${String(v)}` });
      return z.NEVER;
    }
    return date.toISOString();
  }),
);
const Text = z.lazy(() =>
  z
    .string()
    .nullish()
    .transform((v) => v ?? undefined),
);

/** The API's ConfigurationItem (only what the normalizer reads; everything else is ignored). */
const ApiItem = z.lazy(() =>
  z.object({
    resourceType: z.string().min(1),
    resourceId: z.string().min(1),
    resourceName: Text,
    arn: Text,
    accountId: z.string().min(1),
    awsRegion: z.string().min(1),
    configurationItemCaptureTime: Timestamp,
    configurationItemStatus: z.string().min(1),
    version: Text,
    configurationStateId: Text,
    configuration: z.string().nullish(),
    supplementaryConfiguration: z.record(z.string(), z.string()).nullish(),
    relationships: z
      .array(z.object({ resourceType: Text, resourceId: Text, resourceName: Text, relationshipName: Text }))
      .nullish(),
    tags: z.record(z.string(), z.string()).nullish(),
    relatedEvents: z.array(z.string()).nullish(),
  }),
);
type ApiItem = z.output<typeof ApiItem>;

/** A supplementary value is JSON text (`"{\"...\"}"`, `"true"`); kept as text when it is not JSON. */
function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The API's item in the notification's item shape (what the Config normalizer reads). */
export function toNotificationItem(item: ApiItem): Record<string, unknown> {
  return {
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    ...(item.resourceName !== undefined ? { resourceName: item.resourceName } : {}),
    ...(item.arn !== undefined ? { ARN: item.arn } : {}),
    awsAccountId: item.accountId,
    awsRegion: item.awsRegion,
    configurationItemCaptureTime: item.configurationItemCaptureTime,
    configurationItemStatus: item.configurationItemStatus,
    ...(item.version !== undefined ? { configurationItemVersion: item.version } : {}),
    ...(item.configurationStateId !== undefined ? { configurationStateId: item.configurationStateId } : {}),
    // A JSON string: the normalizer parses string configurations (and reports bad JSON at /current/configuration).
    configuration: item.configuration ?? null,
    supplementaryConfiguration: Object.fromEntries(
      Object.entries(item.supplementaryConfiguration ?? {}).map(([k, v]) => [k, parseJsonText(v)]),
    ),
    relationships: (item.relationships ?? []).map((r) => ({
      resourceType: r.resourceType,
      resourceId: r.resourceId,
      resourceName: r.resourceName ?? null,
      name: r.relationshipName,
    })),
    tags: item.tags ?? {},
    relatedEvents: item.relatedEvents ?? [],
  };
}

/** Clock skew tolerated between the summary's capture time and the newest history item (Config rounds to ms). */
const SAME_ITEM_MS = 1000;

/**
 * Fetch the item captured at `request.capturedAt` and its predecessor. Throttling is retried with backoff (bounded by
 * `retry.attempts`); `ResourceNotDiscoveredException` is `not-found`; anything else, an unreadable response, or a
 * history that does not hold the notified item yet (Config is eventually consistent) is `failed` with one line why.
 * Never throws: an oversized change must still produce a finding.
 */
export async function fetchItemPair(
  api: ConfigHistoryApi,
  request: ItemRequest,
  retry: RetryOptions = {},
): Promise<ItemFetch> {
  const input = {
    region: request.region,
    resourceType: request.resourceType as GetResourceConfigHistoryCommandInput['resourceType'],
    resourceId: request.resourceId,
    laterTime: new Date(request.capturedAt),
    chronologicalOrder: 'Reverse' as const,
    limit: 2,
  };
  let response: { configurationItems?: readonly unknown[] | undefined };
  let throttled = 0;
  try {
    const result = await withRetry(() => api(input), retry);
    response = result.value;
    throttled = result.throttled;
  } catch (error) {
    const attempts = (error as { throttledAttempts?: number }).throttledAttempts ?? 0;
    if (errorName(error) === 'ResourceNotDiscoveredException') {
      return {
        kind: 'not-found',
        detail: `AWS Config has no history of ${request.resourceType} ${request.resourceId} (${errorSummary(error)})`,
      };
    }
    const why = attempts > 0 ? ` after ${attempts} throttled attempt${attempts === 1 ? '' : 's'}` : '';
    return {
      kind: 'failed',
      detail: `GetResourceConfigHistory failed${why}: ${errorSummary(error)}`,
      throttled: attempts,
    };
  }
  const parsed = z.array(ApiItem).safeParse(response.configurationItems ?? []);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: 'failed',
      detail: `GetResourceConfigHistory returned an unreadable item at /${(issue?.path ?? []).join('/')}: ${issue?.message ?? 'invalid'}`,
      throttled,
    };
  }
  const [current, previous] = parsed.data;
  if (current === undefined) {
    return {
      kind: 'not-found',
      detail: `AWS Config history holds no item of ${request.resourceType} ${request.resourceId} up to ${request.capturedAt}`,
    };
  }
  const gap = new Date(request.capturedAt).getTime() - new Date(current.configurationItemCaptureTime).getTime();
  if (gap > SAME_ITEM_MS) {
    return {
      kind: 'failed',
      detail: `AWS Config history does not hold the item captured at ${request.capturedAt} yet (newest: ${current.configurationItemCaptureTime})`,
      throttled,
    };
  }
  const pair: ItemPair = { current: toNotificationItem(current) };
  if (previous !== undefined) pair.previous = toNotificationItem(previous);
  return { kind: 'fetched', pair, throttled };
}
