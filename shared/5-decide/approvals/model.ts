import * as z from 'zod';
import {
  accountIdSchema,
  arnPatternSchema,
  categorySchema,
  isoDateTimeSchema,
  normalizeTagFilter,
  regionSchema,
  strictObject,
  tagFilterSchema,
  type TagFilter,
} from '../../model/fields.ts';
import type { Category } from '../../model/category.ts';
import { actorPatternProblem } from '../../model/actor-match.ts';

/**
 * An approved change: a ticket from the change-management system with a time window and what it covers. A finding is
 * *approved* when its change happened inside the window and every scope the approval sets covers it (scopes left out
 * do not restrict). What an approval can and cannot prove is in docs/security.md; in short:
 * - it must name *what* is approved — resources, categories or actors ({@link WHAT_SCOPES}); accounts, regions and tags
 *   only narrow that, because a bare window over an account (or every account, `*`) approves every change there;
 * - a tag scope must be combined with a resource or actor scope, and matches the tags as they were *before* the change
 *   (whoever makes the change can also retag the resource);
 * - actor patterns match the role, never the caller-chosen session name (shared/model/actor-match.ts);
 * - the window is at most `approvals.maxWindowDays` long (default {@link DEFAULT_MAX_WINDOW_DAYS}).
 * The same checks ({@link approvalProblems}) apply to the config's static list, `netwatch approvals add` and every
 * approvals-table item.
 */
export interface Approval {
  ticket: string;
  description?: string;
  /** ISO-8601 window start / end (inclusive). */
  windowStart: string;
  windowEnd: string;
  accounts?: string[];
  regions?: string[];
  /** Resource ids (`sg-…`) or ARNs; `*` globs allowed (`sg-0a1b*`, `arn:aws:ec2:eu-west-1:111122223333:*`). */
  resourceIds?: string[];
  /** Resource tags before the change: each key must have had one of the values (`*` = any value). */
  resourceTags?: TagFilter;
  categories?: Category[];
  /** Actor ARN globs, matched against the principal (the role for assumed roles; shared/model/actor-match.ts). */
  actorArnPatterns?: string[];
  /** Where it came from: the config file or the approvals table. */
  source: 'config' | 'dynamodb';
}

/** The scope keys. */
export const APPROVAL_SCOPES = [
  'accounts',
  'regions',
  'resourceIds',
  'resourceTags',
  'categories',
  'actorArnPatterns',
] as const;

/** The scopes that say *what* is approved; an approval needs at least one (accounts, regions, tags only narrow). */
export const WHAT_SCOPES = ['resourceIds', 'categories', 'actorArnPatterns'] as const;

/** Longest approval window by default (config `approvals.maxWindowDays`): a month-long ticket is a standing exemption. */
export const DEFAULT_MAX_WINDOW_DAYS = 30;

/** The fields {@link approvalProblems} reads (config input, CLI flags and table items alike). */
export interface ApprovalShape {
  windowStart: string;
  windowEnd: string;
  resourceIds?: readonly string[] | undefined;
  resourceTags?: Readonly<Record<string, unknown>> | undefined;
  categories?: readonly string[] | undefined;
  actorArnPatterns?: readonly string[] | undefined;
}

/** One problem of an approval: the path of the field (relative to the approval) and what is wrong. */
export interface ApprovalProblem {
  path: Array<string | number>;
  message: string;
}

/** A pattern made only of wildcards (`*`, `**`, `?*`) matches everything: it names nothing. */
const MATCHES_EVERYTHING = /^[*?]+$/;

/**
 * Everything wrong with an approval beyond its field formats: window order and length, a missing "what" scope,
 * tag-only scopes, patterns that match everything. One function, so the config file, `netwatch approvals add` and
 * the approvals table refuse exactly the same approvals. `maxWindowDays` undefined skips the length check (the
 * config schema checks it in its cross-section pass, where `approvals.maxWindowDays` is known).
 */
