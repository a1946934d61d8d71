/**
 * The key tables of docs/configuration.md, rendered from the config's zod schema (shared/config/schema.ts, through
 * `z.toJSONSchema`): every key with its type, whether it is required and its default come from the schema; the
 * sentence saying what a key means comes from {@link DESCRIPTIONS} below. `npm run generate:docs` rewrites the
 * blocks; test/docs/configuration.test.ts fails while a block is stale, while a schema key has no sentence, or a
 * sentence names a key the schema does not have.
 */
import * as z from 'zod';
import { configSchema } from '../shared/config/schema.ts';
import { NAME_RULE } from '../shared/6-deliver/sinks/registry.ts';

/** A JSON Schema node, as z.toJSONSchema writes it (only what the renderer reads). */
interface Node {
  type?: string;
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  additionalProperties?: Node | boolean;
  propertyNames?: Node;
}

/** The config's JSON Schema (input side: what a config author writes, defaults shown). */
export function configJsonSchema(): Node {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any', reused: 'inline' }) as Node;
}

/** What each key means, by path (`routes[].match.tags`); every key the schema has outside sinks and sync sources. */
export const DESCRIPTIONS: Record<string, string> = {
  version: 'must be `1` (the only config version)',
  sinks: `sink instances by name (the name: ${NAME_RULE}); the kinds and their settings: [sinks.md](sinks.md)`,
  routes: 'which findings go to which sinks; **every** matching route applies',
  context:
    'facts about the estate for the rules and the severity step (the same schema as a standalone `--context FILE`)',
  allowlists: 'known automation, per category',
  approvals: 'approved changes: a static list, the DynamoDB table, and the change systems synced into it',
  dedup: 'one delivery per change and sink; the delivery ledger',
  grouping: 'storm control for pages',
  state: 'the kept network state ([state.md](state.md))',
  respond: 'opt-in response ([response.md](response.md)); off without this section',
  'routes[].name': 'unique route name (shown in notices and the dry run); the same name rule as sinks',
  'routes[].kind':
    '`paging`: deliveries through this route are *pages* — one per change within `dedup.windowHours`, at most one per (account, rule) per `grouping.windowMinutes`, the rest in a digest. `record`: every distinct finding reaches the sink once (change management, archives)',
  'routes[].match': 'every given filter must hold; an absent filter matches everything',
  'routes[].match.minSeverity': '`info` < `low` < `medium` < `high` < `critical`',
  'routes[].match.categories': 'finding categories ([findings.md](findings.md#categories))',
  'routes[].match.accounts': '12-digit account ids',
  'routes[].match.regions': 'region names',
  'routes[].match.tags':
    "resource tags: `{Environment: prod}` or `{Environment: [prod, staging]}`; value `'*'` = key present with any value; every key must match",
  'routes[].match.approval': 'approval states: `approved`, `unapproved`, `expired`, `allowlisted`',
  'routes[].sinks': 'sink names (each must exist in `sinks`)',
  'routes[].resolved':
    'paging routes: when an exposure episode this route paged closes, send its "RESOLVED" record to the route\'s sinks that got the page. PagerDuty sinks always get `resolve` (with the page\'s `dedup_key`) whatever this says',
  'context.internalVpcIds': 'VPC ids that must never reach the internet (an IGW attached there is critical)',
  'context.internalVpcTag':
    'VPCs carrying this tag are internal-only (VPC tags come from enrichment); default `{key: netwatch:exposure, value: internal}`',
  'context.internalVpcTag.key': 'tag key',
  'context.internalVpcTag.value': 'tag value',
  'context.knownAccounts': "the organisation's accounts: peering / PrivateLink principals inside it are less risky",
  'context.networkConfigRules':
    'custom AWS Config rule names (`*` wildcards, case-insensitive, whole name) added to the built-in network rules of `compliance-change`: their NON_COMPLIANT flips are medium findings, COMPLIANT flips info',
  'context.automationRoles':
    'ARN globs of known automation (trusted actors): their findings are lowered one step, said in `why` (routing exceptions use `allowlists`)',
  'context.adjust':
    'turn a severity adjustment off ([findings.md](findings.md#context-aware-severity)); all on by default',
  'context.adjust.rootActor': 'raise findings whose actor is the root user',
  'context.adjust.longTermKeys': 'raise findings of calls signed with a long-term access key (`AKIA…`)',
  'context.adjust.sgAttachments': 'lower / raise `sg-open-world` by what the group is attached to',
  'allowlists[].name': 'unique name, shown in the verdict',
  'allowlists[].actorArnPatterns':
    'ARN globs matched against the **role** (session issuer, `arn:aws:iam::111122223333:role/ci-deploy`), never the caller-chosen session ARN; a session pattern (`arn:aws:sts::111122223333:assumed-role/ci-deploy/*`) must name the role and restricts the session name on top ([security.md](security.md#approvals-and-allowlists)). `*` matches any characters including `/` and `:`, `?` one character',
  'allowlists[].categories': 'categories it applies to (at least one)',
  'allowlists[].accounts': 'only in these accounts',
  'allowlists[].reason': 'why; shown to responders',
  'approvals.static': 'approvals written in the config (the fields below)',
  'approvals.static[].ticket': 'ticket id (letters, digits, `. _ : / -`)',
  'approvals.static[].description': 'text shown with the verdict',
  'approvals.static[].windowStart': 'ISO-8601 with a zone; inclusive',
  'approvals.static[].windowEnd': 'ISO-8601 with a zone, after `windowStart`; inclusive',
  'approvals.static[].accounts': "account ids (`'*'` = any)",
  'approvals.static[].regions': 'region names',
  'approvals.static[].resourceIds':
    'resource ids or ARNs, `*` globs allowed (`sg-0a1b*`, `arn:aws:ec2:eu-west-1:111122223333:security-group/*`)',
  'approvals.static[].resourceTags':
    "`{key: value | [values]}`, `'*'` = any value; the tags *before* the change (known from AWS Config items; a CloudTrail finding never meets a tag scope); needs `resourceIds` or `actorArnPatterns` too",
  'approvals.static[].categories': 'finding categories',
  'approvals.static[].actorArnPatterns': 'actor ARN globs, matched against the role (as for allowlists)',
  'approvals.maxWindowDays':
    'longest approval window (static list, `approvals add`, table items); a longer one is refused',
  'approvals.dynamodb': 'the approvals table the change-management system writes',
  'approvals.dynamodb.tableName': 'its name',
  'approvals.dynamodb.indexName': 'its GSI on (`account`, `windowEnd`)',
  'approvals.dynamodb.expiredLookbackDays':
    'approvals that ended up to this long ago are still read, so a late change says `expired`, not `unapproved`',
  'approvals.sync':
    'ServiceNow / Jira sources whose approved change requests the `approvalsSync` function (and `netwatch approvals sync`) writes into the table — never widening a scope it cannot read ([change-management.md](change-management.md#approvals-sync)); keys below',
  'dedup.windowHours':
    'the same change reaches each sink once within this window (ledger rows, aliases and digests live this long)',
  'dedup.tableName':
    'DynamoDB table: `pk` (S, HASH) + `sk` (S, RANGE), TTL on `expiresAt`. Required in Lambda when a config is given; the CLI uses memory without it (`replay --store dynamodb` uses it)',
  'dedup.claimLeaseSeconds':
    "a claim not completed within this time (a crashed invocation) is taken over by a retry; keep it below the queue's visibility timeout",
  'grouping.windowMinutes': 'at most one page per (account, rule) per window',
  'grouping.tableName': 'where windows and held-back findings live; defaults to `dedup.tableName`',
  'state.tableName':
    'the DynamoDB state table (network state, exposures, episodes); without it the functions judge each change on its own deltas (no episodes, no resolve); the CLI keeps state in memory',
  'respond.dryRun': 'say what would be reverted, revert nothing',
  'respond.graceMinutes': 'how long an unapproved hole may stay open before it is reverted',
  'respond.categories': 'what can be reverted: world-open ingress rules, internet-gateway routes',
  'respond.accounts': 'the accounts where reverts are made',
  'respond.queueUrl':
    "the stack's `RespondQueueUrl` output; the deployed stack writes this section from the `respond*` parameters",
};

