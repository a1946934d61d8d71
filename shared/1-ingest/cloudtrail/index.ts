import * as z from 'zod';
import type { ChangeEvent } from '../../model/change.ts';
import type { ApiCallSpec } from '../../model/rule.ts';
import { MalformedInputError } from '../../platform/errors.ts';
import type { InputLocation } from '../../platform/errors.ts';
import { changes, ignored } from '../normalized.ts';
import type { Normalized } from '../normalized.ts';
import { Call } from './call.ts';
import type { CallEntry, ChangeItem } from './call.ts';
import { ENDPOINT_SERVICE_CALLS } from './endpoint-services.ts';
import { ENDPOINT_CALLS } from './endpoints.ts';
import { GATEWAY_CALLS } from './gateways.ts';
import { HYBRID_CALLS } from './hybrid.ts';
import { INTERFACE_CALLS } from './interfaces.ts';
import { LOAD_BALANCER_CALLS } from './load-balancers.ts';
import { LOGGING_CALLS } from './logging.ts';
import { NETWORK_ACL_CALLS } from './network-acls.ts';
import { PEERING_CALLS } from './peering.ts';
import { PREFIX_LIST_CALLS } from './prefix-lists.ts';
import { accountFromArn, actorOf, derivedEventId, parseRecord, regionInRecord } from './record.ts';
import type { CloudTrailRecord } from './record.ts';
import { ROUTE_CALLS } from './routes.ts';
import { SECURITY_GROUP_CALLS } from './security-groups.ts';
import { SUBNET_CALLS } from './subnets.ts';

/**
 * The CloudTrail source normalizer: one CloudTrail record (already out of its EventBridge / SNS / SQS / log-file
 * envelope) → {@link Normalized}. This directory is the only place that knows CloudTrail field names.
 *
 * Dispatch is data: every API family contributes rows (`eventSource` + `eventName` → handler, or → a reason to
 * ignore) and this file only looks them up, so adding an API never grows an if-chain.
 */

const ALL_ROWS: readonly CallEntry[] = [
  ...SECURITY_GROUP_CALLS,
  ...NETWORK_ACL_CALLS,
  ...ROUTE_CALLS,
  ...PREFIX_LIST_CALLS,
  ...GATEWAY_CALLS,
  ...ENDPOINT_CALLS,
  ...ENDPOINT_SERVICE_CALLS,
  ...PEERING_CALLS,
  ...HYBRID_CALLS,
  ...LOGGING_CALLS,
  ...SUBNET_CALLS,
  ...LOAD_BALANCER_CALLS,
  ...INTERFACE_CALLS,
];

const DISPATCH: ReadonlyMap<string, CallEntry> = new Map(ALL_ROWS.map((row) => [`${row.source}:${row.name}`, row]));

/**
 * Every `eventSource` + `eventName` this normalizer can turn into changes (rows that are deliberately ignored, such as
 * CreateSecurityGroup, are not listed). Rules declare subsets of it; the deploy stack builds EventBridge patterns
 * from it.
 */
export const CLOUDTRAIL_API_CALLS: ApiCallSpec[] = (() => {
  const bySource = new Map<string, string[]>();
  for (const row of ALL_ROWS) {
    if (!('handle' in row)) continue;
    const names = bySource.get(row.source) ?? [];
    if (!names.includes(row.name)) names.push(row.name);
    bySource.set(row.source, names);
  }
  return [...bySource].map(([source, names]) => ({ source, names }));
})();

/** Just enough to know what a record is, before deciding whether its details matter. */
const CoreSchema = z.lazy(() =>
  z.looseObject({
    eventSource: z.string().min(1),
    eventName: z.string().min(1),
    errorCode: z.unknown().optional(),
    eventType: z.unknown().optional(),
    eventCategory: z.unknown().optional(),
  }),
);

const SERVICE_HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/;
const READ_ONLY = /^(Describe|Get|List|Lookup|Search|BatchGet)/;

/**
 * Find the dispatch row. Some published samples redact `eventSource` (`"..."`); when the source is not a service host
 * name at all and exactly one handled row has that event name, that row is used and the change says so.
 */
function lookup(source: string, name: string): { row: CallEntry; note?: string } | undefined {
  const row = DISPATCH.get(`${source}:${name}`);
  if (row !== undefined) return { row };
  if (SERVICE_HOST.test(source)) return undefined;
  const byName = ALL_ROWS.filter((r) => r.name === name);
  if (byName.length !== 1) return undefined;
  return {
    row: byName[0]!,
    note: `eventSource '${source}' is not a service name (redacted?); matched ${byName[0]!.source} by eventName`,
  };
}

