import type { Category } from '../model/category.ts';
import type { Finding } from '../model/finding.ts';
import { UNAPPROVED, type ApprovalState, type ApprovalVerdict } from '../model/notice.ts';
import { atLeast, type Severity } from '../model/severity.ts';

/**
 * A route: which findings (by minimum severity, categories, accounts, regions, resource tags, approval state) go to
 * which sinks. Routes are data; rules never name a sink. Every matching route applies (a risky finding both pages and
 * reaches change management).
 *
 * `kind` says what a delivery through this route is: `paging` deliveries are pages — one per change within the dedup
 * window, at most one per (account, rule) per grouping window, the rest in a digest; `record` deliveries reach the
 * sink for every distinct finding (change management, archives). A sink reached by a record route for a finding gets
 * it as a record, even when a paging route names it too: recording never loses to storm control.
 */
export interface RouteSpec {
  name: string;
  /** Default `record`. */
  kind?: 'paging' | 'record';
  /** Findings below this severity do not match (default: every severity). */
  minSeverity?: Severity;
  /** Only these categories (default: all). */
  categories?: Category[];
  /** Only these accounts (default: all). */
  accounts?: string[];
  /** Only these regions (default: all). */
  regions?: string[];
  /** Resource tags: each key must carry one of the values; `*` = any value (default: no tag filter). */
  tags?: Record<string, string[]>;
  /** Only findings whose approval verdict is one of these (default: any). */
  approval?: ApprovalState[];
  /** Sink instance names this route delivers to. */
  sinks: string[];
  /**
   * Paging routes: also send the record of a closed episode ("resolved") to this route's sinks that paged it. PagerDuty
   * sinks always get their `resolve`; this is for the others (Slack, SNS, webhooks). Default false.
   */
  resolved?: boolean;
}

/** Where one finding goes. */
export interface RouteDecision {
  routes: string[];
  /** Every sink, de-duplicated, in route order. */
  sinks: string[];
  /** Sinks reached only through paging routes (deduplicated + storm-controlled). */
  pageSinks: string[];
  /** Sinks reached through at least one record route. */
  recordSinks: string[];
}

/** True when `finding` (with its approval state) matches `route`'s filters. */
export function routeMatches(route: RouteSpec, finding: Finding, approval: ApprovalState = 'unapproved'): boolean {
  if (route.minSeverity && !atLeast(finding.severity, route.minSeverity)) return false;
  if (route.categories && !route.categories.includes(finding.category)) return false;
  if (route.accounts && !route.accounts.includes(finding.account)) return false;
  if (route.regions && !route.regions.includes(finding.region)) return false;
  if (route.approval && !route.approval.includes(approval)) return false;
  if (route.tags) {
    const tags = finding.resource.tags ?? {};
    for (const [key, values] of Object.entries(route.tags)) {
      const value = tags[key];
      if (value === undefined || !(values.includes('*') || values.includes(value))) return false;
    }
  }
  return true;
}

/** The routes a finding matches and the de-duplicated sinks they name, in route order, split into page and record. */
export function routeFinding(
  finding: Finding,
  routes: readonly RouteSpec[],
  verdict: ApprovalVerdict = UNAPPROVED,
): RouteDecision {
  const matched = routes.filter((r) => routeMatches(r, finding, verdict.state));
  const sinks: string[] = [];
  const recordSinks: string[] = [];
  for (const r of matched) {
    for (const s of r.sinks) {
      if (!sinks.includes(s)) sinks.push(s);
      if ((r.kind ?? 'record') === 'record' && !recordSinks.includes(s)) recordSinks.push(s);
    }
  }
  return {
    routes: matched.map((r) => r.name),
    sinks,
    pageSinks: sinks.filter((s) => !recordSinks.includes(s)),
    recordSinks,
  };
}
