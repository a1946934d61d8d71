/**
 * Deploy parameters (`serverless deploy --stage prod --param="key=value"`), written once: {@link PARAMS} is the one
 * definition each parameter has. From it come
 * - the TypeScript type the stack builder reads ({@link StackParams}: `z.output` of {@link PARAMS_SCHEMA});
 * - the validation ({@link parseParams}): every problem reported at once, one line each, naming the `--param` that fixes
 *   it, before anything is built — `serverless package` and `deploy` fail in the first second instead of half-way
 *   through a stack;
 * - the `params.default` and `custom.netwatch` blocks of serverless.yml ({@link renderServerlessParams}, written by
 *   `npm run generate:deploy`);
 * - the reference table docs/parameters.md and the flow-log parameters in docs/flow-logs.md
 *   ({@link renderParameterDocs}, `npm run generate:docs`).
 * test/deploy/params.test.ts fails while serverless.yml or the docs differ from what this file generates.
 *
 * **Adding a parameter** (docs/parameters.md says the same): add one entry to {@link PARAMS} in the section where it
 * belongs — `name: kind(…)`, the kind giving the type, the check and the default (`list`, `optional`, `bool`, `int`,
 * `oneOf`, `someOf`, `text`), and `doc` the sentence the docs table shows — plus, when it needs another parameter, a `requires`
 * check on the parameter that switches it on. Then run `npm run generate:deploy && npm run generate:docs`. Nothing
 * else lists parameters: serverless.yml, the type, the validation and the docs follow. Problems are reported in the
 * order of {@link PARAMS}: each parameter's own problems, then what it requires.
 * @see https://github.com/oss-serverless/osls/blob/main/docs/guides/parameters.md
 */

import * as z from 'zod';
import { FlowLogFormatError, parseFlowLogFormat } from '../../shared/1-ingest/flow-logs/format.ts';

/** Where CloudTrail events come from. */
export type CloudTrailSource = 'eventbridge' | 's3';
/** Where Config notifications come from. */
export type ConfigSource = 'sns' | 'eventbridge';

