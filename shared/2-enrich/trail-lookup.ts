import type { LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import * as z from 'zod';
import type { Actor, ApiCall } from '../model/change.ts';
import { actorOf, parseRecord } from '../1-ingest/cloudtrail/record.ts';
import { Lru } from '../platform/lru.ts';
import { TokenBuckets } from '../platform/aws/rate-limit.ts';
import type { RetryOptions } from '../platform/aws/retry.ts';
import { errorSummary, withRetry } from '../platform/aws/retry.ts';

/**
 * Who made a Config change. A Config item names the CloudTrail events behind it in `relatedEvents`; LookupEvents with
 * the `EventId` attribute returns that event, whose `CloudTrailEvent` is the full record as a JSON string. The actor
 * is built by the CloudTrail normalizer's own `actorOf`, so a Config finding names its actor exactly as the
 * CloudTrail finding of the same change does.
 *
 * LookupEvents allows two requests per second per account and Region (more are throttled), so requests go through a
 * token bucket per account + region, results are cached (LRU, by event id; in-flight look-ups are shared), and
 * throttling is retried with backoff. Event history covers management events of the last 90 days.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Event.html
 */

/** The LookupEvents call for one region: the live SDK client (clients.ts) or recorded responses (recorded.ts). */
export type LookupEventsApi = (
  input: LookupEventsCommandInput & { region: string },
) => Promise<{ Events?: readonly unknown[] | undefined }>;

/** What a look-up found. */
export type ActorLookup =
  | { kind: 'found'; actor: Actor; api: ApiCall }
  | { kind: 'not-found'; detail: string }
  | { kind: 'failed'; detail: string };

/** Options of {@link TrailLookup}; defaults follow the API limits. */
export interface TrailLookupOptions {
  /** Requests per second per account + region (default 2, the LookupEvents limit). */
  ratePerSecond?: number;
  /** Cached look-ups (default 1000). */
  cacheSize?: number;
  retry?: RetryOptions;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const LookupEvent = z.lazy(() => z.object({ EventId: z.string().nullish(), CloudTrailEvent: z.string().nullish() }));

/** Looks up actors by CloudTrail event id, rate-limited and cached. One instance per process (Lambda cold start). */
export class TrailLookup {
  readonly #api: LookupEventsApi;
  readonly #buckets: TokenBuckets;
  readonly #cache: Lru<string, Promise<ActorLookup>>;
  readonly #retry: RetryOptions;
  /** LookupEvents requests sent (tests and `--stats`). */
  requests = 0;

  constructor(api: LookupEventsApi, options: TrailLookupOptions = {}) {
    this.#api = api;
    this.#buckets = new TokenBuckets(options.ratePerSecond ?? 2, {
      ...(options.now ? { now: options.now } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
    this.#cache = new Lru(options.cacheSize ?? 1000);
    this.#retry = { ...(options.sleep ? { sleep: options.sleep } : {}), ...options.retry };
  }

  /** The actor of CloudTrail event `eventId` in `account`/`region`. Never throws. Failures are not cached. */
  actorOf(eventId: string, account: string, region: string): Promise<ActorLookup> {
    const key = `${account}/${region}/${eventId}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const pending = this.#lookup(eventId, account, region).then((result) => {
      if (result.kind === 'failed') this.#cache.delete(key);
      return result;
    });
    this.#cache.set(key, pending);
    return pending;
  }

  async #lookup(eventId: string, account: string, region: string): Promise<ActorLookup> {
    let events: readonly unknown[];
    try {
      const { value } = await withRetry(async () => {
        await this.#buckets.take(`${account}/${region}`);
        this.requests += 1;
        return this.#api({
          region,
          LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: eventId }],
          MaxResults: 1,
        });
      }, this.#retry);
      events = value.Events ?? [];
    } catch (error) {
      return { kind: 'failed', detail: `LookupEvents failed for event ${eventId}: ${errorSummary(error)}` };
    }
    const event = events
      .map((e) => LookupEvent.safeParse(e))
      .find((r) => r.success && (r.data.EventId ?? eventId) === eventId);
    const text = event?.success ? event.data.CloudTrailEvent : undefined;
    if (text === undefined || text === null) {
      return {
        kind: 'not-found',
        detail: `CloudTrail event history has no event ${eventId} in ${account}/${region} (LookupEvents covers 90 days of management events)`,
      };
    }
    try {
      const record = parseRecord(JSON.parse(text) as unknown, {
        file: `LookupEvents:${eventId}`,
        path: '/CloudTrailEvent',
      });
      const actor = actorOf(record);
      if (actor === undefined) return { kind: 'not-found', detail: `CloudTrail event ${eventId} names no caller` };
      return { kind: 'found', actor, api: { source: record.eventSource, name: record.eventName } };
    } catch (error) {
      return {
        kind: 'failed',
        detail: `LookupEvents returned an unreadable CloudTrailEvent for ${eventId}: ${errorSummary(error)}`,
      };
    }
  }
}
