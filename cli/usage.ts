import type { Command } from './commands/command.ts';

/**
 * What a user sees when the command line itself is wrong. node:util `parseArgs` reports a misspelt flag as
 * `Unknown option '--formt'. To specify a positional argument starting with a '-', place it at the end of the command
 * after '--', as in '-- "--formt"` — the fix is buried and the quotes do not balance. Here: the flag that is wrong, the
 * closest flag the command has, and the full list.
 */

/** The flags a command accepts, as typed (`--format`), `--help` last. */
export function flagsOf(spec: Pick<Command, 'options'>): string[] {
  return [...Object.keys(spec.options).map((name) => `--${name}`), '--help'];
}

/** The message for a parseArgs failure of `command`, or undefined when it is not one (`error.code` ERR_PARSE_ARGS_*). */
export function parseErrorMessage(error: unknown, command: string, spec: Pick<Command, 'options'>): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return undefined;
  const message = (error as Error).message;
  const flag = /'(-{1,2}[^'\s=<]+)/.exec(message)?.[1];
  const flags = flagsOf(spec);
  const list = `options of ${command}: ${flags.join(', ')} (netwatch ${command} --help explains them)`;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const near = flag ? closest(flag, flags) : undefined;
      return `unknown option ${flag ?? message}${near ? ` — did you mean ${near}?` : ''}\n${list}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(message)
        ? `${flag ?? 'this option'} takes no value (it is a switch)\n${list}`
        : `${flag ?? 'this option'} needs a value: ${flag ?? '--option'} VALUE\n${list}`;
    default:
      return `${message}\n${list}`;
  }
}

/** The candidate closest to `typed` by edit distance, when it is close enough to be a typo (≤ 1/3 of its length). */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(typed, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // A prefix of a real flag (--form, --min) is a typo too, whatever the distance.
  const prefixed = candidates.find((c) => typed.length >= 4 && c.startsWith(typed));
  if (prefixed) return prefixed;
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(typed.replace(/^-+/, '').length / 3))
    ? best
    : undefined;
}

/** Levenshtein distance with adjacent transpositions (optimal string alignment): `--fromat` is one edit away. */
export function editDistance(a: string, b: string): number {
  const width = b.length + 1;
  // One flat row-major table of (a.length + 1) × (b.length + 1) distances.
  const d = new Uint16Array((a.length + 1) * width);
  const at = (i: number, j: number): number => d[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++) d[i * width] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * width + j] = v;
    }
  }
  return at(a.length, b.length);
}
