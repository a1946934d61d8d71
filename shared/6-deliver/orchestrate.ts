import { reconcile } from '../5-decide/approvals/match.ts';
import type { Allowlist, ApprovalSource } from '../5-decide/approvals/model.ts';
import { routeFinding, type RouteDecision, type RouteSpec } from '../5-decide/route.ts';
import { DeliveryError, errorText } from '../platform/errors.ts';
import type { Finding } from '../model/finding.ts';
import type { ApprovalVerdict, Notice } from '../model/notice.ts';
import type { Sink } from './sinks/sink.ts';
import { send } from './send.ts';
import { findingKey, type Clock, type DeliveryStore } from './ledger/store.ts';

/** Everything the delivery step needs; built once (cold start / CLI start). */
export interface DeliveryDeps {
  routes: readonly RouteSpec[];
  sinks: ReadonlyMap<string, Sink>;
  store: DeliveryStore;
  allowlists: readonly Allowlist[];
  /** Dedup window: ledger rows and aliases live this long (config dedup.windowHours). */
  dedupWindowMs: number;
  /** Storm window per (account, rule) (config grouping.windowMinutes). */
  groupingWindowMs: number;
  /** A claim older than this may be taken over (config dedup.claimLeaseSeconds). */
  claimLeaseMs: number;
  now?: () => Date;
}

/** What happened to one finding. */
export interface FindingOutcome {
  finding: Finding;
  /** The ledger fingerprint (the finding's own unless a cross-source alias mapped it). */
  fingerprint: string;
  approval: ApprovalVerdict;
  decision: RouteDecision;
  /** Sinks that received it in this call. */
  delivered: string[];
  /** Sinks the ledger says already have it (redelivery, second source). */
  alreadyDelivered: string[];
  /** Paging sinks where it joined a storm digest instead of paging alone. */
  digested: string[];
  /** Sinks another invocation is delivering to right now (also listed in `failed`, so the record is retried). */
  inProgress: string[];
  /** The record of a closed episode: sinks that paged the episode and got its resolve (also in `delivered`). */
  resolved: string[];
  failed: DeliveryError[];
}

/**
 * The delivery step shared by the Lambda functions and `netwatch replay`: for each finding, reconcile approvals,
 * route, then deliver through the ledger —
 * - record sinks: once per (fingerprint, sink) within the dedup window;
 * - page sinks: once per fingerprint, and at most one page per (account, rule) per grouping window: later findings
 *   are collected for the digest the scheduled digest function sends when the window closes.
 * A failing sink never stops the others; its claim is released and its error returned, so the caller fails the
 * record and the retry re-sends only to the sinks without a ledger row.
 */
export async function deliverFindings(
  findings: readonly Finding[],
  approvals: ApprovalSource,
  deps: DeliveryDeps,
): Promise<FindingOutcome[]> {
  const outcomes: FindingOutcome[] = [];
  for (const finding of findings) outcomes.push(await deliverOne(finding, approvals, deps));
  return outcomes;
}

/** Approval verdict and route decision of one finding, without delivering (the `route` dry run). */
export async function decide(
  finding: Finding,
  approvals: ApprovalSource,
  deps: Pick<DeliveryDeps, 'routes' | 'allowlists' | 'now'>,
): Promise<{ approval: ApprovalVerdict; decision: RouteDecision }> {
  const now = deps.now?.() ?? new Date();
  const approval = reconcile(finding, await approvals.forAccount(finding.account), deps.allowlists, now);
  return { approval, decision: routeFinding(finding, deps.routes, approval) };
}