/** Thrown with every problem listed. */
export class ParamError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `invalid Netwatch deploy parameters (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ParamError';
  }
}

const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+(\.fifo)?$/;
const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;
const EMAIL = /^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const VPC = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const ROUTE_TABLE = /^rtb-[0-9a-f]{8,17}$/;
const PRIVATELINK_ID = /^vpce-(svc-)?[0-9a-f]{8,17}$/;
/** Four rules per endpoint; CloudWatch allows 100 Contributor Insights rules per account and Region by default. */
const MAX_PRIVATELINK_TARGETS = 20;
const ORG = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT = /^\d{12}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SSM_NAME = /^\/?[\w.\-/]{1,1011}$/;
const SECRET = /^[\w/+=.@:-]{1,2048}$/;
const LOG_GROUP = /^[\w\-/.#]{1,512}$/;
const HTTPS_URL = /^https:\/\/[^\s]+$/;
/** EventBridge schedule expressions: `rate(1 day)`, `rate(12 hours)`, `cron(0 6 * * ? *)`. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html */
const SCHEDULE = /^(rate\(\d{1,5} (minute|minutes|hour|hours|day|days)\)|cron\([^()]{9,200}\))$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const AGGREGATOR = /^[\w-]{1,256}$/;
/** The categories the opt-in response can revert (docs/response.md): a world-open rule, an internet-gateway route. */
const RESPOND_CATEGORIES = ['sg-open-world', 'route-to-igw'] as const;
/** The retention values CloudWatch Logs accepts. https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html */
const RETENTION = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Sections of the docs table, in order. */
export const SECTIONS = {
  sources: 'Where changes come from',
  delivery: 'Change management and secrets',
  org: 'Organization',
  private: 'Private mode',
  flowLogs: 'Flow logs',
  reconcile: 'Reconciliation',
  respond: 'Opt-in response',
  paging: 'Paging and alarms',
  context: 'Rule context',
  logs: 'Logs',
} as const;

/** A section of the docs table. */
export type Section = keyof typeof SECTIONS;

// ── Kinds of parameter ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * One parameter: its zod schema (raw osls value → typed value; each issue's message is the one-line problem after
 * `name: `), the value checks of other parameters see when this one is invalid (so a bad value does not hide what
 * else is missing), its serverless.yml default, and its documentation.
 */
export interface ParamSpec<T = unknown> {
  schema: z.ZodType<T>;
  recover(raw: unknown): T;
  /** `params.default` in serverless.yml: '' = not set. */
  yamlDefault: string;
  /** What the docs table shows as accepted values. */
  accepts: string;
  /** The default, as the docs show it (`—` for none). */
  shown: string;
  /** An example value (error messages and docs). */
  example?: string;
  /** What the parameter does: one or two sentences, Markdown, for the docs table. */
  doc: string;
  /** A parameter that was replaced: refused when set, kept out of {@link StackParams}. */
  retired?: true;
  section: Section;
}

/** Documentation every kind takes: the docs section it is listed in, and what it does. */
interface Doc {
  section: Section;
  doc: string;
}

/** Raw osls values are strings, maybe numbers or booleans; unset is undefined (or null). Trimmed text out. */
const asText = z
  .unknown()
  .optional()
  .transform((v, ctx): string => {
    if (v === undefined || v === null) return '';
    if (typeof v === 'string') return v.trim();
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    ctx.issues.push({ code: 'custom', message: `expected a string, found ${typeof v}`, input: v });
    return '';
  });
const textOf = (raw: unknown): string => asText.safeParse(raw).data ?? '';
const items = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Each parameter kind is given its name (messages say which `--param` fixes them). */
type Kind<T> = (name: string) => ParamSpec<T>;

const invalid = (name: string, example: string) => (issue: { input?: unknown }) =>
  `"${String(issue.input)}" is not valid (example: --param=${name}=${example})`;

/** A comma-separated list, each item matching `pattern`. Default: empty. */
function list(pattern: RegExp, example: string, doc: Doc & { accepts?: string }): Kind<string[]> {
  return (name) => ({
    schema: asText
      .transform(items)
      .pipe(z.array(z.string().regex(pattern, { error: invalid(name, example) }))) as z.ZodType<string[]>,
    recover: (raw) => items(textOf(raw)),
    yamlDefault: '',
    accepts: doc.accepts ?? 'comma-separated list',
    shown: '—',
    example,
    ...doc,
  });
}

/** One value matching `pattern`, or not set. */
function optional(pattern: RegExp, example: string, doc: Doc & { accepts?: string }): Kind<string | undefined> {
  return (name) => ({
    schema: asText
      .pipe(z.string().refine((v) => v === '' || pattern.test(v), { error: invalid(name, example) }))
      .transform((v) => (v === '' ? undefined : v))
      .optional() as z.ZodType<string | undefined>,
    recover: (raw) => textOf(raw) || undefined,
    yamlDefault: '',
    accepts: doc.accepts ?? 'one value',
    shown: '—',
    example,
    ...doc,
  });
}

/** `true` or `false` (any case). Default: false, or `fallback` (also what an invalid value stands for). */
function bool(doc: Doc & { fallback?: boolean }): Kind<boolean> {
  const { fallback = false, ...rest } = doc;
  return () => ({
    schema: asText
      .transform((v) => v.toLowerCase())
      .pipe(
        z.enum(['', 'true', 'false'], { error: (issue) => `expected true or false, found "${String(issue.input)}"` }),
      )
      .transform((v) => (v === '' ? fallback : v === 'true')) as z.ZodType<boolean>,
    recover: () => fallback,
    yamlDefault: String(fallback),
    accepts: '`true`, `false`',
    shown: `\`${fallback}\``,
    ...rest,
  });
}

/** An integer from `min` to `max`; `allowed` narrows it to a list. */
function int(
  fallback: number,
  min: number,
  max: number,
  doc: Doc & { allowed?: readonly number[]; accepts?: string },
): Kind<number> {
  return () => {
    const range = (issue: { input?: unknown }) =>
      `expected an integer from ${min} to ${max}, found "${String(issue.input)}"`;
    const number = z
      .string()
      .regex(/^-?\d+$/, { error: range, abort: true })
      .transform(Number)
      .pipe(z.number().int().min(min, { error: range }).max(max, { error: range }));
    const allowed = doc.allowed;
    const checked = allowed
      ? number.refine((n) => allowed.includes(n), {
          error: (issue) => `CloudWatch Logs accepts ${allowed.join(', ')}; found ${String(issue.input)}`,
        })
      : number;
    return {
      schema: asText.transform((v) => v || String(fallback)).pipe(checked) as z.ZodType<number>,
      recover: (raw) => {
        const n = Number(textOf(raw));
        return textOf(raw) !== '' && Number.isInteger(n) ? n : fallback;
      },
      yamlDefault: String(fallback),
      accepts: doc.accepts ?? `integer, ${min}–${max}`,
      shown: `\`${fallback}\``,
      ...doc,
    };
  };
}

