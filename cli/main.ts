import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { documentClient } from '../shared/platform/aws/dynamodb.ts';
import { InvocationApprovalCache } from '../shared/5-decide/approvals/providers.ts';
import { ruleContextFromConfig } from '../shared/config/routes.ts';
import { approvalSourceFromConfig, deliveryDepsFromConfig, sinksFromConfig } from '../shared/config/build-delivery.ts';
import { sendDueDigests } from '../shared/6-deliver/digest.ts';
import { DynamoDeliveryStore } from '../shared/6-deliver/ledger/dynamodb-store.ts';
import { MemoryDeliveryStore } from '../shared/6-deliver/ledger/memory-store.ts';
import { deliverFindings } from '../shared/6-deliver/orchestrate.ts';
import { ConfigError, errorText, MalformedInputError } from '../shared/platform/errors.ts';
import type { Finding } from '../shared/model/finding.ts';
import { atLeast, isSeverity, type Severity } from '../shared/model/severity.ts';
import { classifyWithRules } from './classify-lazy.ts';
import {
  contextOption,
  ENRICH_HELP,
  ENRICH_OPTIONS,
  enrichOption,
  OptionError,
  stateLookupOption,
} from './enrich-options.ts';
import { exposuresCommand, stateOption, STATE_HELP } from './commands/exposures.ts';
import { approvalsCommand } from './commands/approvals.ts';
import { EXIT, UsageError, writeLines, type Command } from './commands/command.ts';
import { configOption } from './commands/config-option.ts';
import { routeCommand } from './commands/route.ts';
import { configCommand } from './commands/config.ts';
import { BACKTEST } from './commands/backtest.ts';
import { evidenceCommand } from './commands/evidence.ts';
import { scanCommand } from './commands/scan.ts';
import { bySeverityThenTime, findingRecord, renderTable } from './format.ts';
import type { InputRun } from './run-inputs.ts';

export { EXIT };

const VERSION = '0.1.0';

const MAIN_HELP = `netwatch — classify AWS network changes (CloudTrail + AWS Config) into graded findings

Usage:
  netwatch classify [FILE|DIR|-]...   print findings (JSON Lines, or a table with --format table)
  netwatch replay   [FILE|DIR|-]...   classify and deliver (local sinks by default; --config FILE for real sinks)
  netwatch route --config FILE [FILE|DIR|-]...   dry run: approval, routes and sinks per finding
  netwatch approvals add|list|expire  manage approved changes in the approvals table
  netwatch config FILE [--json]       validate a config file; --json prints it as the functions read it
  netwatch backtest [DIR|FILE|s3://BUCKET/PREFIX]... | --lookup-events --since 7d
                                      what would have paged over history: a report (table, json, html)
  netwatch evidence FINGERPRINT|sg-…|vpce-…|rtb-… [--since WHEN] [--files PATH...]
                                      what the VPC flow logs show since an exposure opened (live or offline)
  netwatch exposures [--table NAME | FILE|DIR...]   open exposure episodes and how long each has been open
  netwatch scan [--region R | --aggregator NAME] [--recorded-aws DIR] [--format table|json|html --out FILE]
                                      reconcile with AWS Config's current state: the posture report
  netwatch help [COMMAND]             help for a command
  netwatch --version

Inputs are auto-detected: CloudTrail records, log files ({"Records":[...]}, gzip too), JSON Lines,
EventBridge events, AWS Config notifications, SNS/SQS/Lambda envelopes around any of them.

Exit codes: 0 every input was read; 2 some input was malformed (the rest was processed);
1 a delivery failed; 64 usage error or invalid config; 130 interrupted (backtest prints what it read so far).`;

