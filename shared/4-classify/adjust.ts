import type { Actor, ChangeEvent } from '../model/change.ts';
import type { Finding } from '../model/finding.ts';
import type { RuleContext } from '../model/rule.ts';
import { contextDefaults } from '../model/rule.ts';
import { shiftSeverity } from '../model/severity.ts';
import { firstMatch } from '../platform/glob.ts';

/**
 * Context-aware severity: a pure step after the rules. A rule grades *what* changed; this step moves the grade by
 * *who* changed it and *what it is attached to*, one step per reason, and appends each reason to `why`
 * ("raised: …", "lowered: …") so a responder sees every adjustment. It also appends what enrichment did (an actor
 * looked up, a look-up that timed out), so a finding never silently lacks something.
 *
 * - raised: the actor is the root user; or the call was signed with a long-term access key (AKIA…) of an IAM user.
 * - lowered: the actor matches `context.automationRoles` (known pipelines).
 * - reachability (kept state): an exposure the internet cannot reach now is lowered one step, the missing link named;
 *   a group known reachable through a whole path is raised one step (see {@link reachAdjustment}).
 * - sg-open-world without a reachability verdict: lowered when the group is attached to no network interface (Config
 *   relationships), raised when an attached ENI is known to have a public IP. Unknown facts adjust nothing.
 *
 * Info findings are never raised: info means nothing got riskier (a detach, a revoke), whoever did it.
 * Rules that own a context decision (igw-attach and internal-only VPCs) make it themselves.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#root-user-best-practices
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
 */
export function adjust(finding: Finding, change: ChangeEvent, context: RuleContext): Finding {
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
    const automation =
      firstMatch(options.automationRoles, actor.sessionIssuerArn) ?? firstMatch(options.automationRoles, actor.arn);
    if (automation !== undefined) {
      steps -= 1;
      why.push(
        `lowered: actor ${actor.sessionIssuerArn ?? actor.arn ?? ''} matches automation role ${automation} (context.automationRoles)`,
      );
    }
  }
  const reach = reachAdjustment(finding);
  if (reach !== undefined) {
    steps += reach.steps;
    why.push(reach.why);
  }
  // Without a known verdict, what the group's Config item and enrichment say about its interfaces still counts.
  if (reach?.known !== true && finding.category === 'sg-open-world' && options.adjust.sgAttachments) {
    const attachment = attachmentAdjustment(change);
    if (attachment !== undefined) {
      steps += attachment.steps;
      why.push(attachment.why);
    }
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
 * Severity from reachability (kept state, shared/net/reachability.ts): an exposure nothing on the internet can reach
 * now is one grade lower, with the missing link named — and the change that later completes the path is a finding of
 * its own (`internet-path`). A group whose whole path is known reachable is one grade higher (as an attachment to a
 * public interface always was). Unknown links count as reachable: an unknown verdict moves nothing.
 */
function reachAdjustment(finding: Finding): { steps: number; why: string; known: boolean } | undefined {
  const reach = finding.reach;
  if (reach === undefined || finding.severity === 'info') return undefined;
  if (reach.verdict === 'unreachable')
    return {
      steps: -1,
      why: `lowered: ${reach.text}; the change that completes the path is reported on its own (internet-path)`,
      known: true,
    };
  if (reach.verdict === 'reachable')
    return finding.category === 'sg-open-world'
      ? { steps: 1, why: `raised: reachable from the internet now: ${reach.text}`, known: true }
      : { steps: 0, why: `reachable from the internet now: ${reach.text}`, known: true };
  return {
    known: false,
    steps: 0,
    why: `reachability: ${reach.text}; assumed (not known, so counted as reachable): ${(reach.assumed ?? []).join('; ') || 'links not known'}`,
  };
}

function attachmentAdjustment(change: ChangeEvent): { steps: number; why: string } | undefined {
  const enis = change.facts?.networkInterfaces;
  if (enis === undefined) return undefined;
  const publicEnis = change.facts?.publicNetworkInterfaces ?? [];
  if (publicEnis.length > 0) {
    return {
      steps: 1,
      why: `raised: attached to network interfaces with public IPs (${publicEnis.join(', ')}): reachable from the internet now`,
    };
  }
  if (enis.length === 0) {
    return {
      steps: -1,
      why: 'lowered: the security group is attached to no network interface (Config relationships): nothing is reachable through it yet',
    };
  }
  const known = change.facts?.publicNetworkInterfaces !== undefined;
  return {
    steps: 0,
    why: `context: attached to ${enis.length} network interface${enis.length === 1 ? '' : 's'} (${enis.join(', ')})${known ? ', none with a public IP' : '; public IPs unknown without the ENI items (no adjustment)'}`,
  };
}
