import type { ChangeEvent } from '../model/change.ts';
import type { Finding } from '../model/finding.ts';
import type { Rule, RuleContext } from '../model/rule.ts';
import type { RuleError } from '../platform/errors.ts';
import { adjust } from './adjust.ts';
import { evaluate } from './evaluate.ts';
import { lifecycleFindings, NETWORK_CHANGE_RULE } from './lifecycle.ts';

/**
 * Findings of a reconciliation (the changes `StateEngine.reconcile` judged: AWS Config's current state against the
 * kept one). The rules grade them like any change; what differs is what they say and where they go:
 * - an exposure that opened (or widened) here was never seen as a change event: the finding says so — "found by
 *   reconciliation, no change event seen: CloudTrail/EventBridge delivery gap or a change made before deployment" —
 *   and is routed like any other;
 * - an episode that closed here (the exposure is gone, or the resource was deleted between runs) gives the same closed
 *   record as an event would: change management gets it, PagerDuty pages are resolved;
 * - on the first run in an account and Region the opened ones are the posture at deployment: collected for one posture
 *   report (shared/6-deliver/posture.ts) instead of a page each.
 */

/** What the reconciliation's changes gave. */
export interface ReconciledFindings {
  /** Routed like any finding (later runs; closes of any run). */
  findings: Finding[];
  /** The open exposures found by a first run: one posture report. */
  posture: Finding[];
  errors: RuleError[];
}

/** The line every finding of an exposure found by reconciliation carries. */
export const NO_EVENT_SEEN =
  'found by reconciliation, no change event seen: CloudTrail/EventBridge delivery gap or a change made before deployment';

/** Grade a reconciliation's judged changes. */
export function judgeReconciled(
  changes: readonly ChangeEvent[],
  deps: { rules: readonly Rule[]; context: RuleContext },
): ReconciledFindings {
  const out: ReconciledFindings = { findings: [], posture: [], errors: [] };
  // Holes that opened in this run (a group, ACL, table, gateway): a path through one of them is graded with it.
  const holes = new Set(
    changes.flatMap((c) =>
      Object.values(c.state?.resources ?? {}).flatMap((v) =>
        v.kind !== 'network-interface' && v.episodes.some((t) => t.change === 'opened') ? [v.id] : [],
      ),
    ),
  );
  for (const change of changes) {
    const { findings, errors } = evaluate(change, deps.rules, deps.context, { file: change.id });
    out.errors.push(...errors);
    for (const raw of lifecycleFindings(change, findings, deps.rules)) {
      // Nothing moved that a rule grades: a state caught up silently needs no record of its own.
      if (raw.ruleId === NETWORK_CHANGE_RULE) continue;
      // An interface's path (an `internet-path` episode, whichever rule owns it) through such a hole is info here.
      const through =
        raw.episode?.kind === 'internet-path' ? [...holes].find((id) => raw.summary.includes(id)) : undefined;
      const f =
        through !== undefined && raw.episode?.state === 'open'
          ? adjust(
              {
                ...raw,
                severity: 'info',
                why: [...raw.why, `opened with ${through} in the same reconciliation: graded there, naming this path`],
              },
              change,
              deps.context,
              deps.rules,
            )
          : adjust(raw, change, deps.context, deps.rules);
      const first = change.reconciled?.first === true;
      if (f.episode?.state === 'closed') {
        out.findings.push({
          ...f,
          summary: `${f.summary} (found by reconciliation: no change event seen)`,
          why: [...f.why, 'closed as AWS Config shows it now: no change event was seen for it'],
        });
        continue;
      }
      const worded: Finding = first
        ? {
            ...f,
            summary: `open at deployment: ${f.summary}`,
            why: [
              'found by the first reconciliation (the state at deployment): part of the posture report, not paged on its own',
              ...f.why,
            ],
          }
        : { ...f, summary: `${NO_EVENT_SEEN}: ${f.summary}`, why: [NO_EVENT_SEEN, ...f.why] };
      (first ? out.posture : out.findings).push(worded);
    }
  }
  return out;
}
