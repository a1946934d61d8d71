import * as z from 'zod';
import { approvalSchema, DEFAULT_MAX_WINDOW_DAYS, windowTooLong } from '../5-decide/approvals/model.ts';
import { APPROVALS_INDEX } from '../5-decide/approvals/table.ts';
import { APPROVAL_STATES } from '../model/notice.ts';
import { SEVERITIES } from '../model/severity.ts';
import { nameSchema, sinkSpecSchema } from '../6-deliver/sinks/registry.ts';
import { approvalSyncSourceSchema } from '../6-deliver/change-systems/approvals-sync.ts';
import {
  accountIdSchema,
  arnPatternSchema,
  categorySchema,
  regionSchema,
  strictObject,
  tagFilterSchema,
} from '../model/fields.ts';
import { ContextFileSchema } from '../4-classify/context.ts';
import { actorPatternProblem } from '../model/actor-match.ts';

/**
 * The Netwatch config file (`netwatch.config.yml` or JSON): sink instances, routes, estate context, actor allowlists,
 * approvals, dedup and grouping. Every object is strict (unknown keys are errors that list the allowed keys); the
 * cross-checks that span sections (route → sink names, unique names) run in {@link configSchema}'s refinement so one
 * pass reports every problem. docs/configuration.md documents each key (its tables are generated from this schema).
 */

/** Names of sinks and routes (one rule, with the sinks' schema: shared/6-deliver/sinks/registry.ts). */
export { nameSchema };

/** Route kinds: a `paging` route's deliveries are deduplicated and storm-controlled; a `record` route gets every finding. */
export const ROUTE_KINDS = ['paging', 'record'] as const;

/** `match` of a route: every given filter must hold; an absent filter matches everything. */
export const routeMatchSchema = strictObject({
  minSeverity: z.enum(SEVERITIES).optional(),
  categories: z.array(categorySchema).min(1).optional(),
  accounts: z.array(accountIdSchema).min(1).optional(),
  regions: z.array(regionSchema).min(1).optional(),
  tags: tagFilterSchema.optional(),
  approval: z.array(z.enum(APPROVAL_STATES)).min(1).optional(),
});

/** One route. */
export const routeSchema = strictObject({
  name: nameSchema,
  kind: z.enum(ROUTE_KINDS).default('record'),
  match: routeMatchSchema.default({}),
  sinks: z.array(nameSchema).min(1),
  /**
   * Paging routes: when an exposure episode this route paged closes, send its "resolved" record to the route's sinks
   * that got the page (PagerDuty sinks resolve their incident whatever this says). Default false.
   */
  resolved: z.boolean().default(false),
});

/** Facts about the estate, handed to rules and the severity step (one schema with `--context FILE`). */
export const contextSchema = ContextFileSchema;

/** Known automation: findings of these categories made by these actors are `allowlisted` (recorded, not paged). */
export const allowlistSchema = strictObject({
  name: nameSchema,
  /** Matched against the role (session issuer), never the caller-chosen session ARN (shared/model/actor-match.ts). */
  actorArnPatterns: z
    .array(
      arnPatternSchema.superRefine((pattern, ctx) => {
        const problem = actorPatternProblem(pattern);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      }),
    )
    .min(1),
  categories: z.array(categorySchema).min(1),
  accounts: z.array(accountIdSchema).min(1).optional(),
  reason: z.string().min(1),
});

/** Where approvals come from. */
export const approvalsSchema = strictObject({
  static: z.array(approvalSchema).default([]),
  /**
   * Longest approval window, for the static list, `netwatch approvals add` and approvals-table items alike (a table
   * item with a longer window is skipped and reported). Checked in {@link crossCheckProblems}.
   */
  maxWindowDays: z.number().int().min(1).max(366).default(DEFAULT_MAX_WINDOW_DAYS),
  dynamodb: strictObject({
    tableName: z.string().min(3).max(255),
    /** GSI on (account, windowEnd); see docs/configuration.md, "Approvals table item format". */
    indexName: z.string().min(3).default(APPROVALS_INDEX),
    /** How far back expired approvals are still read, so a late change says "expired" rather than "unapproved". */
    expiredLookbackDays: z.number().int().min(0).max(90).default(7),
  }).optional(),
  /**
   * Change systems whose approved change requests the scheduled sync writes into the approvals table (ServiceNow
   * change requests, Jira issues; docs/change-management.md). Needs `dynamodb.tableName` (or NETWATCH_APPROVALS_TABLE).
   */
  sync: z.array(approvalSyncSourceSchema).default([]),
});

/** Dedup and the delivery ledger. */
export const dedupSchema = strictObject({
  windowHours: z
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  /** DynamoDB table (pk, sk strings; TTL on expiresAt). Required in Lambda; the CLI uses memory without it. */
  tableName: z.string().min(3).max(255).optional(),
  /** A claim not completed within this time (crashed invocation) may be taken over by a retry. */
  claimLeaseSeconds: z.number().int().min(5).max(3600).default(120),
});

/** The network state table (shared/3-state). */
export const stateSchema = strictObject({
  /**
   * DynamoDB table of the kept network state (pk, sk strings; GSI `open`). Without it the functions judge each change
   * on its own deltas (no episodes, no resolve); the CLI keeps state in memory.
   */
  tableName: z.string().min(3).max(255).optional(),
});

/** Storm control. */
export const groupingSchema = strictObject({
  windowMinutes: z
    .number()
    .positive()
    .max(24 * 60)
    .default(5),
  /** Defaults to dedup.tableName. */
  tableName: z.string().min(3).max(255).optional(),
});

