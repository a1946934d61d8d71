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

/**
 * An approved change: a ticket from the change-management system with a time window and what it covers. A finding is
 * *approved* when its change happened inside the window and every scope the approval sets covers it (scopes left out
 * do not restrict). An approval must set at least one scope: a bare window would approve every change everywhere.
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
  /** Resource tags: each key must have one of the values (`*` = any value). */
  resourceTags?: TagFilter;
  categories?: Category[];
  /** Actor ARN globs, matched against the session ARN and the role (session issuer) ARN. */
  actorArnPatterns?: string[];
  /** Where it came from: the config file or the approvals table. */
  source: 'config' | 'dynamodb';
}

/** The scope keys; an approval needs at least one. */
export const APPROVAL_SCOPES = [
  'accounts',
  'regions',
  'resourceIds',
  'resourceTags',
  'categories',
  'actorArnPatterns',
] as const;

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

/** One approval in the config's `approvals.static` list; checks window order and that something is covered. */
export const approvalSchema = z.lazy(() =>
  strictObject(approvalFields).superRefine((a, ctx) => {
    if (Date.parse(a.windowEnd) <= Date.parse(a.windowStart))
      ctx.addIssue({ code: 'custom', path: ['windowEnd'], message: `must be after windowStart (${a.windowStart})` });
    if (!APPROVAL_SCOPES.some((k) => a[k] !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `an approval must say what it covers: set at least one of ${APPROVAL_SCOPES.join(', ')}`,
      });
  }),
);

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
