import * as z from 'zod';
import type { SecretRef } from '../../platform/aws/secrets.ts';
import { errorText } from '../../platform/errors.ts';
import { ApprovalStoreError, type DynamoApprovalStore } from '../../5-decide/approvals/dynamodb-store.ts';
import { approvalFromChange, type ChangeFields, entries } from '../../5-decide/approvals/from-change.ts';
import { approvalItem } from '../../5-decide/approvals/dynamodb-store.ts';
import type { Approval } from '../../5-decide/approvals/model.ts';
import type { ChangeSystemDeps } from './http-json.ts';
import { JiraClient, jiraConnectionFields, jiraSecretRefs } from './jira.ts';
import {
  parseServiceNowDateTime,
  ServiceNowClient,
  serviceNowConnectionFields,
  serviceNowDateTime,
  serviceNowSecretRefs,
} from './servicenow.ts';

/**
 * Approved changes in, from the change-management system: a scheduled sync per source (config `approvals.sync`).
 * - **ServiceNow**: change requests (`change_request`) whose planned window overlaps [now − lookback, now + horizon],
 *   read with the Table API (paginated), their fields mapped — configurably — to ticket, window, accounts, regions,
 *   resources, categories and actors;
 * - **Jira**: the issues a JQL finds (paginated), the same mapping over their fields.
 * Each request is *approved* (its approval field / status says so), *cancelled*, or neither. Approved requests whose
 * fields give a valid approval (shared/5-decide/approvals/from-change.ts: never widened, else reported) are written to
 * the approvals table in its one item format, one row per account, marked `syncedBy: <source>`; the rows of a
 * cancelled (or no longer approved) request that this source wrote are removed. Rows written by anyone else are never
 * touched. `netwatch approvals sync --dry-run` prints the plan without writing.
 */

const fieldName = z.string().regex(/^[A-Za-z_][\w.]{0,99}$/, 'a field name');
const optionalField = fieldName.optional();
const sourceName = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a source name: lower-case letters, digits, dashes');

/** The mapped scope fields, optional in every source. */
const scopeFields = {
  accounts: optionalField,
  regions: optionalField,
  resources: optionalField,
  categories: optionalField,
  actors: optionalField,
};

/** How far back and ahead a sync looks, and the longest window it accepts: the same for every source. */
const windowFields = {
  horizonHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 14)
    .default(24),
  lookbackHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 14)
    .default(24),
  maxWindowHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 31)
    .default(72),
};

/** ServiceNow change requests → approvals. */
export const serviceNowSourceSchema = z.strictObject({
  name: sourceName,
  type: z.literal('servicenow'),
  ...serviceNowConnectionFields,
  table: z
    .string()
    .regex(/^[a-z_0-9]+$/)
    .default('change_request'),
  /** More conditions (an encoded query), ANDed: e.g. `assignment_group=<sys_id>`. */
  query: z
    .string()
    .max(2000)
    .refine((q) => !/javascript:/i.test(q), 'no javascript: in a query')
    .optional(),
  /** A request is approved when this field holds one of the values (default `approval` = `approved`). */
  approvedWhen: z
    .strictObject({ field: fieldName, values: z.array(z.string()).min(1) })
    .default({ field: 'approval', values: ['approved'] }),
  /** Cancelled when this field holds one of the values (default `state` = `4`, Canceled). */
  cancelledWhen: z
    .strictObject({ field: fieldName, values: z.array(z.string()).min(1) })
    .default({ field: 'state', values: ['4'] }),
  fields: z
    .strictObject({
      ticket: fieldName.default('number'),
      description: fieldName.default('short_description'),
      windowStart: fieldName.default('start_date'),
      windowEnd: fieldName.default('end_date'),
      ...scopeFields,
    })
    .default({
      ticket: 'number',
      description: 'short_description',
      windowStart: 'start_date',
      windowEnd: 'end_date',
    }),
  ...windowFields,
});

/** Jira issues (JQL) → approvals. */
export const jiraSourceSchema = z.strictObject({
  name: sourceName,
  type: z.literal('jira'),
  ...jiraConnectionFields,
  /** The change issues to read (`project = CHG AND status in (Approved, Cancelled)`). */
  jql: z.string().min(1).max(4000),
  approvedStatuses: z.array(z.string().min(1)).min(1).default(['Approved', 'Scheduled', 'Implementing']),
  cancelledStatuses: z.array(z.string().min(1)).min(1).default(['Canceled', 'Cancelled', 'Declined', 'Rejected']),
  fields: z.strictObject({
    description: fieldName.default('summary'),
    windowStart: fieldName,
    windowEnd: fieldName,
    ...scopeFields,
  }),
  ...windowFields,
});

export const approvalSyncSourceSchema = z.discriminatedUnion('type', [serviceNowSourceSchema, jiraSourceSchema]);
export type ApprovalSyncSource = z.output<typeof approvalSyncSourceSchema>;

export function syncSecretRefs(source: ApprovalSyncSource): SecretRef[] {
  return source.type === 'servicenow' ? serviceNowSecretRefs(source.auth) : jiraSecretRefs(source.auth);
}

