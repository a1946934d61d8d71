#!/usr/bin/env node
/**
 * The `netwatch` command's entry: built into dist/netwatch.js (scripts/build-cli.ts), which package.json `bin` names.
 * Everything else lives in main.ts, which tests and the bench also call in process.
 */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
