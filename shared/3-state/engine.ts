import type { StateLookup } from '../2-enrich/state-lookup.ts';
import type { ChangeEvent, NetworkDelta } from '../model/change.ts';
import type { EpisodeMark, Exposure, ResourceView } from '../model/exposure.ts';
import {
  applyOps,
  elementKey,
  elementOps,
  kindOfType,
  materialize,
  prefixListsOf,
  RESOURCE_TYPE_OF,
  resourcesOf,
  type ElementOp,
  type ResourceId,
  type ResourceState,
  type StateElement,
} from '../model/state.ts';
import { exposuresOf, impliedBeforeElements, type ExposureOptions } from '../net/exposure.ts';
import { errorText, StateError } from '../platform/errors.ts';
import { completeDeltas } from './complete.ts';
import { transitionEpisodes } from './episodes.ts';
import {
  after,
  applyOpsAt,
  applySnapshotAt,
  elementsOfRecord,
  isEmptyRecord,
  stampOf,
  stateOfRecord,
  type Stamp,
} from './lww.ts';
import { freshResource, type Outcome, type StateStore, type StoredResource } from './store.ts';

/**
 * The state step: between enrichment and the rules, each change is applied to the kept network state of the resources
 * it touches, and the change is judged against the state it leaves (`change.state`, a {@link StateView}).
 *
 * Per resource: load → (first time seen: look the state up on demand, or derive "before" from a Config item's diff)
 * → apply (Config snapshot as the new base when newer; CloudTrail operations on top when newer — lww.ts) →
 * exposures of the new state (prefix lists resolved to their entries) → episodes opened / continued / closed →
 * one conditional save (state, exposures, episodes and the outcome, together). A lost race re-reads and re-applies.
 *
 * - Redelivery: the outcome of every change is kept with the resource (the latest few); a change seen again is
 *   judged on its recorded outcome and nothing is written, so its findings (and fingerprints) are the same.
 * - The second source of a change: a Config item names the CloudTrail events behind it (`related`); when one of
 *   them was judged, the item is judged on that outcome's "before" (same findings as the CloudTrail event) and its
 *   snapshot still becomes the new base (authoritative).
 * - A prefix list's entries changed: every security group and route table that references it (reverse index) is
 *   re-evaluated, and each whose exposures moved gives a judgement of its own (`state.cause` names the list).
 * - Unknown state: looked up (AWS Config, EC2); when that fails too, the change is judged on what it shows and the
 *   worst case is assumed where it matters (an unknown prefix list holds the whole internet), said in `unknown`.
 */

/** How the engine runs. */
export interface StateEngineOptions {
  store: StateStore;
  /** On-demand look-ups of state never seen (absent: none, the worst case is assumed and said). */
  lookup?: StateLookup;
  /** The organisation's accounts (endpoint-service principals inside them are no exposure). */
  knownAccounts?: ReadonlySet<string>;
  /** Conditional saves tried before the change fails (default 10). */
  maxAttempts?: number;
  /** Outcomes kept per resource for redeliveries (default 8). */
  keepOutcomes?: number;
  /** Closed episodes kept per resource (default 10). */
  keepClosed?: number;
  now?: () => Date;
}

/** What applying a change to one resource gave. */
interface Applied {
  view: ResourceView;
  /** Judgements of other resources this one's change moved (prefix-list fan-out, a list changed meanwhile). */
  derived: ChangeEvent[];
}

/** Prefix lists as read for one evaluation: entries (undefined = unknown) and the version they were read at. */
type Lists = Map<string, { entries?: string[]; version: number; detail?: string }>;

export class StateEngine {
  readonly #store: StateStore;
  readonly #options: StateEngineOptions;

  constructor(options: StateEngineOptions) {
    this.#store = options.store;
    this.#options = options;
  }

  /** The store (the CLI's `exposures` reads it after a replay). */
  get store(): StateStore {
    return this.#store;
  }

