import { findKey, isRecord, lowerFirst } from './field-case.ts';
import { pointer } from './json-pointer.ts';
import type { ItemStatus } from '../../model/change.ts';

/**
 * Reconstructs the BEFORE state of a Config item from its AFTER state and `configurationItemDiff`, so every resource
 * type is diffed the same way: normalize both sides into canonical sets, then take set differences. No per-type diff
 * code, and nothing is judged from the diff's free-form fragments alone.
 *
 * Config's diff: `changedProperties` maps a PascalCase path (`Configuration.IpPermissions.1`,
 * `Configuration.PolicyDocument`, `Relationships.0`, `SupplementaryConfiguration.Tags.0`, or `Configuration` alone
 * for a whole item) to `{previousValue, updatedValue, changeType: CREATE | UPDATE | DELETE}`. For list elements the
 * index of a CREATE/UPDATE is the position in the NEW list and the index of a DELETE the position in the OLD list, so
 * list elements are matched by value, not by index (index only as a fallback, see {@link reconstruct}).
 * @see https://docs.aws.amazon.com/config/latest/developerguide/example-sns-notification.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/config-concepts.html#config-items
 */

/** One entry of `configurationItemDiff.changedProperties`. */
export interface ChangedProperty {
  previousValue?: unknown;
  updatedValue?: unknown;
  changeType: 'CREATE' | 'UPDATE' | 'DELETE';
}

/** The parts of a Config item a delta can depend on. */
export interface ItemState {
  configuration: Record<string, unknown>;
  supplementaryConfiguration: Record<string, unknown>;
  relationships: unknown[];
}

/**
 * How the item's life moved: `created` (discovered, judged on its whole state), `updated` (diff applied),
 * `unchanged` (status OK without a diff: nothing changed, nothing re-pages), `deleted`, `not-recorded`
 * (`ResourceNotRecorded`: Config stopped recording the type, no configuration).
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationItem.html (configurationItemStatus)
 */
export type Lifecycle = 'created' | 'updated' | 'unchanged' | 'deleted' | 'not-recorded';

export interface ReconstructInput {
  status: ItemStatus;
  configuration?: unknown;
  supplementaryConfiguration?: unknown;
  relationships?: unknown;
  diff: { changeType?: string | undefined; changedProperties: Readonly<Record<string, ChangedProperty>> } | undefined;
  /** JSON pointer of the configuration item inside the message (`/configurationItem` or `/configurationItem/0`). */
  itemPointer: string;
  /** JSON pointer of `changedProperties` inside the message. */
  diffPointer: string;
}

export interface Reconstructed {
  lifecycle: Lifecycle;
  /** `undefined`: the resource did not exist (or its earlier state is unknown). */
  before: ItemState | undefined;
  /** `undefined`: the resource no longer exists. */
  after: ItemState | undefined;
  /** Where each reconstructed value came from, to report a bad value at its real place in the message. */
  origins: Origins;
}

/**
 * Provenance of reconstructed values: object/array nodes and single slots (a primitive put back from a
 * `previousValue`) map to the JSON pointer they were copied from.
 */
export class Origins {
  readonly #nodes = new WeakMap<object, string>();
  readonly #slots = new WeakMap<object, Map<string, string>>();

  setNode(node: object, at: string): void {
    this.#nodes.set(node, at);
  }
  node(node: unknown): string | undefined {
    return typeof node === 'object' && node !== null ? this.#nodes.get(node) : undefined;
  }
  setSlot(parent: object, key: PropertyKey, at: string): void {
    const slots = this.#slots.get(parent) ?? new Map<string, string>();
    slots.set(String(key), at);
    this.#slots.set(parent, slots);
  }

  /** The message pointer of the value at `path` (zod issue path) below `root`. */
  locate(root: unknown, path: ReadonlyArray<PropertyKey>): string {
    let best = this.node(root) ?? '';
    let rest: PropertyKey[] = [];
    let node: unknown = root;
    for (const segment of path) {
      const slot = typeof node === 'object' && node !== null ? this.#slots.get(node)?.get(String(segment)) : undefined;
      const child = childOf(node, segment);
      const origin = this.node(child) ?? slot;
      if (origin !== undefined) {
        best = origin;
        rest = [];
      } else {
        rest.push(segment);
      }
      node = child;
    }
    return pointer(best, ...rest);
  }
}

function childOf(node: unknown, segment: PropertyKey): unknown {
  if (Array.isArray(node)) return node[Number(segment)];
  if (!isRecord(node)) return undefined;
  const key = findKey(node, String(segment));
  return key === undefined ? undefined : node[key];
}

const DELETED: ReadonlySet<ItemStatus> = new Set(['ResourceDeleted', 'ResourceDeletedNotRecorded']);

