import { tagsBeforeChange } from './tags-before.ts';
import type { InputLocation } from '../../platform/errors.ts';
import type { ChangeEvent, ResourceRef } from '../../model/change.ts';
import { kindOfType } from '../../model/state.ts';
import type { Normalized } from '../normalized.ts';
import { changes, ignored } from '../normalized.ts';
import type { Extractor } from './extractor.ts';
import { stateAccess } from './extractor.ts';
import { field, isRecord } from './field-case.ts';
import type { ItemState, Reconstructed } from './item-diff.ts';
import { reconstruct } from './item-diff.ts';
import { malformedAt, pointer } from './json-pointer.ts';
import type { ConfigurationItem } from './message.ts';
import { ConfigurationItemDiffSchema, ConfigurationItemSchema, parseAt } from './message.ts';
import { factsOf } from './relationships.ts';

/** A resource type Netwatch extracts deltas from, with its canonical spelling. */
export interface TypeEntry {
  type: string;
  extract: Extractor;
}

/** Finds the extractor for a resource type (case-insensitively: the 1.0 docs format writes `AWS::EC2::VOLUME`). */
export type ExtractorLookup = (resourceType: string) => TypeEntry | undefined;

/** Reason given for items of other types; shared with oversized notifications. */
export const notNetworkRelated = (resourceType: string): string => `resource type not network related: ${resourceType}`;

/**
 * `ConfigurationItemChangeNotification` (SNS message, EventBridge "Config Configuration Item Change" `detail`, or a
 * rule's `invokingEvent`) → one {@link ChangeEvent} per network-relevant item.
 *
 * The resource type is checked before the item is validated, so an unrelated type never fails on a shape we do not
 * care about. `configurationItem` may be a list (the pre-1.2 docs format); the message's single diff then applies
 * only when the list holds exactly one item. `configurationItemDiff` may be `null` or absent.
 * @see https://docs.aws.amazon.com/config/latest/developerguide/example-sns-notification.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_example-events.html
 */
export function normalizeItemChange(
  message: Readonly<Record<string, unknown>>,
  where: InputLocation,
  lookup: ExtractorLookup,
): Normalized {
  const raw = message['configurationItem'];
  if (raw === undefined || raw === null) {
    throw malformedAt(where, '/configurationItem', 'ConfigurationItemChangeNotification has no configurationItem');
  }
  const items: Array<[unknown, string]> = Array.isArray(raw)
    ? raw.map((item, i) => [item, pointer('/configurationItem', i)])
    : [[raw, '/configurationItem']];
  if (items.length === 0) throw malformedAt(where, '/configurationItem', 'configurationItem is an empty list');
  const diff = items.length === 1 ? message['configurationItemDiff'] : undefined;
  const results = items.map(([item, at]) => normalizeItem(item, at, diff, where, lookup));
  const found = results.flatMap((r) => (r.kind === 'changes' ? r.changes : []));
  return found.length > 0 ? changes(...found) : (results[0] as Normalized);
}

function normalizeItem(
  raw: unknown,
  at: string,
  rawDiff: unknown,
  where: InputLocation,
  lookup: ExtractorLookup,
): Normalized {
  if (!isRecord(raw)) throw malformedAt(where, at, 'configuration item is not an object');
  const rawType = raw['resourceType'];
  if (typeof rawType !== 'string' || rawType === '')
    throw malformedAt(where, pointer(at, 'resourceType'), 'configuration item has no resourceType');
  const entry = lookup(rawType);
  if (entry === undefined) return ignored(notNetworkRelated(rawType));

  const item = parseAt(ConfigurationItemSchema, raw, where, at, 'configuration item');
  const diff =
    rawDiff === undefined || rawDiff === null
      ? undefined
      : parseAt(ConfigurationItemDiffSchema, rawDiff, where, '/configurationItemDiff', 'configurationItemDiff');
  const states = reconstruct({
    status: item.configurationItemStatus,
    configuration: configurationObject(item.configuration, where, pointer(at, 'configuration')),
    supplementaryConfiguration: item.supplementaryConfiguration,
    relationships: item.relationships,
    diff,
    itemPointer: at,
    diffPointer: '/configurationItemDiff/changedProperties',
  });
  return changes(changeFromStates(entry, item, states, where, tagsBeforeChange(item, diff)));
}

