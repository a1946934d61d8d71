import type { StateLookup } from '../2-enrich/state-lookup.ts';
import type { ChangeEvent, NetworkDelta } from '../model/change.ts';
import type { EpisodeMark, Exposure, Reachability, ResourceView } from '../model/exposure.ts';
import {
  applyOps,
  elementKey,
  elementOps,
  kindOfType,
  materialize,
  prefixListsOf,
  RESOURCE_TYPE_OF,
  referencesOf,
  resourcesOf,
  sameState,
  type ElementOp,
  type ResourceId,
  type ResourceState,
  type StateElement,
} from '../model/state.ts';
import { exposuresOf, impliedBeforeElements, type ExposureOptions } from '../net/exposure.ts';
import {
  groupReach,
  interfacePathExposures,
  naclReach,
  routeReach,
  subnetReach,
  topologyOf,
  type Topology,
} from '../net/reachability.ts';
import { NeighbourhoodLoader } from './neighbourhood.ts';
import { resolveChange } from './resolve.ts';
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
  type LwwRecord,
  type Stamp,
} from './lww.ts';
import { freshResource, type Outcome, type ResourceSummary, type StateStore, type StoredResource } from './store.ts';

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

/** What a reconciliation did. */
export interface Reconciliation {
  /** One judged change per resource whose exposures or episodes moved (`reconciled` set). */
  judged: ChangeEvent[];
  /** Per account and Region: first run or not, resources seen, deleted between runs, by kind. */
  scopes: {
    account: string;
    region: string;
    first: boolean;
    /** When the first reconciliation of the scope ran (now, for a first run). */
    firstAt: string;
    resources: number;
    deleted: number;
    counts: Partial<Record<ResourceId['kind'], number>>;
  }[];
  /** Resources written, and left as they were (nothing moved). */
  saved: number;
  unchanged: number;
}

/** The change of a kept resource AWS Config no longer holds (deleted between runs). */
function deletedChange(r: ResourceSummary, at: string): ChangeEvent {
  const type = RESOURCE_TYPE_OF[r.kind];
  return {
    id: `reconcile:${type}/${r.id}@deleted`,
    source: 'config',
    at,
    account: r.account,
    region: r.region,
    resource: { type, id: r.id },
    itemStatus: 'ResourceDeleted',
    deltas: [],
    snapshot: { deleted: true, deltas: [] },
    notes: ['not in AWS Config any more (deleted between reconciliations, no deletion event seen)'],
  };
}