/** The diff key roots we reconstruct; `Tags.*`, `ARN`, `ResourceName`… do not matter to network deltas. */
const ROOTS: Readonly<Record<string, keyof ItemState>> = {
  configuration: 'configuration',
  supplementaryconfiguration: 'supplementaryConfiguration',
  relationships: 'relationships',
};

/**
 * Builds BEFORE and AFTER from one item. Rules:
 * - `ResourceDiscovered`, or a diff whose own `changeType` is `CREATE`: BEFORE = nothing (judged on the whole state).
 * - `ResourceDeleted`: AFTER = nothing; BEFORE from the diff's whole-`Configuration` DELETE when Config sent one.
 * - status `OK` without a diff: BEFORE = AFTER (no deltas; a re-recorded item never re-pages).
 * - otherwise BEFORE = AFTER with each changed property inverted: CREATE removed, DELETE put back, UPDATE rolled back.
 *
 * When a CREATE/UPDATE's `updatedValue` is not found in the AFTER list (a hand-edited or inconsistent sample), the diff
 * wins: the element at the diff's index is taken to be `updatedValue` on the AFTER side too. The diff is Config's
 * statement of what changed; without this, a list whose element was replaced would show no change at all.
 */
export function reconstruct(input: ReconstructInput): Reconstructed {
  const origins = new Origins();
  const diff = input.diff;
  const properties = diff ? Object.entries(diff.changedProperties) : [];
  if (input.status === 'ResourceNotRecorded')
    return { lifecycle: 'not-recorded', before: undefined, after: undefined, origins };

  if (DELETED.has(input.status)) {
    const touchesState = properties.some(([key]) => ROOTS[(key.split('.')[0] ?? '').toLowerCase()] === 'configuration');
    if (!touchesState) return { lifecycle: 'deleted', before: undefined, after: undefined, origins };
    const before = emptyState(input.itemPointer, origins);
    const existed = applyInverse(before, new WeakMap(), properties, input.diffPointer, origins);
    return { lifecycle: 'deleted', before: existed ? before : undefined, after: undefined, origins };
  }

  const after = trackedState(input, origins);
  if (input.status === 'ResourceDiscovered' || diff?.changeType === 'CREATE') {
    return { lifecycle: 'created', before: undefined, after, origins };
  }
  if (diff === undefined)
    return { lifecycle: 'unchanged', before: clone(after, input.itemPointer, origins), after, origins };

  const twins = new WeakMap<object, object>();
  const before = clone(after, input.itemPointer, origins, twins);
  const existed = applyInverse(before, twins, properties, input.diffPointer, origins);
  return existed
    ? { lifecycle: 'updated', before, after, origins }
    : { lifecycle: 'created', before: undefined, after, origins };
}

function emptyState(itemPointer: string, origins: Origins): ItemState {
  const state: ItemState = { configuration: {}, supplementaryConfiguration: {}, relationships: [] };
  origins.setNode(state, itemPointer);
  return state;
}

function trackedState(input: ReconstructInput, origins: Origins): ItemState {
  return itemState(input, input.itemPointer, origins);
}

/**
 * One whole item's state (a copy, each node's origin recorded under `itemPointer`). Used for the AFTER side of a
 * notification, and for both sides when two full items are compared (item-pair.ts: oversized items fetched with
 * GetResourceConfigHistory carry no diff, but there are two items).
 */
export function itemState(
  input: Pick<ReconstructInput, 'configuration' | 'supplementaryConfiguration' | 'relationships'>,
  itemPointer: string,
  origins: Origins,
): ItemState {
  const state: ItemState = {
    configuration: isRecord(input.configuration)
      ? clone(input.configuration, pointer(itemPointer, 'configuration'), origins)
      : {},
    supplementaryConfiguration: isRecord(input.supplementaryConfiguration)
      ? clone(input.supplementaryConfiguration, pointer(itemPointer, 'supplementaryConfiguration'), origins)
      : {},
    relationships: Array.isArray(input.relationships)
      ? clone(input.relationships, pointer(itemPointer, 'relationships'), origins)
      : [],
  };
  origins.setNode(state, itemPointer);
  return state;
}

/** Deep copy of JSON data, recording each copied node's origin (and, optionally, copy → source twins). */
function clone<T>(value: T, at: string, origins: Origins, twins?: WeakMap<object, object>): T {
  if (typeof value !== 'object' || value === null) return value;
  const here = origins.node(value) ?? at;
  const copy: unknown = Array.isArray(value)
    ? value.map((item, index) => clone(item, pointer(here, index), origins, twins))
    : Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, clone(item, pointer(here, key), origins, twins)]),
      );
  origins.setNode(copy as object, here);
  twins?.set(copy as object, value);
  return copy as T;
}

interface ListOp {
  index: number;
  property: ChangedProperty;
  at: string;
}