async function deliverOne(finding: Finding, approvals: ApprovalSource, deps: DeliveryDeps): Promise<FindingOutcome> {
  const { approval, decision } = await decide(finding, approvals, deps);
  const clock: Clock & { leaseMs: number } = {
    now: deps.now?.() ?? new Date(),
    ttlMs: deps.dedupWindowMs,
    leaseMs: deps.claimLeaseMs,
  };
  const outcome: FindingOutcome = {
    finding,
    fingerprint: finding.fingerprint,
    approval,
    decision,
    delivered: [],
    alreadyDelivered: [],
    digested: [],
    inProgress: [],
    resolved: [],
    failed: [],
  };
  const resolves = await resolveTargets(finding, deps);
  const extra = [...resolves.keys()].filter((s) => !decision.sinks.includes(s));
  if (decision.sinks.length === 0 && extra.length === 0) return outcome;

  outcome.fingerprint = await deps.store.canonicalFingerprint(finding, clock);
  const key = findingKey(outcome.fingerprint);
  const notice: Notice = { kind: 'finding', finding, approval, routes: decision.routes };

  // Claim every routed sink first: what is done or busy elsewhere is settled before anything is sent.
  const claimed = new Map<string, string>();
  for (const name of [...decision.sinks, ...extra]) {
    if (!deps.sinks.has(name)) {
      outcome.failed.push(new DeliveryError(name, 'no sink with this name is configured', { retryable: false }));
      continue;
    }
    const claim = await deps.store.claim(key, name, clock);
    if (claim.state === 'claimed') claimed.set(name, claim.token);
    else if (claim.state === 'busy') {
      // Another invocation holds the claim. Failing this record (SQS retries it after the visibility timeout) is what
      // keeps "nothing is dropped" true even when the holder crashed: by then its lease has run out.
      outcome.inProgress.push(name);
      outcome.failed.push(new DeliveryError(name, `another invocation is delivering ${key} right now; retry later`));
    } else {
      outcome.alreadyDelivered.push(name);
      // A redelivery after a failure between the page and its episode row: write the row again (idempotent).
      if (
        finding.episode?.state === 'open' &&
        remembersEpisode(deps, decision, name) &&
        claim.entry.status === 'delivered'
      )
        await deps.store.recordEpisodePage(finding.episode.id, name, finding.fingerprint, clock.now);
    }
  }

  const pageSinks = decision.pageSinks.filter((s) => claimed.has(s) && !resolves.has(s));
  const direct = [...decision.recordSinks, ...decision.pageSinks.filter((s) => resolves.has(s)), ...extra].filter((s) =>
    claimed.has(s),
  );
  if (pageSinks.length > 0) {
    const window = await deps.store.openWindow(
      finding.account,
      finding.ruleId,
      outcome.fingerprint,
      deps.groupingWindowMs,
      clock,
    );
    const joined =
      !window.opener &&
      (await deps.store.appendToDigest(
        window,
        { fingerprint: outcome.fingerprint, finding, approval, routes: decision.routes, sinks: pageSinks },
        clock,
      ));
    if (joined) {
      for (const name of pageSinks)
        await deps.store.complete(
          key,
          name,
          'digested',
          clock,
          `DIGEST#${window.account}#${window.ruleId}#${window.windowStart}`,
        );
      outcome.digested.push(...pageSinks);
    } else {
      direct.unshift(...pageSinks);
    }
  }

  await Promise.all(
    direct.map(async (name) => {
      const sink = deps.sinks.get(name);
      const token = claimed.get(name);
      if (!sink || token === undefined) return;
      const keys = resolves.get(name);
      try {
        await send(sink, keys ? { ...notice, resolves: keys } : notice);
      } catch (error) {
        outcome.failed.push(
          error instanceof DeliveryError ? error : new DeliveryError(name, errorText(error), { cause: error }),
        );
        await deps.store.release(key, name, token);
        return;
      }
      await deps.store.complete(key, name, 'delivered', clock);
      outcome.delivered.push(name);
      if (keys) outcome.resolved.push(name);
      // A page (or a ticket) of an open episode: remember it, so the episode's close resolves it here.
      if (finding.episode?.state === 'open' && remembersEpisode(deps, decision, name))
        await deps.store.recordEpisodePage(finding.episode.id, name, finding.fingerprint, clock.now);
    }),
  );
  const order = [...decision.sinks, ...extra];
  outcome.delivered.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return outcome;
}

/**
 * Where the record of a closed episode also goes: each sink that paged the episode or opened a ticket for it (the
 * ledger remembers them) and wants to hear it closed — sinks that resolve what they opened always (PagerDuty:
 * `resolve` with the pages' dedup keys; ServiceNow, Jira, Security Hub: the ticket of the episode), other sinks when
 * a paging route that names them says `resolved: true`. Sink → the dedup keys (fingerprints) of its pages.
 */
async function resolveTargets(finding: Finding, deps: DeliveryDeps): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (finding.episode?.state !== 'closed') return out;
  for (const { sink, fingerprint } of await deps.store.episodePages(finding.episode.id)) {
    const adapter = deps.sinks.get(sink);
    if (adapter === undefined) continue;
    const wanted =
      adapter.resolvesEpisodes === true ||
      deps.routes.some((r) => (r.kind ?? 'record') === 'paging' && r.resolved === true && r.sinks.includes(sink));
    if (!wanted) continue;
    const keys = out.get(sink) ?? [];
    if (!keys.includes(fingerprint)) keys.push(fingerprint);
    out.set(sink, keys);
  }
  return out;
}

/**
 * Whether the ledger remembers that `sink` heard about an open episode: every page, and every record to a sink that
 * opens tickets (ServiceNow, Jira, Security Hub: `resolvesEpisodes`), so the close reaches the ticket even when the
 * sink's routes would not match the (info) close record.
 */
function remembersEpisode(deps: DeliveryDeps, decision: RouteDecision, sink: string): boolean {
  return decision.pageSinks.includes(sink) || deps.sinks.get(sink)?.resolvesEpisodes === true;
}

/** Every delivery failure of a set of outcomes. */
export function failuresOf(outcomes: readonly FindingOutcome[]): DeliveryError[] {
  return outcomes.flatMap((o) => o.failed);
}

/**
 * Deliver and throw when anything failed: the unit of work is an SQS record, and a failed record is retried by SQS and
 * finally dead-lettered; the ledger makes the retry send only what is missing.
 */
export async function deliverOrThrow(
  findings: readonly Finding[],
  approvals: ApprovalSource,
  deps: DeliveryDeps,
): Promise<FindingOutcome[]> {
  const outcomes = await deliverFindings(findings, approvals, deps);
  const failures = failuresOf(outcomes);
  if (failures.length > 0) throw new AggregateError(failures, failures.map((f) => f.message).join('; '));
  return outcomes;
}
