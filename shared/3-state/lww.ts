import {
  materialize,
  ruleKeyOf,
  type ElementOp,
  type ResourceId,
  type ResourceState,
  type StateElement,
} from '../model/state.ts';

/**
 * One resource's state as the store keeps it: the newest AWS Config snapshot (authoritative, ordered by capture
 * time) plus, per element, the newest CloudTrail operation that came after it (ordered by event time). The state is
 * the snapshot with those operations on top.
 *
 * Why this shape: the state is then a function of the *set* of changes received, not of their order. A change
 * delivered twice writes the same stamp again (no effect); a late change older than the element's newest operation,
 * or than the snapshot, loses; a newer snapshot replaces the base and drops the operations it already reflects. So
 * redeliveries, the two sources of one change and out-of-order arrival all leave the same state (property-tested in
 * test/3-state/properties.test.ts). Deletions are kept as tombstones until a newer snapshot makes them unnecessary,
 * so an older "add" arriving after a newer "delete" cannot resurrect the element.
 */

/** When a write happened: event time (ms since the epoch) and change id (tie-break, so order is total). */
export interface Stamp {
  t: number;
  id: string;
}

/** True when `a` comes after `b`. */
export function after(a: Stamp, b: Stamp): boolean {
  return a.t > b.t || (a.t === b.t && a.id > b.id);
}

/** The stamp of a change: its time (CloudTrail eventTime, Config captureTime) and id. */
export function stampOf(change: { at: string; id: string }): Stamp {
  const t = Date.parse(change.at);
  return { t: Number.isFinite(t) ? t : 0, id: change.id };
}

/** One element's newest operation: `put` = the element, absent = deleted (a tombstone). */
export interface LwwOp {
  stamp: Stamp;
  put?: StateElement;
}

/** The snapshot a state is built on. */
export interface LwwBase {
  stamp: Stamp;
  elements: Record<string, StateElement>;
  /** The snapshot says the resource is deleted (or no longer recorded). */
  deleted: boolean;
  /** Where it came from: `config` (a notification) or `fetch` (looked up on demand). */
  source: 'config' | 'fetch';
}

/** A resource's kept state. */
export interface LwwRecord {
  resource: ResourceId;
  base?: LwwBase;
  ops: Record<string, LwwOp>;
}

/** A record with nothing in it. */
export function emptyRecord(resource: ResourceId): LwwRecord {
  return { resource, ops: {} };
}

/** The elements of a record: the base with the newer operations applied. */
export function elementsOfRecord(record: LwwRecord): Map<string, StateElement> {
  const out = new Map<string, StateElement>(Object.entries(record.base?.elements ?? {}));
  for (const [key, op] of Object.entries(record.ops)) {
    if (record.base !== undefined && !after(op.stamp, record.base.stamp)) continue;
    if (op.put === undefined) out.delete(key);
    else out.set(key, op.put);
  }
  return out;
}

/** The materialized state of a record. */
export function stateOfRecord(record: LwwRecord): ResourceState {
  return materialize(record.resource, elementsOfRecord(record).values());
}

/** What applying a change did beyond the state: worst-case assumptions to report. */
export interface ApplyNotes {
  unknown: string[];
}

/**
 * Apply a change's element operations at `stamp`. An operation older than the base, or than the element's newest
 * operation, is dropped. Returns a new record (the input is not changed).
 */
export function applyOpsAt(record: LwwRecord, ops: readonly ElementOp[], stamp: Stamp, notes?: ApplyNotes): LwwRecord {
  const next: LwwRecord = { ...record, ops: { ...record.ops } };
  const write = (key: string, put: StateElement | undefined): void => {
    if (next.base !== undefined && !after(stamp, next.base.stamp)) return;
    const current = next.ops[key];
    if (current !== undefined && !after(stamp, current.stamp)) return;
    next.ops[key] = put === undefined ? { stamp } : { stamp, put };
  };
  for (const op of ops) {
    if (op.resource.kind !== record.resource.kind || op.resource.id !== record.resource.id) continue;
    if (op.replacesRule !== undefined) {
      const known = ruleKeyOf(elementsOfRecord(next), op.replacesRule);
      if (known !== undefined && known !== op.key) write(known, undefined);
      else if (known === undefined)
        notes?.unknown.push(
          `${record.resource.id}: rule ${op.replacesRule} was modified but its previous content is unknown; the old rule is kept in state (worst case)`,
        );
    }
    write(op.key, op.put);
  }
  return next;
}

/**
 * Rebase on a snapshot taken at `stamp`: it replaces the base when it is newer, and the operations it already
 * reflects (not newer than it) are dropped. An older snapshot changes nothing.
 */
export function applySnapshotAt(
  record: LwwRecord,
  elements: ReadonlyMap<string, StateElement>,
  stamp: Stamp,
  deleted: boolean,
  source: LwwBase['source'] = 'config',
): LwwRecord {
  if (record.base !== undefined && !after(stamp, record.base.stamp)) return record;
  const map: Record<string, StateElement> = Object.fromEntries(elements);
  const ops: Record<string, LwwOp> = {};
  for (const [key, op] of Object.entries(record.ops)) if (after(op.stamp, stamp)) ops[key] = op;
  return { resource: record.resource, base: { stamp, elements: map, deleted, source }, ops };
}

/** True when nothing has ever been written (no base, no operation). */
export function isEmptyRecord(record: LwwRecord): boolean {
  return record.base === undefined && Object.keys(record.ops).length === 0;
}
