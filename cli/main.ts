import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deliverFindings } from '../shared/engine/deliver.ts';
import { DEFAULT_ROUTES } from '../shared/engine/route.ts';
import { errorText, MalformedInputError } from '../shared/errors.ts';
import type { Finding } from '../shared/model/finding.ts';
import { EMPTY_CONTEXT } from '../shared/model/rule.ts';
import { atLeast, isSeverity, type Severity } from '../shared/model/severity.ts';
import { FileSink } from '../shared/sinks/file.ts';
import type { Sink } from '../shared/sinks/sink.ts';
import { RULES } from '../rules/index.ts';
import { BACKTEST } from './commands/backtest.ts';
import { EXIT, UsageError, type CommandSpec } from './command.ts';
import { bySeverityThenTime, findingRecord, renderTable } from './format.ts';
import { classifyInputs, type InputRun } from './run-inputs.ts';

export { EXIT };

const VERSION = '0.1.0';

const MAIN_HELP = `netwatch — classify AWS network changes (CloudTrail + AWS Config) into graded findings

Usage:
  netwatch classify [FILE|DIR|-]...   print findings (JSON Lines, or a table with --format table)
  netwatch replay   [FILE|DIR|-]...   classify and route to local sinks (what \`npm start\` runs)
  netwatch backtest [DIR|FILE|s3://BUCKET/PREFIX]... | --lookup-events --since 7d
                                      what would have paged over history: a report (table, json, html)
  netwatch help [COMMAND]             help for a command
  netwatch --version

Inputs are auto-detected: CloudTrail records, log files ({"Records":[...]}, gzip too), JSON Lines,
EventBridge events, AWS Config notifications, SNS/SQS/Lambda envelopes around any of them.

Exit codes: 0 every input was read; 2 some input was malformed (the rest was processed);
1 a delivery failed; 64 usage error; 130 interrupted (backtest prints what it read so far).`;

