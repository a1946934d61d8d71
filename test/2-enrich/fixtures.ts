import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GetResourceConfigHistoryCommandOutput } from '@aws-sdk/client-config-service';
import type { LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { RULES } from '../../rules/index.ts';
import { TrailLookup } from '../../shared/2-enrich/trail-lookup.ts';
import { liveConfigHistory, liveLookupEvents, liveResourceConfig } from '../../shared/2-enrich/live-clients.ts';
import { classifyValueAsync } from '../../shared/4-classify/classify.ts';
import type { EnrichDeps } from '../../shared/2-enrich/enrich.ts';
import { EMPTY_CONTEXT, type RuleContext } from '../../shared/model/rule.ts';
import { REPO_ROOT } from '../support/corpus.ts';

/**
 * Real-shaped API responses for the enrichment tests: the recorded bodies in aws-responses/ (raw API JSON: epoch-second
 * timestamps, `configuration` and `CloudTrailEvent` as JSON strings), turned into what SDK v3 returns (timestamps as
 * `Date`), so aws-sdk-client-mock hands the code exactly what a live client would.
 */
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

export const OVERSIZED_SG = 'sg-0a1b2c3d4e5f60718';
export const ACTOR_EVENT = 'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607';

export function json(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as Record<string, unknown>;
}

/** Epoch seconds → Date on the timestamp fields SDK v3 deserializes. */
function sdkDates<T>(value: T, keys: ReadonlySet<string>): T {
  if (Array.isArray(value)) return value.map((v: unknown) => sdkDates(v, keys)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        keys.has(k) && typeof v === 'number' ? new Date(v * 1000) : sdkDates(v, keys),
      ]),
    ) as T;
  }
  return value;
}

const META = {
  $metadata: {
    httpStatusCode: 200,
    requestId: '6e2c4d1a-8b3f-4a57-9c0e-1d2f3a4b5c6d',
    attempts: 1,
    totalRetryDelay: 0,
  },
};

/** GetResourceConfigHistory output for the oversized bastion SG, as the SDK returns it. */
export function historyResponse(): GetResourceConfigHistoryCommandOutput {
  const body = json(`aws-responses/GetResourceConfigHistory/${OVERSIZED_SG}.json`);
  return {
    ...sdkDates(
      body,
      new Set(['configurationItemCaptureTime', 'configurationItemDeliveryTime', 'resourceCreationTime']),
    ),
    ...META,
  } as GetResourceConfigHistoryCommandOutput;
}

/** LookupEvents output for one recorded event id, as the SDK returns it. */
export function lookupResponse(eventId: string): LookupEventsCommandOutput {
  return {
    ...sdkDates(json(`aws-responses/LookupEvents/${eventId}.json`), new Set(['EventTime'])),
    ...META,
  } as LookupEventsCommandOutput;
}

/** The LookupEvents response with the CloudTrail record's identity replaced (root, IAM user, …). */
export function lookupResponseAs(eventId: string, userIdentity: Record<string, unknown>): LookupEventsCommandOutput {
  const response = lookupResponse(eventId);
  const event = response.Events?.[0];
  if (event?.CloudTrailEvent)
    event.CloudTrailEvent = JSON.stringify({
      ...(JSON.parse(event.CloudTrailEvent) as Record<string, unknown>),
      userIdentity,
    });
  return response;
}

/** Enrichment against the (mocked) live SDK clients, with instant backoff. */
export function liveDeps(extra: Partial<EnrichDeps> = {}): EnrichDeps {
  const sleep = async () => {};
  return {
    configHistory: liveConfigHistory(),
    trail: new TrailLookup(liveLookupEvents(), { retry: { sleep } }),
    resources: liveResourceConfig(),
    retry: { sleep },
    ...extra,
  };
}

/** Run the async pipeline (what the Lambda functions run) over one input value. */
export function run(value: unknown, enrich: EnrichDeps, context: RuleContext = EMPTY_CONTEXT) {
  return classifyValueAsync(structuredClone(value), { file: 'test' }, { rules: RULES, context, enrich });
}