/** One of `values`. */
function oneOf<const T extends string>(values: readonly T[], fallback: T, doc: Doc): Kind<T> {
  return () => ({
    schema: asText
      .pipe(
        z.enum(['', ...values] as [string, ...string[]], {
          error: (issue) => `expected one of ${values.join(', ')}, found "${String(issue.input)}"`,
        }),
      )
      .transform((v) => (v === '' ? fallback : (v as T))) as z.ZodType<T>,
    recover: (raw) => ((values as readonly string[]).includes(textOf(raw)) ? (textOf(raw) as T) : fallback),
    yamlDefault: fallback,
    accepts: values.map((v) => `\`${v}\``).join(', '),
    shown: `\`${fallback}\``,
    ...doc,
  });
}

/** A comma-separated list of some of `values`; unset (or empty) is `fallback`. */
function someOf<const T extends string>(values: readonly T[], fallback: readonly T[], doc: Doc): Kind<T[]> {
  return (name) => ({
    schema: asText
      .transform(items)
      .pipe(
        z.array(
          z.enum(values as unknown as [T, ...T[]], {
            error: invalid(name, values.join(',')),
          }),
        ),
      )
      .transform((v) => (v.length > 0 ? v : [...fallback])) as unknown as z.ZodType<T[]>,
    recover: (raw) => {
      const known = items(textOf(raw)).filter((v): v is T => (values as readonly string[]).includes(v));
      return known.length > 0 ? known : [...fallback];
    },
    yamlDefault: fallback.join(','),
    accepts: `comma-separated: ${values.map((v) => `\`${v}\``).join(', ')}`,
    shown: `\`${fallback.join(',')}\``,
    example: values.join(','),
    ...doc,
  });
}

/** Free text with a default and a check of its own (`check` returns a problem, or undefined). */
function text(
  fallback: string,
  check: (value: string) => string | undefined,
  doc: Doc & { accepts: string; example?: string },
): Kind<string> {
  return () => ({
    schema: asText
      .transform((v) => v || fallback)
      .check((ctx) => {
        const problem = check(ctx.value);
        if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
      }) as z.ZodType<string>,
    recover: (raw) => textOf(raw) || fallback,
    yamlDefault: fallback,
    shown: `\`${fallback}\``,
    ...doc,
  });
}

/** A replaced parameter: refused, with what replaces it. */
function retired(message: string, doc: Doc): Kind<undefined> {
  return () => ({
    schema: asText
      .refine((v) => v === '', { error: message })
      .transform(() => undefined)
      .optional() as z.ZodType<undefined>,
    recover: () => undefined,
    yamlDefault: '',
    accepts: 'refused',
    shown: '—',
    retired: true,
    ...doc,
  });
}

/** A tag: `key` or `key=value` (the value may hold `=`), or not set. */
function tag(example: string, doc: Doc): Kind<{ key: string; value?: string } | undefined> {
  const split = (v: string): { key: string; value?: string } | undefined => {
    if (v === '') return undefined;
    const [key = '', ...rest] = v.split('=');
    return rest.length ? { key: key.trim(), value: rest.join('=').trim() } : { key: key.trim() };
  };
  return (name) => ({
    schema: asText
      .refine((v) => v === '' || (v.split('=')[0] ?? '').trim() !== '', {
        error: `expected key or key=value (example: --param=${name}=${example})`,
      })
      .transform(split)
      .optional() as z.ZodType<{ key: string; value?: string } | undefined>,
    recover: (raw) => split(textOf(raw)),
    yamlDefault: '',
    accepts: '`key` or `key=value`',
    shown: '—',
    example,
    ...doc,
  });
}