  /**
   * Judge one change against the kept state: the change with `state` set (and unknown "before" values of its deltas
   * filled in from the state), followed by the judgements it caused on other resources. A change that touches no
   * kept resource is returned as is.
   * @throws StateError when the store fails or every save lost a race (the record is retried)
   */
  async judge(change: ChangeEvent): Promise<ChangeEvent[]> {
    const targets = targetsOf(change);
    if (targets.length === 0) return [change];
    const resources: Record<string, ResourceView> = {};
    const derived: ChangeEvent[] = [];
    for (const resource of targets) {
      let applied: Applied;
      try {
        applied = await this.#apply(resource, change);
      } catch (error) {
        if (error instanceof StateError) throw error;
        throw new StateError(
          `state of ${resource.id} could not be updated for change ${change.id}: ${errorText(error)}`,
          {},
          { cause: error },
        );
      }
      resources[resource.id] = applied.view;
      derived.push(...applied.derived);
    }
    const judged: ChangeEvent = {
      ...change,
      deltas: completeDeltas(change.deltas, resources),
      state: { source: 'kept', resources },
    };
    return [judged, ...derived];
  }

  async #apply(resource: ResourceId, change: ChangeEvent): Promise<Applied> {
    const region = change.region;
    const stamp = stampOf(change);
    const ids = [change.id, ...(change.related ?? [])];
    const max = Math.max(1, this.#options.maxAttempts ?? 10);
    for (let attempt = 1; ; attempt++) {
      const stored = await this.#load(region, change.account, resource);
      const seen = stored.outcomes.find((o) => o.changeIds.includes(change.id));
      if (seen !== undefined) return { view: seen.view, derived: [] };
      const related = (change.related ?? []).length
        ? stored.outcomes.find((o) => o.changeIds.some((id) => change.related?.includes(id)))
        : undefined;

      const unknown: string[] = [];
      let record = stored.record;
      const storedKnown = stored.version > 0 && !isEmptyRecord(record);
      let known = storedKnown;
      let before: ResourceState | undefined = known ? stateOfRecord(record) : undefined;
      const mine = change.deltas.filter((d) =>
        elementOps(d).some((op) => op.resource.kind === resource.kind && op.resource.id === resource.id),
      );
      const snapshot = snapshotFor(change, resource);
      // A Config item older than the kept base changes nothing (a newer snapshot already says more).
      const fresh = snapshot !== undefined && (record.base === undefined || after(stamp, record.base.stamp));
      if (fresh && snapshot !== undefined) {
        // Config items of a resource come in sequence, each with its diff against the one before: "before" is the
        // snapshot with the change taken out — also when our kept state says otherwise (a missed event).
        before = invert(materialize(resource, snapshotElements(snapshot.deltas, resource).values()), mine);
        known = true;
      } else if (!known && snapshot === undefined) {
        if (this.#options.lookup !== undefined) {
          const found = await this.#options.lookup.lookup({
            region,
            account: change.account,
            resourceType: RESOURCE_TYPE_OF[resource.kind],
            resourceId: resource.id,
          });
          if (found.kind === 'found') {
            const fetched: Stamp = { t: Date.parse(found.capturedAt) || 0, id: `fetch:${found.via}` };
            record = applySnapshotAt(record, snapshotElements(found.deltas, resource), fetched, found.deleted, 'fetch');
            const state = stateOfRecord(record);
            // Fetched after the change: the change is already in it, so take it out to judge the change.
            before = after(stamp, fetched) ? state : invert(state, mine);
            known = true;
          } else {
            unknown.push(
              `${resource.id}: first time seen and its state could not be looked up (${found.detail}); judged on what this change shows`,
            );
          }
        } else {
          unknown.push(
            `${resource.id}: first time seen (no earlier state kept); judged on what this change shows, so every exposure it shows counts as new`,
          );
        }
      }
      const notes = { unknown: [] as string[] };
      let next = record;
      if (snapshot !== undefined)
        next = applySnapshotAt(next, snapshotElements(snapshot.deltas, resource), stamp, snapshot.deleted);
      else next = applyOpsAt(next, mine.flatMap(elementOps), stamp, notes);
      unknown.push(...notes.unknown);
      const afterState = stateOfRecord(next);
      const beforeForExposures = before ?? materialize(resource, impliedBeforeElements(resource, mine));