/** Applies the inverse of every changed property to `state`. Returns false when the whole item was created. */
function applyInverse(
  state: ItemState,
  twins: WeakMap<object, object>,
  properties: ReadonlyArray<[string, ChangedProperty]>,
  diffPointer: string,
  origins: Origins,
): boolean {
  const lists = new Map<unknown[], ListOp[]>();
  for (const [key, property] of properties) {
    const [head = '', ...rest] = key.split('.');
    const root = ROOTS[head.toLowerCase()];
    if (root === undefined) continue;
    const at = pointer(diffPointer, key);
    if (rest.length === 0) {
      if (property.changeType === 'CREATE' && root === 'configuration') return false;
      const previous = clone(property.previousValue, pointer(at, 'previousValue'), origins);
      if (root === 'relationships') state.relationships = Array.isArray(previous) ? previous : [];
      else state[root] = isRecord(previous) ? previous : {};
      continue;
    }
    const parent = navigate(state[root], rest.slice(0, -1), property.changeType !== 'CREATE');
    const last = rest[rest.length - 1] ?? '';
    if (Array.isArray(parent) && /^\d+$/.test(last)) {
      const ops = lists.get(parent) ?? [];
      ops.push({ index: Number(last), property, at });
      lists.set(parent, ops);
    } else if (isRecord(parent)) {
      invertField(parent, last, property, at, origins);
    }
  }
  for (const [list, ops] of lists) invertList(list, twins.get(list) as unknown[] | undefined, ops, origins);
  return true;
}

/** Walks `segments` below `node`; creates missing containers when `create` (to put a deleted value back). */
function navigate(node: unknown, segments: readonly string[], create: boolean): unknown {
  let current = node;
  for (const [i, segment] of segments.entries()) {
    let child = childOf(current, segment);
    if (typeof child !== 'object' || child === null) {
      if (!create) return undefined;
      child = /^\d+$/.test(segments[i + 1] ?? '') ? [] : {};
      if (Array.isArray(current)) current[Number(segment)] = child;
      else if (isRecord(current)) current[findKey(current, segment) ?? lowerFirst(segment)] = child;
      else return undefined;
    }
    current = child;
  }
  return current;
}

function invertField(
  parent: Record<string, unknown>,
  segment: string,
  property: ChangedProperty,
  at: string,
  origins: Origins,
): void {
  const key = findKey(parent, segment) ?? lowerFirst(segment);
  const previous = property.previousValue;
  if (property.changeType === 'CREATE' || previous === null || previous === undefined) {
    delete parent[key];
    return;
  }
  parent[key] = clone(previous, pointer(at, 'previousValue'), origins);
  origins.setSlot(parent, key, pointer(at, 'previousValue'));
}

/**
 * Inverts the list operations on one list. `list` is the BEFORE copy (edited in place), `source` the AFTER list it
 * was copied from (edited only when the diff must win, see {@link reconstruct}).
 */
function invertList(list: unknown[], source: unknown[] | undefined, ops: readonly ListOp[], origins: Origins): void {
  const claimed = new Map<number, ListOp>();
  const pending: ListOp[] = [];
  const added = ops.filter((op) => op.property.changeType !== 'DELETE' && op.property.updatedValue != null);
  for (const op of added) {
    const wanted = canonical(op.property.updatedValue);
    const index = list.findIndex((item, i) => !claimed.has(i) && canonical(item) === wanted);
    if (index >= 0) claimed.set(index, op);
    else pending.push(op);
  }
  for (const op of pending) {
    const index = op.index < list.length && !claimed.has(op.index) ? op.index : list.length;
    const updated = pointer(op.at, 'updatedValue');
    list[index] = clone(op.property.updatedValue, updated, origins);
    if (source) source[index] = clone(op.property.updatedValue, updated, origins);
    claimed.set(index, op);
  }
  const restored: Array<{ value: unknown; at: string }> = [];
  list.forEach((item, index) => {
    const op = claimed.get(index);
    if (op === undefined) restored.push({ value: item, at: '' });
    else if (op.property.changeType === 'UPDATE' && op.property.previousValue != null) {
      restored.push({ value: op.property.previousValue, at: pointer(op.at, 'previousValue') });
    }
  });
  for (const op of ops) {
    if (op.property.changeType === 'DELETE' && op.property.previousValue != null) {
      restored.push({ value: op.property.previousValue, at: pointer(op.at, 'previousValue') });
    }
  }
  list.length = 0;
  for (const { value, at } of restored) {
    if (at !== '') {
      origins.setSlot(list, list.length, at);
      list.push(clone(value, at, origins));
    } else list.push(value);
  }
}

/**
 * A comparison key for list elements: key order, key case, `null`/absent fields and number-vs-string spellings
 * (`false` vs `"false"` in old items) do not make two elements different.
 */
function canonical(value: unknown): string {
  return JSON.stringify(normalizeForCompare(value));
}

function normalizeForCompare(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeForCompare);
  if (isRecord(value)) {
    return Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k.toLowerCase(), normalizeForCompare(v)] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
  return value === null || value === undefined ? value : String(value);
}
