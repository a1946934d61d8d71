import { deltasFromItems } from '../1-ingest/aws-config/index.ts';
import type { ChangeEvent } from '../model/change.ts';
import { RESOURCE_TYPE_OF, STATEFUL_KINDS, kindOfType } from '../model/state.ts';
import { isObject } from '../platform/json.ts';
import { TokenBuckets } from '../platform/aws/rate-limit.ts';
import { errorSummary, withRetry, type RetryOptions } from '../platform/aws/retry.ts';

/**
 * The current state of the network resource types, read from AWS Config's own store with an advanced query — no
 * crawler of our own: `SelectResourceConfig` in one account and Region, `SelectAggregateResourceConfig` over a
 * configuration aggregator (an organisation's accounts and Regions). One query covers every kept type
 * (`resourceType IN (…)`), paginated by `NextToken` at 100 rows a page (the API's maximum), spaced by a token bucket
 * and retried with backoff on throttling. Each row is read by the Config normalizer's own extractors
 * (`deltasFromItems`), so a reconciled state and a notified one are the same thing.
 *
 * Advanced query returns recorded resources only (never `ResourceNotRecorded` ones) and selects nested properties
 * (`configuration`, `relationships`, `tags` as a list) as JSON objects inside each result string.
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_SelectResourceConfig.html
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_SelectAggregateResourceConfig.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/querying-AWS-resources.html (limitations)
 */

/** One page request of the advanced query (live client or recorded responses). */
export type SelectApi = (input: {
  region: string;
  Expression: string;
  Limit: number;
  NextToken?: string;
  /** Set: `SelectAggregateResourceConfig` over this aggregator; absent: `SelectResourceConfig`. */
  ConfigurationAggregatorName?: string;
}) => Promise<{ Results?: readonly string[] | undefined; NextToken?: string | undefined }>;

/** The resource types reconciliation reads: every kind whose state is kept. */
export const INVENTORY_TYPES: readonly string[] = STATEFUL_KINDS.map((k) => RESOURCE_TYPE_OF[k]);

/** The one query: every property the extractors read, for every kept type. */
export function inventoryExpression(types: readonly string[] = INVENTORY_TYPES): string {
  return [
    'SELECT resourceId, resourceType, resourceName, arn, accountId, awsRegion, configurationItemCaptureTime,',
    'configurationItemStatus, configuration, supplementaryConfiguration, relationships, tags',
    `WHERE resourceType IN (${types.map((t) => `'${t}'`).join(', ')})`,
  ].join(' ');
}