      const lists = await this.#lists(region, change.account, [
        ...new Set([...prefixListsOf(beforeForExposures), ...prefixListsOf(afterState)]),
      ]);
      const options = this.#exposureOptions(change.account, lists, unknown);
      // What the episodes were last evaluated on — unless a Config item says what was there just before.
      const exposuresBefore = storedKnown && !fresh ? stored.exposures : exposuresOf(beforeForExposures, options);
      const exposuresAfter = exposuresOf(afterState, options);
      const { open, transitions } = transitionEpisodes(stored.episodes, exposuresAfter, markOf(change), {
        resource: { type: RESOURCE_TYPE_OF[resource.kind], id: resource.id },
        account: stored.account,
        region,
      });
      let view: ResourceView = {
        kind: resource.kind,
        id: resource.id,
        ...(before !== undefined ? { before } : {}),
        after: afterState,
        exposures: { before: exposuresBefore, after: exposuresAfter },
        episodes: transitions,
        unknown: [...new Set(unknown)],
      };
      if (related !== undefined) view = mergeRelated(related.view, view);

      const refs = prefixListsOf(afterState);
      const item = this.#nextItem(stored, next, exposuresAfter, open, transitions, { changeIds: ids, view }, refs);
      // Index entries are added before the state that needs them and dropped after: a crash in between leaves an
      // extra entry (harmless: the re-evaluation finds no reference), never a missing one.
      for (const pl of refs) if (!stored.refs.includes(pl)) await this.#store.setReference(region, pl, resource, true);
      if (!(await this.#store.save(item, stored.version))) {
        if (attempt >= max)
          throw new StateError(
            `state of ${resource.id}: ${attempt} conditional writes lost to concurrent writers for change ${change.id}`,
          );
        continue;
      }
      for (const pl of stored.refs) if (!refs.includes(pl)) await this.#store.setReference(region, pl, resource, false);

      const derived: ChangeEvent[] = [];
      // A list this state reads may have changed while we evaluated (its writer read the index before ours was
      // there): read the lists again after the save, and re-evaluate when one moved.
      if (refs.length > 0 && (await this.#listsMoved(region, lists, refs))) {
        const again = await this.#reevaluate(resource, region, change, 'a prefix list it references changed meanwhile');
        if (again !== undefined) derived.push(again);
      }
      if (resource.kind === 'prefix-list' && entriesMoved(beforeForExposures, afterState, known)) {
        for (const referrer of await this.#store.referencing(region, resource.id)) {
          const d = await this.#reevaluate(referrer, region, change, `prefix list ${resource.id} changed`);
          if (d !== undefined) derived.push(d);
        }
      }
      return { view, derived };
    }
  }

  /**
   * Re-evaluate a resource whose own state did not change (a prefix list it uses did): new exposures, episodes, a
   * judgement when they moved. Recorded under the causing change, so a redelivery gives the same judgement.
   */
  async #reevaluate(
    resource: ResourceId,
    region: string,
    cause: ChangeEvent,
    reason: string,
  ): Promise<ChangeEvent | undefined> {
    const max = Math.max(1, this.#options.maxAttempts ?? 10);
    for (let attempt = 1; ; attempt++) {
      const stored = (await this.#store.load(region, [resource])).get(resource.id);
      if (stored === undefined) return undefined;
      const seen = stored.outcomes.find((o) => o.changeIds.includes(cause.id));
      if (seen !== undefined) return derivedChange(cause, resource, seen.view);
      const state = stateOfRecord(stored.record);
      const refs = prefixListsOf(state);
      const unknown: string[] = [];
      const lists = await this.#lists(region, stored.account, refs);
      const exposuresAfter = exposuresOf(state, this.#exposureOptions(stored.account, lists, unknown));
      if (sameExposures(stored.exposures, exposuresAfter)) return undefined;
      const { open, transitions } = transitionEpisodes(stored.episodes, exposuresAfter, markOf(cause), {
        resource: { type: RESOURCE_TYPE_OF[resource.kind], id: resource.id },
        account: stored.account,
        region,
      });
      const view: ResourceView = {
        kind: resource.kind,
        id: resource.id,
        before: state,
        after: state,
        exposures: { before: stored.exposures, after: exposuresAfter },
        episodes: transitions,
        unknown: [`re-evaluated: ${reason}`, ...new Set(unknown)],
      };
      const item = this.#nextItem(stored, stored.record, exposuresAfter, open, transitions, {
        changeIds: [cause.id],
        view,
      });
      if (await this.#store.save(item, stored.version)) return derivedChange(cause, resource, view);
      if (attempt >= max)
        throw new StateError(
          `state of ${resource.id}: ${attempt} conditional writes lost re-evaluating for ${cause.id}`,
        );
    }
  }

  async #load(region: string, account: string, resource: ResourceId): Promise<StoredResource> {
    return (await this.#store.load(region, [resource])).get(resource.id) ?? freshResource(region, account, resource);
  }

  #nextItem(
    stored: StoredResource,
    record: StoredResource['record'],
    exposures: Exposure[],
    open: StoredResource['episodes'],
    transitions: ResourceView['episodes'],
    outcome: Omit<Outcome, 'recordedAt'>,
    refs: string[] = stored.refs,
  ): StoredResource {
    const now = (this.#options.now?.() ?? new Date()).toISOString();
    const closed = transitions.flatMap((t) => (t.change === 'closed' ? [t.episode] : []));
    return {
      region: stored.region,
      account: stored.account,
      record,
      version: stored.version + 1,
      exposures,
      episodes: open,
      closed: [...closed, ...stored.closed].slice(0, this.#options.keepClosed ?? 10),
      outcomes: [{ ...outcome, recordedAt: now }, ...stored.outcomes].slice(0, this.#options.keepOutcomes ?? 8),
      refs,
      updatedAt: now,
    };
  }

  #exposureOptions(account: string, lists: Lists, unknown: string[]): ExposureOptions {
    for (const [id, list] of lists)
      if (list.entries === undefined)
        unknown.push(
          `${id}: prefix list entries unknown (${list.detail ?? 'never seen'}); assumed to hold the whole internet (worst case)`,
        );
    return {
      prefixLists: (id) => lists.get(id)?.entries,
      unknownPrefixLists: 'worst-case',
      ownAccount: account,
      ...(this.#options.knownAccounts !== undefined ? { knownAccounts: this.#options.knownAccounts } : {}),
    };
  }

  /** Read prefix lists (and look up, then keep, the ones never seen). */
  async #lists(region: string, account: string, ids: readonly string[]): Promise<Lists> {
    const out: Lists = new Map();
    if (ids.length === 0) return out;
    const stored = await this.#store.load(
      region,
      ids.map((id) => ({ kind: 'prefix-list', id })),
    );
    for (const id of ids) {
      const item = stored.get(id);
      if (item !== undefined && !isEmptyRecord(item.record)) {
        const state = stateOfRecord(item.record);
        out.set(id, { entries: state.kind === 'prefix-list' ? state.entries : [], version: item.version });
        continue;
      }
      const lookup = this.#options.lookup;
      if (lookup === undefined) {
        out.set(id, { version: item?.version ?? 0, detail: 'never seen, no look-up' });
        continue;
      }
      const found = await lookup.lookup({ region, account, resourceType: 'AWS::EC2::PrefixList', resourceId: id });
      if (found.kind !== 'found') {
        out.set(id, { version: item?.version ?? 0, detail: found.detail });
        continue;
      }
      const resource: ResourceId = { kind: 'prefix-list', id };
      const base = item ?? freshResource(region, account, resource);
      const record = applySnapshotAt(
        base.record,
        snapshotElements(found.deltas, resource),
        { t: Date.parse(found.capturedAt) || 0, id: `fetch:${found.via}` },
        found.deleted,
        'fetch',
      );
      const state = stateOfRecord(record);
      const entries = state.kind === 'prefix-list' ? state.entries : [];
      // Keep what was looked up; a concurrent writer that got there first wins (its state is at least as new).
      const saved = await this.#store.save(
        this.#nextItem(base, record, [], [], [], {
          changeIds: [`fetch:${found.via}:${found.capturedAt}`],
          view: {
            kind: 'prefix-list',
            id,
            after: state,
            exposures: { before: [], after: [] },
            episodes: [],
            unknown: [],
          },
        }),
        base.version,
      );
      out.set(id, { entries, version: saved ? base.version + 1 : base.version });
    }
    return out;
  }

  async #listsMoved(region: string, used: Lists, ids: readonly string[]): Promise<boolean> {
    const now = await this.#store.load(
      region,
      ids.map((id) => ({ kind: 'prefix-list', id })),
    );
    return ids.some((id) => (now.get(id)?.version ?? 0) !== (used.get(id)?.version ?? 0));
  }
}