/** `missing param NAME: why — set --param=NAME=example` when `when` holds. */
const need = (when: boolean, name: ParamName, why: string, example: string): string[] =>
  when ? [`missing param ${name}: ${why} — set --param=${name}=${example}`] : [];

// ── The parameters ──────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Every deploy parameter, by section, in the order problems are reported. The key is the `--param` name; the value
 * its kind (type, check, default) and documentation.
 */
export const PARAMS = {
  configSource: oneOf(['sns', 'eventbridge'] as const, 'sns', {
    section: 'sources',
    doc: "`sns` (the delivery channel's topic → SQS; reliable) or `eventbridge` (Config events on EventBridge, best effort)",
  }),
  configTopicArn: optional(SNS_ARN, 'arn:aws:sns:eu-west-1:111122223333:config-topic', {
    accepts: 'SNS topic ARN',
    section: 'sources',
    doc: "the Config delivery channel's topic (required with `sns` unless `createConfigTopic=true`); another region/account works if its topic policy allows the subscription",
  }),
  createConfigTopic: bool({
    section: 'sources',
    doc: 'create a topic for the delivery channel (output `ConfigTopicArn`; not SSE-KMS: AWS Config cannot deliver to encrypted topics)',
  }),
  configRawDelivery: bool({
    section: 'sources',
    doc: 'raw message delivery on the Config subscription (the pipeline reads both)',
  }),
  cloudTrailSource: oneOf(['eventbridge', 's3'] as const, 'eventbridge', {
    section: 'sources',
    doc: "`eventbridge`, or `s3`: read an organisation trail's log files ([deploy.md: Org setup](deploy.md#org-setup-many-accounts))",
  }),
  cloudTrailTopicArn: optional(SNS_ARN, 'arn:aws:sns:eu-west-1:444455556666:org-trail-notifications', {
    accepts: 'SNS topic ARN',
    section: 'sources',
    doc: "`s3` mode: the trail's SNS notification topic (required)",
  }),
  cloudTrailBucket: optional(BUCKET, 'org-trail-logs-444455556666', {
    accepts: 'S3 bucket name',
    section: 'sources',
    doc: "`s3` mode: the trail's bucket (required)",
  }),
  cloudTrailKmsKeyArn: optional(
    KMS_ARN,
    'arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    {
      accepts: 'KMS key ARN',
      section: 'sources',
      doc: "`s3` mode: the trail's SSE-KMS key (the function gets `kms:Decrypt` via S3 only)",
    },
  ),
  netwatchConfigParameter: optional(SSM_NAME, '/netwatch/config', {
    accepts: 'SSM parameter name',
    section: 'delivery',
    doc: 'SSM parameter holding **your** Netwatch config as JSON (`npx netwatch config FILE --json`; see [configuration.md](configuration.md)); without it the stack writes `/netwatch/<stage>/config`: risky → paging topic, everything → change queue (+ webhook)',
  }),
  webhookUrl: optional(HTTPS_URL, 'https://itsm.example.com/api/netwatch', {
    accepts: 'https URL',
    section: 'delivery',
    doc: 'change-management webhook (needs `webhookSigningSecretParameter`)',
  }),
  webhookSigningSecretParameter: optional(SSM_NAME, '/netwatch/webhook/signing-secret', {
    accepts: 'SSM parameter name',
    section: 'delivery',
    doc: "the SSM name of the webhook's signing secret",
  }),
  secretParameters: list(SSM_NAME, '/netwatch/pagerduty/routing-key', {
    accepts: 'SSM parameter names',
    section: 'delivery',
    doc: "SSM names your config's sinks reference (the roles may read exactly these)",
  }),
  secretsManagerSecrets: list(SECRET, 'netwatch/servicenow', {
    accepts: 'secret names or ARNs',
    section: 'delivery',
    doc: "Secrets Manager names or ARNs your config's sinks reference (the roles may read exactly these)",
  }),
  securityHub: bool({
    section: 'delivery',
    doc: "risky findings to Security Hub: the generated config gets a `securityhub` sink and the delivering functions' roles may `securityhub:BatchImportFindings` on the account's default product ([docs/change-management.md](change-management.md#security-hub))",
  }),
  approvalsSync: bool({
    section: 'delivery',
    doc: "approved changes in: the `approvalsSync` function, every 5 minutes, syncs your config's `approvals.sync` sources (so with `netwatchConfigParameter`) into the approvals table ([docs/change-management.md](change-management.md#approvals-sync))",
  }),
  approvalsInbound: bool({
    section: 'delivery',
    doc: 'the `approvalsInbound` function URL: approvals pushed by the change system, each request HMAC-signed (needs `approvalsInboundSecretParameter`; [docs/change-management.md](change-management.md#inbound-endpoint))',
  }),
  approvalsInboundSecretParameter: optional(SSM_NAME, '/netwatch/approvals/inbound-secret', {
    accepts: 'SSM parameter name',
    section: 'delivery',
    doc: "the SSM name of the inbound endpoint's HMAC key",
  }),
  orgMode: bool({
    section: 'org',
    doc: "admit the organization's accounts to this account's default event bus (`aws:PrincipalOrgID`)",
  }),
  organizationId: optional(ORG, 'o-a1b2c3d4e5', {
    accepts: 'organization id',
    section: 'org',
    doc: 'the organization (`orgMode`)',
  }),
  privateMode: bool({
    section: 'private',
    doc: 'functions in private subnets, AWS reached through VPC endpoints only ([deploy.md: Private mode](deploy.md#private-mode))',
  }),
  vpcId: optional(VPC, 'vpc-0123456789abcdef0', {
    section: 'private',
    accepts: 'VPC id',
    doc: 'private mode: the VPC',
  }),
  privateSubnetIds: list(SUBNET, 'subnet-0123456789abcdef0,subnet-0fedcba9876543210', {
    accepts: 'subnet ids',
    section: 'private',
    doc: 'private mode: private subnets (two or more AZs) for the functions and endpoints',
  }),
  privateRouteTableIds: list(ROUTE_TABLE, 'rtb-0123456789abcdef0', {
    accepts: 'route table ids',
    section: 'private',
    doc: "private mode: the private subnets' route tables (gateway endpoints attach to route tables)",
  }),
  flowLogGroups: list(LOG_GROUP, '/vpc/flow-logs/prod', {
    accepts: 'log group names',
    section: 'flowLogs',
    doc: "CloudWatch Logs groups holding the flow logs: the Contributor Insights rules read them, the saved queries are attached to them, and the evidence function may query **only** them (its role's `logs:StartQuery` names exactly these groups)",
  }),
  privateLinkEniIds: retired(
    'replaced by privateLinkEndpoints — name the endpoints and endpoint services (--param=privateLinkEndpoints=vpce-0123456789abcdef0,vpce-svc-0123456789abcdef0); the stack finds their ENIs at deploy time',
    { section: 'flowLogs', doc: 'replaced by `privateLinkEndpoints` (ENI ids typed by hand); refused with this hint' },
  ),
  privateLinkEndpoints: list(PRIVATELINK_ID, 'vpce-0123456789abcdef0,vpce-svc-0123456789abcdef0', {
    accepts: `\`vpce-…\`, \`vpce-svc-…\` (up to ${MAX_PRIVATELINK_TARGETS})`,
    section: 'flowLogs',
    doc: "`vpce-…` (interface / GWLB endpoint: its ENIs) and `vpce-svc-…` (endpoint service you own: its Network / Gateway Load Balancer's ENIs): Contributor Insights rules, a dashboard row and a reject alarm each; the ENIs are found at deploy time",
  }),
  flowLogFormat: text('auto', flowLogFormatProblem, {
    accepts: '`auto`, `default`, or a field list',
    example: "'${version} ${interface-id} ${srcaddr} …'",
    section: 'flowLogs',
    doc: '`auto`: read the `LogFormat` of the flow logs writing to `flowLogGroups` at deploy time; `default`; or the field list of your custom format (`${version} ${interface-id} ${srcaddr} …`, or `version,interface-id,srcaddr,…`)',
  }),
  flowLogRejectThreshold: int(100, 1, 10_000_000, {
    section: 'flowLogs',
    doc: 'rejected TCP connections to one endpoint per 5 minutes that page',
  }),
  trafficEvidence: bool({
    section: 'flowLogs',
    doc: 'a follow-up on risky findings: what the flow logs of the affected ENIs show since the change, on the same page / ticket (the evidence queue and function)',
  }),
  evidenceDelaySeconds: int(600, 0, 900, {
    section: 'flowLogs',
    doc: 'how long after the finding the flow logs are read. Flow logs reach CloudWatch Logs about 5 minutes after their 1- or 10-minute aggregation interval: earlier, the logs would show almost nothing',
  }),
  evidenceTimeoutSeconds: int(120, 10, 840, {
    section: 'flowLogs',
    doc: "time limit of the queries for one finding; the function's timeout is this + 60 s",
  }),
  reconcileSchedule: text('rate(1 day)', scheduleProblem, {
    accepts: 'EventBridge schedule expression, or `off`',
    example: "'rate(1 day)'",
    section: 'reconcile',
    doc: "how often the `reconcile` function reads the network from AWS Config's advanced query and reconciles the kept state with it (`rate(…)` or `cron(…)`); `off`: no function, no reports bucket, no permissions ([docs/reconciliation.md](reconciliation.md))",
  }),
  reconcileRegions: list(REGION, 'eu-west-1,us-east-1', {
    accepts: 'Region names',
    section: 'reconcile',
    doc: "the Regions of this account the reconciliation queries (`SelectResourceConfig` in each); default: the stack's Region",
  }),
  reconcileAggregator: optional(AGGREGATOR, 'org-network-aggregator', {
    accepts: 'Config aggregator name',
    section: 'reconcile',
    doc: "org mode: the AWS Config aggregator to query (`SelectAggregateResourceConfig`, every account and Region it aggregates) instead of this account's Regions; the stack must be in the aggregator's Region",
  }),
  respondAccounts: list(/^(\d{12}|self)$/, 'self,444455556666', {
    accepts: 'account ids, `self`',
    section: 'respond',
    doc: "the accounts whose unapproved findings may be reverted (`self` = the stack's account); unset (the default): no respond queue, no responder, no revert permissions anywhere ([docs/response.md](response.md))",
  }),
  respondCategories: someOf(RESPOND_CATEGORIES, RESPOND_CATEGORIES, {
    section: 'respond',
    doc: "what may be reverted: a world-open security-group rule (`sg-open-world`: `ec2:RevokeSecurityGroupIngress`), an internet-gateway route (`route-to-igw`: `ec2:DeleteRoute` / `ReplaceRoute`); the responder's role gets only these",
  }),
  respondDryRun: bool({
    fallback: true,
    section: 'respond',
    doc: 'dry run (the default): the page and the change record say what would be reverted, nothing is changed; `false` reverts',
  }),
  respondGraceMinutes: int(15, 0, 1440, {
    section: 'respond',
    doc: 'minutes between the finding and the revert: an approval that arrives in between wins',
  }),
  alertEmails: list(EMAIL, 'oncall@example.com,secops@example.com', {
    accepts: 'emails',
    section: 'paging',
    doc: 'subscribed to the paging topic (each confirms the subscription)',
  }),
  alertPhones: list(E164, '+447700900123', {
    accepts: 'E.164 numbers',
    section: 'paging',
    doc: 'subscribed to the paging topic for SMS',
  }),
  heartbeatHours: int(6, 1, 24, {
    section: 'paging',
    doc: 'hours without any Config / CloudTrail event before the heartbeat alarms page',
  }),
  criticalAccounts: list(ACCOUNT, '111122223333,444455556666', {
    accepts: 'account ids',
    section: 'paging',
    doc: 'accounts whose silence pages: no change from one of them for `heartbeatHours` (per source) alarms ([docs/deploy.md](deploy.md#silent-accounts))',
  }),
  queueAgeAlarmSeconds: int(900, 60, 1_209_600, { section: 'paging', doc: 'oldest ingest message age that pages' }),
  errorAlarmThreshold: int(1, 1, 100_000, { section: 'paging', doc: 'function errors per 5 minutes that page' }),
  internalVpcIds: list(VPC, 'vpc-0123456789abcdef0', {
    accepts: 'VPC ids',
    section: 'context',
    doc: 'rule context: internal-only VPCs (an internet gateway attached there is critical)',
  }),
  internalVpcTag: tag('network-zone=internal', {
    section: 'context',
    doc: 'rule context: the tag that marks a VPC internal-only (default `netwatch:exposure=internal`)',
  }),
  knownAccounts: list(ACCOUNT, '111122223333,444455556666', {
    accepts: 'account ids',
    section: 'context',
    doc: "rule context: the organisation's accounts (peering and endpoint-service principals inside it are less risky)",
  }),
  logRetentionDays: int(365, 1, 3653, {
    allowed: RETENTION,
    accepts: 'a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, … 3653)',
    section: 'logs',
    doc: 'function log retention in days',
  }),
} as const satisfies Record<string, Kind<unknown>>;

