import { isCategory } from '../../model/category.ts';
import { approvalSchema, toApproval, WHAT_SCOPES, type Approval } from './model.ts';

/**
 * An approved change request from a change-management system (ServiceNow, Jira) as an approval — or the reasons it
 * cannot be one. The values come from someone else's form fields, so they are read strictly and never widen:
 * - every scope entry must parse (a 12-digit account, a region, a resource id or its exact ARN, a known category, a
 *   role or session ARN); one entry that does not parse rejects the whole request — dropping it would widen the
 *   approval to everything the other scopes allow;
 * - no wildcards: `*` and `?` in a resource or an account from a ticket would approve every resource;
 *   an actor may end in `/*` only after an assumed-role name (every session of that role);
 * - at least one scope, a window that parses, ends after it starts, and is at most `maxWindowHours` long;
 * - then the config's own approval schema (the same checks as `approvals.static`).
 * A request that fails is *reported*, never approved.
 */

/** The raw values of one change request, by Netwatch field (already read out of the system's fields). */
export interface ChangeFields {
  ticket: string;
  description?: string;
  windowStart?: string;
  windowEnd?: string;
  accounts?: string[];
  regions?: string[];
  resources?: string[];
  categories?: string[];
  actors?: string[];
}

/** What a change request gives: an approval, or why not. */
export type FromChange = { ok: true; approval: Approval } | { ok: false; problems: string[] };

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** Resource ids of the types Netwatch judges (`sg-…`, `rtb-…`, `vpce-svc-…`, …), without wildcards. */
const RESOURCE_ID =
  /^(sg|acl|rtb|igw|eigw|vpce|vpce-svc|pl|pcx|subnet|vpc|tgw|tgw-attach|vgw|cgw|vpn|dxvif|dxcon|dxgw|fl)-[0-9a-z]{6,32}$/;
/** An exact ARN with an account (no wildcards anywhere). */
const RESOURCE_ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:[A-Za-z0-9._:/+=,@-]+$/;
/** A role, or every session of a role (`…:assumed-role/<role>/*`), or one user. */
const ACTOR =
  /^arn:aws[a-z-]*:(iam::\d{12}:(role|user)\/[\w+=,.@/-]+|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/([\w+=,.@-]+|\*))$/;

/** Split a field value into entries: lists, comma / semicolon / whitespace separated text, Jira option objects. */
export function entries(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(entries);
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const key of ['value', 'name', 'key', 'display_value']) if (typeof o[key] === 'string') return entries(o[key]);
    return [];
  }
  return String(value)
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Read a change request's fields into an approval, or report why it cannot be one. */
export function approvalFromChange(fields: ChangeFields, options: { maxWindowHours: number }): FromChange {
  const problems: string[] = [];
  const check = (name: string, values: string[] | undefined, test: (v: string) => boolean, what: string) => {
    for (const v of values ?? [])
      if (!test(v)) problems.push(`${name}: ${JSON.stringify(v.slice(0, 80))} is not ${what}`);
  };
  check('accounts', fields.accounts, (v) => ACCOUNT.test(v), 'a 12-digit account id (no wildcards)');
  check('regions', fields.regions, (v) => REGION.test(v), 'a region name');
  check(
    'resources',
    fields.resources,
    (v) => RESOURCE_ID.test(v) || RESOURCE_ARN.test(v),
    'a resource id (sg-…, rtb-…, vpce-…) or its exact ARN (no wildcards)',
  );
  check('categories', fields.categories, isCategory, 'a Netwatch category');
  check('actors', fields.actors, (v) => ACTOR.test(v), 'a role, user or assumed-role session ARN');
  const start = fields.windowStart !== undefined ? Date.parse(fields.windowStart) : Number.NaN;
  const end = fields.windowEnd !== undefined ? Date.parse(fields.windowEnd) : Number.NaN;
  if (Number.isNaN(start)) problems.push(`windowStart: ${JSON.stringify(fields.windowStart ?? '')} is not a date-time`);
  if (Number.isNaN(end)) problems.push(`windowEnd: ${JSON.stringify(fields.windowEnd ?? '')} is not a date-time`);
  if (!Number.isNaN(start) && !Number.isNaN(end) && end - start > options.maxWindowHours * 3_600_000)
    problems.push(
      `window: ${Math.round((end - start) / 3_600_000)} h is longer than maxWindowHours (${options.maxWindowHours} h)`,
    );
  const input: Record<string, unknown> = {
    ticket: fields.ticket,
    ...(fields.description ? { description: fields.description.slice(0, 1000) } : {}),
    windowStart: Number.isNaN(start) ? fields.windowStart : new Date(start).toISOString(),
    windowEnd: Number.isNaN(end) ? fields.windowEnd : new Date(end).toISOString(),
    ...(fields.accounts?.length ? { accounts: [...new Set(fields.accounts)] } : {}),
    ...(fields.regions?.length ? { regions: [...new Set(fields.regions)] } : {}),
    ...(fields.resources?.length ? { resourceIds: [...new Set(fields.resources)] } : {}),
    ...(fields.categories?.length ? { categories: [...new Set(fields.categories)] } : {}),
    ...(fields.actors?.length ? { actorArnPatterns: [...new Set(fields.actors)] } : {}),
  };
  // The same rule as every other approval (approvalProblems, issue 12): accounts and regions only narrow; the request
  // must name what it changes (resources, categories) or who changes it (actors).
  if (!WHAT_SCOPES.some((k) => input[k] !== undefined))
    problems.push(
      'no usable scope: the request names no resources, categories or actors (accounts and regions only narrow)',
    );
  if (problems.length) return { ok: false, problems };
  const parsed = approvalSchema.safeParse(input);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(approval)'}: ${i.message}`),
    };
  return { ok: true, approval: toApproval(parsed.data, 'dynamodb') };
}
