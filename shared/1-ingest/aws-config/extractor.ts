import type * as z from 'zod';
import type { InputLocation } from '../../platform/errors.ts';
import { isObject } from '../../platform/json.ts';
import type { NetworkDelta } from '../../model/change.ts';
import type { ItemState, Lifecycle, Origins } from './item-diff.ts';
import { malformedAt } from './json-pointer.ts';

/**
 * The contract between the dispatcher (index.ts) and one resource type's extractor. An extractor turns the BEFORE
 * and AFTER states of one Config item into deltas; it never sees the diff itself (item-diff.ts did that once for all
 * types), so each extractor only knows its type's field names.
 */
export interface ExtractInput {
  /** Canonical Config resource type, e.g. `AWS::EC2::SecurityGroup`. */
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  arn?: string;
  /** The item's account (`awsAccountId`): tells same-account from cross-account references. */
  account: string;
  lifecycle: Lifecycle;
  before: ItemState | undefined;
  after: ItemState | undefined;
  /**
   * Parses one side with `schema` (applied to the whole {@link ItemState}); `undefined` when that side does not
   * exist. A shape error throws MalformedInputError at the value's real place in the message.
   */
  read<S extends z.ZodType>(schema: S, side: 'before' | 'after'): z.output<S> | undefined;
  /** Throws MalformedInputError for the value at `path` (below the item state) of one side. */
  fail(side: 'before' | 'after', path: ReadonlyArray<PropertyKey>, message: string, cause?: unknown): never;
  /**
   * Record parts of the AFTER state left out as unreadable (the rest is judged; the finding's `why` names them).
   * Unreadable parts of the BEFORE state are left out silently: the change is judged by what it leaves behind.
   */
  skip(side: 'before' | 'after', parts: readonly string[]): void;
}

/** One resource type's delta extraction. */
export type Extractor = (input: ExtractInput) => NetworkDelta[];

/** Builds {@link ExtractInput.read} and {@link ExtractInput.fail} for one item. */
export function stateAccess(
  states: { before: ItemState | undefined; after: ItemState | undefined; origins: Origins },
  where: InputLocation,
): Pick<ExtractInput, 'read' | 'fail' | 'skip'> & { skipped: string[] } {
  const skipped: string[] = [];
  const fail = (
    side: 'before' | 'after',
    path: ReadonlyArray<PropertyKey>,
    message: string,
    cause?: unknown,
  ): never => {
    const state = states[side];
    const at = state === undefined ? '' : states.origins.locate(state, path);
    const label = side === 'before' ? ' (in the state before the change, rebuilt from configurationItemDiff)' : '';
    throw malformedAt(where, at, `unexpected Config item shape${label}: ${message}`, cause);
  };
  const read = <S extends z.ZodType>(schema: S, side: 'before' | 'after'): z.output<S> | undefined => {
    const state = states[side];
    if (state === undefined) return undefined;
    const result = schema.safeParse(state);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    return fail(side, issue?.path ?? [], issue?.message ?? 'invalid', result.error);
  };
  const skip = (side: 'before' | 'after', parts: readonly string[]): void => {
    if (side === 'after') for (const part of parts) if (!skipped.includes(part)) skipped.push(part);
  };
  return { read, fail, skip, skipped };
}

/** Set difference by a canonical key: what AFTER has that BEFORE lacks, and the reverse. Order follows the input. */
export function setDifference<T>(
  before: readonly T[],
  after: readonly T[],
  key: (item: T) => string,
): { added: T[]; removed: T[] } {
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  return {
    added: unique(
      after.filter((item) => !beforeKeys.has(key(item))),
      key,
    ),
    removed: unique(
      before.filter((item) => !afterKeys.has(key(item))),
      key,
    ),
  };
}

/**
 * Keyed difference for things with an identity and settings (a NACL entry's rule number, a route's destination):
 * new identities are `added`, vanished ones `removed`, same identity with other settings `changed`.
 */
export function keyedDifference<T>(
  before: readonly T[],
  after: readonly T[],
  identity: (item: T) => string,
  content: (item: T) => string,
): { added: T[]; removed: T[]; changed: Array<{ before: T; after: T }> } {
  const beforeById = new Map(before.map((item) => [identity(item), item] as const));
  const afterById = new Map(after.map((item) => [identity(item), item] as const));
  const added: T[] = [];
  const changed: Array<{ before: T; after: T }> = [];
  for (const [id, item] of afterById) {
    const old = beforeById.get(id);
    if (old === undefined) added.push(item);
    else if (content(old) !== content(item)) changed.push({ before: old, after: item });
  }
  const removed = [...beforeById].filter(([id]) => !afterById.has(id)).map(([, item]) => item);
  return { added, removed, changed };
}

function unique<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Stable JSON of a plain value with sorted keys: a set key for normalized objects. */
export function stableKey(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * For types judged only on existence (flow logs, VPN links, load balancers): `added` when the item was discovered,
 * `removed` when deleted, nothing otherwise.
 */
export function existenceOp(lifecycle: Lifecycle): 'added' | 'removed' | undefined {
  if (lifecycle === 'created') return 'added';
  if (lifecycle === 'deleted') return 'removed';
  return undefined;
}