const COMMANDS: Record<string, Command> = {
  classify: {
    help: `Usage: netwatch classify [options] [FILE|DIR|-]...

Classify change events and print one finding per line.
With no input, reads standard input. Directories are walked (.json, .jsonl, .ndjson, .gz).

Options:
  --format jsonl|table   output format (default: jsonl when stdout is not a terminal, else table)
  --min-severity LEVEL   print only findings at LEVEL or above (info|low|medium|high|critical; default info)
  --stats                print record counts and throughput on stderr at the end
${ENRICH_HELP}
  --full-parse           JSON-parse every record (no pre-scan; a syntax error in a record no rule reads is then
                         reported instead of counted as ignored)
${STATE_HELP}
  -h, --help             this help

Each JSON line holds ruleId, severity, category, title, summary, resource {type, id, account, region},
actor, source, changeId, fingerprint, why and evidence (and episode, for exposures with kept state).`,
    options: {
      format: { type: 'string' },
      'min-severity': { type: 'string', default: 'info' },
      stats: { type: 'boolean', default: false },
      ...ENRICH_OPTIONS,
      'full-parse': { type: 'boolean', default: false },
      state: { type: 'string', default: 'memory' },
    },
    async run(values, inputs) {
      const format = outputFormat(values['format']);
      const min = severityOption(values['min-severity']);
      const state = stateOption(values['state'], ['memory', 'off']);
      const lookup = stateLookupOption(values);
      const run = await classifyWithRules(
        inputs.length ? inputs : ['-'],
        await contextOption(values['context']),
        enrichOption(values),
        { fast: !values['full-parse'], state: state === 'off' ? 'off' : 'kept', ...(lookup ? { lookup } : {}) },
      );
      const findings = run.findings.filter((f) => atLeast(f.severity, min));
      if (format === 'table') writeTable(findings.sort(bySeverityThenTime));
      else writeLines(findings.map((f) => JSON.stringify(findingRecord(f))));
      reportErrors(run);
      if (values['stats']) writeStats(run);
      return run.errors.length ? EXIT.malformed : EXIT.ok;
    },
  },
  replay: {
    help: `Usage: netwatch replay [options] [FILE|DIR|-]...

Run the monitor over recorded events through the same pipeline as the Lambda functions and deliver the
findings for real: approvals reconciled, routes applied, one page per change, storm control, ledger.
Without --config, the built-in config writes local sinks:
  page-risky         medium and above, unapproved or expired  -> paging     (<out>/pages.jsonl)
  change-management  every finding                             -> change-log (<out>/changes.jsonl)
A change seen twice (redelivered, or via both CloudTrail and Config) is delivered once. Storm windows run on
the clock: findings of one account + rule replayed together page once, and the rest are sent as one digest
at the end of the run. With no input, replays the bundled samples in ./events.

Options:
  --config FILE          netwatch.config.yml / .json: its sinks, routes, approvals, allowlists, windows
  --store memory|dynamodb  delivery ledger (default memory; dynamodb uses dedup.tableName, so a replay
                         does not re-send what the functions already delivered)
  --out DIR              where the built-in config's local sinks write (default: netwatch-out; files replaced)
  --format table|jsonl   table of findings with their deliveries (default), or JSON Lines with routes and sinks
${ENRICH_HELP}
                         (--context replaces the config file's context section)
${STATE_HELP}
                         dynamodb: the config's state.tableName (the state the functions keep)
  -h, --help             this help`,
    options: {
      config: { type: 'string' },
      store: { type: 'string', default: 'memory' },
      out: { type: 'string', default: 'netwatch-out' },
      format: { type: 'string', default: 'table' },
      ...ENRICH_OPTIONS,
      state: { type: 'string', default: 'memory' },
    },
    async run(values, inputs) {
      const format = outputFormat(values['format']);
      const storeKind = String(values['store']);
      if (storeKind !== 'memory' && storeKind !== 'dynamodb')
        throw new UsageError(`--store must be memory or dynamodb, not "${storeKind}"`);
      const configPath = typeof values['config'] === 'string' ? values['config'] : undefined;
      const { config, name } = await configOption(configPath, String(values['out']));
      if (!configPath)
        await Promise.all(
          Object.values(config.sinks).map((s) => (s.type === 'file' ? rm(s.path, { force: true }) : undefined)),
        );
      const context =
        typeof values['context'] === 'string' ? await contextOption(values['context']) : ruleContextFromConfig(config);
      const state = stateOption(values['state'], ['memory', 'dynamodb', 'off']);
      if (state === 'dynamodb' && !config.state.tableName)
        throw new UsageError(`--state dynamodb needs state.tableName in ${name}`);
      const lookup = stateLookupOption(values);
      const stateStore =
        state === 'dynamodb' && config.state.tableName
          ? new (await import('../shared/3-state/dynamodb-store.ts')).DynamoStateStore(
              documentClient(),
              config.state.tableName,
            )
          : undefined;
      const run = await classifyWithRules(inputs.length ? inputs : ['events'], context, enrichOption(values), {
        state: state === 'off' ? 'off' : 'kept',
        ...(stateStore ? { store: stateStore } : {}),
        ...(lookup ? { lookup } : {}),
      });
      const findings = [...run.findings].sort(bySeverityThenTime);
      const needsTable = storeKind === 'dynamodb' || config.approvals.dynamodb !== undefined;
      const client = needsTable ? documentClient() : undefined;
      if (storeKind === 'dynamodb' && !config.dedup.tableName)
        throw new UsageError(`--store dynamodb needs dedup.tableName in ${name}`);
      const store =
        storeKind === 'dynamodb' && client && config.dedup.tableName
          ? new DynamoDeliveryStore(client, config.dedup.tableName, config.grouping.tableName)
          : new MemoryDeliveryStore();
      const sinks = await sinksFromConfig(config);
      const deps = deliveryDepsFromConfig(config, { store, sinks });
      const approvals = new InvocationApprovalCache(approvalSourceFromConfig(config, client ? { client } : {}));
      const outcomes = await deliverFindings(findings, approvals, deps);
      // The replay is one burst: close its storm windows now, so held-back findings arrive as digests.
      const digests =
        storeKind === 'memory'
          ? await sendDueDigests({ ...deps, now: () => new Date(Date.now() + deps.groupingWindowMs + 1000) })
          : [];
      for (const sink of sinks.values()) await sink.close?.();
      const byFp = new Map<string, (typeof outcomes)[number]>();
      for (const o of outcomes) if (!byFp.has(o.finding.fingerprint)) byFp.set(o.finding.fingerprint, o); // first delivery, not the merged duplicate
      const unique = [...new Map(findings.map((f) => [f.fingerprint, f])).values()];
      const delivery = (f: Finding): string => {
        const o = byFp.get(f.fingerprint);
        if (!o) return '-';
        const parts = [...o.delivered, ...o.digested.map((s) => `${s} (digest)`)];
        return parts.join(', ') || (o.alreadyDelivered.length ? 'already delivered' : '-');
      };
      if (format === 'table') writeTable(unique, { header: 'ROUTED TO', value: delivery });
      else {
        writeLines(
          unique.map((f) => {
            const o = byFp.get(f.fingerprint);
            return JSON.stringify(
              findingRecord(f, {
                approval: o?.approval ?? null,
                routes: o?.decision.routes ?? [],
                sinks: o?.delivered ?? [],
                digested: o?.digested ?? [],
              }),
            );
          }),
        );
      }
      const failed = [...outcomes.flatMap((o) => o.failed), ...digests.flatMap((d) => d.failed)];
      reportErrors(run);
      for (const f of failed) process.stderr.write(`netwatch: ${errorText(f)}\n`);
      const perSink = [...sinks.keys()].map((s) => {
        const n = outcomes.filter((o) => o.delivered.includes(s)).length;
        const d = digests.reduce((sum, x) => sum + (x.sent[s] ?? 0), 0);
        return `${s}: ${n} delivered${d ? ` + ${d} in ${digests.filter((x) => x.sent[s]).length} digest(s)` : ''}`;
      });
      process.stderr.write(
        `\n${run.records} records from ${run.files} files in ${run.seconds.toFixed(2)} s: ${run.changes.length} network changes, ${unique.length} findings ` +
          `(${run.findings.length - unique.length} duplicates merged), ${run.ignored.length} ignored, ${run.errors.length} malformed. Config: ${name}.\n${perSink.join('\n')}\n`,
      );
      if (failed.length) return EXIT.failed;
      return run.errors.length ? EXIT.malformed : EXIT.ok;
    },
  },
  route: routeCommand,
  config: configCommand,
  approvals: approvalsCommand,
  backtest: BACKTEST,
  evidence: evidenceCommand,
  exposures: exposuresCommand,
  scan: scanCommand,
};

