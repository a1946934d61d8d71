import type { Finding } from '../../model/finding.ts';
import type { ApprovalVerdict } from '../../model/notice.ts';

/**
 * The state delivery keeps between records and invocations: the delivery ledger (what reached which sink), the
 * cross-source aliases, storm windows and pending digests. One interface, two implementations: DynamoDB for Lambda
 * (shared/6-deliver/ledger/dynamodb-store.ts) and memory for the CLI (shared/6-deliver/ledger/memory-store.ts).
 *
 * Ledger keys: a finding's key is `FP#<canonical fingerprint>`; a digest's is `DIGEST#<account>#<ruleId>#<windowStart>`.
 * Each (key, sink) is claimed before sending, so two invocations holding the same change (the CloudTrail event and
 * the Config item, or an SQS redelivery running concurrently) never both send: the loser sees `busy` or `done`.
 */

/** Ledger status of one (key, sink). `digested`: collected into a storm digest instead of paged on its own. */
export type LedgerStatus = 'pending' | 'delivered' | 'digested';

/** One ledger row. */
export interface LedgerEntry {
  key: string;
  sink: string;
  status: LedgerStatus;
  /** ISO time of the claim / delivery. */
  at: string;
  /** For `digested`: the digest's ledger key. */
  digest?: string;
}

/** Result of claiming (key, sink): send it, it is already done, or another invocation holds it right now. */
export type ClaimResult =
  | { state: 'claimed'; token: string }
  | { state: 'done'; entry: LedgerEntry }
  | { state: 'busy' };

/** A storm window of one (account, rule). */
export interface StormWindow {
  account: string;
  ruleId: string;
  /** ISO times. */
  windowStart: string;
  windowEnd: string;
}

/** A finding collected for a digest, with the paging sinks it would have reached. */
export interface DigestMember {
  fingerprint: string;
  finding: Finding;
  approval: ApprovalVerdict;
  routes: string[];
  sinks: string[];
}

/** Timing every store call needs. */
export interface Clock {
  now: Date;
  /** How long a ledger row, alias or digest is kept (the dedup window). */
  ttlMs: number;
}

export interface DeliveryStore {
  /**
   * The fingerprint the ledger uses for this finding: its own, unless one of its CloudTrail event ids
   * ({@link eventIdsOf}) already maps — for the same rule and resource — to another fingerprint within the window
   * (belt and braces for cross-source dedup: the fingerprints of both sources are meant to be equal already).
   */
  canonicalFingerprint(finding: Finding, clock: Clock): Promise<string>;
  /** Claim (key, sink) for sending; a pending claim older than `leaseMs` is taken over (the holder crashed). */
  claim(key: string, sink: string, clock: Clock & { leaseMs: number }): Promise<ClaimResult>;
  /** Mark a claimed (key, sink) delivered or digested. */
  complete(
    key: string,
    sink: string,
    status: Exclude<LedgerStatus, 'pending'>,
    clock: Clock,
    digest?: string,
  ): Promise<void>;
  /**
   * Remember that `sink` got a page of episode `episodeId` under `fingerprint` (its dedup key), so the episode's close
   * can resolve it there. Kept {@link EPISODE_PAGE_TTL_MS} (an exposure may stay open for weeks). Idempotent.
   */
  recordEpisodePage(episodeId: string, sink: string, fingerprint: string, now: Date): Promise<void>;
  /** The pages of an episode: which sink got which dedup key. */
  episodePages(episodeId: string): Promise<{ sink: string; fingerprint: string }[]>;
  /** Drop a claim after a failed send, so the retry can claim it at once. */
  release(key: string, sink: string, token: string): Promise<void>;
  /** Ledger rows of one key (reports, tests). */
  ledger(key: string): Promise<LedgerEntry[]>;

  /** Open the (account, rule) window, or return the open one; `opener` = this fingerprint opened it (or retries). */
  openWindow(
    account: string,
    ruleId: string,
    fingerprint: string,
    windowMs: number,
    clock: Clock,
  ): Promise<StormWindow & { opener: boolean }>;
  /**
   * Add a finding to the window's digest. True: it is committed to the digest (exactly one digest run will send it);
   * false: the digest is closing or closed, the finding is not in it, and the caller pages directly. Append and
   * {@link beginDigest} are mutually exclusive on the window's state (open → closing → closed): a finding is
   * committed only while the state is open (or was committed before: a retry), so it is either in the set the closer
   * sends or refused — never both, never neither. Nothing written here expires before the digest is delivered.
   */
  appendToDigest(window: StormWindow, member: DigestMember, clock: Clock): Promise<boolean>;
  /** Windows that closed before `now` and still have a digest to send (or a leftover marker to clean up). */
  dueDigests(now: Date): Promise<StormWindow[]>;
  /**
   * Close the window to appends (open → closing; re-entrant while closing, so a failed run can be resumed) and freeze
   * its member set. `undefined` when it is already closed (a leftover marker is removed). The run's `ledgerKey` is
   * unique to this window's generation, so a window re-created after its closed state expired is a new digest.
   */
  beginDigest(window: StormWindow, now: Date): Promise<DigestRun | undefined>;
  /** The findings committed to a window's digest (after {@link beginDigest}: the frozen set). */
  digestMembers(window: StormWindow): Promise<DigestMember[]>;
  /** The digest went out to every sink: state closed, and only now do its items get a TTL. */
  finishDigest(window: StormWindow, clock: Clock): Promise<void>;
}

/** A digest run that {@link DeliveryStore.beginDigest} started. */
export interface DigestRun {
  /** Ledger key of this digest (per-sink claims): {@link digestKey} plus the window state's generation. */
  ledgerKey: string;
}

/** How long the pages of an episode are remembered for its close: 90 days. */
/** The storm window an opener starts now, `windowMs` long (both stores open windows with it). */
export function newStormWindow(account: string, ruleId: string, now: Date, windowMs: number): StormWindow {
  return {
    account,
    ruleId,
    windowStart: now.toISOString(),
    windowEnd: new Date(now.getTime() + windowMs).toISOString(),
  };
}

export const EPISODE_PAGE_TTL_MS = 90 * 24 * 3_600_000;

/** Ledger key of an episode's pages. */
export const episodeKey = (episodeId: string): string => `EP#${episodeId}`;

/** Ledger key of a finding. */
export const findingKey = (fingerprint: string): string => `FP#${fingerprint}`;
/** Ledger key of a digest (also the partition of its members). */
export const digestKey = (w: Pick<StormWindow, 'account' | 'ruleId' | 'windowStart'>): string =>
  `DIGEST#${w.account}#${w.ruleId}#${w.windowStart}`;
/** Alias sort key: one CloudTrail event may yield findings of several rules and resources. */
export const aliasSortKey = (ruleId: string, resourceId: string): string => `ALIAS#${ruleId}#${resourceId}`;

/** The CloudTrail event ids a finding stands for: its own event id, or those a Config item names in relatedEvents. */
export function eventIdsOf(finding: Finding): string[] {
  return finding.source === 'cloudtrail' ? [finding.changeId] : [...(finding.related ?? [])];
}
