import type { Allowlist } from '../5-decide/approvals/model.ts';
import { toApproval, type Approval } from '../5-decide/approvals/model.ts';
import type { RouteSpec } from '../5-decide/route.ts';
import type { RuleContext } from '../model/rule.ts';
import { normalizeTagFilter } from '../model/fields.ts';
import type { NetwatchConfig } from './schema.ts';
import { toRuleContext } from '../4-classify/context.ts';

/** The config's routes as the engine's {@link RouteSpec}s (filters flattened, tag values normalized to lists). */
export function routesFromConfig(config: NetwatchConfig): RouteSpec[] {
  return config.routes.map((r) => {
    const spec: RouteSpec = { name: r.name, kind: r.kind, sinks: r.sinks };
    if (r.resolved) spec.resolved = true;
    const m = r.match;
    if (m.minSeverity) spec.minSeverity = m.minSeverity;
    if (m.categories) spec.categories = m.categories;
    if (m.accounts) spec.accounts = m.accounts;
    if (m.regions) spec.regions = m.regions;
    if (m.tags) spec.tags = normalizeTagFilter(m.tags);
    if (m.approval) spec.approval = m.approval;
    return spec;
  });
}

/** The config's `approvals.static` list. */
export function staticApprovalsFromConfig(config: NetwatchConfig): Approval[] {
  return config.approvals.static.map((a) => toApproval(a, 'config'));
}

/** The config's allowlists. */
export function allowlistsFromConfig(config: NetwatchConfig): Allowlist[] {
  return config.allowlists.map((a) => ({
    name: a.name,
    actorArnPatterns: a.actorArnPatterns,
    categories: a.categories,
    reason: a.reason,
    ...(a.accounts ? { accounts: a.accounts } : {}),
  }));
}

/** The rule context from the config's `context` section (same schema as a `--context` file). */
export function ruleContextFromConfig(config: NetwatchConfig): RuleContext {
  return toRuleContext(config.context);
}
