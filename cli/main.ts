import { parseArgs } from 'node:util';
import { ConfigError } from '../shared/platform/errors.ts';
import { UsageError, EXIT, type Command } from './commands/command.ts';
import { awsProblem, awsProblemLine } from './aws-problem.ts';
import { parseErrorMessage } from './usage.ts';

/**
 * The `netwatch` command: parse the command line, load the one command asked for, run it. Each command lives in its own
 * module under cli/commands/ and is imported only when run (the build splits them into chunks), so `--version`,
 * `help` and `approvals` start without the rules, the sinks or the YAML parser, and `classify` loads the pipeline but
 * not delivery, the backtest, the flow-log evidence or the DynamoDB stores.
 */

export { EXIT };

const VERSION = '0.1.0';

/** `netwatch --help`; docs/cli.md shows it (scripts/cli-docs.ts). */
export const MAIN_HELP = `netwatch — classify AWS network changes (CloudTrail + AWS Config) into graded findings

Usage:
  netwatch classify [FILE|DIR|-]...   print findings (JSON Lines, or a table with --format table)
  netwatch replay   [FILE|DIR|-]...   classify and deliver (local sinks by default; --config FILE for real sinks)
  netwatch route [--config FILE] [FILE|DIR|-]... dry run: approval, routes and sinks per finding
  netwatch approvals add|list|expire|sync  manage approved changes in the approvals table (sync: from ServiceNow / Jira)
  netwatch config FILE [--json]       validate a config file; --json prints it as the functions read it
  netwatch backtest [DIR|FILE|s3://BUCKET/PREFIX]... | --lookup-events --since 7d
                                      what would have paged over history: a report (table, json, html)
  netwatch evidence FINGERPRINT|sg-…|vpce-…|rtb-… [--since WHEN] [--files PATH...]
                                      what the VPC flow logs show since an exposure opened (live or offline)
  netwatch exposures [--table NAME | FILE|DIR...]   open exposure episodes and how long each has been open
  netwatch scan [--region R | --aggregator NAME] [--recorded-aws DIR] [--format table|json|html --out FILE]
                                      reconcile with AWS Config's current state: the posture report
  netwatch sandbox [--dir DIR]        try every sink and approvals locally: DynamoDB emulator, receivers, secrets
  netwatch help [COMMAND]             help for a command
  netwatch --version

Inputs are auto-detected: CloudTrail records, log files ({"Records":[...]}, gzip too), JSON Lines,
EventBridge events, AWS Config notifications, SNS/SQS/Lambda envelopes around any of them.

Exit codes: 0 every input was read; 2 some input was malformed (the rest was processed);
1 a delivery failed; 64 usage error or invalid config; 69 AWS was needed but is not set up (no region,
no credentials, credentials refused, endpoint unreachable: one line says which and how to fix it);
130 interrupted (backtest prints what it read so far).`;

/** Each command's module, loaded on first use (docs/cli.md is generated from their `help`). */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  classify: async () => (await import('./commands/classify.ts')).classifyCommand,
  replay: async () => (await import('./commands/replay.ts')).replayCommand,
  route: async () => (await import('./commands/route.ts')).routeCommand,
  config: async () => (await import('./commands/config.ts')).configCommand,
  approvals: async () => (await import('./commands/approvals.ts')).approvalsCommand,
  backtest: async () => (await import('./commands/backtest.ts')).BACKTEST,
  evidence: async () => (await import('./commands/evidence.ts')).evidenceCommand,
  exposures: async () => (await import('./commands/exposures.ts')).exposuresCommand,
  scan: async () => (await import('./commands/scan.ts')).scanCommand,
  sandbox: async () => (await import('./commands/sandbox.ts')).sandboxCommand,
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
    const topic = rest[0] ? await COMMANDS[rest[0]]?.() : undefined;
    process.stdout.write(`${topic?.help ?? MAIN_HELP}\n`);
    return EXIT.ok;
  }
  const load = COMMANDS[command];
  if (!load) return usage(`unknown command "${command}"`, MAIN_HELP);
  const spec = await load();
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = parseErrorMessage(error, command, spec);
    if (message === undefined) return usage((error as Error).message, spec.help);
    process.stderr.write(`netwatch ${command}: ${message}\n`);
    return EXIT.usage;
  }
  if (parsed.values['help']) {
    process.stdout.write(`${spec.help}\n`);
    return EXIT.ok;
  }
  try {
    return await spec.run(parsed.values, parsed.positionals);
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message, spec.help);
    if (error instanceof ConfigError) {
      process.stderr.write(`netwatch: ${error.message}\n`);
      return EXIT.usage;
    }
    const aws = awsProblem(error);
    if (aws) {
      process.stderr.write(`${awsProblemLine(aws)}\n`);
      return EXIT.noAws;
    }
    throw error;
  }
}

function usage(message: string, help: string): number {
  process.stderr.write(`netwatch: ${message}\n\n${help}\n`);
  return EXIT.usage;
}
