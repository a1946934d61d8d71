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
  type LedgerEntry,
  type LedgerStatus,
  type StormWindow,
  EPISODE_PAGE_TTL_MS,
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
  private readonly markers = new Map<string, StormWindow & { status: 'pending' | 'closing' }>();
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
    const window = {
      account,
      ruleId,
      windowStart: clock.now.toISOString(),
      windowEnd: new Date(now + windowMs).toISOString(),
    };
    this.windows.set(id, { ...window, opener: fingerprint, endMs: now + windowMs });
    return { ...window, opener: true };
  }

  async appendToDigest(window: StormWindow, member: DigestMember): Promise<boolean> {
    const key = digestKey(window);
    const marker = this.markers.get(key);
    if (marker && marker.status !== 'pending') return false;
    let members = this.members.get(key);
    if (!members) this.members.set(key, (members = new Map()));
    members.set(member.fingerprint, member);
    this.markers.set(key, { ...pick(window), status: 'pending' });
    return true;
  }

  async dueDigests(now: Date): Promise<StormWindow[]> {
    return [...this.markers.values()]
      .filter((m) => Date.parse(m.windowEnd) < now.getTime())
      .map(pick)
      .sort((a, b) => a.windowEnd.localeCompare(b.windowEnd));
  }

  async beginDigest(window: StormWindow): Promise<boolean> {
    const marker = this.markers.get(digestKey(window));
    if (!marker) return false;
    marker.status = 'closing';
    return true;
  }

  async digestMembers(window: StormWindow): Promise<DigestMember[]> {
    return [...(this.members.get(digestKey(window))?.values() ?? [])];
  }

  async finishDigest(window: StormWindow): Promise<void> {
    this.markers.delete(digestKey(window));
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
