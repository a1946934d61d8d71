import type { GetManagedPrefixListEntriesCommandInput } from '@aws-sdk/client-ec2';
import { snapshotFromItem } from '../1-ingest/aws-config/index.ts';
import type { NetworkDelta } from '../model/change.ts';
import { Lru } from '../platform/lru.ts';
import type { RetryOptions } from '../platform/aws/retry.ts';
import { errorSummary, withRetry } from '../platform/aws/retry.ts';
import { notificationItemOf } from './config-history.ts';
import type { ResourceConfigApi } from './resource-lookup.ts';

/**
 * On-demand look-up of a resource's network state the state step has never seen (shared/3-state): a prefix list a
 * security group names, a group whose first change arrives through CloudTrail. Two sources, in order:
 * 1. AWS Config's current item, `BatchGetResourceConfig` — every kept type (groups, lists, route tables, ACLs,
 *    endpoints, endpoint services, gateways); the item is read by the Config normalizer's own extractors, so a
 *    fetched state and a notified one are the same thing, and its capture time orders it against the changes;
 * 2. for prefix lists Config does not record (AWS-managed ones such as `com.amazonaws.global.cloudfront.origin-facing`),
 *    EC2 `GetManagedPrefixListEntries` (paginated): the entries now.
 * Never throws: a look-up that fails is a value, and the state step then grades the worst case and says why.
 * Look-ups use the function's own credentials (its account); another account's resources are not found.
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_BatchGetResourceConfig.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetManagedPrefixListEntries.html
 */

/** GetManagedPrefixListEntries for one region: the live client (live-clients.ts) or recorded responses. */
export type PrefixListEntriesApi = (
  input: GetManagedPrefixListEntriesCommandInput & { region: string },
) => Promise<{ Entries?: readonly { Cidr?: string | undefined }[] | undefined; NextToken?: string | undefined }>;

/** What to look up. */
export interface StateLookupRequest {
  region: string;
  account: string;
  /** AWS type name (`AWS::EC2::PrefixList`). */
  resourceType: string;
  resourceId: string;
}

/** What a look-up found: the resource's state as `added` deltas, and when it was true. */
export type StateLookupResult =
  | {
      kind: 'found';
      /** ISO time the state was captured (Config) or read (EC2). */
      capturedAt: string;
      deleted: boolean;
      deltas: NetworkDelta[];
      /** Which call answered: `BatchGetResourceConfig`, `GetManagedPrefixListEntries`. */
      via: string;
    }
  | { kind: 'not-found'; detail: string }
  | { kind: 'failed'; detail: string };

/** The look-up the state step calls. */
export interface StateLookup {
  lookup(request: StateLookupRequest): Promise<StateLookupResult>;
}

/** Options of {@link ApiStateLookup}. */
export interface StateLookupOptions {
  resources?: ResourceConfigApi;
  prefixListEntries?: PrefixListEntriesApi;
  retry?: RetryOptions;
  /** Cached answers (default 500; in-flight look-ups are shared). */
  cacheSize?: number;
  now?: () => Date;
}

/** {@link StateLookup} over the Config and EC2 APIs (live or recorded). */
export class ApiStateLookup implements StateLookup {
  readonly #cache: Lru<string, Promise<StateLookupResult>>;
  /** Calls made, by API (tests, bench). */
  readonly calls = { batchGetResourceConfig: 0, getManagedPrefixListEntries: 0 };

  constructor(private readonly options: StateLookupOptions) {
    this.#cache = new Lru(options.cacheSize ?? 500);
  }

  lookup(request: StateLookupRequest): Promise<StateLookupResult> {
    const key = `${request.region}|${request.resourceId}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const pending = this.#lookup(request);
    this.#cache.set(key, pending);
    // Failures are not cached: the next change may succeed.
    void pending.then((r) => {
      if (r.kind === 'failed') this.#cache.delete(key);
    });
    return pending;
  }

  async #lookup(request: StateLookupRequest): Promise<StateLookupResult> {
    const fromConfig = await this.#config(request);
    if (fromConfig.kind === 'found' || request.resourceType !== 'AWS::EC2::PrefixList') return fromConfig;
    const fromEc2 = await this.#prefixList(request);
    if (fromEc2.kind === 'found') return fromEc2;
    return { kind: fromEc2.kind, detail: `${fromConfig.detail}; ${fromEc2.detail}` };
  }

  async #config(request: StateLookupRequest): Promise<StateLookupResult> {
    const api = this.options.resources;
    if (api === undefined) return { kind: 'not-found', detail: 'AWS Config look-ups are off' };
    this.calls.batchGetResourceConfig += 1;
    let items: readonly unknown[];
    try {
      const answer = await withRetry(
        () =>
          api({
            region: request.region,
            resourceKeys: [{ resourceType: request.resourceType as never, resourceId: request.resourceId }],
          }),
        this.options.retry ?? {},
      );
      items = answer.value.baseConfigurationItems ?? [];
    } catch (error) {
      return { kind: 'failed', detail: `BatchGetResourceConfig failed: ${errorSummary(error)}` };
    }
    for (const raw of items) {
      const item = notificationItemOf(raw);
      if (item === undefined || item['resourceId'] !== request.resourceId) continue;
      try {
        const found = snapshotFromItem(item, { file: `BatchGetResourceConfig:${request.resourceId}` });
        if (found === undefined) break;
        return {
          kind: 'found',
          capturedAt: found.capturedAt,
          deleted: found.snapshot.deleted,
          deltas: found.snapshot.deltas,
          via: 'BatchGetResourceConfig',
        };
      } catch (error) {
        return { kind: 'failed', detail: `BatchGetResourceConfig returned an unreadable item: ${errorSummary(error)}` };
      }
    }
    return {
      kind: 'not-found',
      detail: `AWS Config has no current item of ${request.resourceType} ${request.resourceId}`,
    };
  }

  async #prefixList(request: StateLookupRequest): Promise<StateLookupResult> {
    const api = this.options.prefixListEntries;
    if (api === undefined) return { kind: 'not-found', detail: 'EC2 look-ups are off' };
    const cidrs: string[] = [];
    let token: string | undefined;
    try {
      do {
        this.calls.getManagedPrefixListEntries += 1;
        const page = await withRetry(
          () =>
            api({
              region: request.region,
              PrefixListId: request.resourceId,
              ...(token !== undefined ? { NextToken: token } : {}),
            }),
          this.options.retry ?? {},
        );
        for (const e of page.value.Entries ?? []) if (e.Cidr !== undefined) cidrs.push(e.Cidr);
        token = page.value.NextToken;
      } while (token !== undefined && token !== '');
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      return {
        kind: /NotFound/.test(name) ? 'not-found' : 'failed',
        detail: `GetManagedPrefixListEntries failed: ${errorSummary(error)}`,
      };
    }
    return {
      kind: 'found',
      capturedAt: (this.options.now?.() ?? new Date()).toISOString(),
      deleted: false,
      deltas: cidrs.map((cidr) => ({ kind: 'prefix-list-entry', op: 'added', prefixListId: request.resourceId, cidr })),
      via: 'GetManagedPrefixListEntries',
    };
  }
}