export function approvalProblems(a: ApprovalShape, maxWindowDays: number | undefined): ApprovalProblem[] {
  const problems: ApprovalProblem[] = [];
  const start = Date.parse(a.windowStart);
  const end = Date.parse(a.windowEnd);
  if (end <= start) problems.push({ path: ['windowEnd'], message: `must be after windowStart (${a.windowStart})` });
  const tooLong = maxWindowDays === undefined ? undefined : windowTooLong(a, maxWindowDays);
  if (tooLong !== undefined) problems.push({ path: ['windowEnd'], message: tooLong });
  a.resourceIds?.forEach((pattern, i) => {
    if (MATCHES_EVERYTHING.test(pattern))
      problems.push({
        path: ['resourceIds', i],
        message: `"${pattern}" matches everything and names nothing: give ids, ARNs or a narrower pattern`,
      });
  });
  a.actorArnPatterns?.forEach((pattern, i) => {
    const problem = actorPatternProblem(pattern);
    if (problem !== undefined) problems.push({ path: ['actorArnPatterns', i], message: problem });
  });
  if (!WHAT_SCOPES.some((k) => a[k] !== undefined))
    problems.push({
      path: [],
      message: `an approval must say what it covers: set at least one of ${WHAT_SCOPES.join(', ')} (accounts, regions and resourceTags only narrow it; accounts ['*'] alone would approve every change everywhere)`,
    });
  else if (a.resourceTags !== undefined && a.resourceIds === undefined && a.actorArnPatterns === undefined)
    problems.push({
      path: ['resourceTags'],
      message:
        'a tag scope needs a resourceIds or actorArnPatterns scope too: whoever makes a change can also retag the resource (Team=sandbox on the prod group)',
    });
  return problems;
}

/** The window-length problem, or undefined when the window fits `maxWindowDays` (or does not parse). */
export function windowTooLong(
  a: Pick<ApprovalShape, 'windowStart' | 'windowEnd'>,
  maxWindowDays: number,
): string | undefined {
  const ms = Date.parse(a.windowEnd) - Date.parse(a.windowStart);
  if (!(ms > maxWindowDays * 86_400_000)) return undefined;
  return `the window is ${Math.ceil(ms / 3_600_000)} h long; at most ${maxWindowDays} days (approvals.maxWindowDays) — longer exemptions belong in an allowlist`;
}

/** Ticket ids: the change system's ids (`CHG0012345`, `OPS-1234`). No `#`: it separates key parts in DynamoDB. */
export const ticketSchema = z.lazy(() =>
  z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/,
      'must be a ticket id of letters, digits and . _ : / - (no spaces or #)',
    ),
);

/** The approval fields as written in the config file (and, without `source`, in the approvals table). */
export const approvalFields = {
  ticket: ticketSchema,
  description: z.string().max(1000).optional(),
  windowStart: isoDateTimeSchema,
  windowEnd: isoDateTimeSchema,
  accounts: z
    .array(z.union([accountIdSchema, z.literal('*')]))
    .min(1)
    .optional(),
  regions: z.array(regionSchema).min(1).optional(),
  resourceIds: z.array(z.string().min(1)).min(1).optional(),
  resourceTags: tagFilterSchema.optional(),
  categories: z.array(categorySchema).min(1).optional(),
  actorArnPatterns: z.array(arnPatternSchema).min(1).optional(),
};

/**
 * One approval in the config's `approvals.static` list (and `netwatch approvals add`): field formats plus
 * {@link approvalProblems} with `maxWindowDays` (undefined: the length is checked elsewhere, see there).
 */
export function approvalSchemaWith(maxWindowDays: number | undefined) {
  return strictObject(approvalFields).superRefine((a, ctx) => {
    for (const p of approvalProblems(a, maxWindowDays))
      ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });
}

/** {@link approvalSchemaWith} without the length check: the config checks it against `approvals.maxWindowDays`. */
export const approvalSchema = z.lazy(() => approvalSchemaWith(undefined));

/** Parsed (config-file) approval input. */
export type ApprovalInput = z.infer<typeof approvalSchema>;

/** Input → {@link Approval} (tags normalized, source stamped, undefined keys dropped). */
export function toApproval(input: ApprovalInput, source: Approval['source']): Approval {
  const approval: Approval = {
    ticket: input.ticket,
    windowStart: new Date(input.windowStart).toISOString(),
    windowEnd: new Date(input.windowEnd).toISOString(),
    source,
  };
  if (input.description !== undefined) approval.description = input.description;
  if (input.accounts) approval.accounts = input.accounts;
  if (input.regions) approval.regions = input.regions;
  if (input.resourceIds) approval.resourceIds = input.resourceIds;
  if (input.resourceTags) approval.resourceTags = normalizeTagFilter(input.resourceTags);
  if (input.categories) approval.categories = input.categories;
  if (input.actorArnPatterns) approval.actorArnPatterns = input.actorArnPatterns;
  return approval;
}

/** Known automation allowed to make changes of some categories without a ticket (config `allowlists`). */
export interface Allowlist {
  name: string;
  actorArnPatterns: string[];
  categories: Category[];
  accounts?: string[];
  reason: string;
}

/**
 * Where approvals are read from for one account. Implementations: the config's static list, the approvals table,
 * and {@link ApprovalSource} combinations with a per-invocation cache (approvals/sources.ts).
 */
export interface ApprovalSource {
  /** Approvals that may apply to changes in `account` (active, upcoming, or recently expired). */
  forAccount(account: string): Promise<Approval[]>;
}
