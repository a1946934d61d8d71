import * as z from 'zod';
import { CATEGORIES } from './category.ts';

/**
 * Field schemas shared by the config file, the approvals table items and CLI flags, so an account id or a window
 * date is validated the same way wherever it comes from.
 */

/** A 12-digit AWS account id. */
export const accountIdSchema = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');

/** An AWS region name (`eu-west-1`, `us-gov-west-1`, `cn-north-1`). */
export const regionSchema = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region name such as eu-west-1');

/** One finding category (closed list, shared/model/category.ts). */
export const categorySchema = z.enum(CATEGORIES, {
  error: (issue) => `must be one of ${CATEGORIES.join(', ')} — not ${JSON.stringify(issue.input)}`,
});

/** ISO-8601 date-time with a zone (`2026-11-20T09:00:00Z`, `2026-11-20T10:00:00+01:00`). */
export const isoDateTimeSchema = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 date-time with a zone, e.g. 2026-11-20T09:00:00Z',
});

/** An ARN glob: `*` matches any run of characters (including `/` and `:`), `?` one character. */
export const arnPatternSchema = z
  .string()
  .min(1)
  .regex(/^(arn:|\*)/, 'must be an ARN or ARN pattern (starting with "arn:" or "*")');

/**
 * The fields of a resource reference (shared/model/change.ts `ResourceRef`), for the schemas that read findings back
 * (`netwatch route --findings`, the traffic-evidence queue, the change record's contract). A function: the schemas
 * are built when a caller builds its own, not when this module loads.
 */
export function resourceRefFields() {
  return {
    type: z.string(),
    id: z.string(),
    arn: z.string().optional(),
    name: z.string().optional(),
    vpcId: z.string().optional(),
    tags: z.record(z.string(), z.string()).optional(),
    /** Tag scopes of approvals match these (issue 12): a schema that dropped them would make every tag scope fail. */
    tagsBefore: z.record(z.string(), z.string()).optional(),
  };
}

/** The fields of an actor (shared/model/change.ts `Actor`), every one optional. */
export function actorFields() {
  return {
    arn: z.string().optional(),
    type: z.string().optional(),
    principalId: z.string().optional(),
    accountId: z.string().optional(),
    accessKeyId: z.string().optional(),
    sessionIssuerArn: z.string().optional(),
    sourceIp: z.string().optional(),
    userAgent: z.string().optional(),
    invokedBy: z.string().optional(),
  };
}

/** Tag filter: each key must have one of the given values; `*` means "any value, key present". */
export const tagFilterSchema = z.record(z.string().min(1), z.union([z.string(), z.array(z.string()).min(1)]));

/** Tag filter after normalization: every value a list. */
export type TagFilter = Record<string, string[]>;

/** `{k: v}` and `{k: [v, w]}` → `{k: [v]}` / `{k: [v, w]}`. */
export function normalizeTagFilter(tags: Record<string, string | string[]>): TagFilter {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
}

/**
 * A strict object whose unknown-key error lists the allowed keys: a typo (`minSeverty`) must fail with a message
 * that shows the right spelling, never be ignored.
 */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (allowed: ${allowed})`
        : undefined,
  });
}
