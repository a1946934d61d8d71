import { printable } from '../../shared/platform/printable.ts';
import { userInfo } from 'node:os';
import { documentClient } from '../../shared/platform/aws/dynamodb.ts';
import { ApprovalStoreError, DynamoApprovalStore } from '../../shared/5-decide/approvals/dynamodb-store.ts';
import {
  approvalSchemaWith,
  DEFAULT_MAX_WINDOW_DAYS,
  toApproval,
  type Approval,
} from '../../shared/5-decide/approvals/model.ts';
import { loadConfigFile, issueProblems } from '../../shared/config/load.ts';
import { ConfigError } from '../../shared/platform/errors.ts';
import { awsProblem, needsAws } from '../aws-problem.ts';
import { EXIT, UsageError, listFlag, stringFlag, writeLines, type Command } from './command.ts';
import { createAwsClients } from '../../shared/platform/aws/clients.ts';
import { ParametersSecretResolver } from '../../shared/platform/aws/secrets.ts';
import { planLines, syncSource } from '../../shared/6-deliver/change-systems/approvals-sync.ts';
import { errorText } from '../../shared/platform/errors.ts';

/**
 * `netwatch approvals add | list | expire`: the change-management side of reconciliation, for teams whose change
 * system cannot write the approvals table itself (and for break-glass use). Writes the documented item format.
 */
export const approvalsCommand: Command = {
  help: `Usage: netwatch approvals add --ticket T --start ISO --end ISO [scopes] [--description TEXT] [table]
       netwatch approvals list [--active] [--format table|jsonl] [table]
       netwatch approvals expire TICKET [table]
       netwatch approvals sync --config FILE [--dry-run] [--source NAME]

Manage approved changes in the approvals table (DynamoDB). A finding covered by an active approval is marked
approved with the ticket and routed as the config says (by default: change management only, no page).

The approval (add):
  --ticket T                      the change ticket (CHG0012345): the approval's key, shown with every finding it covers
  --start ISO                     window start (2026-11-20T09:00:00Z)
  --end ISO                       window end, at most approvals.maxWindowDays after the start
  --description TEXT              what is approved, in words

Scopes (comma-separated lists). Say WHAT is approved with at least one of --resources, --categories, --actors;
--accounts, --regions and --tags only narrow it (--accounts '*' alone would approve every change everywhere):
  --resources sg-0a1b*,arn:...    resource ids or ARNs, * globs allowed ('*' alone is refused)
  --categories sg-open-world,...  finding categories
  --actors arn:aws:iam::111122223333:role/NetworkAdmin    actor globs, matched against the ROLE (session issuer);
                                  a session pattern arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION also restricts
                                  the session name, which the caller chooses (docs/security.md)
  --accounts 111122223333,...     AWS accounts (default: every account)
  --regions eu-west-1,...
  --tags Environment=prod,...     resource tags BEFORE the change (key=value; value * = any); needs --resources or
                                  --actors too, since whoever makes a change can retag the resource
The window is at most approvals.maxWindowDays long (--config FILE; default 30 days).

Table (one of):
  --table NAME         the approvals table
  --config FILE        the table named in approvals.dynamodb.tableName
  NETWATCH_APPROVALS_TABLE in the environment
AWS credentials come from the usual chain; AWS_ENDPOINT_URL_DYNAMODB overrides the endpoint.

Options:
  --active             list: only approvals whose window contains now
  --format table|jsonl list output (default table)
  -h, --help           this help

\`expire\` ends the ticket's window now: later changes are no longer approved and say "expired".

\`sync\` reads the approved change requests of the config's approvals.sync sources (ServiceNow, Jira) and
writes them into the approvals table, as the scheduled approvalsSync function does; requests that cannot be
approvals are listed as NOT APPROVED with why. --dry-run shows what it would write and remove, writing nothing.
Credentials of the change systems are read from SSM / Secrets Manager with your AWS credentials.
  --dry-run            print the plan only
  --source NAME        only this source`,
  options: {
    ticket: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    description: { type: 'string' },
    accounts: { type: 'string', multiple: true },
    regions: { type: 'string', multiple: true },
    resources: { type: 'string', multiple: true },
    tags: { type: 'string', multiple: true },
    categories: { type: 'string', multiple: true },
    actors: { type: 'string', multiple: true },
    table: { type: 'string' },
    config: { type: 'string' },
    active: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    source: { type: 'string' },
    format: { type: 'string', default: 'table' },
  },
  async run(values, args) {
    const [sub, ...rest] = args;
    if (sub === undefined) throw new UsageError('say what to do: add, list or expire');
    const { table, maxWindowDays } = await tableName(values);
    const store = new DynamoApprovalStore(documentClient(), table, { maxWindowDays });
    try {
      return await needsAws(`the approvals table ${table}`, async () => {
        switch (sub) {
          case 'add':
            return await add(store, values, rest, maxWindowDays);
          case 'list':
            return await list(store, values, rest);
          case 'expire':
            return await expire(store, rest);
          case 'sync':
            return await sync(store, values, rest);
          default:
            throw new UsageError(`unknown approvals command "${sub}" (add, list, expire, sync)`);
        }
      });
    } catch (error) {
      if (error instanceof ApprovalStoreError) {
        process.stderr.write(`netwatch: ${error.message}\n`);
        return EXIT.failed;
      }
      if (error instanceof Error && error.name === 'ResourceNotFoundException') {
        process.stderr.write(`netwatch: approvals table ${store.tableName} not found (${error.message})\n`);
        return EXIT.failed;
      }
      throw error;
    }
  },
};

