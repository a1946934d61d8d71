import { randomUUID } from 'node:crypto';
import type { Finding } from '../../model/finding.ts';
import {
  aliasSortKey,
  digestKey,
  eventIdsOf,
  type ClaimResult,
  type Clock,
  type DeliveryStore,
  type DigestMember,
  type DigestRun,
  type LedgerEntry,
  type LedgerStatus,
  type StormWindow,
  EPISODE_PAGE_TTL_MS,
  newStormWindow,
} from './store.ts';

interface Row extends LedgerEntry {
  token?: string;
  leaseUntil?: number;
  expiresAt: number;
}

/**
 * The delivery store in memory: `netwatch replay` without DynamoDB, and unit tests. Same semantics as the DynamoDB
 * store (claims with leases, TTL checked on read), single process only.
 */
export class MemoryDeliveryStore implements DeliveryStore {
  private readonly rows = new Map<string, Row>();
  private readonly aliases = new Map<string, { fingerprint: string; expiresAt: number; source: Finding['source'] }>();
  private readonly windows = new Map<string, StormWindow & { opener: string; endMs: number }>();
  private readonly members = new Map<string, Map<string, DigestMember>>();
  /** Window state per digest key: the same open → closing → closed machine as the DynamoDB store. */
  private readonly states = new Map<
    string,
    { state: 'open' | 'closing' | 'closed'; fps: Set<string>; generation: string; expiresAt?: number }
  >();
  /** Due markers per digest key. */
  private readonly markers = new Map<string, StormWindow>();
  private readonly episodes = new Map<string, Map<string, { sink: string; fingerprint: string; expiresAt: number }>>();

  async recordEpisodePage(episodeId: string, sink: string, fingerprint: string, now: Date): Promise<void> {
    let pages = this.episodes.get(episodeId);
    if (!pages) this.episodes.set(episodeId, (pages = new Map()));
    pages.set(`${sink}#${fingerprint}`, { sink, fingerprint, expiresAt: now.getTime() + EPISODE_PAGE_TTL_MS });
  }

  async episodePages(episodeId: string): Promise<{ sink: string; fingerprint: string }[]> {
    const now = Date.now();
    return [...(this.episodes.get(episodeId)?.values() ?? [])]
      .filter((p) => p.expiresAt > now)
      .map(({ sink, fingerprint }) => ({ sink, fingerprint }));
  }

  async canonicalFingerprint(finding: Finding, clock: Clock): Promise<string> {
    const now = clock.now.getTime();
    const keys = eventIdsOf(finding).map((id) => `EVT#${id}|${aliasSortKey(finding.ruleId, finding.resource.id)}`);
    // Only the *other* source's alias merges: several findings of one event (one rule, one resource, different
    // peers) are distinct changes, not duplicates.
    const existing = keys
      .map((k) => this.aliases.get(k))
      .find((a) => a !== undefined && a.expiresAt > now && a.source !== finding.source);
    const canonical = existing?.fingerprint ?? finding.fingerprint;
    for (const k of keys) {
      const a = this.aliases.get(k);
      if (!a || a.expiresAt <= now)
        this.aliases.set(k, { fingerprint: canonical, expiresAt: now + clock.ttlMs, source: finding.source });
    }
    return canonical;
  }

  async claim(key: string, sink: string, clock: Clock & { leaseMs: number }): Promise<ClaimResult> {
    const id = `${key}|${sink}`;
    const now = clock.now.getTime();
    const row = this.rows.get(id);
    if (row && row.expiresAt > now) {
      if (row.status !== 'pending') return { state: 'done', entry: entry(row) };
      if ((row.leaseUntil ?? 0) >= now) return { state: 'busy' };
    }
    const token = randomUUID();
    this.rows.set(id, {
      key,
      sink,
      status: 'pending',
      at: clock.now.toISOString(),
      token,
      leaseUntil: now + clock.leaseMs,
      expiresAt: now + clock.ttlMs,
    });
    return { state: 'claimed', token };
  }