/**
 * The {@link ChangeEvent} of one parsed item whose BEFORE and AFTER states are known (from the notification's diff,
 * or from two whole items: item-pair.ts). One place builds the event, so both paths give the same change.
 */
export function changeFromStates(
  entry: TypeEntry,
  item: ConfigurationItem,
  states: Reconstructed,
  where: InputLocation,
  tagsBefore?: Record<string, string>,
): ChangeEvent {
  const access = stateAccess(states, where);
  const common = {
    resourceType: entry.type,
    resourceId: item.resourceId,
    ...(item.resourceName !== undefined ? { resourceName: item.resourceName } : {}),
    ...(item.ARN !== undefined ? { arn: item.ARN } : {}),
    account: item.awsAccountId,
  };
  const deltas = entry.extract({
    ...common,
    lifecycle: states.lifecycle,
    before: states.before,
    after: states.after,
    read: access.read,
    fail: access.fail,
    skip: access.skip,
  });

  const event: ChangeEvent = {
    id: `config:${entry.type}/${item.resourceId}@${item.configurationItemCaptureTime}`,
    source: 'config',
    at: item.configurationItemCaptureTime,
    account: item.awsAccountId,
    region: item.awsRegion,
    resource: resourceRef(entry.type, item, states.after ?? states.before, tagsBefore),
    itemStatus: item.configurationItemStatus,
    deltas,
  };
  if (item.assumed.length > 0) event.assumed = [...item.assumed];
  if (access.skipped.length > 0) event.skipped = access.skipped.map((s) => `configuration ${s}`);
  const related = item.relatedEvents ?? [];
  if (related.length > 0) event.related = related;
  if (states.lifecycle === 'not-recorded')
    event.notes = ['AWS Config stopped recording this resource (ResourceNotRecorded): no configuration to compare'];
  const facts = factsOf(entry.type, item.relationships);
  if (facts !== undefined) event.facts = facts;
  // A Config item is the resource's whole configuration: for kinds whose state is kept, say so as a snapshot (the
  // same extractor, judging the AFTER side as if newly discovered, lists every rule / route / entry as `added`).
  if (kindOfType(entry.type) !== undefined && states.lifecycle !== 'not-recorded') {
    event.snapshot =
      states.after === undefined
        ? { deleted: true, deltas: [] }
        : {
            deleted: false,
            deltas: entry.extract({
              ...common,
              lifecycle: 'created',
              before: undefined,
              after: states.after,
              ...stateAccess({ before: undefined, after: states.after, origins: states.origins }, where),
            }),
          };
  }
  return event;
}

function resourceRef(
  type: string,
  item: ConfigurationItem,
  state: ItemState | undefined,
  tagsBefore: Record<string, string> | undefined,
): ResourceRef {
  const ref: ResourceRef = { type, id: item.resourceId };
  if (item.ARN !== undefined) ref.arn = item.ARN;
  if (item.resourceName !== undefined) ref.name = item.resourceName;
  const vpcId = field(state?.configuration, 'vpcId');
  if (typeof vpcId === 'string' && vpcId !== '') ref.vpcId = vpcId;
  const tags = Object.entries(item.tags ?? {}).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as const] : []));
  if (tags.length > 0) ref.tags = Object.fromEntries(tags);
  if (tagsBefore !== undefined) ref.tagsBefore = tagsBefore;
  return ref;
}

/**
 * `configuration` is an object for every network type, but Config JSON-encodes it as a string for some resource
 * types; accept both, and `null` (deleted / not recorded items).
 */
export function configurationObject(value: unknown, where: InputLocation, at: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch (cause) {
    throw malformedAt(where, at, 'configuration is a string but not JSON', cause);
  }
}