async function tableName(values: Record<string, unknown>): Promise<{ table: string; maxWindowDays: number }> {
  const table = stringFlag(values, 'table');
  const configPath = stringFlag(values, 'config');
  if (table && configPath) throw new UsageError('give --table or --config, not both');
  if (table) return { table, maxWindowDays: DEFAULT_MAX_WINDOW_DAYS };
  if (configPath) {
    const config = await loadConfigFile(configPath);
    const name = config.approvals.dynamodb?.tableName;
    if (!name) throw new UsageError(`${configPath} names no approvals table (approvals.dynamodb.tableName)`);
    return { table: name, maxWindowDays: config.approvals.maxWindowDays };
  }
  const env = process.env['NETWATCH_APPROVALS_TABLE'];
  if (env) return { table: env, maxWindowDays: DEFAULT_MAX_WINDOW_DAYS };
  throw new UsageError('which approvals table? give --table NAME, --config FILE or set NETWATCH_APPROVALS_TABLE');
}

async function add(
  store: DynamoApprovalStore,
  values: Record<string, unknown>,
  rest: string[],
  maxWindowDays: number,
): Promise<number> {
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const tags = listFlag(values, 'tags');
  const input = {
    ticket: stringFlag(values, 'ticket'),
    description: stringFlag(values, 'description'),
    windowStart: stringFlag(values, 'start'),
    windowEnd: stringFlag(values, 'end'),
    accounts: listFlag(values, 'accounts'),
    regions: listFlag(values, 'regions'),
    resourceIds: listFlag(values, 'resources'),
    resourceTags: tags ? tagFlags(tags) : undefined,
    categories: listFlag(values, 'categories'),
    actorArnPatterns: listFlag(values, 'actors'),
  };
  const parsed = approvalSchemaWith(maxWindowDays).safeParse(
    Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success) {
    const flag: Record<string, string> = {
      ticket: '--ticket',
      windowStart: '--start',
      windowEnd: '--end',
      accounts: '--accounts',
      regions: '--regions',
      resourceIds: '--resources',
      resourceTags: '--tags',
      categories: '--categories',
      actorArnPatterns: '--actors',
      description: '--description',
    };
    const problems = issueProblems(parsed.error.issues).map((p) => p.replace(/^([A-Za-z]+)/, (k) => flag[k] ?? k));
    throw new ConfigError('invalid approval', problems);
  }
  const approval = toApproval(parsed.data, 'dynamodb');
  await store.add(approval, { createdBy: `netwatch-cli:${safeUser()}` });
  process.stdout.write(`added ${approval.ticket} to ${store.tableName}: ${describe(approval)}\n`);
  return EXIT.ok;
}

