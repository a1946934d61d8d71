import type { InputLocation } from '../../platform/errors.ts';
import type { Normalized } from '../normalized.ts';
import { changes, ignored } from '../normalized.ts';
import { isRecord } from './field-case.ts';
import type { ItemState, Lifecycle, Reconstructed } from './item-diff.ts';
import { itemState, Origins } from './item-diff.ts';
import type { ExtractorLookup } from './item-change.ts';
import { changeFromStates, configurationObject, notNetworkRelated } from './item-change.ts';
import { malformedAt, pointer } from './json-pointer.ts';
import { tagsOfPrevious } from './tags-before.ts';
import type { ConfigurationItem } from './message.ts';
import { ConfigurationItemSchema, parseAt } from './message.ts';

/**
 * Two whole configuration items of one resource — the one before the change and the one it produced — in the
 * notification's item shape, the way `GetResourceConfigHistory` returns them once mapped (shared/2-enrich/config-history.ts).
 */
export interface ItemPair {
  /** The item before the change; `undefined` when the history holds none (the resource was just discovered). */
  previous?: unknown;
  current: unknown;
}

const DELETED = new Set(['ResourceDeleted', 'ResourceDeletedNotRecorded']);

/**
 * Deltas from two whole items, through the same per-type extractors as a change notification: BEFORE is the previous
 * item, AFTER the current one, so there is no diff to invert. This is how an oversized change (whose notification
 * carries only a summary) is inspected once its items are fetched. `where.path` of errors points at `/current/…` or
 * `/previous/…`.
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_GetResourceConfigHistory.html
 */
export function normalizeItemPair(pair: ItemPair, where: InputLocation, lookup: ExtractorLookup): Normalized {
  if (!isRecord(pair.current)) throw malformedAt(where, '/current', 'configuration item is not an object');
  const rawType = pair.current['resourceType'];
  if (typeof rawType !== 'string' || rawType === '')
    throw malformedAt(where, '/current/resourceType', 'configuration item has no resourceType');
  const entry = lookup(rawType);
  if (entry === undefined) return ignored(notNetworkRelated(rawType));

  const current = parseAt(ConfigurationItemSchema, pair.current, where, '/current', 'configuration item');
  const previous =
    pair.previous === undefined
      ? undefined
      : parseAt(ConfigurationItemSchema, pair.previous, where, '/previous', 'previous configuration item');
  if (
    previous !== undefined &&
    (previous.resourceId !== current.resourceId ||
      previous.resourceType.toLowerCase() !== current.resourceType.toLowerCase())
  ) {
    throw malformedAt(
      where,
      '/previous/resourceId',
      `previous item is ${previous.resourceType} ${previous.resourceId}, not ${current.resourceType} ${current.resourceId}`,
    );
  }
  const origins = new Origins();
  const state = (item: ConfigurationItem, at: string): ItemState | undefined =>
    item.configuration === null || item.configuration === undefined
      ? undefined
      : itemState(
          { ...item, configuration: configurationObject(item.configuration, where, pointer(at, 'configuration')) },
          at,
          origins,
        );
  const before =
    previous === undefined || DELETED.has(previous.configurationItemStatus) ? undefined : state(previous, '/previous');
  const lifecycle = lifecycleOf(current.configurationItemStatus, before);
  const after = lifecycle === 'deleted' || lifecycle === 'not-recorded' ? undefined : state(current, '/current');
  const states: Reconstructed = {
    lifecycle,
    before: lifecycle === 'not-recorded' ? undefined : before,
    after,
    origins,
  };
  return changes(changeFromStates(entry, current, states, where, tagsOfPrevious(previous)));
}

function lifecycleOf(status: ConfigurationItem['configurationItemStatus'], before: ItemState | undefined): Lifecycle {
  if (status === 'ResourceNotRecorded') return 'not-recorded';
  if (DELETED.has(status)) return 'deleted';
  if (status === 'ResourceDiscovered' || before === undefined) return 'created';
  return 'updated';
}
