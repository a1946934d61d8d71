import type { ParseArgsConfig } from 'node:util';

/** Exit codes: documented in the README and `--help`. */
export const EXIT = { ok: 0, failed: 1, malformed: 2, usage: 64, interrupted: 130 } as const;

/** One `netwatch` subcommand: its help text, its options (node:util parseArgs) and what it runs. */
export interface CommandSpec {
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Returns the exit code (so tests call it without exiting). */
  run(values: Record<string, unknown>, inputs: string[]): Promise<number>;
}

/** A bad option value: main() prints the message and the command's help, and exits 64. */
export class UsageError extends Error {}