async function list(store: DynamoApprovalStore, values: Record<string, unknown>, rest: string[]): Promise<number> {
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const format = stringFlag(values, 'format') ?? 'table';
  if (format !== 'table' && format !== 'jsonl')
    throw new UsageError(`--format must be table or jsonl, not "${format}"`);
  const now = Date.now();
  const all = await store.list();
  const shown = values['active']
    ? all.filter((a) => Date.parse(a.windowStart) <= now && now <= Date.parse(a.windowEnd))
    : all;
  if (format === 'jsonl') {
    writeLines(shown.map((a) => JSON.stringify({ ...a, state: stateOf(a, now) })));
    return EXIT.ok;
  }
  if (!shown.length) {
    process.stdout.write(values['active'] ? 'No active approvals.\n' : 'No approvals.\n');
    return EXIT.ok;
  }
  // Table items are written by another system: their text reaches the terminal only through printable().
  const rows = shown.map((a) => [a.ticket, stateOf(a, now), a.windowStart, a.windowEnd, describe(a)].map(printable));
  const header = ['TICKET', 'STATE', 'WINDOW START', 'WINDOW END', 'COVERS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  writeLines(
    [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')),
  );
  return EXIT.ok;
}

async function sync(store: DynamoApprovalStore, values: Record<string, unknown>, rest: string[]): Promise<number> {
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const configPath = stringFlag(values, 'config');
  if (!configPath) throw new UsageError('sync reads its sources from the config: give --config FILE');
  const config = await loadConfigFile(configPath);
  const only = stringFlag(values, 'source');
  const sources = config.approvals.sync.filter((s) => only === undefined || s.name === only);
  if (sources.length === 0)
    throw new UsageError(
      only
        ? `no approvals.sync source named "${only}" in ${configPath}`
        : `${configPath} has no approvals.sync sources`,
    );
  const dryRun = values['dry-run'] === true;
  const secrets = new ParametersSecretResolver(createAwsClients());
  let failed = false;
  for (const source of sources) {
    try {
      writeLines(planLines(await syncSource(source, store, { secrets }, { dryRun }), dryRun));
    } catch (error) {
      // No AWS here fails every source the same way: main says it once (exit 69).
      if (awsProblem(error)) throw error;
      failed = true;
      process.stderr.write(`netwatch: approvals sync ${source.name}: ${errorText(error)}\n`);
    }
  }
  return failed ? EXIT.failed : EXIT.ok;
}

async function expire(store: DynamoApprovalStore, rest: string[]): Promise<number> {
  const [ticket, extra] = rest;
  if (!ticket) throw new UsageError('which ticket? netwatch approvals expire TICKET');
  if (extra) throw new UsageError(`unexpected argument "${extra}"`);
  const updated = await store.expire(ticket);
  process.stdout.write(
    updated
      ? `expired ${ticket}: its window ends now; later changes are no longer approved\n`
      : `${ticket} had already ended; nothing changed\n`,
  );
  return EXIT.ok;
}

function tagFlags(pairs: readonly string[]): Record<string, string[]> {
  const tags: Record<string, string[]> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--tags takes key=value pairs, not "${pair}"`);
    (tags[pair.slice(0, eq)] ??= []).push(pair.slice(eq + 1));
  }
  return tags;
}

function stateOf(a: Approval, now: number): 'active' | 'upcoming' | 'ended' {
  return now < Date.parse(a.windowStart) ? 'upcoming' : now > Date.parse(a.windowEnd) ? 'ended' : 'active';
}

/** One line: what an approval covers. */
export function describe(a: Approval): string {
  const parts = [
    `accounts ${a.accounts?.join(',') ?? '*'}`,
    a.regions && `regions ${a.regions.join(',')}`,
    a.resourceIds && `resources ${a.resourceIds.join(',')}`,
    a.resourceTags &&
      `tags ${Object.entries(a.resourceTags)
        .map(([k, v]) => `${k}=${v.join('|')}`)
        .join(',')}`,
    a.categories && `categories ${a.categories.join(',')}`,
    a.actorArnPatterns && `actors ${a.actorArnPatterns.join(',')}`,
  ].filter(Boolean);
  return `${parts.join('; ')}${a.description ? ` — ${a.description}` : ''}`;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