/**
 * What a parameter requires of the others (a mode that needs another parameter, values that exclude each other):
 * problems reported right after that parameter's own. Kept beside {@link PARAMS}, keyed by its names, because each
 * check reads the validated {@link StackParams} the table itself defines.
 */
const REQUIRES: { readonly [K in ParamName]?: (p: StackParams) => string[] } = {
  configSource: (p) =>
    p.configSource === 'sns' && !p.configTopicArn && !p.createConfigTopic
      ? [
          "missing param configTopicArn: set --param=configTopicArn=arn:aws:sns:<region>:<account>:<topic> (your Config delivery channel's topic) or --param=createConfigTopic=true (then point the delivery channel at the ConfigTopicArn output), or --param=configSource=eventbridge",
        ]
      : [],
  createConfigTopic: (p) =>
    p.configTopicArn && p.createConfigTopic
      ? ['configTopicArn and createConfigTopic=true are exclusive: use your topic, or let the stack create one']
      : [],
  cloudTrailSource: (p) => [
    ...need(
      p.cloudTrailSource === 's3' && !p.cloudTrailTopicArn,
      'cloudTrailTopicArn',
      "cloudTrailSource=s3 reads the trail's SNS log-delivery notifications",
      'arn:aws:sns:<region>:<account>:<trail-topic>',
    ),
    ...need(
      p.cloudTrailSource === 's3' && !p.cloudTrailBucket,
      'cloudTrailBucket',
      "cloudTrailSource=s3 reads the log objects from the trail's bucket",
      '<bucket-name>',
    ),
  ],
  webhookUrl: (p) =>
    need(
      p.webhookUrl !== undefined && !p.webhookSigningSecretParameter,
      'webhookSigningSecretParameter',
      'the webhook sink signs every request (X-Netwatch-Signature) with a key held in SSM',
      '/netwatch/webhook/signing-secret',
    ),
  approvalsInbound: (p) =>
    need(
      p.approvalsInbound && !p.approvalsInboundSecretParameter,
      'approvalsInboundSecretParameter',
      "the inbound approvals endpoint checks every request's HMAC signature with a key held in SSM",
      '/netwatch/approvals/inbound-secret',
    ),
  orgMode: (p) =>
    need(
      p.orgMode && !p.organizationId,
      'organizationId',
      "orgMode admits the organization's accounts to the event bus (aws:PrincipalOrgID)",
      'o-a1b2c3d4e5',
    ),
  privateMode: (p) => [
    ...need(
      p.privateMode && !p.vpcId,
      'vpcId',
      'privateMode puts the functions and the endpoints in this VPC',
      'vpc-0123456789abcdef0',
    ),
    ...need(
      p.privateMode && p.privateRouteTableIds.length === 0,
      'privateRouteTableIds',
      "privateMode attaches the DynamoDB gateway endpoint to the private subnets' route tables",
      'rtb-aaa,rtb-bbb',
    ),
    ...need(
      p.privateMode && p.privateSubnetIds.length === 0,
      'privateSubnetIds',
      'privateMode needs private subnets (two or more AZs) for the functions and endpoints',
      'subnet-aaa,subnet-bbb',
    ),
  ],
  privateLinkEndpoints: (p) => [
    ...(p.privateLinkEndpoints.length > MAX_PRIVATELINK_TARGETS
      ? [
          `privateLinkEndpoints: at most ${MAX_PRIVATELINK_TARGETS} (4 Contributor Insights rules each; the account default is 100 rules)`,
        ]
      : []),
    ...(new Set(p.privateLinkEndpoints).size !== p.privateLinkEndpoints.length
      ? ['privateLinkEndpoints: an id is listed twice']
      : []),
    ...need(
      p.privateLinkEndpoints.length > 0 && p.flowLogGroups.length === 0,
      'flowLogGroups',
      "privateLinkEndpoints are analysed in the VPC flow log groups that record their ENIs' traffic",
      '/vpc/flow-logs/prod',
    ),
  ],
  reconcileAggregator: (p) =>
    p.reconcileAggregator && p.reconcileRegions.length > 0
      ? [
          'reconcileAggregator and reconcileRegions are exclusive: the aggregator covers its accounts and Regions (query it from its own Region)',
        ]
      : [],
  trafficEvidence: (p) =>
    need(
      p.trafficEvidence && p.flowLogGroups.length === 0,
      'flowLogGroups',
      'trafficEvidence queries the flow logs in these groups (the function may read only them)',
      '/vpc/flow-logs/prod',
    ),
};

