import { UsageError } from './command.ts';

/** `--state` of classify / replay / backtest. */
export const STATE_HELP = `  --state memory|off     keep the network state across the input (default memory): changes are judged in
                         event-time order against the state they leave — exposures, episodes (opened /
                         closed), a closed hole recorded as such; off = each change judged on its own deltas`;

/** Parse `--state`, allowing `allowed`. */
export function stateOption<T extends string>(value: unknown, allowed: readonly T[]): T {
  const text = String(value ?? 'memory');
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`--state must be ${allowed.join(', ')} — not "${text}"`);
}
