import type { Episode, Exposure, ResourceView } from '../model/exposure.ts';
import type { ResourceId, StatefulKind } from '../model/state.ts';
import type { LwwRecord } from './lww.ts';

/**
 * The state store: what Netwatch knows about each resource's network state between records and invocations. One
 * interface, two implementations — memory (the CLI, tests: shared/3-state/memory-store.ts) and DynamoDB (the Lambda
 * functions: shared/3-state/dynamodb-store.ts).
 *
 * Concurrency: invocations run at once and two changes to one resource may be applied together, so {@link
 * StateStore.save} is conditional on the version the writer read: the loser re-reads and re-applies (never
 * last-writer-wins). Everything one change does to a resource — its state, exposures, episodes and the outcome kept
 * for redelivery — is one item, written by one conditional put.
 */

/** A change's effect on one resource, kept so a redelivery (or the second source of the change) is judged the same. */
export interface Outcome {
  /** The change id and the CloudTrail event ids it stands for (a Config item's `relatedEvents`). */
  changeIds: string[];
  /** ISO time it was recorded. */
  recordedAt: string;
  view: ResourceView;
}

/** One resource as stored. */
export interface StoredResource {
  region: string;
  account: string;
  /** The resource and its kept state (snapshot + newer operations). */
  record: LwwRecord;
  /** Incremented by every save; 0 = never written. */
  version: number;
  /** Exposures of the state as last evaluated (with the prefix lists as they were then). */
  exposures: Exposure[];
  /** Open episodes. */
  episodes: Episode[];
  /** Recently closed episodes, newest first (bounded). */
  closed: Episode[];
  /** Recent outcomes, newest first (bounded). */
  outcomes: Outcome[];
  /** Prefix lists the state references (the reverse index holds the other direction). */
  refs: string[];
  /** ISO time of the last save. */
  updatedAt: string;
}

/** The key text of a resource in a region (resource ids are unique within a partition and region). */
export function resourceKey(region: string, id: string): string {
  return `${region}|${id}`;
}

/** A resource never written: version 0, empty state. */
export function freshResource(region: string, account: string, resource: ResourceId): StoredResource {
  return {
    region,
    account,
    record: { resource, ops: {} },
    version: 0,
    exposures: [],
    episodes: [],
    closed: [],
    outcomes: [],
    refs: [],
    updatedAt: new Date(0).toISOString(),
  };
}

/** An open episode with where it lives (for `netwatch exposures`). */
export interface OpenEpisode {
  region: string;
  account: string;
  episode: Episode;
}

/**
 * What a reconciliation saw in one account and Region (shared/3-state/reconcile.ts): when, and how many resources of
 * each kind. Its presence makes the inventory of interfaces complete there (a group with no known interface has none)
 * and tells the next run it is not the first.
 */
export interface InventoryMarker {
  region: string;
  account: string;
  /** ISO time of the first reconciliation (the posture report's). */
  firstAt: string;
  /** ISO time of the last one. */
  at: string;
  /** Resources seen by kind in the last one. */
  counts: Partial<Record<StatefulKind, number>>;
}

/** One stored resource, as a listing names it. */
export interface ResourceSummary {
  region: string;
  account: string;
  kind: StatefulKind;
  id: string;
}

export interface StateStore {
  /** The stored resources among `ids` in `region` (absent ones are not in the map), read strongly consistent. */
  load(region: string, ids: readonly ResourceId[]): Promise<Map<string, StoredResource>>;
  /**
   * Write `item` if the stored version still equals `expectedVersion` (0 = must not exist). False when another writer
   * got there first: re-read and re-apply.
   */
  save(item: StoredResource, expectedVersion: number): Promise<boolean>;
  /**
   * The resources whose state names an id (the reverse index, shared/model/state.ts `referencesOf`): the groups and
   * tables using a prefix list, the interfaces of a group or subnet, the tables and ACL of a subnet, what sits in a VPC.
   * `kind` keeps only referrers of that kind.
   */
  referencing(region: string, id: string, kind?: StatefulKind): Promise<ResourceId[]>;
  /** Add (or remove) `referrer` in the reverse index of an id. Idempotent. */
  setReference(region: string, id: string, referrer: ResourceId, present: boolean): Promise<void>;
  /** Every open episode, oldest first. */
  openEpisodes(): Promise<OpenEpisode[]>;
  /** The inventory marker of an account and Region (undefined: never reconciled there). */
  inventory(region: string, account: string): Promise<InventoryMarker | undefined>;
  /** Write the inventory marker (last writer wins: it only records a run). */
  setInventory(marker: InventoryMarker): Promise<void>;
  /** Every stored resource (reconciliation compares them with what AWS Config holds, to find the deleted ones). */
  listResources(): Promise<ResourceSummary[]>;
  /**
   * A note kept for 30 days: how a change's ids were resolved (the subnet of an association id, the interface of an
   * instance), so a redelivery resolves them the same way after the state has moved on. First writer wins.
   */
  remember(region: string, key: string, value: string): Promise<void>;
  recall(region: string, key: string): Promise<string | undefined>;
}