/** Entry point; returns the exit code instead of exiting so tests can call it. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help') {
    process.stdout.write(`${MAIN_HELP}\n`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`netwatch ${VERSION}\n`);
    return EXIT.ok;
  }
  if (command === 'help') {
    const topic = rest[0] ? COMMANDS[rest[0]] : undefined;
    process.stdout.write(`${topic?.help ?? MAIN_HELP}\n`);
    return EXIT.ok;
  }
  const spec = COMMANDS[command];
  if (!spec) return usage(`unknown command "${command}"`, MAIN_HELP);
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return usage((error as Error).message, spec.help);
  }
  if (parsed.values['help']) {
    process.stdout.write(`${spec.help}\n`);
    return EXIT.ok;
  }
  try {
    return await spec.run(parsed.values, parsed.positionals);
  } catch (error) {
    if (error instanceof UsageError || error instanceof OptionError) return usage(error.message, spec.help);
    if (error instanceof ConfigError) {
      process.stderr.write(`netwatch: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

function usage(message: string, help: string): number {
  process.stderr.write(`netwatch: ${message}\n\n${help}\n`);
  return EXIT.usage;
}

function outputFormat(value: unknown): 'jsonl' | 'table' {
  if (value === undefined) return process.stdout.isTTY ? 'table' : 'jsonl';
  if (value === 'jsonl' || value === 'json' || value === 'table') return value === 'table' ? 'table' : 'jsonl';
  throw new UsageError(`--format must be jsonl or table, not "${String(value)}"`);
}

function severityOption(value: unknown): Severity {
  if (isSeverity(value)) return value;
  throw new UsageError(`--min-severity must be one of info, low, medium, high, critical — not "${String(value)}"`);
}

function writeTable(findings: readonly Finding[], extra?: { header: string; value(f: Finding): string }): void {
  if (findings.length === 0) {
    process.stdout.write('No findings.\n');
    return;
  }
  const width = process.stdout.columns ?? 200;
  process.stdout.write(
    `${renderTable(findings, { width, color: Boolean(process.stdout.isTTY), ...(extra ? { extra } : {}) })}\n`,
  );
}

function reportErrors(run: InputRun): void {
  const shown = run.errors.slice(0, 50);
  for (const error of shown)
    process.stderr.write(`netwatch: ${error instanceof MalformedInputError ? error.describe() : errorText(error)}\n`);
  if (run.errors.length > shown.length)
    process.stderr.write(`netwatch: … and ${run.errors.length - shown.length} more errors\n`);
}

function writeStats(run: InputRun): void {
  const rate = run.seconds > 0 ? Math.round(run.records / run.seconds) : 0;
  process.stderr.write(
    `${run.records} records (${run.values} values, ${run.files} files) in ${run.seconds.toFixed(2)} s = ${rate} records/s; ${run.changes.length} changes, ${run.findings.length} findings, ${run.ignored.length} ignored, ${run.errors.length} errors\n`,
  );
}