  async complete(
    key: string,
    sink: string,
    status: Exclude<LedgerStatus, 'pending'>,
    clock: Clock,
    digest?: string,
  ): Promise<void> {
    this.rows.set(`${key}|${sink}`, {
      key,
      sink,
      status,
      at: clock.now.toISOString(),
      ...(digest ? { digest } : {}),
      expiresAt: clock.now.getTime() + clock.ttlMs,
    });
  }

  async release(key: string, sink: string, token: string): Promise<void> {
    const id = `${key}|${sink}`;
    if (this.rows.get(id)?.token === token) this.rows.delete(id);
  }

  async ledger(key: string): Promise<LedgerEntry[]> {
    return [...this.rows.values()]
      .filter((r) => r.key === key)
      .map(entry)
      .sort((a, b) => a.sink.localeCompare(b.sink));
  }

  async openWindow(
    account: string,
    ruleId: string,
    fingerprint: string,
    windowMs: number,
    clock: Clock,
  ): Promise<StormWindow & { opener: boolean }> {
    const id = `${account}#${ruleId}`;
    const now = clock.now.getTime();
    const open = this.windows.get(id);
    if (open && open.endMs > now)
      return {
        account,
        ruleId,
        windowStart: open.windowStart,
        windowEnd: open.windowEnd,
        opener: open.opener === fingerprint,
      };
    const window = newStormWindow(account, ruleId, clock.now, windowMs);
    this.windows.set(id, { ...window, opener: fingerprint, endMs: now + windowMs });
    return { ...window, opener: true };
  }

  async appendToDigest(window: StormWindow, member: DigestMember, clock: Clock): Promise<boolean> {
    const key = digestKey(window);
    let members = this.members.get(key);
    if (!members) this.members.set(key, (members = new Map()));
    members.set(member.fingerprint, member);
    this.markers.set(key, pick(window));
    let state = this.live(key, clock.now);
    if (!state) this.states.set(key, (state = { state: 'open', fps: new Set(), generation: randomUUID() }));
    if (state.state === 'open' || state.fps.has(member.fingerprint)) {
      state.fps.add(member.fingerprint);
      return true;
    }
    members.delete(member.fingerprint); // refused: the caller pages directly
    return false;
  }

  async dueDigests(now: Date): Promise<StormWindow[]> {
    return [...this.markers.values()]
      .filter((m) => Date.parse(m.windowEnd) < now.getTime())
      .map(pick)
      .sort((a, b) => a.windowEnd.localeCompare(b.windowEnd));
  }

  async beginDigest(window: StormWindow, now: Date): Promise<DigestRun | undefined> {
    const key = digestKey(window);
    let state = this.live(key, now);
    if (!state) this.states.set(key, (state = { state: 'closing', fps: new Set(), generation: randomUUID() }));
    if (state.state === 'closed') {
      this.markers.delete(key);
      return undefined;
    }
    state.state = 'closing';
    return { ledgerKey: `${key}#${state.generation}` };
  }

  async digestMembers(window: StormWindow): Promise<DigestMember[]> {
    const key = digestKey(window);
    const committed = this.states.get(key)?.fps ?? new Set<string>();
    return [...(this.members.get(key)?.values() ?? [])].filter((m) => committed.has(m.fingerprint));
  }

  async finishDigest(window: StormWindow, clock: Clock): Promise<void> {
    const key = digestKey(window);
    const state = this.states.get(key);
    if (state && state.state === 'closing') {
      state.state = 'closed';
      state.expiresAt = clock.now.getTime() + clock.ttlMs;
    }
    this.members.delete(key);
    this.markers.delete(key);
  }

  /** The window state, unless its TTL has passed (a closed state expires; open and closing never do). */
  private live(key: string, now: Date) {
    const state = this.states.get(key);
    return state && (state.expiresAt === undefined || state.expiresAt > now.getTime()) ? state : undefined;
  }
}

function entry(row: Row): LedgerEntry {
  return {
    key: row.key,
    sink: row.sink,
    status: row.status,
    at: row.at,
    ...(row.digest ? { digest: row.digest } : {}),
  };
}

function pick(w: StormWindow): StormWindow {
  return { account: w.account, ruleId: w.ruleId, windowStart: w.windowStart, windowEnd: w.windowEnd };
}
