import type { ResourceId, StatefulKind } from '../model/state.ts';
import {
  resourceKey,
  type InventoryMarker,
  type OpenEpisode,
  type ResourceSummary,
  type StateStore,
  type StoredResource,
} from './store.ts';

/**
 * The state store in memory: the CLI (`classify`, `replay`, `backtest`, `exposures` after a replay) and tests. Items
 * are kept as JSON text, so what a caller holds is a copy (as with DynamoDB) and anything that would not survive
 * the table fails here too. Same conditional-save semantics as the DynamoDB store.
 */
export class MemoryStateStore implements StateStore {
  private readonly items = new Map<string, string>();
  private readonly refs = new Map<string, Map<string, ResourceId>>();
  private readonly markers = new Map<string, string>();
  private readonly notes = new Map<string, string>();
  /** Saves that lost a race (tests read it). */
  conflicts = 0;
  /** Calls, for the bench (`load` counts resources read). */
  readonly calls = { load: 0, save: 0, referencing: 0, setReference: 0, list: 0 };

  async load(region: string, ids: readonly ResourceId[]): Promise<Map<string, StoredResource>> {
    const out = new Map<string, StoredResource>();
    for (const r of ids) {
      this.calls.load += 1;
      const text = this.items.get(resourceKey(region, r.id));
      if (text !== undefined) out.set(r.id, JSON.parse(text) as StoredResource);
    }
    return out;
  }

  async save(item: StoredResource, expectedVersion: number): Promise<boolean> {
    this.calls.save += 1;
    const key = resourceKey(item.region, item.record.resource.id);
    const current = this.items.get(key);
    const version = current === undefined ? 0 : (JSON.parse(current) as StoredResource).version;
    if (version !== expectedVersion) {
      this.conflicts += 1;
      return false;
    }
    this.items.set(key, JSON.stringify(item));
    return true;
  }

  async referencing(region: string, id: string, kind?: StatefulKind): Promise<ResourceId[]> {
    this.calls.referencing += 1;
    return [...(this.refs.get(resourceKey(region, id))?.values() ?? [])]
      .filter((r) => kind === undefined || r.kind === kind)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async setReference(region: string, id: string, referrer: ResourceId, present: boolean): Promise<void> {
    this.calls.setReference += 1;
    const key = resourceKey(region, id);
    let set = this.refs.get(key);
    if (!set) this.refs.set(key, (set = new Map()));
    if (present) set.set(referrer.id, { kind: referrer.kind, id: referrer.id });
    else set.delete(referrer.id);
  }

  async openEpisodes(): Promise<OpenEpisode[]> {
    const out: OpenEpisode[] = [];
    for (const text of this.items.values()) {
      const item = JSON.parse(text) as StoredResource;
      for (const episode of item.episodes) out.push({ region: item.region, account: item.account, episode });
    }
    return out.sort((a, b) => (a.episode.opened.at < b.episode.opened.at ? -1 : 1));
  }

  async inventory(region: string, account: string): Promise<InventoryMarker | undefined> {
    const text = this.markers.get(`${region}|${account}`);
    return text === undefined ? undefined : (JSON.parse(text) as InventoryMarker);
  }

  async setInventory(marker: InventoryMarker): Promise<void> {
    this.markers.set(`${marker.region}|${marker.account}`, JSON.stringify(marker));
  }

  async remember(region: string, key: string, value: string): Promise<void> {
    if (!this.notes.has(`${region}|${key}`)) this.notes.set(`${region}|${key}`, value);
  }

  async recall(region: string, key: string): Promise<string | undefined> {
    return this.notes.get(`${region}|${key}`);
  }

  async listResources(): Promise<ResourceSummary[]> {
    this.calls.list += 1;
    return this.all().map((item) => ({
      region: item.region,
      account: item.account,
      kind: item.record.resource.kind,
      id: item.record.resource.id,
    }));
  }

  /** Every stored resource (tests, the backtest's end-of-run summary). */
  all(): StoredResource[] {
    return [...this.items.values()].map((t) => JSON.parse(t) as StoredResource);
  }
}