/** Markdown table cell. */
const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (v: unknown): string => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

/** A secret reference (`{ssm}` / `{secretsManager, key?}`), possibly beside a plain string. */
function isSecretRef(node: Node): boolean {
  const alts = node.anyOf ?? node.oneOf;
  if (!alts) return false;
  const ref = (a: Node): boolean =>
    a.properties?.['ssm'] !== undefined || a.properties?.['secretsManager'] !== undefined;
  return (
    (alts.some(ref) || alts.some((a) => a.anyOf?.some(ref))) &&
    alts.every(
      (a) =>
        a.type === 'string' ||
        a.properties?.['ssm'] !== undefined ||
        a.properties?.['secretsManager'] !== undefined ||
        isSecretRef(a),
    )
  );
}

/** A short type for people. */
export function typeOf(node: Node): string {
  if (isSecretRef(node)) {
    const plain = (node.anyOf ?? node.oneOf ?? []).some((a) => a.type === 'string');
    return plain ? 'string or secret reference' : 'secret reference';
  }
  if (node.const !== undefined) return code(node.const);
  if (node.enum) return node.enum.map(code).join(' | ');
  const alts = node.anyOf ?? node.oneOf;
  if (alts) {
    const kinds = alts.map((a) => a.properties?.['type']?.const);
    if (kinds.every((k) => k !== undefined)) return `object by \`type\`: ${kinds.map(code).join(', ')}`;
    return alts.map(typeOf).join(' or ');
  }
  switch (node.type) {
    case 'array': {
      const of = node.items ? typeOf(node.items) : 'any';
      return `list of ${of}${node.minItems ? ` (at least ${node.minItems})` : ''}`;
    }
    case 'object':
      if (node.properties) return 'object';
      return node.additionalProperties && typeof node.additionalProperties === 'object'
        ? `map of ${typeOf(node.additionalProperties)}`
        : 'object';
    case 'integer':
    case 'number': {
      const word = node.type === 'integer' ? 'integer' : 'number';
      const low = node.minimum ?? (node.exclusiveMinimum !== undefined ? `> ${node.exclusiveMinimum}` : undefined);
      if (low !== undefined && node.maximum !== undefined)
        return typeof low === 'number' ? `${word} ${low}–${node.maximum}` : `${word} ${low}, ≤ ${node.maximum}`;
      if (low !== undefined) return typeof low === 'number' ? `${word} ≥ ${low}` : `${word} ${low}`;
      return word;
    }
    case 'string':
      if (node.format === 'uri') return 'URL';
      if (node.pattern === '^\\d{12}$') return '12-digit account id';
      if (node.maxLength !== undefined) return `string (≤ ${node.maxLength})`;
      return 'string';
    case 'boolean':
      return 'boolean';
    default:
      return node.type ?? 'any';
  }
}