/** The kept resources a change touches: its deltas' resources, and the resource of its snapshot. */
export function targetsOf(change: ChangeEvent): ResourceId[] {
  const targets = resourcesOf(change.deltas);
  const kind = kindOfType(change.resource.type);
  if (
    change.snapshot !== undefined &&
    kind !== undefined &&
    !targets.some((t) => t.kind === kind && t.id === change.resource.id)
  )
    targets.unshift({ kind, id: change.resource.id });
  return targets;
}

function snapshotFor(change: ChangeEvent, resource: ResourceId): ChangeEvent['snapshot'] {
  if (change.snapshot === undefined) return undefined;
  const kind = kindOfType(change.resource.type);
  return kind === resource.kind && change.resource.id === resource.id ? change.snapshot : undefined;
}

/** The elements a snapshot's `added` deltas describe, for one resource. */
function snapshotElements(deltas: readonly NetworkDelta[], resource: ResourceId): Map<string, StateElement> {
  const out = new Map<string, StateElement>();
  for (const op of deltas.flatMap(elementOps))
    if (op.put !== undefined && op.resource.kind === resource.kind && op.resource.id === resource.id)
      out.set(op.key, op.put);
  return out;
}

/** The state before `deltas`: what they put is taken out, what they removed or replaced is put back. */
export function invert(state: ResourceState, deltas: readonly NetworkDelta[]): ResourceState {
  const resource: ResourceId = { kind: state.kind, id: state.id };
  const ops: ElementOp[] = [];
  for (const d of deltas)
    for (const op of elementOps(d))
      if (op.put !== undefined && op.resource.kind === state.kind && op.resource.id === state.id)
        ops.push({ resource, key: op.key });
  for (const e of impliedBeforeElements(resource, deltas)) ops.push({ resource, key: elementKey(e), put: e });
  return applyOps(state, ops);
}