/** Options of {@link readInventory}. */
export interface InventoryOptions {
  api: SelectApi;
  /** The Region the API is called in (the aggregator's Region in org mode). */
  region: string;
  /** An aggregator name: org mode. */
  aggregator?: string;
  /** Requests per second (default 1: AWS publishes no rate for advanced queries; a daily run has time). */
  ratePerSecond?: number;
  retry?: RetryOptions;
  /** Rows per page (1-100, default 100). */
  pageSize?: number;
  /** Stop after this many pages (a guard against a runaway NextToken loop; default 2,000 = 200,000 rows). */
  maxPages?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What the query read. */
export interface Inventory {
  /** One change per resource: a Config snapshot of its current state (`snapshot`), no deltas. */
  items: ChangeEvent[];
  /** Requests sent (pages, retries included) and how many were throttled. */
  requests: number;
  throttled: number;
  /** Rows that could not be read (the rest were): type, id, why. */
  errors: string[];
  /** The (account, Region, kind) scopes the query returned at least one resource of. */
  scopes: Set<string>;
}

/** The key of a scope: `account|region|kind`. */
export const scopeKey = (account: string, region: string, kind: string): string => `${account}|${region}|${kind}`;

/**
 * Read the current state of every kept resource type. Throws when a page fails after its retries (the run fails and
 * the next one starts over: a partial inventory would close the episodes of resources it did not reach).
 */
export async function readInventory(options: InventoryOptions): Promise<Inventory> {
  const bucket = new TokenBuckets(options.ratePerSecond ?? 1, {
    ...(options.now !== undefined ? { now: options.now } : {}),
    ...(options.sleep !== undefined ? { sleep: options.sleep } : {}),
  });
  const key = options.aggregator ?? options.region;
  const expression = inventoryExpression();
  const result: Inventory = { items: [], requests: 0, throttled: 0, errors: [], scopes: new Set() };
  const maxPages = options.maxPages ?? 2000;
  let token: string | undefined;
  let pages = 0;
  do {
    pages += 1;
    if (pages > maxPages) throw new Error(`advanced query: more than ${maxPages} pages; stopped (raise maxPages)`);
    const page = await withRetry(
      async () => {
        await bucket.take(key);
        result.requests += 1;
        return options.api({
          region: options.region,
          Expression: expression,
          Limit: Math.min(100, Math.max(1, options.pageSize ?? 100)),
          ...(token !== undefined ? { NextToken: token } : {}),
          ...(options.aggregator !== undefined ? { ConfigurationAggregatorName: options.aggregator } : {}),
        });
      },
      { attempts: 8, baseMs: 500, maxMs: 20_000, ...options.retry },
    ).catch((error: unknown) => {
      const throttled = (error as { throttledAttempts?: number }).throttledAttempts ?? 0;
      result.throttled += throttled;
      throw new Error(
        `${options.aggregator !== undefined ? 'SelectAggregateResourceConfig' : 'SelectResourceConfig'} failed${throttled ? ` (throttled ${throttled} times)` : ''}: ${errorSummary(error)}`,
        { cause: error },
      );
    });
    result.throttled += page.throttled;
    for (const [i, text] of (page.value.Results ?? []).entries()) {
      const change = rowChange(text, `page ${pages} row ${i}`, result.errors);
      if (change === undefined) continue;
      result.items.push(change);
      const kind = kindOfType(change.resource.type);
      if (kind !== undefined) result.scopes.add(scopeKey(change.account, change.region, kind));
    }
    token = page.value.NextToken || undefined;
  } while (token !== undefined);
  return result;
}

/** One result row (a JSON string) → the change of its current state, or undefined (error recorded). */
function rowChange(text: string, where: string, errors: string[]): ChangeEvent | undefined {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    errors.push(`${where}: not JSON`);
    return undefined;
  }
  if (!isObject(row)) {
    errors.push(`${where}: not an object`);
    return undefined;
  }
  // Advanced query lists tags as [{key, value}]; the notification item shape is a map.
  const tags = Array.isArray(row['tags'])
    ? Object.fromEntries(
        row['tags'].flatMap((t) =>
          isObject(t) && typeof t['key'] === 'string' ? [[t['key'], String(t['value'] ?? '')]] : [],
        ),
      )
    : isObject(row['tags'])
      ? row['tags']
      : {};
  const relationships = Array.isArray(row['relationships'])
    ? row['relationships'].map((r) => (isObject(r) ? { ...r, name: r['name'] ?? r['relationshipName'] ?? null } : r))
    : [];
  const item = { ...row, tags, relationships, configurationItemStatus: row['configurationItemStatus'] ?? 'OK' };
  const id = typeof row['resourceId'] === 'string' ? row['resourceId'] : '?';
  try {
    const normalized = deltasFromItems({ current: item }, { file: `advanced-query ${where} (${id})` });
    if (normalized.kind !== 'changes') return undefined;
    const change = normalized.changes[0];
    if (change?.snapshot === undefined) return undefined;
    // Judged on its snapshot only: what changed is told by comparing with the kept state.
    return { ...change, id: `reconcile:${change.resource.type}/${change.resource.id}@${change.at}`, deltas: [] };
  } catch (error) {
    errors.push(`${where} (${id}): ${errorSummary(error)}`);
    return undefined;
  }
}
