import { defaultConfig } from '../../shared/config/default.ts';
import { routesFromConfig } from '../../shared/config/routes.ts';
import { routeFinding, type RouteSpec } from '../../shared/5-decide/route.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { episodeRef, type Episode, type EpisodeTransition } from '../../shared/model/exposure.ts';
import { UNAPPROVED, type ApprovalState, type ApprovalVerdict } from '../../shared/model/notice.ts';
import { isRisky, maxSeverity, SEVERITIES, severityRank, type Severity } from '../../shared/model/severity.ts';
import { actorText, bySeverityThenTime } from '../format.ts';
import type { ApprovalCheck } from './approvals.ts';
import type { ScanResult } from './scan.ts';

/**
 * What a backtest tells a team: how much it read, what Netwatch would have found (by rule, category, severity,
 * account, day, actor), which findings would have paged, and how many pages approvals and allowlists would have
 * saved. Plain data, so the JSON report is this object and the table and HTML reports only render it.
 */

/** Counts of findings under one key. */
export interface Tally {
  key: string;
  findings: number;
  /** Medium or above (before approvals). */
  risky: number;
  /** Pages after approvals and allowlists. */
  pages: number;
  bySeverity: Record<Severity, number>;
}

/** One finding as the report lists it. */
export interface FindingRow {
  at: string;
  severity: Severity;
  ruleId: string;
  category: string;
  title: string;
  summary: string;
  account: string;
  region: string;
  resource: string;
  actor: string;
  actorArn?: string;
  api?: string;
  changeId: string;
  fingerprint: string;
  approval: ApprovalState;
  /** The allowlist entry or approval ticket that applied. */
  approvalEntry?: string;
  /** Why, as the verdict says it. */
  approvalReason?: string;
}

/** One exposure episode as the report lists it. */
export interface EpisodeRow {
  id: string;
  kind: string;
  resource: string;
  account: string;
  region: string;
  /** What was (or is) exposed. */
  exposure: string;
  openedAt: string;
  openedBy?: string;
  closedAt?: string;
  closedBy?: string;
  state: 'open' | 'closed';
  /** Open time: until the close, or until the end of the input for one still open. */
  openSeconds: number;
}

/** The life of the exposures seen over the input (kept state). */
export interface EpisodeSummary {
  opened: number;
  closed: number;
  stillOpen: number;
  /** Median and longest open time, seconds (still-open ones counted to the end of the input). */
  medianOpenSeconds: number;
  longestOpenSeconds: number;
  /** Every episode, longest open first. */
  rows: EpisodeRow[];
}

/**
 * Episodes from the transitions the state step reported while judging the input in event-time order: each opening
 * and its close (the last state of the episode wins). `end` measures those still open (the last change read).
 */
export function summarizeEpisodes(transitions: readonly EpisodeTransition[], end: string): EpisodeSummary {
  const latest = new Map<string, Episode>();
  for (const t of transitions) {
    const had = latest.get(t.episode.id);
    if (had?.closed !== undefined && t.change !== 'closed') continue;
    latest.set(t.episode.id, t.episode);
  }
  const rows = [...latest.values()].map((e): EpisodeRow => {
    const ref = episodeRef(e);
    const until = e.closed?.at ?? end;
    const row: EpisodeRow = {
      id: e.id,
      kind: e.kind,
      resource: e.resource.id,
      account: e.account,
      region: e.region,
      exposure: ref.exposure,
      openedAt: e.opened.at,
      state: ref.state,
      openSeconds: Math.max(0, Math.round((Date.parse(until) - Date.parse(e.opened.at)) / 1000)) || 0,
    };
    if (ref.openedBy !== undefined) row.openedBy = ref.openedBy;
    if (ref.closedAt !== undefined) row.closedAt = ref.closedAt;
    if (ref.closedBy !== undefined) row.closedBy = ref.closedBy;
    return row;
  });
  rows.sort((a, b) => b.openSeconds - a.openSeconds || a.openedAt.localeCompare(b.openedAt));
  const times = rows.map((r) => r.openSeconds).sort((a, b) => a - b);
  return {
    opened: rows.length,
    closed: rows.filter((r) => r.state === 'closed').length,
    stillOpen: rows.filter((r) => r.state === 'open').length,
    medianOpenSeconds: times.length ? times[Math.floor(times.length / 2)]! : 0,
    longestOpenSeconds: times.length ? times[times.length - 1]! : 0,
    rows,
  };
}

