import { RUNBOOKS } from '../../../../rules/index.ts';
import { NETWORK_CHANGE_CHECK, NETWORK_CHANGE_RULE } from '../../../4-classify/lifecycle.ts';

/**
 * What a responder checks first — the first two minutes of a runbook — for a finding: its rule's `whatToCheck`
 * (rules/*.ts; each rule carries its own, listed in `RUNBOOKS` so the functions that run no rule can show it without
 * bundling the rules), the record of a change no rule flagged has its own, anything else a generic line.
 */

/** For findings of a rule this build does not know. */
const GENERIC = 'Confirm the change was intended and approved; review who made it and what else they changed.';

/** Guidance for a finding (or a digest of one rule's findings). */
export function whatToCheck(finding: { ruleId: string }): string {
  if (finding.ruleId === NETWORK_CHANGE_RULE) return NETWORK_CHANGE_CHECK;
  return RUNBOOKS.get(finding.ruleId) ?? GENERIC;
}
