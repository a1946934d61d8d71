import type { Finding } from '../../model/finding.ts';
import { UNAPPROVED, type ApprovalRef, type ApprovalVerdict } from '../../model/notice.ts';
import { matchActor } from '../../model/actor-match.ts';
import { anyGlobMatches } from '../../platform/glob.ts';
import type { Allowlist, Approval } from './model.ts';

/**
 * Approved-change reconciliation: pure, so the CLI dry run and the Lambda functions give the same verdict.
 *
 * The change time (`finding.at`), not the processing time, is compared with approval windows: a Config item that
 * arrives 15 minutes after a change made inside its window is still approved. Precedence when several apply:
 * 1. `approved` — an approval covers the finding and the change happened inside its window;
 * 2. `allowlisted` — the actor is known automation for this category (and account, when the entry says);
 * 3. `expired` — an approval covers the finding but its window had ended before the change (the reason says when);
 * 4. `unapproved` — nothing applies (an approval whose window starts after the change is named in the reason).
 */
export function reconcile(
  finding: Finding,
  approvals: readonly Approval[],
  allowlists: readonly Allowlist[],
  now: Date,
): ApprovalVerdict {
  const parsed = Date.parse(finding.at);
  const at = Number.isNaN(parsed) ? now.getTime() : parsed;
  const atText = new Date(at).toISOString();
  const covering = approvals.filter((a) => covers(a, finding)).sort((a, b) => a.ticket.localeCompare(b.ticket));

  const active = covering.find((a) => Date.parse(a.windowStart) <= at && at <= Date.parse(a.windowEnd));
  if (active) {
    return {
      state: 'approved',
      approval: ref(active),
      reason: `approved change ${active.ticket} (window ${active.windowStart} – ${active.windowEnd}) covers this change at ${atText}${active.description ? `: ${active.description}` : ''}`,
    };
  }

  const allow = allowlists.find(
    (l) =>
      l.categories.includes(finding.category) &&
      (!l.accounts || l.accounts.includes(finding.account)) &&
      actorMatches(l.actorArnPatterns, finding),
  );
  if (allow) {
    return {
      state: 'allowlisted',
      allowlist: allow.name,
      reason: `actor ${finding.actor?.sessionIssuerArn ?? finding.actor?.arn} is allowlisted for ${finding.category} by "${allow.name}": ${allow.reason}`,
    };
  }

  const ended = covering
    .filter((a) => Date.parse(a.windowEnd) < at)
    .sort((a, b) => Date.parse(b.windowEnd) - Date.parse(a.windowEnd))[0];
  if (ended) {
    return {
      state: 'expired',
      approval: ref(ended),
      reason: `approval ${ended.ticket} covers this change but its window ended at ${ended.windowEnd}, ${duration(at - Date.parse(ended.windowEnd))} before the change at ${atText}`,
    };
  }

  const upcoming = covering.find((a) => Date.parse(a.windowStart) > at);
  if (upcoming)
    return {
      state: 'unapproved',
      reason: `no active approval: ${upcoming.ticket} covers this change but its window starts at ${upcoming.windowStart}, after the change at ${atText}`,
    };
  return UNAPPROVED;
}

/** True when every scope the approval sets covers the finding (the window is checked separately). */
export function covers(approval: Approval, finding: Finding): boolean {
  if (approval.accounts && !approval.accounts.includes('*') && !approval.accounts.includes(finding.account))
    return false;
  if (approval.regions && !approval.regions.includes(finding.region)) return false;
  if (approval.categories && !approval.categories.includes(finding.category)) return false;
  if (
    approval.resourceIds &&
    !anyGlobMatches(approval.resourceIds, [finding.resource.id, finding.resource.arn], 'case-sensitive')
  )
    return false;
  if (approval.resourceTags) {
    // The tags *before* the change: the change itself may have retagged the resource (Team=sandbox on the prod group).
    // Unknown (a CloudTrail call, or a Config item whose tag diff cannot be read back) never matches.
    const tags = finding.resource.tagsBefore;
    if (tags === undefined) return false;
    for (const [key, values] of Object.entries(approval.resourceTags)) {
      const value = tags[key];
      if (value === undefined || !(values.includes('*') || values.includes(value))) return false;
    }
  }
  if (approval.actorArnPatterns && !actorMatches(approval.actorArnPatterns, finding)) return false;
  return true;
}

/**
 * Patterns are matched against the principal — the role (session issuer) for an assumed role, never the session ARN
 * whose last part the caller chose; a session-ARN pattern restricts the session name on top (shared/model/actor-match.ts).
 */
function actorMatches(patterns: readonly string[], finding: Finding): boolean {
  return matchActor(patterns, finding.actor, 'case-sensitive') !== undefined;
}

function ref(a: Approval): ApprovalRef {
  return {
    ticket: a.ticket,
    ...(a.description !== undefined ? { description: a.description } : {}),
    windowStart: a.windowStart,
    windowEnd: a.windowEnd,
    source: a.source,
  };
}

/** `2 h 15 min`, `40 s`. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  return `${Math.round(h / 24)} days`;
}
