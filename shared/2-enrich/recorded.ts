import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isObject } from '../platform/json.ts';
import type { ConfigHistoryApi } from './config-history.ts';
import type { SelectApi } from './inventory.ts';
import type { ResourceConfigApi } from './resource-lookup.ts';
import type { PrefixListEntriesApi } from './state-lookup.ts';
import type { LookupEventsApi } from './trail-lookup.ts';

/**
 * Recorded API responses standing in for live calls, so `netwatch replay --recorded-aws DIR` (and `npm start`) show
 * enrichment offline, with no AWS access. A directory holds one file per call, named by what was asked:
 *
 * - `GetResourceConfigHistory/<resourceId>.json` — the response body as the API returns it
 *   (`{"configurationItems": [...]}`, timestamps in epoch seconds, `configuration` a JSON string);
 * - `LookupEvents/<eventId>.json` — `{"Events": [{"EventId", "CloudTrailEvent": "<JSON string>", ...}]}`;
 * - `BatchGetResourceConfig/<resourceId>.json` — `{"baseConfigurationItems": [...]}` for that one resource (a batch
 *   request is answered by merging the files of its keys; keys without a file are `unprocessedResourceKeys`);
 * - `GetManagedPrefixListEntries/<prefixListId>.json` — `{"Entries": [{"Cidr": "…"}]}` (no pagination);
 * - `SelectResourceConfig/<page>.json` (`SelectAggregateResourceConfig/<aggregator>/<page>.json` in org mode) — one
 *   page of the advanced query, `{"Results": ["<row JSON>", …], "NextToken": "…"}`: the first page is `first.json`,
 *   each next one is named by the `NextToken` that leads to it.
 *
 * An error is recorded as the API's JSON error body, `{"__type": "ResourceNotDiscoveredException", "message": "..."}`,
 * and replayed as an error of that name. A call with no file is a `ResourceNotDiscoveredException` (Config) or an empty
 * `Events` list (CloudTrail), which is what the APIs answer for unknown ids.
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_GetResourceConfigHistory.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 * @see https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html (error `__type`)
 */

/** A recorded error body, replayed as a thrown error. */
class RecordedApiError extends Error {}

async function readRecorded(dir: string, operation: string, id: string): Promise<unknown> {
  // Ids are AWS ids (sg-…, uuids): anything that could leave the directory is refused.
  if (!/^[\w.:-]+$/.test(id)) return undefined;
  let text: string;
  try {
    text = await readFile(join(dir, operation, `${id}.json`), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const body = JSON.parse(text) as unknown;
  if (typeof body === 'object' && body !== null && '__type' in body) {
    const type = String(body.__type).split('#').pop() ?? 'Error';
    const message = 'message' in body ? String(body.message) : type;
    throw Object.assign(new RecordedApiError(message), { name: type });
  }
  return body;
}

/** GetResourceConfigHistory answered from `dir/GetResourceConfigHistory/<resourceId>.json`. */
export function recordedConfigHistory(dir: string): ConfigHistoryApi {
  return async (input) => {
    const body = await readRecorded(dir, 'GetResourceConfigHistory', input.resourceId ?? '');
    if (body === undefined) {
      throw Object.assign(
        new RecordedApiError(
          `Resource ${input.resourceId} of resourceType:${input.resourceType} is unknown or has not been discovered`,
        ),
        { name: 'ResourceNotDiscoveredException' },
      );
    }
    const items =
      isObject(body) && Array.isArray(body['configurationItems']) ? (body['configurationItems'] as unknown[]) : [];
    return { configurationItems: items.slice(0, input.limit ?? items.length) };
  };
}

/** LookupEvents answered from `dir/LookupEvents/<eventId>.json`. */
export function recordedLookupEvents(dir: string): LookupEventsApi {
  return async (input) => {
    const id = input.LookupAttributes?.find((a) => a.AttributeKey === 'EventId')?.AttributeValue ?? '';
    const body = await readRecorded(dir, 'LookupEvents', id);
    const events = isObject(body) && Array.isArray(body['Events']) ? (body['Events'] as unknown[]) : [];
    return { Events: events };
  };
}

/** BatchGetResourceConfig answered from `dir/BatchGetResourceConfig/<resourceId>.json`, one file per key. */
export function recordedResourceConfig(dir: string): ResourceConfigApi {
  return async (input) => {
    const items: unknown[] = [];
    for (const key of input.resourceKeys ?? []) {
      const body = await readRecorded(dir, 'BatchGetResourceConfig', key.resourceId ?? '');
      if (isObject(body) && Array.isArray(body['baseConfigurationItems']))
        items.push(...(body['baseConfigurationItems'] as unknown[]));
    }
    return { baseConfigurationItems: items };
  };
}

/** GetManagedPrefixListEntries answered from `dir/GetManagedPrefixListEntries/<prefixListId>.json`. */
export function recordedPrefixListEntries(dir: string): PrefixListEntriesApi {
  return async (input) => {
    const body = await readRecorded(dir, 'GetManagedPrefixListEntries', input.PrefixListId ?? '');
    if (body === undefined)
      throw Object.assign(new RecordedApiError(`The prefix list ID '${input.PrefixListId}' does not exist`), {
        name: 'InvalidPrefixListID.NotFound',
      });
    const entries = isObject(body) && Array.isArray(body['Entries']) ? (body['Entries'] as { Cidr?: string }[]) : [];
    return { Entries: entries };
  };
}

/**
 * The advanced query answered from `dir/SelectResourceConfig/<page>.json` (or `SelectAggregateResourceConfig/
 * <aggregator>/<page>.json`): `first` for the first page, the NextToken for the others. No file: an empty answer.
 */
export function recordedSelect(dir: string): SelectApi {
  return async (input) => {
    const page = input.NextToken ?? 'first';
    const body =
      input.ConfigurationAggregatorName !== undefined
        ? /^[\w.:-]+$/.test(input.ConfigurationAggregatorName)
          ? await readRecorded(join(dir, 'SelectAggregateResourceConfig'), input.ConfigurationAggregatorName, page)
          : undefined
        : await readRecorded(dir, 'SelectResourceConfig', page);
    if (!isObject(body)) return { Results: [] };
    // Rows are JSON strings as the API sends them; a recorded file may also hold them as objects (readable).
    const results = Array.isArray(body['Results'])
      ? (body['Results'] as unknown[]).map((r) => (typeof r === 'string' ? r : JSON.stringify(r)))
      : [];
    const token = typeof body['NextToken'] === 'string' ? body['NextToken'] : undefined;
    return { Results: results, ...(token !== undefined ? { NextToken: token } : {}) };
  };
}
