import type { Category } from '../model/category.ts';
import type { Finding } from '../model/finding.ts';
import { atLeast, type Severity } from '../model/severity.ts';

/**
 * A route: which findings (by minimum severity, categories, accounts, regions) go to which sinks. Routes are data;
 * rules never name a sink. Every matching route applies (a risky finding both pages and reaches change management).
 */
export interface RouteSpec {
  name: string;
  /** Findings below this severity do not match (default: every severity). */
  minSeverity?: Severity;
  /** Only these categories (default: all). */
  categories?: Category[];
  /** Only these accounts (default: all). */
  accounts?: string[];
  /** Only these regions (default: all). */
  regions?: string[];
  /** Sink instance names this route delivers to. */
  sinks: string[];
}

/** Where one finding goes. */
export interface RouteDecision {
  routes: string[];
  sinks: string[];
}

/**
 * The routing `npm start` and `netwatch replay` use without a config file: medium and above page; every finding goes
 * to the change-management log.
 */
export const DEFAULT_ROUTES: readonly RouteSpec[] = [
  { name: 'page-risky', minSeverity: 'medium', sinks: ['paging'] },
  { name: 'change-management', sinks: ['change-log'] },
];

/** True when `finding` matches `route`'s filters. */
export function routeMatches(route: RouteSpec, finding: Finding): boolean {
  if (route.minSeverity && !atLeast(finding.severity, route.minSeverity)) return false;
  if (route.categories && !route.categories.includes(finding.category)) return false;
  if (route.accounts && !route.accounts.includes(finding.account)) return false;
  if (route.regions && !route.regions.includes(finding.region)) return false;
  return true;
}

/** The routes a finding matches and the de-duplicated sinks they name, in route order. */
export function routeFinding(finding: Finding, routes: readonly RouteSpec[]): RouteDecision {
  const matched = routes.filter((r) => routeMatches(r, finding));
  const sinks: string[] = [];
  for (const r of matched) for (const s of r.sinks) if (!sinks.includes(s)) sinks.push(s);
  return { routes: matched.map((r) => r.name), sinks };
}
