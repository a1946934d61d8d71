import type { ParseArgsConfig } from 'node:util';

/**
 * Exit codes: documented in the README and `--help`. `noAws` (69, sysexits' EX_UNAVAILABLE): AWS was needed and could
 * not be used — cli/aws-problem.ts.
 */
export const EXIT = { ok: 0, failed: 1, malformed: 2, usage: 64, noAws: 69, interrupted: 130 } as const;

/** A CLI command: its help, its flags (node:util parseArgs), and its body returning the exit code. */
export interface Command {
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, unknown>, inputs: string[]): Promise<number>;
}

/** A wrong flag or argument: main prints the message and the command's help, and exits 64. */
export class UsageError extends Error {}

/** Write lines to stdout. */
export function writeLines(lines: readonly string[]): void {
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
}

/** A string flag's value, or undefined. */
export function stringFlag(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `a,b , c` → `['a','b','c']`; repeated flags are joined too. */
export function listFlag(values: Record<string, unknown>, name: string): string[] | undefined {
  const v = values[name];
  const raw = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
  const items = raw
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}
