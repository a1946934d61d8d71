import type { Finding } from '../../shared/model/finding.ts';
import { isSeverity, type Severity } from '../../shared/model/severity.ts';
import { errorText, MalformedInputError } from '../../shared/platform/errors.ts';
import { printable } from '../../shared/platform/printable.ts';
import { count } from '../../shared/platform/plural.ts';
import { renderTable } from '../format.ts';
import type { InputRun } from '../run-inputs.ts';
import { UsageError } from './command.ts';

/** Output options and reports shared by `classify` and `replay`. */

/** `--format`: jsonl or table (default: table on a terminal, else jsonl). */
export function outputFormat(value: unknown): 'jsonl' | 'table' {
  if (value === undefined) return process.stdout.isTTY ? 'table' : 'jsonl';
  if (value === 'jsonl' || value === 'json' || value === 'table') return value === 'table' ? 'table' : 'jsonl';
  throw new UsageError(`--format must be jsonl or table, not "${String(value)}"`);
}

/** `--min-severity`. */
export function severityOption(value: unknown): Severity {
  if (isSeverity(value)) return value;
  throw new UsageError(`--min-severity must be one of info, low, medium, high, critical — not "${String(value)}"`);
}

/** A table of findings on stdout (`No findings.` for none). */
export function writeTable(findings: readonly Finding[], extra?: { header: string; value(f: Finding): string }): void {
  if (findings.length === 0) {
    process.stdout.write('No findings.\n');
    return;
  }
  const width = process.stdout.columns ?? 200;
  process.stdout.write(
    `${renderTable(findings, { width, color: Boolean(process.stdout.isTTY), ...(extra ? { extra } : {}) })}\n`,
  );
}

/** The run's errors on stderr, the first 50 with where they were. */
export function reportErrors(run: InputRun): void {
  const shown = run.errors.slice(0, 50);
  for (const error of shown)
    process.stderr.write(
      `netwatch: ${printable(error instanceof MalformedInputError ? error.describe() : errorText(error))}\n`,
    );
  if (run.errors.length > shown.length)
    process.stderr.write(`netwatch: … and ${count(run.errors.length - shown.length, 'more error')}\n`);
}

/** `--stats`: counts and throughput on stderr. */
export function writeStats(run: InputRun): void {
  const rate = run.seconds > 0 ? Math.round(run.records / run.seconds) : 0;
  process.stderr.write(
    `${count(run.records, 'record')} (${count(run.values, 'value')}, ${count(run.files, 'file')}) in ${run.seconds.toFixed(2)} s = ${rate} records/s; ${count(run.changes.length, 'change')}, ${count(run.findings.length, 'finding')}, ${run.ignored.length} ignored, ${count(run.errors.length, 'error')}\n`,
  );
}
