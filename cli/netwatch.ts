#!/usr/bin/env node
/**
 * The `netwatch` command's entry: built into dist/netwatch.js (scripts/build-cli.ts), which package.json `bin` names.
 * Everything else lives in main.ts, which tests and the bench also call in process.
 */
import { main } from './main.ts';

// The AWS SDK's eight-line "will require node >=22" warning is for whoever runs the Lambda runtime, not for a user of
// this command; the SDK reads this variable when it builds its first client, long after this line.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

process.exitCode = await main(process.argv.slice(2));
