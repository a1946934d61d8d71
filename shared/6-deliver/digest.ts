import type { DeliveryError } from '../platform/errors.ts';
import type { DigestNotice } from '../model/notice.ts';
import type { Sink } from './sinks/sink.ts';
import { sendOnce } from './send.ts';
import type { DeliveryStore, StormWindow } from './ledger/store.ts';

/** What the digest pass needs. */
export interface DigestDeps {
  store: DeliveryStore;
  sinks: ReadonlyMap<string, Sink>;
  dedupWindowMs: number;
  claimLeaseMs: number;
  now?: () => Date;
}

/** One window's digest. */
export interface DigestOutcome {
  window: StormWindow;
  /** Findings in the digest, per sink. */
  sent: Record<string, number>;
  alreadySent: string[];
  failed: DeliveryError[];
}

/**
 * Send the digests of storm windows that have closed: per window, one {@link DigestNotice} per paging sink holding the
 * findings that were held back for that sink. Idempotent: appends are stopped first and the member set frozen
 * (`beginDigest`: a finding is either committed to the digest or refused and pages on its own — the two are mutually
 * exclusive on the window's state, see ledger/store.ts), and each (digest, sink) goes through the ledger, so a re-run
 * after a partial failure sends only to the sinks that failed. The window is closed only when every sink has it; a
 * failure is returned (the scheduled function then fails and the next run retries; nothing undelivered expires).
 */
export async function sendDueDigests(deps: DigestDeps): Promise<DigestOutcome[]> {
  const now = deps.now?.() ?? new Date();
  const clock = { now, ttlMs: deps.dedupWindowMs, leaseMs: deps.claimLeaseMs };
  const outcomes: DigestOutcome[] = [];
  for (const window of await deps.store.dueDigests(now)) {
    const run = await deps.store.beginDigest(window, now);
    if (run === undefined) continue;
    const outcome: DigestOutcome = { window, sent: {}, alreadySent: [], failed: [] };
    const members = await deps.store.digestMembers(window);
    const bySink = new Map<string, typeof members>();
    for (const m of members) for (const s of m.sinks) bySink.set(s, [...(bySink.get(s) ?? []), m]);
    const key = run.ledgerKey;
    for (const [name, held] of bySink) {
      const notice: DigestNotice = {
        kind: 'digest',
        account: window.account,
        ruleId: window.ruleId,
        windowStart: window.windowStart,
        windowEnd: window.windowEnd,
        findings: held.map((m) => m.finding).sort((a, b) => a.at.localeCompare(b.at)),
      };
      const result = await sendOnce(deps, key, name, notice, clock, {
        context: 'digest',
        busy: `another run is sending ${key}`,
      });
      if (result === 'sent') outcome.sent[name] = notice.findings.length;
      else if (result === 'already') outcome.alreadySent.push(name);
      else outcome.failed.push(result);
    }
    if (outcome.failed.length === 0) await deps.store.finishDigest(window, clock);
    outcomes.push(outcome);
  }
  return outcomes;
}
