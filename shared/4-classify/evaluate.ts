import { RuleError, type InputLocation } from '../platform/errors.ts';
import type { ChangeEvent } from '../model/change.ts';
import type { Finding } from '../model/finding.ts';
import type { Rule, RuleContext } from '../model/rule.ts';
import { fingerprint } from './fingerprint.ts';

/** Findings for one change, and the rules that threw (each other rule still ran). */
export interface Evaluation {
  findings: Finding[];
  errors: RuleError[];
}

/**
 * Run every applicable rule on one change. A rule applies when the change holds a delta of a kind it reads. A rule
 * that throws becomes a {@link RuleError} naming it; the rest still run (ARCHITECTURE.md, error policy).
 */
export function evaluate(
  change: ChangeEvent,
  rules: readonly Rule[],
  context: RuleContext,
  where: InputLocation = {},
): Evaluation {
  const findings: Finding[] = [];
  const errors: RuleError[] = [];
  if (change.deltas.length === 0) return { findings, errors };
  const kinds = new Set(change.deltas.map((d) => d.kind));
  for (const rule of rules) {
    if (!rule.deltaKinds.some((k) => kinds.has(k))) continue;
    try {
      for (const draft of rule.classify(change, context)) {
        const finding: Finding = {
          fingerprint: fingerprint(rule.id, change.account, change.region, change.resource, draft.evidence),
          ruleId: rule.id,
          title: draft.title ?? rule.title,
          summary: draft.summary,
          severity: draft.severity,
          category: rule.category,
          resource: change.resource,
          account: change.account,
          region: change.region,
          at: change.at,
          source: change.source,
          changeId: change.id,
          evidence: draft.evidence,
          why: draft.why,
        };
        if (change.actor) finding.actor = change.actor;
        if (change.api) finding.api = change.api;
        if (change.related?.length) finding.related = change.related;
        findings.push(finding);
      }
    } catch (cause) {
      errors.push(new RuleError(rule.id, change.id, cause, where));
    }
  }
  return { findings, errors };
}