/** The backtest result. */
export interface BacktestSummary {
  generatedAt: string;
  sources: string[];
  /** The config file whose context, paging routes, static approvals and allowlists were applied (`--config`). */
  config?: string;
  /** The requested window (ISO), when one was given. */
  window: { from?: string; to?: string };
  /** First and last finding time seen. */
  span: { first?: string; last?: string };
  input: {
    units: number;
    records: number;
    ignored: number;
    changes: number;
    errors: number;
    seconds: number;
    recordsPerSecond: number;
    interrupted: boolean;
  };
  /** The first error texts (the rest are counted). */
  errorSamples: string[];
  totals: {
    findings: number;
    /** The same change read twice (organisation and account trail), counted once. */
    duplicates: number;
    /** Findings of changes before `--since` or after `--until` (the first and last file can straddle the window). */
    outsideWindow: number;
    risky: number;
    pages: number;
    bySeverity: Record<Severity, number>;
  };
  byRule: (Tally & { title: string; category: string })[];
  byCategory: Tally[];
  byAccount: Tally[];
  byDay: Tally[];
  topActors: Tally[];
  /** Findings that would have paged (after approvals and allowlists), most severe first. */
  pages: FindingRow[];
  /** Findings that would have paged but for an approval or an allowlist. */
  suppressed: FindingRow[];
  approvals: {
    checked: boolean;
    wouldPage: number;
    paged: number;
    approved: number;
    allowlisted: number;
    expired: number;
    byEntry: { entry: string; findings: number }[];
  };
  /** Exposure episodes over the input (kept state; absent with `--state off`). */
  episodes?: EpisodeSummary;
}

/** Would this finding have paged, given its approval verdict? */
export type PagePolicy = (finding: Finding, verdict: ApprovalVerdict) => boolean;

/** A finding pages when one of these routes sends it to a paging sink, given its verdict (as the functions route). */
export function pagePolicy(routes: readonly RouteSpec[]): PagePolicy {
  return (finding, verdict) => routeFinding(finding, routes, verdict).pageSinks.length > 0;
}

let defaultPolicy: PagePolicy | undefined;
/**
 * Without a config file: the built-in default config's routes — a risky finding (medium or above) pages unless an
 * approval or an allowlist covers it. Built on first use (validating the default config costs milliseconds).
 */
export function defaultPagePolicy(): PagePolicy {
  return (defaultPolicy ??= pagePolicy(routesFromConfig(defaultConfig())));
}

/** How the summary was asked for. */
export interface SummaryOptions {
  sources: string[];
  /** Named in the report when the routes and approvals came from a config file. */
  config?: string;
  window?: { from?: string; to?: string };
  approvals?: ApprovalCheck;
  /**
   * Which findings page (default {@link defaultPagePolicy}); `--config` passes its paging routes. A finding the
   * policy pages when unapproved but not with its verdict was kept from paging by that approval or allowlist.
   */
  wouldPage?: PagePolicy;
  seconds: number;
  interrupted: boolean;
  /** Top-N cut for actors (default 10). */
  topActors?: number;
  /** Error texts kept (default 20). */
  errorSamples?: number;
  /** Episodes over the input (kept state). */
  episodes?: EpisodeSummary;
}

const zeroSeverities = (): Record<Severity, number> => ({ info: 0, low: 0, medium: 0, high: 0, critical: 0 });

/**
 * Build the summary. The same change read twice (an organisation trail and an account trail both deliver it) is
 * counted once — keyed by fingerprint and change id, so a security group opened again next week still counts again.
 * Findings outside the window are left out (files outside it were never read; the first and last file can straddle).
 */