function scheduleProblem(value: string): string | undefined {
  if (value === 'off' || SCHEDULE.test(value)) return undefined;
  return `"${value}" is not a schedule expression (example: --param=reconcileSchedule='rate(1 day)', 'cron(0 6 * * ? *)' or off)`;
}

function flowLogFormatProblem(value: string): string | undefined {
  if (value === 'auto') return undefined;
  try {
    parseFlowLogFormat(value);
    return undefined;
  } catch (error) {
    if (!(error instanceof FlowLogFormatError)) throw error;
    return `${error.message} (example: --param=flowLogFormat=auto, default, or '\${version} \${interface-id} \${srcaddr} …')`;
  }
}

// ── The schema, the type, the validation ────────────────────────────────────────────────────────────────────────

/** A parameter's name (the `--param` key). */
export type ParamName = keyof typeof PARAMS;
type ValueOf<K extends ParamName> = (typeof PARAMS)[K] extends Kind<infer T> ? T : never;
type RetiredName = 'privateLinkEniIds';
type OptionalName = { [K in ParamName]: undefined extends ValueOf<K> ? K : never }[ParamName];

/** Every parameter with its spec, in {@link PARAMS} order. */
export const PARAM_SPECS: ReadonlyArray<{ name: ParamName; spec: ParamSpec }> = (
  Object.entries(PARAMS) as [ParamName, Kind<unknown>][]
).map(([name, kind]) => ({ name, spec: kind(name) }));