function markOf(change: ChangeEvent): EpisodeMark {
  const mark: EpisodeMark = { changeId: change.id, at: change.at };
  const actor = change.actor?.arn ?? change.actor?.principalId;
  if (actor !== undefined) mark.actor = actor;
  const via = change.api?.name ?? (change.source === 'config' ? 'AWS Config' : undefined);
  if (via !== undefined) mark.via = via;
  return mark;
}

function entriesMoved(before: ResourceState, afterState: ResourceState, known: boolean): boolean {
  if (!known) return true;
  if (before.kind !== 'prefix-list' || afterState.kind !== 'prefix-list') return false;
  const a = [...before.entries].sort().join(',');
  const b = [...afterState.entries].sort().join(',');
  return a !== b;
}

function sameExposures(a: readonly Exposure[], b: readonly Exposure[]): boolean {
  const text = (list: readonly Exposure[]) =>
    list
      .map((e) => `${e.key}|${e.label}`)
      .sort()
      .join('\n');
  return text(a) === text(b);
}

/** The judgement of a resource re-evaluated because of another resource's change. */
function derivedChange(cause: ChangeEvent, resource: ResourceId, view: ResourceView): ChangeEvent {
  const { snapshot: _snapshot, facts: _facts, state: _state, ...rest } = cause;
  return {
    ...rest,
    resource: { type: RESOURCE_TYPE_OF[resource.kind], id: resource.id },
    state: {
      source: 'kept',
      resources: { [resource.id]: view },
      cause: { resource: cause.resource, changeId: cause.id },
    },
  };
}

/**
 * The Config item of a change already judged from CloudTrail: judged on that judgement's "before" (so its findings are
 * the CloudTrail event's), with its own snapshot's "after" and any episode the snapshot moved besides.
 */
function mergeRelated(earlier: ResourceView, fresh: ResourceView): ResourceView {
  const ids = new Set(earlier.episodes.map((t) => `${t.change}|${t.episode.id}`));
  return {
    ...fresh,
    ...(earlier.before !== undefined ? { before: earlier.before } : {}),
    exposures: { before: earlier.exposures.before, after: fresh.exposures.after },
    episodes: [
      ...earlier.episodes,
      ...fresh.episodes.filter((t) => t.change !== 'continued' && !ids.has(`${t.change}|${t.episode.id}`)),
    ],
    unknown: [...new Set([...earlier.unknown, ...fresh.unknown])],
  };
}

/** Elements of a record (re-exported for tests). */
export { elementsOfRecord };