export function summarize(scan: ScanResult, options: SummaryOptions): BacktestSummary {
  const window = options.window ?? {};
  const seen = new Set<string>();
  const findings: Finding[] = [];
  let duplicates = 0;
  let outsideWindow = 0;
  for (const f of scan.findings) {
    if ((window.from !== undefined && f.at < window.from) || (window.to !== undefined && f.at > window.to)) {
      outsideWindow += 1;
      continue;
    }
    const key = `${f.fingerprint}|${f.changeId}`;
    if (seen.has(key)) {
      duplicates += 1;
      continue;
    }
    seen.add(key);
    findings.push(f);
  }
  findings.sort(bySeverityThenTime);

  const wouldPage = options.wouldPage ?? defaultPagePolicy();
  const paged = new Set<FindingRow>();
  const kept = new Set<FindingRow>();
  const rows = findings.map((f): FindingRow => {
    // Routes may page below medium: with a page policy given, every finding is checked.
    const verdict =
      options.approvals && (isRisky(f.severity) || options.wouldPage !== undefined) ? options.approvals(f) : undefined;
    const row: FindingRow = {
      at: f.at,
      severity: f.severity,
      ruleId: f.ruleId,
      category: f.category,
      title: f.title,
      summary: f.summary,
      account: f.account,
      region: f.region,
      resource: f.resource.id,
      actor: actorText(f),
      changeId: f.changeId,
      fingerprint: f.fingerprint,
      approval: verdict?.state ?? 'unapproved',
    };
    const arn = f.actor?.sessionIssuerArn ?? f.actor?.arn;
    if (arn) row.actorArn = arn;
    if (f.api) row.api = `${f.api.source} ${f.api.name}`;
    if (verdict && verdict.state !== 'unapproved') {
      row.approvalEntry = verdict.allowlist ?? verdict.approval?.ticket ?? verdict.state;
      row.approvalReason = verdict.reason;
    }
    if (wouldPage(f, verdict ?? UNAPPROVED)) paged.add(row);
    else if (verdict !== undefined && wouldPage(f, UNAPPROVED)) kept.add(row);
    return row;
  });
  const pages = rows.filter((r) => paged.has(r));
  const suppressed = rows.filter((r) => kept.has(r));

  const tally = (keyOf: (r: FindingRow) => string): Map<string, Tally> => {
    const map = new Map<string, Tally>();
    for (const r of rows) {
      const key = keyOf(r);
      let t = map.get(key);
      if (!t) map.set(key, (t = { key, findings: 0, risky: 0, pages: 0, bySeverity: zeroSeverities() }));
      t.findings += 1;
      t.bySeverity[r.severity] += 1;
      if (isRisky(r.severity)) t.risky += 1;
      if (paged.has(r)) t.pages += 1;
    }
    return map;
  };
  const ranked = (map: Map<string, Tally>): Tally[] =>
    [...map.values()].sort(
      (a, b) => b.pages - a.pages || b.risky - a.risky || b.findings - a.findings || a.key.localeCompare(b.key),
    );

  const ruleInfo = new Map(rows.map((r) => [r.ruleId, { title: r.title, category: r.category }]));
  const byRule = ranked(tally((r) => r.ruleId)).map((t) => ({
    ...t,
    title: ruleInfo.get(t.key)?.title ?? t.key,
    category: ruleInfo.get(t.key)?.category ?? '',
  }));
  const byEntry = new Map<string, number>();
  for (const r of suppressed)
    byEntry.set(r.approvalEntry ?? r.approval, (byEntry.get(r.approvalEntry ?? r.approval) ?? 0) + 1);
  const bySeverity = zeroSeverities();
  for (const r of rows) bySeverity[r.severity] += 1;
  const times = rows.map((r) => r.at).sort();
  const first = times[0];
  const last = times[times.length - 1];

  return {
    generatedAt: new Date().toISOString(),
    sources: options.sources,
    ...(options.config !== undefined ? { config: options.config } : {}),
    window,
    span: { ...(first ? { first } : {}), ...(last ? { last } : {}) },
    input: {
      units: scan.units,
      records: scan.records,
      ignored: scan.ignored,
      changes: scan.changes,
      errors: scan.errors.length,
      seconds: options.seconds,
      recordsPerSecond: options.seconds > 0 ? Math.round(scan.records / options.seconds) : 0,
      interrupted: options.interrupted,
    },
    errorSamples: scan.errors.slice(0, options.errorSamples ?? 20),
    totals: {
      findings: rows.length,
      duplicates,
      outsideWindow,
      risky: rows.filter((r) => isRisky(r.severity)).length,
      pages: pages.length,
      bySeverity,
    },
    byRule,
    byCategory: ranked(tally((r) => r.category)),
    byAccount: ranked(tally((r) => r.account)),
    byDay: [...tally((r) => r.at.slice(0, 10)).values()].sort((a, b) => a.key.localeCompare(b.key)),
    topActors: ranked(tally((r) => r.actorArn ?? r.actor)).slice(0, options.topActors ?? 10),
    pages,
    suppressed,
    approvals: {
      checked: options.approvals !== undefined,
      wouldPage: pages.length + suppressed.length,
      paged: pages.length,
      approved: suppressed.filter((r) => r.approval === 'approved').length,
      allowlisted: suppressed.filter((r) => r.approval === 'allowlisted').length,
      expired: pages.filter((r) => r.approval === 'expired').length,
      byEntry: [...byEntry].map(([entry, n]) => ({ entry, findings: n })).sort((a, b) => b.findings - a.findings),
    },
    ...(options.episodes !== undefined ? { episodes: options.episodes } : {}),
  };
}

/** The most severe grade in a tally (for colouring). */
export function worst(t: Tally): Severity {
  return maxSeverity(...SEVERITIES.filter((s) => t.bySeverity[s] > 0));
}

/** Severities from most to least severe, for report columns. */
export const SEVERITIES_DESC: readonly Severity[] = [...SEVERITIES].sort((a, b) => severityRank(b) - severityRank(a));