/**
 * The zod schema of the parameters osls resolves (`custom.netwatch`): one field per parameter, each giving its value
 * type and its own check. {@link parseParams} runs these field schemas, then each parameter's `requires`.
 */
export const PARAMS_SCHEMA = z.object(
  Object.fromEntries(PARAM_SPECS.map(({ name, spec }) => [name, spec.schema])) as {
    [K in ParamName]: z.ZodType<ValueOf<K>>;
  },
);

type Values = z.output<typeof PARAMS_SCHEMA>;

/** Validated parameters, plus the stage. Lists are parsed from comma-separated strings; unset optional ones are absent. */
export type StackParams = { stage: string } & {
  [K in Exclude<ParamName, OptionalName | RetiredName>]: Values[K];
} & { [K in Exclude<OptionalName, RetiredName>]?: Exclude<Values[K], undefined> };

/**
 * Parse and validate the raw `custom.netwatch` block (param values as osls resolved them: strings, maybe numbers).
 * Problems come in {@link PARAMS} order — each parameter's own, then what it requires — and all at once. A parameter
 * with a problem of its own still has a value for the others' checks (its `recover`), so one bad value does not hide
 * what else is missing.
 */
export function parseParams(raw: Readonly<Record<string, unknown>>, stage: string): StackParams {
  const values: Record<string, unknown> = { stage };
  const own = new Map<string, string[]>();
  for (const { name, spec } of PARAM_SPECS) {
    const parsed = spec.schema.safeParse(raw[name]);
    if (parsed.success) values[name] = parsed.data;
    else {
      own.set(
        name,
        parsed.error.issues.map((issue) => `${name}: ${issue.message}`),
      );
      values[name] = spec.recover(raw[name]);
    }
    if (values[name] === undefined) delete values[name];
  }
  const params = values as StackParams;
  const problems = PARAM_SPECS.flatMap(({ name }) => [...(own.get(name) ?? []), ...(REQUIRES[name]?.(params) ?? [])]);
  if (problems.length) throw new ParamError(problems);
  return params;
}