/**
 * Opt-in response (docs/response.md): revert an unapproved world-open rule or internet-gateway route after a grace
 * period. Off without this section; a dry run unless `dryRun: false`. The functions' roles allow the revert calls only
 * when the stack was deployed with `respondAccounts` (the queue and the responder exist only then).
 */
export const respondSchema = strictObject({
  dryRun: z.boolean().default(true),
  graceMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(15),
  /** What can be reverted: world-open ingress rules and internet-gateway routes. */
  categories: z
    .array(z.enum(['sg-open-world', 'route-to-igw']))
    .min(1)
    .default(['sg-open-world', 'route-to-igw']),
  accounts: z.array(accountIdSchema).min(1),
  /** The stack's respond queue (output RespondQueueUrl): revert requests wait there through the grace period. */
  queueUrl: z.string().url(),
});

const configShape = strictObject({
  version: z.literal(1, { error: 'must be 1 (the only config version)' }),
  sinks: z.record(nameSchema, sinkSpecSchema).refine((s) => Object.keys(s).length > 0, 'configure at least one sink'),
  routes: z.array(routeSchema).min(1, 'configure at least one route'),
  context: contextSchema.default({ internalVpcIds: [], knownAccounts: [] }),
  allowlists: z.array(allowlistSchema).default([]),
  approvals: approvalsSchema.default({ static: [], sync: [], maxWindowDays: DEFAULT_MAX_WINDOW_DAYS }),
  dedup: dedupSchema.default({ windowHours: 24, claimLeaseSeconds: 120 }),
  grouping: groupingSchema.default({ windowMinutes: 5 }),
  state: stateSchema.default({}),
  respond: respondSchema.optional(),
});

/** The whole config (per-key checks; the cross-section checks are {@link crossCheckProblems}). */
export const configSchema = configShape;

/** The parts of a config the cross-checks read, read loosely (anything malformed reads as empty). */
const crossCheckShape = z.lazy(() =>
  z.looseObject({
    sinks: z.record(z.string(), z.unknown()).catch({}),
    routes: z
      .array(
        z
          .looseObject({ name: z.unknown(), sinks: z.array(z.unknown()).catch([]) })
          .catch({ name: undefined, sinks: [] }),
      )
      .catch([]),
    allowlists: z.array(z.looseObject({ name: z.unknown() }).catch({ name: undefined })).catch([]),
    approvals: z
      .looseObject({
        static: z
          .array(
            z
              .looseObject({ ticket: z.unknown(), windowStart: z.unknown(), windowEnd: z.unknown() })
              .catch({ ticket: undefined, windowStart: undefined, windowEnd: undefined }),
          )
          .catch([]),
        sync: z.array(z.looseObject({ name: z.unknown() }).catch({ name: undefined })).catch([]),
        maxWindowDays: z.number().int().min(1).max(366).catch(DEFAULT_MAX_WINDOW_DAYS).default(DEFAULT_MAX_WINDOW_DAYS),
      })
      .catch({ static: [], sync: [], maxWindowDays: DEFAULT_MAX_WINDOW_DAYS }),
  }),
);

/**
 * Checks that span sections: every route's sinks exist, route / allowlist names and static tickets are unique, static
 * approval windows fit `approvals.maxWindowDays`. Run on
 * the raw value (read loosely), not as a zod refinement, because zod skips refinements of an object that already has
 * issues — and a bad config must list every problem at once.
 */
export function crossCheckProblems(value: unknown): string[] {
  const loose = crossCheckShape.safeParse(value);
  if (!loose.success) return [];
  const config = loose.data;
  const problems: string[] = [];
  const sinkNames = Object.keys(config.sinks);
  const unique = (items: unknown[], path: (i: number) => string, what: string): void => {
    const seen = new Set<unknown>();
    items.forEach((item, i) => {
      if (typeof item === 'string' && seen.has(item)) problems.push(`${path(i)}: duplicate ${what} "${item}"`);
      seen.add(item);
    });
  };
  config.routes.forEach((route, i) => {
    route.sinks.forEach((sink, j) => {
      if (typeof sink === 'string' && !sinkNames.includes(sink))
        problems.push(
          `routes[${i}].sinks[${j}]: no sink named "${sink}" (configured: ${sinkNames.join(', ') || 'none'})`,
        );
    });
  });
  unique(
    config.routes.map((r) => r.name),
    (i) => `routes[${i}].name`,
    'route name',
  );
  unique(
    config.allowlists.map((a) => a.name),
    (i) => `allowlists[${i}].name`,
    'allowlist name',
  );
  unique(
    config.approvals.static.map((a) => a.ticket),
    (i) => `approvals.static[${i}].ticket`,
    'ticket',
  );
  config.approvals.static.forEach((a, i) => {
    if (typeof a.windowStart !== 'string' || typeof a.windowEnd !== 'string') return;
    const tooLong = windowTooLong(
      { windowStart: a.windowStart, windowEnd: a.windowEnd },
      config.approvals.maxWindowDays,
    );
    if (tooLong !== undefined) problems.push(`approvals.static[${i}].windowEnd: ${tooLong}`);
  });
  unique(
    config.approvals.sync.map((a) => a.name),
    (i) => `approvals.sync[${i}].name`,
    'sync source name',
  );
  return problems;
}

/** A validated config (defaults applied). */
export type NetwatchConfig = z.infer<typeof configSchema>;
/** One validated route. */
export type RouteConfig = z.infer<typeof routeSchema>;
/** One validated allowlist entry. */
export type AllowlistConfig = z.infer<typeof allowlistSchema>;
/** Input shape (before defaults): what a config author writes. */
export type NetwatchConfigInput = z.input<typeof configSchema>;
