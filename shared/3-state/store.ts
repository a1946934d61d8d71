import type { Episode, Exposure, ResourceView } from '../model/exposure.ts';
import type { ResourceId } from '../model/state.ts';
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

export interface StateStore {
  /** The stored resources among `ids` in `region` (absent ones are not in the map), read strongly consistent. */
  load(region: string, ids: readonly ResourceId[]): Promise<Map<string, StoredResource>>;
  /**
   * Write `item` if the stored version still equals `expectedVersion` (0 = must not exist). False when another writer
   * got there first: re-read and re-apply.
   */
  save(item: StoredResource, expectedVersion: number): Promise<boolean>;
  /** Security groups and route tables that reference a prefix list (the reverse index). */
  referencing(region: string, prefixListId: string): Promise<ResourceId[]>;
  /** Add (or remove) `referrer` in the reverse index of a prefix list. Idempotent. */
  setReference(region: string, prefixListId: string, referrer: ResourceId, present: boolean): Promise<void>;
  /** Every open episode, oldest first. */
  openEpisodes(): Promise<OpenEpisode[]>;
}
