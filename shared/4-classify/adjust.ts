import type { Actor, ChangeEvent } from '../model/change.ts';
import type { Finding } from '../model/finding.ts';
import type { Rule, RuleContext } from '../model/rule.ts';
import { contextDefaults } from '../model/rule.ts';
import { shiftSeverity } from '../model/severity.ts';
import { matchActor } from '../model/actor-match.ts';

/**
 * Context-aware severity: a pure step after the rules. A rule grades *what* changed; this step moves the grade by
 * *who* changed it and *what it is attached to*, one step per reason, and appends each reason to `why`
 * ("raised: …", "lowered: …") so a responder sees every adjustment. It also appends what enrichment did (an actor
 * looked up, a look-up that timed out), so a finding never silently lacks something.
 *
 * - raised: the actor is the root user; or the call was signed with a long-term access key (AKIA…) of an IAM user.
 * - lowered: the actor matches `context.automationRoles` (known pipelines).
 * - reachability (kept state, any rule): an exposure the internet cannot reach now is lowered one step, the missing
 *   link named; a reachable or unknown verdict is said, not graded (see {@link reachAdjustment}).
 * - the finding's own rule's `adjust` (rules/sg-open-world.ts: a group known reachable through a whole path, else what
 *   it is attached to), when it has one. A rule's adjustment that grades the reachability verdict itself
 *   (`SeverityAdjustment.gradesReach`) replaces the generic reachability step for that finding.
 *
 * Info findings are never raised: info means nothing got riskier (a detach, a revoke), whoever did it.
 * Rules that own a context decision (igw-attach and internal-only VPCs) make it themselves.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#root-user-best-practices
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
 */
export function adjust(finding: Finding, change: ChangeEvent, context: RuleContext, rules: readonly Rule[]): Finding {
  const options = contextDefaults(context);
  let steps = 0;
  const why: string[] = [];
  const actor = change.actor;
  if (actor !== undefined) {
    const raise = actorRaise(actor, options.adjust);
    if (raise !== undefined) {
      steps += 1;
      why.push(`raised: ${raise}`);
    }
    // The role (session issuer), never the caller-chosen session ARN (shared/model/actor-match.ts).
    const automation = matchActor(options.automationRoles, actor, 'ignore-case');
    if (automation !== undefined) {
      steps -= 1;
      why.push(
        `lowered: actor ${actor.sessionIssuerArn ?? actor.arn ?? ''} matches automation role ${automation} (context.automationRoles)`,
      );
    }
  }
  const own = rules.find((r) => r.id === finding.ruleId)?.adjust?.(change, context, finding);
  const reach = own?.gradesReach === true ? undefined : reachAdjustment(finding, rules);
  if (reach !== undefined) {
    steps += reach.steps;
    why.push(reach.why);
  }
  if (own !== undefined) {
    steps += own.steps;
    why.push(own.why);
  }
  for (const step of change.enrichment ?? []) why.push(`${step.step}: ${step.detail}`);
  for (const part of change.skipped ?? []) why.push(`skipped: ${part}`);
  for (const stand of change.assumed ?? []) why.push(`assumed: ${stand}`);

  if (why.length === 0) return finding;
  let severity = finding.severity;
  if (steps > 0 && severity === 'info') why.push('not raised: an info finding means nothing got riskier');
  else severity = shiftSeverity(severity, steps);
  return { ...finding, severity, why: [...finding.why, ...why] };
}

/** Why the actor raises severity, if it does. Root wins over the access key (one step for the actor). */
function actorRaise(actor: Actor, enabled: { rootActor: boolean; longTermKeys: boolean }): string | undefined {
  const root = actor.type === 'Root' || /:root$/.test(actor.arn ?? '');
  const longTerm = actor.accessKeyId?.startsWith('AKIA') === true;
  if (root && enabled.rootActor) {
    return `actor is the root user${actor.arn ? ` (${actor.arn})` : ''}${longTerm ? `, with root access key ${actor.accessKeyId}` : ''}: root should never change the network`;
  }
  if (longTerm && enabled.longTermKeys && !root) {
    return `made with long-term access key ${actor.accessKeyId}${actor.arn ? ` of ${actor.arn}` : ''}, not a role session (keys leak; roles expire)`;
  }
  return undefined;
}

/**
 * Severity from reachability (kept state, shared/net/reachability.ts), the same for every rule: an exposure nothing on
 * the internet can reach now is one grade lower, with the missing link named — and the change that later completes the
 * path is a finding of its own, from the rule that owns `internet-path` exposures (named from `Rule.exposureKinds`).
 * A reachable verdict is said (the path) and graded as the rule graded it; a rule may raise it in its own `adjust`
 * (rules/sg-open-world.ts). Unknown links count as reachable: an unknown verdict moves nothing.
 */
function reachAdjustment(finding: Finding, rules: readonly Rule[]): { steps: number; why: string } | undefined {
  const reach = finding.reach;
  if (reach === undefined || finding.severity === 'info') return undefined;
  if (reach.verdict === 'unreachable') {
    const owner = rules.find((r) => r.exposureKinds?.includes('internet-path'))?.id;
    return {
      steps: -1,
      why: `lowered: ${reach.text}; the change that completes the path is reported on its own${owner !== undefined ? ` (${owner})` : ''}`,
    };
  }
  if (reach.verdict === 'reachable') return { steps: 0, why: `reachable from the internet now: ${reach.text}` };
  // Unknown: the path as far as it is known, then what was assumed to complete it (not repeated when the path is
  // nothing but the assumption, as for a group no interface is known to use).
  const assumed = [...new Set(reach.assumed ?? [])].filter((a) => a !== reach.text);
  return {
    steps: 0,
    why: `reachability not known, so counted as reachable: ${reach.text}${assumed.length > 0 ? `; assumed: ${assumed.join('; ')}` : ''}`,
  };
}
