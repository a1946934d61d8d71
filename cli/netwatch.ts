#!/usr/bin/env node
/**
 * The `netwatch` command's entry: built into dist/netwatch.js (scripts/build-cli.ts), which package.json `bin` names.
 * Everything else lives in main.ts, which tests and the bench also call in process.
 */
import { main } from './main.ts';

// The AWS SDK's eight-line "will require node >=22" warning is for whoever runs the Lambda runtime, not for a user of
// this command; the SDK reads this variable when it builds its first client, long after this line.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

/** Commands that only print: once their reader has gone, nothing is left for them to do. */
const PRINT_ONLY = new Set(['classify', 'route', 'exposures', 'config', 'backtest', 'evidence', 'help']);
const command = process.argv[2] ?? '';

// `netwatch classify … | head`: the reader closes the pipe and the next write fails with EPIPE. A command that only
// prints ends there, quietly, with the exit code it had so far; one that delivers (replay, approvals, scan --deliver,
// sandbox) keeps going without its table, so no delivery or ledger write is cut short by a closed terminal pipe.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  if (PRINT_ONLY.has(command)) process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2));
