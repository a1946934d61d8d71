import { matchActor, principalOf } from '../../shared/model/actor-match.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { isCategory, type Category } from '../../shared/model/category.ts';
import { UNAPPROVED, type ApprovalVerdict } from '../../shared/model/notice.ts';

/**
 * The backtest's approval seam: what would have been suppressed instead of paged. A backtest asks one
 * {@link ApprovalCheck} per risky finding and reports how many pages approvals and allowlists would have saved.
 *
 * Two inputs: `--config FILE` (its static approvals with change windows and its per-category allowlists, reconciled
 * by shared/5-decide/approvals/match.ts exactly as the functions do; cli/commands/backtest.ts `configPolicy`) and
 * `--allow-actor` options. {@link buildApprovalCheck} consults the configured check first.
 */

/** Decide how a finding relates to approvals and allowlists. Pure: a backtest replays it over history. */
export type ApprovalCheck = (finding: Finding) => ApprovalVerdict;

/** One `--allow-actor PATTERN[:category,...]` entry. */
export interface ActorAllowEntry {
  /** The option text, named in verdicts and in the report. */
  name: string;
  pattern: string;
  /** Categories it covers; empty = every category. */
  categories: Category[];
}

/**
 * Parse `PATTERN[:category,...]`. ARNs are full of colons, so the categories are the part after the *last* colon
 * only when every comma-separated word there is a category; otherwise the whole text is the pattern.
 */
export function parseAllowActor(spec: string): ActorAllowEntry {
  const colon = spec.lastIndexOf(':');
  const tail = colon === -1 ? [] : spec.slice(colon + 1).split(',');
  const withCategories = tail.length > 0 && tail.every((word) => isCategory(word));
  const pattern = withCategories ? spec.slice(0, colon) : spec;
  if (pattern.trim() === '') throw new Error(`--allow-actor "${spec}": the actor pattern is empty`);
  return { name: spec, pattern, categories: withCategories ? (tail as Category[]) : [] };
}

/**
 * An allowlist check: a finding is `allowlisted` when its principal (the role for an assumed role, never the
 * caller-chosen session ARN; shared/model/actor-match.ts) matches an entry
 * that covers the finding's category. Allowlists are the usual answer to "all our SG pages are the CI deployer".
 */
export function actorAllowlist(entries: readonly ActorAllowEntry[]): ApprovalCheck {
  return (finding) => {
    const principal = principalOf(finding.actor);
    for (const entry of entries) {
      if (entry.categories.length > 0 && !entry.categories.includes(finding.category)) continue;
      if (principal !== undefined && matchActor([entry.pattern], finding.actor, 'case-sensitive') !== undefined)
        return {
          state: 'allowlisted',
          allowlist: entry.name,
          reason: `actor ${principal.arn} matches allowlist entry "${entry.name}"`,
        };
    }
    return UNAPPROVED;
  };
}

/**
 * The check a backtest uses: the config file's approvals and allowlists first (`--config`), then the `--allow-actor`
 * entries; an `approved` or `allowlisted` verdict wins, else an `expired` one, else `unapproved`.
 */
export function buildApprovalCheck(options: {
  allowActors?: readonly ActorAllowEntry[];
  configured?: ApprovalCheck;
}): ApprovalCheck {
  const checks: ApprovalCheck[] = [];
  if (options.configured) checks.push(options.configured);
  if (options.allowActors?.length) checks.push(actorAllowlist(options.allowActors));
  return (finding) => {
    let last: ApprovalVerdict = UNAPPROVED;
    for (const check of checks) {
      const verdict = check(finding);
      if (verdict.state === 'approved' || verdict.state === 'allowlisted') return verdict;
      if (verdict.state === 'expired') last = verdict;
    }
    return last;
  };
}