/** One change request as read: its ticket, its state, and its fields by Netwatch name. */
export interface ChangeRequest {
  ticket: string;
  state: 'approved' | 'cancelled' | 'other';
  fields: ChangeFields;
}

const SCOPES = ['accounts', 'regions', 'resources', 'categories', 'actors'] as const;

/** Read the approved / cancelled change requests of a source whose window is near. */
export async function readChanges(
  source: ApprovalSyncSource,
  deps: ChangeSystemDeps,
  now: Date,
): Promise<ChangeRequest[]> {
  const from = new Date(now.getTime() - source.lookbackHours * 3_600_000);
  const to = new Date(now.getTime() + source.horizonHours * 3_600_000);
  if (source.type === 'servicenow') {
    const f = source.fields;
    const client = new ServiceNowClient(source.name, source, deps);
    const mapped = [f.ticket, f.description, f.windowStart, f.windowEnd, ...SCOPES.map((s) => f[s])].filter(
      (x): x is string => x !== undefined,
    );
    const fields = [...new Set([...mapped, source.approvedWhen.field, source.cancelledWhen.field])];
    // The window overlaps [from, to]: it ends after `from` and starts before `to` (Table API times are UTC).
    const query = [
      `${f.windowEnd}>=${serviceNowDateTime(from)}`,
      `${f.windowStart}<=${serviceNowDateTime(to)}`,
      ...(source.query ? [source.query] : []),
      `ORDERBY${f.windowStart}`,
    ].join('^');
    const records = await client.listAll(source.table, { query, fields });
    return records.map((r) => {
      const value = (name: string | undefined) => (name === undefined ? undefined : r[name]);
      const text = (name: string | undefined) => {
        const v = value(name);
        return typeof v === 'string' ? v : undefined;
      };
      const ticket = String(value(f.ticket) ?? '');
      const approved = source.approvedWhen.values.includes(String(value(source.approvedWhen.field) ?? ''));
      const cancelled = source.cancelledWhen.values.includes(String(value(source.cancelledWhen.field) ?? ''));
      const fields: ChangeFields = {
        ticket,
        ...(text(f.description) ? { description: text(f.description) as string } : {}),
        ...(parseServiceNowDateTime(value(f.windowStart))
          ? { windowStart: parseServiceNowDateTime(value(f.windowStart)) as string }
          : { windowStart: String(value(f.windowStart) ?? '') }),
        ...(parseServiceNowDateTime(value(f.windowEnd))
          ? { windowEnd: parseServiceNowDateTime(value(f.windowEnd)) as string }
          : { windowEnd: String(value(f.windowEnd) ?? '') }),
      };
      for (const scope of SCOPES) if (f[scope] !== undefined) fields[scope] = entries(value(f[scope]));
      return { ticket, state: cancelled ? 'cancelled' : approved ? 'approved' : 'other', fields };
    });
  }
  const f = source.fields;
  const client = new JiraClient(source.name, source, deps);
  const wanted = [
    'status',
    f.description,
    f.windowStart,
    f.windowEnd,
    ...SCOPES.map((s) => f[s]).filter((x): x is string => x !== undefined),
  ];
  const issues = await client.search(source.jql, [...new Set(wanted)]);
  const out: ChangeRequest[] = [];
  for (const issue of issues) {
    const value = (name: string | undefined) => (name === undefined ? undefined : issue.fields[name]);
    const start = value(f.windowStart);
    const end = value(f.windowEnd);
    const startAt = typeof start === 'string' ? Date.parse(start) : Number.NaN;
    const endAt = typeof end === 'string' ? Date.parse(end) : Number.NaN;
    // JQL cannot know which custom fields hold the window: the horizon is applied here.
    if (!Number.isNaN(startAt) && !Number.isNaN(endAt) && (endAt < from.getTime() || startAt > to.getTime())) continue;
    const status = String((value('status') as { name?: unknown } | undefined)?.name ?? '');
    const is = (list: string[]) => list.some((s) => s.toLowerCase() === status.toLowerCase());
    const fields: ChangeFields = {
      ticket: issue.key,
      ...(typeof value(f.description) === 'string' ? { description: value(f.description) as string } : {}),
      windowStart: typeof start === 'string' ? start : '',
      windowEnd: typeof end === 'string' ? end : '',
    };
    for (const scope of SCOPES) if (f[scope] !== undefined) fields[scope] = entries(value(f[scope]));
    out.push({
      ticket: issue.key,
      state: is(source.cancelledStatuses) ? 'cancelled' : is(source.approvedStatuses) ? 'approved' : 'other',
      fields,
    });
  }
  return out;
}

/** What a sync does (or, dry, would do). */
export interface SyncPlan {
  source: string;
  /** Approvals written (new or changed), with the accounts of their rows (`*` = every account). */
  upserts: { ticket: string; accounts: string[]; approval: Approval }[];
  /** Rows removed: the request was cancelled or is no longer approved, or an account left its scope. */
  deletes: { ticket: string; sk: string; why: string }[];
  /** Approved requests already in the table as they are. */
  unchanged: string[];
  /** Approved requests that cannot be approvals (never written), and rows someone else owns. */
  reported: { ticket: string; problems: string[] }[];
  /** Requests read. */
  read: number;
}