/** Reachability of a state's exposures within a whole topology (reconciliation: everything is in memory). */
function reachIn(
  state: ResourceState,
  exposures: readonly Exposure[],
  t: Topology,
  change: ChangeEvent,
): Record<string, Reachability> | undefined {
  const out: Record<string, Reachability> = {};
  for (const e of exposures) {
    if (state.kind === 'security-group' && e.kind === 'sg-ingress')
      out[e.key] = groupReach(state, e, t, change.facts?.networkInterfaces);
    else if (state.kind === 'network-acl' && e.kind === 'nacl-ingress') out[e.key] = naclReach(state, e, t);
    else if (state.kind === 'route-table' && e.kind === 'route-internet' && e.key.endsWith('|igw'))
      out[e.key] = routeReach(state, e, t);
  }
  if (state.kind === 'subnet' && state.flags['map-public-ip-on-launch'] === true)
    out[`subnet|${state.id}`] = subnetReach(state, t);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Interfaces judged again per change (the rest wait for the next reconciliation). */
const MAX_DEPENDENTS = 200;
/** Subnets of a VPC walked for a main route table or a gateway. */
const MAX_SUBNETS = 100;

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
  readonly #loader: NeighbourhoodLoader;

  constructor(options: StateEngineOptions) {
    this.#store = options.store;
    this.#options = options;
    this.#loader = new NeighbourhoodLoader(options.store, async (region, account, ids) => {
      const lists = await this.#lists(region, account, ids);
      return new Map([...lists].map(([id, l]) => [id, l.entries]));
    });
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
  async judge(original: ChangeEvent): Promise<ChangeEvent[]> {
    let change: ChangeEvent;
    try {
      change = await resolveChange(original, this.#store);
    } catch (error) {
      throw new StateError(
        `ids of change ${original.id} could not be resolved: ${errorText(error)}`,
        {},
        { cause: error },
      );
    }
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
    // One judgement per other resource: two resources of one change (the old and the new table of a moved subnet)
    // can both reach the same interface.
    const unique = new Map<string, ChangeEvent>();
    for (const d of derived) if (!unique.has(d.resource.id)) unique.set(d.resource.id, d);
    return [judged, ...unique.values()];
  }

  async #apply(resource: ResourceId, change: ChangeEvent): Promise<Applied> {
    const region = change.region;
    const stamp = stampOf(change);
    const ids = [change.id, ...(change.related ?? [])];
    const max = Math.max(1, this.#options.maxAttempts ?? 10);
    for (let attempt = 1; ; attempt++) {
      const stored = await this.#load(region, change.account, resource);
      const seen = stored.outcomes.find((o) => o.changeIds.includes(change.id));
      if (seen !== undefined)
        return { view: seen.view, derived: await this.#replayDerived(resource, region, change, seen.view) };
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
      const whole = next.base !== undefined;
      // An interface's exposures are its internet paths: they need its neighbourhood (with its new state in it).
      const withPaths = async (state: ResourceState): Promise<ExposureOptions> => {
        if (state.kind !== 'network-interface') return options;
        const hood = await this.#loader.around(region, change.account, {
          interfaces: [state.id],
          overrides: [{ state, whole }],
        });
        return { ...options, interfacePaths: (s) => interfacePathExposures(s, hood.topology) };
      };
      // What the episodes were last evaluated on — unless a Config item says what was there just before.
      const exposuresBefore =
        storedKnown && !fresh ? stored.exposures : exposuresOf(beforeForExposures, await withPaths(beforeForExposures));
      const exposuresAfter = exposuresOf(afterState, await withPaths(afterState));
      const reach = await this.#reach(afterState, exposuresAfter, region, change, whole);
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
        ...(reach !== undefined ? { reach } : {}),
      };
      if (related !== undefined) view = mergeRelated(related.view, view);

      const refs = referencesOf(afterState);
      const listRefs = prefixListsOf(afterState);
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
      if (listRefs.length > 0 && (await this.#listsMoved(region, lists, listRefs))) {
        derived.push(
          ...(await this.#reevaluate(resource, region, change, 'a prefix list it references changed meanwhile')),
        );
      }
      if (resource.kind === 'prefix-list' && entriesMoved(beforeForExposures, afterState, known)) {
        for (const referrer of await this.#store.referencing(region, resource.id)) {
          if (referrer.kind !== 'security-group' && referrer.kind !== 'route-table') continue;
          derived.push(...(await this.#reevaluate(referrer, region, change, `prefix list ${resource.id} changed`)));
        }
      }
      // Interfaces whose internet paths go through what changed: each is judged again (a path opened or closed).
      const dependents = await this.#dependents(resource, region, beforeForExposures, afterState, {
        before: exposuresBefore,
        after: exposuresAfter,
      });
      if (dependents.length > 0)
        derived.push(...(await this.#reevaluateInterfaces(dependents, region, change, `${resource.id} changed`)));
      return { view, derived };
    }
  }

  /**
   * Re-evaluate a resource whose own state did not change (a prefix list it uses did): new exposures, episodes, a
   * judgement when they moved. Recorded under the causing change, so a redelivery gives the same judgement.
   */
  async #reevaluate(resource: ResourceId, region: string, cause: ChangeEvent, reason: string): Promise<ChangeEvent[]> {
    const max = Math.max(1, this.#options.maxAttempts ?? 10);
    for (let attempt = 1; ; attempt++) {
      const stored = (await this.#store.load(region, [resource])).get(resource.id);
      if (stored === undefined) return [];
      const seen = stored.outcomes.find((o) => o.changeIds.includes(cause.id));
      if (seen !== undefined) return [derivedChange(cause, resource, seen.view)];
      const state = stateOfRecord(stored.record);
      const refs = prefixListsOf(state);
      const unknown: string[] = [];
      const lists = await this.#lists(region, stored.account, refs);
      const exposuresAfter = exposuresOf(state, this.#exposureOptions(stored.account, lists, unknown));
      if (sameExposures(stored.exposures, exposuresAfter)) return [];
      const { open, transitions } = transitionEpisodes(stored.episodes, exposuresAfter, markOf(cause), {
        resource: { type: RESOURCE_TYPE_OF[resource.kind], id: resource.id },
        account: stored.account,
        region,
      });
      const reach = await this.#reach(state, exposuresAfter, region, cause, stored.record.base !== undefined);
      const view: ResourceView = {
        kind: resource.kind,
        id: resource.id,
        before: state,
        after: state,
        exposures: { before: stored.exposures, after: exposuresAfter },
        episodes: transitions,
        unknown: [`re-evaluated: ${reason}`, ...new Set(unknown)],
        ...(reach !== undefined ? { reach } : {}),
      };
      const item = this.#nextItem(stored, stored.record, exposuresAfter, open, transitions, {
        changeIds: [cause.id],
        view,
      });
      if (await this.#store.save(item, stored.version)) {
        const dependents = await this.#dependents(resource, region, state, state, {
          before: stored.exposures,
          after: exposuresAfter,
        });
        return [
          derivedChange(cause, resource, view),
          ...(await this.#reevaluateInterfaces(dependents, region, cause, `${resource.id} re-evaluated (${reason})`)),
        ];
      }
      if (attempt >= max)
        throw new StateError(
          `state of ${resource.id}: ${attempt} conditional writes lost re-evaluating for ${cause.id}`,
        );
    }
  }

  /**
   * Reachability of the exposures a state has (groups, ACLs, route tables; a subnet public on launch): through the
   * interfaces they serve, with the neighbourhood read from the store (and this state in it, not saved yet).
   */
  async #reach(
    state: ResourceState,
    exposures: readonly Exposure[],
    region: string,
    change: ChangeEvent,
    whole: boolean,
  ): Promise<Record<string, Reachability> | undefined> {
    const graded = exposures.filter(
      (e) =>
        e.kind === 'sg-ingress' || e.kind === 'nacl-ingress' || (e.kind === 'route-internet' && e.key.endsWith('|igw')),
    );
    const subnetPublic = state.kind === 'subnet' && state.flags['map-public-ip-on-launch'] === true;
    if (graded.length === 0 && !subnetPublic) return undefined;
    const account = change.account;
    // The group's own Config item names its interfaces (relationships): known, even if their items were never seen.
    const named =
      state.kind === 'security-group' && change.resource.id === state.id ? change.facts?.networkInterfaces : undefined;
    let interfaces: string[] = [];
    let notRead = 0;
    const ids: ResourceId[] = [];
    if (state.kind === 'security-group') interfaces = await this.#loader.interfacesOf(region, [state.id]);
    if (state.kind === 'network-acl') interfaces = await this.#loader.interfacesOf(region, state.subnets);
    if (state.kind === 'route-table') {
      const served = await this.#tableSubnets(state, region);
      const subnets = served.subnets;
      notRead += served.capped;
      interfaces = await this.#loader.interfacesOf(region, subnets);
      ids.push(...subnets.map((id) => ({ kind: 'subnet' as const, id })));
    }
    const hood = await this.#loader.around(region, account, {
      interfaces: [...new Set([...interfaces, ...(named ?? [])])],
      ids,
      overrides: [{ state, whole }],
    });
    const t: Topology = hood.topology;
    const out: Record<string, Reachability> = {};
    for (const e of graded) {
      const verdict =
        state.kind === 'security-group'
          ? groupReach(state, e, t, named)
          : state.kind === 'network-acl'
            ? naclReach(state, e, t)
            : state.kind === 'route-table'
              ? routeReach(state, e, t)
              : undefined;
      // Interfaces over the cap were not checked: they may be the reachable ones, so "unreachable" becomes unknown
      // (never a downgrade on state not read).
      if (verdict !== undefined)
        out[e.key] =
          hood.capped + notRead > 0
            ? {
                ...verdict,
                ...(verdict.verdict === 'unreachable' ? { verdict: 'unknown' as const } : {}),
                assumed: [
                  ...verdict.assumed,
                  ...(hood.capped > 0 ? [`${hood.capped} more interfaces not checked`] : []),
                  ...(notRead > 0 ? [`${notRead} more subnets of the VPC not checked`] : []),
                ],
              }
            : verdict;
    }
    if (state.kind === 'subnet' && subnetPublic) out[`subnet|${state.id}`] = subnetReach(state, t);
    return out;
  }

  /** The subnets a table serves: its associations, and for a main table the VPC's subnets with no table of their own. */
  async #tableSubnets(table: ResourceState, region: string): Promise<{ subnets: string[]; capped: number }> {
    if (table.kind !== 'route-table') return { subnets: [], capped: 0 };
    const subnets = new Set(table.subnets);
    let capped = 0;
    if (table.main && table.vpcId !== undefined) {
      const all = await this.#loader.referrers(region, table.vpcId, 'subnet');
      capped = Math.max(0, all.length - MAX_SUBNETS);
      for (const s of all.slice(0, MAX_SUBNETS)) {
        const explicit = await this.#loader.referrers(region, s, 'route-table');
        if (explicit.length === 0 || explicit.includes(table.id)) subnets.add(s);
      }
    }
    return { subnets: [...subnets].sort(), capped };
  }

  /**
   * The interfaces whose paths may have moved with a resource's change: a group's (its exposures moved), those in the
   * subnets an ACL or table serves (its entries, routes or associations moved), in the VPCs a gateway was attached to
   * or detached from, in a subnet that moved. Capped: the rest are caught up by the next reconciliation.
   */
  async #dependents(
    resource: ResourceId,
    region: string,
    before: ResourceState,
    afterState: ResourceState,
    exposures: { before: readonly Exposure[]; after: readonly Exposure[] },
  ): Promise<string[]> {
    const moved = !sameState(before, afterState) || !sameExposures(exposures.before, exposures.after);
    if (!moved) return [];
    const subnets = new Set<string>();
    let groups: string[] = [];
    switch (afterState.kind) {
      case 'security-group':
        if (sameExposures(exposures.before, exposures.after)) return [];
        groups = [afterState.id];
        break;
      case 'network-acl':
        for (const s of [...(before.kind === 'network-acl' ? before.subnets : []), ...afterState.subnets])
          subnets.add(s);
        break;
      case 'route-table':
        for (const s of (await this.#tableSubnets(afterState, region)).subnets) subnets.add(s);
        if (before.kind === 'route-table') for (const s of before.subnets) subnets.add(s);
        break;
      case 'internet-gateway': {
        const was = before.kind === 'internet-gateway' ? before.vpcs : [];
        const changed = [
          ...was.filter((v) => !afterState.vpcs.includes(v)),
          ...afterState.vpcs.filter((v) => !was.includes(v)),
        ];
        for (const vpc of changed)
          for (const s of (await this.#loader.referrers(region, vpc, 'subnet')).slice(0, MAX_SUBNETS)) subnets.add(s);
        break;
      }
      case 'subnet':
        subnets.add(afterState.id);
        break;
      default:
        return [];
    }
    const out = new Set<string>(await this.#loader.interfacesOf(region, [...groups, ...subnets]));
    out.delete(resource.id);
    return [...out].sort().slice(0, MAX_DEPENDENTS);
  }

  /**
   * Judge interfaces again because their neighbourhood changed (`cause`): their internet paths with the neighbourhood
   * as it is now, episodes moved, one conditional save each (a lost race re-reads that interface). Recorded under the
   * cause, so a redelivery gives the same judgements.
   */
  async #reevaluateInterfaces(
    ids: readonly string[],
    region: string,
    cause: ChangeEvent,
    reason: string,
  ): Promise<ChangeEvent[]> {
    if (ids.length === 0) return [];
    const max = Math.max(1, this.#options.maxAttempts ?? 10);
    let hood = await this.#loader.around(region, cause.account, { interfaces: ids }, MAX_DEPENDENTS);
    const out: ChangeEvent[] = [];
    for (const id of ids) {
      const resource: ResourceId = { kind: 'network-interface', id };
      for (let attempt = 1; ; attempt++) {
        const stored = hood.stored.get(id);
        if (stored === undefined || stored.record.resource.kind !== 'network-interface') break;
        const seen = stored.outcomes.find((o) => o.changeIds.includes(cause.id));
        if (seen !== undefined) {
          out.push(derivedChange(cause, resource, seen.view));
          break;
        }
        const state = stateOfRecord(stored.record);
        const after = state.kind === 'network-interface' ? interfacePathExposures(state, hood.topology) : [];
        if (sameExposures(stored.exposures, after)) break;
        const { open, transitions } = transitionEpisodes(stored.episodes, after, markOf(cause), {
          resource: { type: RESOURCE_TYPE_OF['network-interface'], id },
          account: stored.account,
          region,
        });
        const view: ResourceView = {
          kind: 'network-interface',
          id,
          before: state,
          after: state,
          exposures: { before: stored.exposures, after },
          episodes: transitions,
          unknown: [`re-evaluated: ${reason}`],
        };
        const item = this.#nextItem(stored, stored.record, after, open, transitions, { changeIds: [cause.id], view });
        if (await this.#store.save(item, stored.version)) {
          out.push(derivedChange(cause, resource, view));
          break;
        }
        if (attempt >= max)
          throw new StateError(`state of ${id}: ${attempt} conditional writes lost re-evaluating for ${cause.id}`);
        hood = await this.#loader.around(region, cause.account, { interfaces: ids }, MAX_DEPENDENTS);
      }
    }
    return out;
  }

  /**
   * Reconcile the kept state with what AWS Config holds now (its advanced query: shared/2-enrich/inventory.ts), per
   * account and Region the inventory covers:
   * - each resource's Config snapshot becomes its base (newer CloudTrail operations stay on top, as for a notified item);
   * - a kept resource of a kind the inventory returned in that account and Region, but not itself, was deleted between
   *   runs: its state empties and its episodes close;
   * - exposures are evaluated against the whole neighbourhood at once (interfaces' paths, reachability), and episodes
   *   move as for any change: one opened here was never seen as a change event;
   * - `now` names the run (the scheduled event's time: a retried invocation is the same run, replayed from the
   *   outcomes it recorded; {@link recordInventory} then marks the scopes reconciled — the first run seeds).
   * Returns one judged change per resource whose exposures or episodes moved, and per scope what was seen. A resource
   * written concurrently by an event is re-read and re-applied (conditional saves, as everywhere).
   */
  async reconcile(
    inventory: { items: readonly ChangeEvent[]; scopes: ReadonlySet<string> },
    now: Date,
  ): Promise<Reconciliation> {
    const byScope = new Map<string, ChangeEvent[]>();
    for (const item of inventory.items) {
      const key = `${item.account}|${item.region}`;
      byScope.set(key, [...(byScope.get(key) ?? []), item]);
    }
    const listing = byScope.size > 0 ? await this.#store.listResources() : [];
    const result: Reconciliation = { judged: [], scopes: [], saved: 0, unchanged: 0 };
    for (const [key, items] of byScope) {
      const [account = '', region = ''] = key.split('|');
      const marker = await this.#store.inventory(region, account);
      const first = marker === undefined;
      const present = new Set(items.map((i) => i.resource.id));
      const deleted = listing.filter(
        (r) =>
          r.account === account &&
          r.region === region &&
          !present.has(r.id) &&
          inventory.scopes.has(`${account}|${region}|${r.kind}`),
      );
      const at = now.toISOString();
      // Ids name the run (its scheduled time: a retried invocation is the same run, tomorrow's is another).
      const changes = [...items, ...deleted.map((r) => deletedChange(r, at))].map((c) => ({
        ...c,
        id: `${c.id}#${at}`,
      }));
      const scope = await this.#reconcileScope(account, region, changes, first, at);
      result.judged.push(...scope.judged);
      result.saved += scope.saved;
      result.unchanged += scope.unchanged;
      const counts: Partial<Record<ResourceId['kind'], number>> = {};
      for (const i of items) {
        const kind = kindOfType(i.resource.type);
        if (kind !== undefined) counts[kind] = (counts[kind] ?? 0) + 1;
      }
      result.scopes.push({
        account,
        region,
        first,
        firstAt: marker?.firstAt ?? at,
        resources: items.length,
        deleted: deleted.length,
        counts,
      });
    }
    return result;
  }

  /**
   * Record a reconciliation of these scopes (the inventory marker): after what it found was delivered, so a run that
   * failed to deliver is retried as what it was (a first run stays first, its posture report is sent again).
   */
  async recordInventory(scopes: Reconciliation['scopes'], now: Date): Promise<void> {
    for (const s of scopes)
      await this.#store.setInventory({
        region: s.region,
        account: s.account,
        firstAt: s.firstAt,
        at: now.toISOString(),
        counts: s.counts,
      });
  }

  async #reconcileScope(
    account: string,
    region: string,
    changes: readonly ChangeEvent[],
    first: boolean,
    at: string,
  ): Promise<{ judged: ChangeEvent[]; saved: number; unchanged: number }> {
    const targets = changes.flatMap((c) => {
      const kind = kindOfType(c.resource.type);
      return kind === undefined ? [] : [{ change: c, resource: { kind, id: c.resource.id } as ResourceId }];
    });
    let stored = await this.#store.load(
      region,
      targets.map((t) => t.resource),
    );
    const recordOf = (t: (typeof targets)[number], base: StoredResource | undefined) => {
      const record = base?.record ?? { resource: t.resource, ops: {} };
      const snapshot = t.change.snapshot ?? { deleted: true, deltas: [] };
      return applySnapshotAt(
        record,
        snapshotElements(snapshot.deltas, t.resource),
        stampOf(t.change),
        snapshot.deleted,
      );
    };
    // The scope's state after the run, all at once: paths and reachability see the whole neighbourhood.
    const records = new Map(targets.map((t) => [t.resource.id, recordOf(t, stored.get(t.resource.id))]));
    const states = [...records.values()].map(stateOfRecord);
    const listIds = [...new Set(states.flatMap(prefixListsOf))].filter(
      (id) => !states.some((s) => s.kind === 'prefix-list' && s.id === id),
    );
    const lists = await this.#lists(region, account, listIds);
    const entries = new Map<string, string[] | undefined>([...lists].map(([id, l]) => [id, l.entries]));
    for (const s of states) if (s.kind === 'prefix-list') entries.set(s.id, s.entries);
    const topology = topologyOf(states, {
      prefixLists: (id) => entries.get(id),
      complete: true,
      partial: new Set([...records].flatMap(([id, r]) => (r.base === undefined ? [id] : []))),
    });
    const judged: ChangeEvent[] = [];
    let saved = 0;
    let unchanged = 0;
    const max = Math.max(1, this.#options.maxAttempts ?? 10);
    for (const t of targets) {
      const id = t.resource.id;
      for (let attempt = 1; ; attempt++) {
        const base = stored.get(id);
        // The same run again (a retried invocation): judged on what it recorded, nothing written.
        const seen = base?.outcomes.find((o) => o.changeIds.includes(t.change.id));
        if (seen !== undefined) {
          if (
            !sameExposures(seen.view.exposures.before, seen.view.exposures.after) ||
            seen.view.episodes.some((x) => x.change !== 'continued')
          )
            judged.push({
              ...t.change,
              reconciled: { first, at },
              state: { source: 'kept', resources: { [id]: seen.view } },
            });
          unchanged += 1;
          break;
        }
        // Already gone: nothing to delete again.
        if (base?.record.base?.deleted === true && t.change.snapshot?.deleted === true) {
          unchanged += 1;
          break;
        }
        const record = attempt === 1 ? records.get(id)! : recordOf(t, base);
        const state = stateOfRecord(record);
        const unknown: string[] = [];
        const options: ExposureOptions = {
          ...this.#exposureOptions(
            account,
            new Map([...entries].map(([k, v]) => [k, { entries: v, version: 0 }])),
            unknown,
          ),
          interfacePaths: (s) => interfacePathExposures(s, topology),
        };
        const known = base !== undefined && !isEmptyRecord(base.record);
        const exposuresBefore = known ? base.exposures : [];
        const exposuresAfter = exposuresOf(state, options);
        // The same content as kept: only the run's id in the snapshot's stamp differs (same capture time) — nothing
        // written, so a day with nothing changed costs reads only.
        const sameRecord = base !== undefined && sameContent(base.record, record);
        if (sameRecord && sameExposures(exposuresBefore, exposuresAfter)) {
          unchanged += 1;
          break;
        }
        const item = base ?? freshResource(region, account, t.resource);
        const { open, transitions } = transitionEpisodes(item.episodes, exposuresAfter, markOf(t.change), {
          resource: { type: RESOURCE_TYPE_OF[t.resource.kind], id },
          account,
          region,
        });
        const reach = reachIn(state, exposuresAfter, topology, t.change);
        const view: ResourceView = {
          kind: t.resource.kind,
          id,
          ...(known ? { before: stateOfRecord(base.record) } : {}),
          after: state,
          exposures: { before: exposuresBefore, after: exposuresAfter },
          episodes: transitions,
          unknown: [...new Set(unknown)],
          ...(reach !== undefined ? { reach } : {}),
        };
        const refs = referencesOf(state);
        const next = this.#nextItem(
          item,
          record,
          exposuresAfter,
          open,
          transitions,
          { changeIds: [t.change.id], view },
          refs,
        );
        for (const ref of refs)
          if (!item.refs.includes(ref)) await this.#store.setReference(region, ref, t.resource, true);
        if (await this.#store.save(next, item.version)) {
          for (const ref of item.refs)
            if (!refs.includes(ref)) await this.#store.setReference(region, ref, t.resource, false);
          saved += 1;
          if (!sameExposures(exposuresBefore, exposuresAfter) || transitions.some((x) => x.change !== 'continued'))
            judged.push({
              ...t.change,
              reconciled: { first, at },
              state: { source: 'kept', resources: { [id]: view } },
            });
          break;
        }
        if (attempt >= max)
          throw new StateError(`state of ${id}: ${attempt} conditional writes lost while reconciling`);
        stored = new Map([...stored, ...(await this.#store.load(region, [t.resource]))]);
      }
    }
    return { judged, saved, unchanged };
  }

  /**
   * A change seen again (redelivery): the judgements it caused on other resources (prefix-list referrers, interfaces
   * whose paths moved) are replayed from their recorded outcomes, so the redelivery gives every finding the first
   * delivery gave — and writes nothing.
   */
  async #replayDerived(
    resource: ResourceId,
    region: string,
    change: ChangeEvent,
    view: ResourceView,
  ): Promise<ChangeEvent[]> {
    const out: ChangeEvent[] = [];
    const recorded = async (ids: readonly ResourceId[]) => {
      if (ids.length === 0) return [];
      const found: { resource: ResourceId; view: ResourceView }[] = [];
      for (const [, item] of await this.#store.load(region, ids)) {
        const seen = item.outcomes.find((o) => o.changeIds.includes(change.id));
        if (seen !== undefined) found.push({ resource: item.record.resource, view: seen.view });
      }
      return found;
    };
    const referrers =
      resource.kind === 'prefix-list'
        ? (await this.#store.referencing(region, resource.id)).filter(
            (r) => r.kind === 'security-group' || r.kind === 'route-table',
          )
        : [];
    const sources = [{ resource, view }, ...(await recorded(referrers))];
    for (const source of sources.slice(1)) out.push(derivedChange(change, source.resource, source.view));
    for (const source of sources) {
      const dependents = await this.#dependents(
        source.resource,
        region,
        source.view.before ?? source.view.after,
        source.view.after,
        source.view.exposures,
      );
      for (const d of await recorded(dependents.map((id) => ({ kind: 'network-interface' as const, id }))))
        out.push(derivedChange(change, d.resource, d.view));
    }
    return out;
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
  const via =
    change.api?.name ??
    (change.id.startsWith('reconcile:')
      ? 'AWS Config (reconciliation)'
      : change.source === 'config'
        ? 'AWS Config'
        : undefined);
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

/**
 * Two records alike but for the id in their snapshot's stamp (a reconciliation run names itself there) — compared
 * with sorted keys (a stored record and a rebuilt one list their fields in different orders).
 */
function sameContent(a: LwwRecord, b: LwwRecord): boolean {
  const sorted = (_key: string, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v;
  const plain = (r: LwwRecord) =>
    JSON.stringify(r.base === undefined ? r : { ...r, base: { ...r.base, stamp: { t: r.base.stamp.t } } }, sorted);
  return plain(a) === plain(b);
}
