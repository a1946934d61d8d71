import { RULES } from '../../../../rules/index.ts';
import { NETWORK_CHANGE_CHECK, NETWORK_CHANGE_RULE } from '../../../4-classify/lifecycle.ts';
import type { Rule } from '../../../model/rule.ts';

/**
 * What a responder checks first — the first two minutes of a runbook — for a finding: its rule's `whatToCheck`
 * (rules/*.ts; each rule carries its own), the record of a change no rule flagged has its own, anything else a
 * generic line.
 */

/** For findings of a rule this build does not know. */
const GENERIC = 'Confirm the change was intended and approved; review who made it and what else they changed.';

const BY_RULE: ReadonlyMap<string, string> = new Map(RULES.map((r: Rule) => [r.id, r.whatToCheck]));

/** Guidance for a finding (or a digest of one rule's findings). */
export function whatToCheck(finding: { ruleId: string }): string {
  if (finding.ruleId === NETWORK_CHANGE_RULE) return NETWORK_CHANGE_CHECK;
  return BY_RULE.get(finding.ruleId) ?? GENERIC;
}
