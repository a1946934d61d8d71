/**
 * Finding severity, a closed, ordered scale. Compare through {@link severityRank} / {@link atLeast},
 * never as strings: `'high' > 'critical'` is true for strings and wrong for us.
 */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

/** One grade of the scale. */
export type Severity = (typeof SEVERITIES)[number];

const RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Position of a severity on the scale (info = 0 … critical = 4). */
export function severityRank(severity: Severity): number {
  return RANK[severity];
}

/** True when `severity` is `min` or more severe. */
export function atLeast(severity: Severity, min: Severity): boolean {
  return RANK[severity] >= RANK[min];
}

/**
 * A risky change is one with a finding of medium or above: the line between "page a human" and "record only".
 * Every other issue (routing, conformance, backtests) relies on this one definition.
 */
export function isRisky(severity: Severity): boolean {
  return atLeast(severity, 'medium');
}

/** Move `steps` grades up (positive) or down (negative), clamped to the scale. */
export function shiftSeverity(severity: Severity, steps: number): Severity {
  const rank = Math.min(SEVERITIES.length - 1, Math.max(0, RANK[severity] + steps));
  return SEVERITIES[rank] as Severity;
}

/** The more severe of the given severities (info for none). */
export function maxSeverity(...severities: Severity[]): Severity {
  let best: Severity = 'info';
  for (const s of severities) if (RANK[s] > RANK[best]) best = s;
  return best;
}

/** Type guard for untrusted strings (config files, CLI flags). */
export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && value in RANK;
}