/** Compare a stored row with the row an approval would write (ignoring bookkeeping attributes). */
function sameRow(stored: Record<string, unknown>, wanted: Record<string, unknown>): boolean {
  const strip = (r: Record<string, unknown>) => {
    const { syncedAt: _a, createdAt: _b, ...rest } = r;
    return JSON.stringify(
      Object.keys(rest)
        .sort()
        .map((k) => [k, rest[k]]),
    );
  };
  return strip(stored) === strip(wanted);
}

/** Work out the plan of one source against the table; with `dryRun` false, carry it out. */
export async function syncSource(
  source: ApprovalSyncSource,
  store: DynamoApprovalStore,
  deps: ChangeSystemDeps,
  options: { now?: Date; dryRun?: boolean } = {},
): Promise<SyncPlan> {
  const now = options.now ?? deps.now?.() ?? new Date();
  const changes = await readChanges(source, deps, now);
  const plan: SyncPlan = {
    source: source.name,
    upserts: [],
    deletes: [],
    unchanged: [],
    reported: [],
    read: changes.length,
  };
  for (const change of changes) {
    if (!change.ticket) {
      plan.reported.push({ ticket: '(no ticket)', problems: [`the ${source.type} record has no ticket number`] });
      continue;
    }
    const rows = await store.ticketRows(change.ticket);
    const ours = rows.filter((r) => r['syncedBy'] === source.name);
    const theirs = rows.filter((r) => r['syncedBy'] !== source.name);
    if (change.state !== 'approved') {
      const why = change.state === 'cancelled' ? 'cancelled' : 'no longer approved';
      for (const r of ours) plan.deletes.push({ ticket: change.ticket, sk: String(r['sk']), why });
      continue;
    }
    const result = approvalFromChange(change.fields, { maxWindowHours: source.maxWindowHours });
    if (!result.ok) {
      plan.reported.push({ ticket: change.ticket, problems: result.problems });
      // What this source approved before and can no longer read stays approved no longer.
      for (const r of ours)
        plan.deletes.push({ ticket: change.ticket, sk: String(r['sk']), why: 'no usable scope now' });
      continue;
    }
    if (theirs.length) {
      plan.reported.push({
        ticket: change.ticket,
        problems: [
          `the approvals table already holds ${change.ticket}, written by ${String(theirs[0]?.['syncedBy'] ?? theirs[0]?.['createdBy'] ?? 'someone else')}: left alone`,
        ],
      });
      continue;
    }
    const approval = result.approval;
    const accounts = approval.accounts ?? ['*'];
    const wanted = new Map(
      accounts.map((a) => [
        `ACCOUNT#${a}`,
        { ...approvalItem(approval, a), changeState: 'approved', syncedBy: source.name },
      ]),
    );
    const changed = [...wanted.entries()].some(([sk, item]) => {
      const stored = ours.find((r) => r['sk'] === sk);
      return stored === undefined || !sameRow(stored, item);
    });
    for (const r of ours)
      if (!wanted.has(String(r['sk'])))
        plan.deletes.push({ ticket: change.ticket, sk: String(r['sk']), why: 'account no longer in scope' });
    if (changed) plan.upserts.push({ ticket: change.ticket, accounts, approval });
    else plan.unchanged.push(change.ticket);
  }
  if (options.dryRun) return plan;
  for (const u of plan.upserts)
    for (const account of u.accounts) {
      try {
        await store.putSynced(u.approval, account, source.name, { changeState: 'approved' });
      } catch (error) {
        if (!(error instanceof ApprovalStoreError)) throw error;
        plan.reported.push({ ticket: u.ticket, problems: [errorText(error)] });
      }
    }
  for (const d of plan.deletes) await store.deleteSynced(d.ticket, d.sk, source.name);
  return plan;
}

/** The plan as lines for people (CLI, logs). */
export function planLines(plan: SyncPlan, dryRun: boolean): string[] {
  const verb = dryRun ? 'would ' : '';
  const lines = [`${plan.source}: ${plan.read} change request(s) read`];
  for (const u of plan.upserts)
    lines.push(
      `  ${verb}approve ${u.ticket} ${u.approval.windowStart} → ${u.approval.windowEnd} accounts ${u.accounts.join(',')}${u.approval.resourceIds ? ` resources ${u.approval.resourceIds.join(',')}` : ''}${u.approval.categories ? ` categories ${u.approval.categories.join(',')}` : ''}${u.approval.regions ? ` regions ${u.approval.regions.join(',')}` : ''}${u.approval.actorArnPatterns ? ` actors ${u.approval.actorArnPatterns.join(',')}` : ''}`,
    );
  for (const d of plan.deletes) lines.push(`  ${verb}remove ${d.ticket} ${d.sk} (${d.why})`);
  for (const t of plan.unchanged) lines.push(`  unchanged ${t}`);
  for (const r of plan.reported) lines.push(`  NOT APPROVED ${r.ticket}: ${r.problems.join('; ')}`);
  return lines;
}