/** Failed calls and non-API copies changed nothing; returns the reason, or undefined for a real successful call. */
function notAChange(core: z.infer<typeof CoreSchema>): string | undefined {
  const { errorCode, eventType, eventCategory, eventName } = core;
  if (typeof errorCode === 'string' && errorCode !== '') return `${eventName} failed (${errorCode}): nothing changed`;
  // Network-activity copies (eventType AwsVpceEvent, eventCategory NetworkActivity) record a call seen through a VPC
  // endpoint, not a change; service events and insights are not API calls either.
  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-network-events.html
  if (typeof eventType === 'string' && eventType !== '' && eventType !== 'AwsApiCall')
    return `${eventName}: eventType ${eventType} is not an API call`;
  if (typeof eventCategory === 'string' && eventCategory !== '' && eventCategory !== 'Management')
    return `${eventName}: eventCategory ${eventCategory} is not a management event`;
  return undefined;
}

/**
 * The fields every change needs, once we know the call yields one. Only `eventTime` is required: it is when the change
 * happened, which approvals are judged against. A missing `eventID` (documentation examples, trimmed exports) gets a
 * deterministic id derived from the record — the same record always gets the same id, so a redelivery still dedups;
 * a missing `awsRegion` is read from an ARN in the record, else `unknown`. Each stand-in is said in `assumed`.
 */
function requireCommon(
  record: CloudTrailRecord,
  where: InputLocation,
): { eventID: string; eventTime: string; awsRegion: string; assumed: string[] } {
  if (!record.eventTime)
    throw new MalformedInputError(`${record.eventName}: eventTime missing`, {
      ...where,
      path: `${where.path ?? ''}/eventTime`,
    });
  const assumed: string[] = [];
  let eventID = record.eventID ?? '';
  if (eventID === '') {
    eventID = derivedEventId(record);
    assumed.push(`eventID missing: id ${eventID} derived from the record`);
  }
  let awsRegion = record.awsRegion ?? '';
  if (awsRegion === '') {
    awsRegion = regionInRecord(record) ?? 'unknown';
    assumed.push(
      `awsRegion missing: ${awsRegion === 'unknown' ? 'region unknown' : `${awsRegion}, from an ARN in the record`}`,
    );
  }
  return { eventID, eventTime: record.eventTime, awsRegion, assumed };
}

/** Many EC2 calls answer `{"_return": false}` (or `{"return": false}` wrapped) when nothing was done. */
function returnedFalse(call: Call): boolean {
  return call.response.field('_return').bool() === false || call.response.field('return').bool() === false;
}

/**
 * Normalize one CloudTrail record.
 * - not a CloudTrail record (no eventSource/eventName), or a handled call missing what it needs →
 *   throws {@link MalformedInputError} with `where.path` pointing into the record;
 * - failed calls (`errorCode`), non-API copies, read-only and unrelated calls, calls that changed nothing →
 *   `ignored(reason)`;
 * - otherwise one {@link ChangeEvent} per resource (`id` = eventID, or `eventID/resourceId` when several).
 */
export function normalizeCloudTrailRecord(record: unknown, where: InputLocation): Normalized {
  const core = CoreSchema.safeParse(record);
  if (!core.success) {
    const first = core.error.issues[0];
    const path = first === undefined ? '' : first.path.map((p) => `/${String(p)}`).join('');
    throw new MalformedInputError(
      'not a CloudTrail record: eventSource and eventName must be non-empty strings',
      { ...where, path: (where.path ?? '') + path },
      { cause: core.error },
    );
  }
  const { eventSource, eventName } = core.data;
  const skipped = notAChange(core.data);
  if (skipped !== undefined) return ignored(skipped);
  const found = lookup(eventSource, eventName);
  if (found === undefined) {
    return ignored(
      READ_ONLY.test(eventName)
        ? `${eventName}: read-only call`
        : `${eventSource} ${eventName}: not a network change Netwatch handles`,
    );
  }
  const { row, note } = found;
  if (!('handle' in row)) return ignored(`${eventName}: ${row.ignore}`);

  const parsed = parseRecord(record, where);
  const common = requireCommon(parsed, where);
  const call = new Call(parsed, where);
  if (returnedFalse(call)) return ignored(`${eventName} returned false: nothing changed`);
  const outcome = row.handle(call);
  if (outcome.kind === 'ignored') return ignored(outcome.reason);

  const actor = actorOf(parsed);
  const recordAccount = call.account;
  const several = outcome.items.length > 1;
  return changes(
    ...outcome.items.map((item: ChangeItem): ChangeEvent => {
      const notes = [...(note !== undefined ? [note] : []), ...(item.notes ?? [])];
      let account = recordAccount ?? item.accountHint ?? accountFromArn(item.resource.arn);
      if (account === undefined) {
        account = 'unknown';
        notes.push('account not in the record (trimmed): recipientAccountId and userIdentity.accountId absent');
      }
      const change: ChangeEvent = {
        id: several ? `${common.eventID}/${item.resource.id}` : common.eventID,
        source: 'cloudtrail',
        at: common.eventTime,
        account,
        region: common.awsRegion,
        resource: item.resource,
        api: { source: row.source, name: eventName },
        deltas: item.deltas,
      };
      if (actor !== undefined) change.actor = actor;
      if (notes.length > 0) change.notes = notes;
      if (call.skipped.length > 0) change.skipped = [...call.skipped];
      if (common.assumed.length > 0) change.assumed = common.assumed;
      return change;
    }),
  );
}