/** One row per key under `node`, depth first (objects and lists of objects are opened; unions are not). */
function rows(node: Node, path: string, required: boolean, out: Row[], top: boolean): void {
  if (!top) out.push({ path, node, required });
  if (isSecretRef(node)) return;
  const target = node.type === 'array' && node.items?.type === 'object' ? node.items : node;
  const base = target === node ? path : `${path}[]`;
  if (target.type !== 'object' || !target.properties) return;
  for (const [key, child] of Object.entries(target.properties))
    rows(child, base ? `${base}.${key}` : key, (target.required ?? []).includes(key), out, false);
}

interface Row {
  path: string;
  node: Node;
  required: boolean;
}

/** Every key path of the schema outside sinks and sync sources (what {@link DESCRIPTIONS} must cover). */
export function describedPaths(schema: Node = configJsonSchema()): string[] {
  const out: Row[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    out.push({ path: key, node: child, required: false });
    if (key === 'sinks') continue;
    const sub: Row[] = [];
    rows(child, key, false, sub, true);
    out.push(...sub.filter((r) => !r.path.startsWith('approvals.sync[]')));
  }
  return out.map((r) => r.path);
}

function table(list: Row[], described: boolean, strip = ''): string {
  const head = described
    ? ['| key | type | required | default | meaning |', '|---|---|---|---|---|']
    : ['| key | type | required | default |', '|---|---|---|---|'];
  const body = list.map(({ path, node, required }) => {
    const shown = strip && path.startsWith(strip) ? path.slice(strip.length) : path;
    const def = node.default === undefined ? '' : code(node.default);
    const base = `| \`${shown}\` | ${cell(typeOf(node))} | ${required ? 'yes' : ''} | ${cell(def)} |`;
    return described ? `${base} ${cell(DESCRIPTIONS[path] ?? '')} |` : base;
  });
  return [...head, ...body].join('\n');
}

/** The variants of a discriminated union (by `type`), with their rows. */
function variants(node: Node): [string, Row[]][] {
  const alts = node.oneOf ?? node.anyOf ?? [];
  return alts.map((alt) => {
    const kind = String(alt.properties?.['type']?.const ?? '?');
    const out: Row[] = [];
    rows(alt, '', false, out, true);
    return [kind, out.filter((r) => r.path !== 'type')];
  });
}

/** The content of block `name` of docs/configuration.md, or undefined for a name it does not know. */
export function renderConfigBlock(name: string, schema: Node = configJsonSchema()): string | undefined {
  const props = schema.properties ?? {};
  if (name === 'config: top-level keys') {
    const list = Object.entries(props).map(([path, node]) => ({
      path,
      node,
      required: (schema.required ?? []).includes(path),
    }));
    return table(list, true);
  }
  if (name === 'config: sinks') {
    const sinks = props['sinks']?.additionalProperties;
    if (!sinks || typeof sinks !== 'object') return undefined;
    return variants(sinks)
      .map(([kind, list]) => `\`type: ${kind}\`\n\n${list.length ? table(list, false) : '(no settings)'}`)
      .join('\n\n');
  }
  if (name === 'config: approvals.sync') {
    const items = props['approvals']?.properties?.['sync']?.items;
    if (!items) return undefined;
    return variants(items)
      .map(([kind, list]) => `\`type: ${kind}\`\n\n${table(list, false)}`)
      .join('\n\n');
  }
  const section = /^config: ([a-z]+)$/.exec(name)?.[1];
  if (section === undefined || props[section] === undefined) return undefined;
  const list: Row[] = [];
  rows(props[section], section, false, list, true);
  return table(
    list.filter((r) => !r.path.startsWith('approvals.sync[]')),
    true,
  );
}