const COMMANDS: Record<string, CommandSpec> = {
  classify: {
    help: `Usage: netwatch classify [options] [FILE|DIR|-]...

Classify change events and print one finding per line.
With no input, reads standard input. Directories are walked (.json, .jsonl, .ndjson, .gz).

Options:
  --format jsonl|table   output format (default: jsonl when stdout is not a terminal, else table)
  --min-severity LEVEL   print only findings at LEVEL or above (info|low|medium|high|critical; default info)
  --stats                print record counts and throughput on stderr at the end
  --full-parse           JSON-parse every record (no pre-scan; a syntax error in a record no rule reads is then
                         reported instead of counted as ignored)
  -h, --help             this help

Each JSON line holds ruleId, severity, category, title, summary, resource {type, id, account, region},
actor, source, changeId, fingerprint, why and evidence.`,
    options: {
      format: { type: 'string' },
      'min-severity': { type: 'string', default: 'info' },
      stats: { type: 'boolean', default: false },
      'full-parse': { type: 'boolean', default: false },
    },
    async run(values, inputs) {
      const format = outputFormat(values['format']);
      const min = severityOption(values['min-severity']);
      const run = await classifyInputs(inputs.length ? inputs : ['-'], { rules: RULES, context: EMPTY_CONTEXT }, process.stderr, { fast: !values['full-parse'] });
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

Run the monitor over recorded events through the same pipeline as the Lambda functions, and deliver
the findings to local sinks with the default routing:
  page-risky         severity medium and above  -> paging     (<out>/pages.jsonl)
  change-management  every finding              -> change-log (<out>/changes.jsonl)
A change seen twice (redelivered, or via both CloudTrail and Config) is delivered once.
With no input, replays the bundled samples in ./events.

Options:
  --out DIR              where local sinks write (default: netwatch-out; files are replaced)
  --format table|jsonl   table of findings with their routes (default), or JSON Lines with a "routes" field
  -h, --help             this help`,
    options: {
      out: { type: 'string', default: 'netwatch-out' },
      format: { type: 'string', default: 'table' },
    },
    async run(values, inputs) {
      const format = outputFormat(values['format']);
      const out = String(values['out']);
      const run = await classifyInputs(inputs.length ? inputs : ['events'], { rules: RULES, context: EMPTY_CONTEXT });
      const unique = dedupe(run.findings);
      const pages = join(out, 'pages.jsonl');
      const changes = join(out, 'changes.jsonl');
      await Promise.all([rm(pages, { force: true }), rm(changes, { force: true })]);
      const sinks = new Map<string, Sink>([
        ['paging', new FileSink('paging', pages)],
        ['change-log', new FileSink('change-log', changes)],
      ]);
      const outcomes = await deliverFindings(unique.sort(bySeverityThenTime), DEFAULT_ROUTES, sinks);
      for (const sink of sinks.values()) await sink.close?.();
      const routed = new Map(outcomes.map((o) => [o.finding.fingerprint, o]));
      if (format === 'table') {
        writeTable(unique, { header: 'ROUTED TO', value: (f) => routed.get(f.fingerprint)?.delivered.join(', ') || '-' });
      } else {
        writeLines(unique.map((f) => JSON.stringify(findingRecord(f, { routes: routed.get(f.fingerprint)?.decision.routes ?? [], sinks: routed.get(f.fingerprint)?.delivered ?? [] }))));
      }
      const paged = outcomes.filter((o) => o.delivered.includes('paging')).length;
      const logged = outcomes.filter((o) => o.delivered.includes('change-log')).length;
      const failed = outcomes.flatMap((o) => o.failed);
      reportErrors(run);
      for (const f of failed) process.stderr.write(`netwatch: ${errorText(f)}\n`);
      process.stderr.write(
        `\n${run.records} records from ${run.files} files in ${run.seconds.toFixed(2)} s: ${run.changes.length} network changes, ${unique.length} findings ` +
          `(${run.findings.length - unique.length} duplicates merged), ${run.ignored.length} ignored, ${run.errors.length} malformed.\n` +
          `paging: ${paged} -> ${pages}\nchange-log: ${logged} -> ${changes}\n`,
      );
      if (failed.length) return EXIT.failed;
      return run.errors.length ? EXIT.malformed : EXIT.ok;
    },
  },
  backtest: BACKTEST,
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
    parsed = parseArgs({ args: [...rest], options: { ...spec.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
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
    if (error instanceof UsageError) return usage(error.message, spec.help);
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

/** One finding per fingerprint: redeliveries and the second source of the same change collapse. */
function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const f of findings) if (!seen.has(f.fingerprint)) seen.set(f.fingerprint, f);
  return [...seen.values()];
}

function writeTable(findings: readonly Finding[], extra?: { header: string; value(f: Finding): string }): void {
  if (findings.length === 0) {
    process.stdout.write('No findings.\n');
    return;
  }
  const width = process.stdout.columns ?? 200;
  process.stdout.write(`${renderTable(findings, { width, color: Boolean(process.stdout.isTTY), ...(extra ? { extra } : {}) })}\n`);
}

function writeLines(lines: readonly string[]): void {
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
}

function reportErrors(run: InputRun): void {
  const shown = run.errors.slice(0, 50);
  for (const error of shown) process.stderr.write(`netwatch: ${error instanceof MalformedInputError ? error.describe() : errorText(error)}\n`);
  if (run.errors.length > shown.length) process.stderr.write(`netwatch: … and ${run.errors.length - shown.length} more errors\n`);
}

function writeStats(run: InputRun): void {
  const rate = run.seconds > 0 ? Math.round(run.records / run.seconds) : 0;
  process.stderr.write(`${run.records} records (${run.values} values, ${run.files} files) in ${run.seconds.toFixed(2)} s = ${rate} records/s; ${run.changes.length} changes, ${run.findings.length} findings, ${run.ignored.length} ignored, ${run.errors.length} errors\n`);
}
