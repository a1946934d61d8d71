import { printable } from '../shared/platform/printable.ts';
import type { Finding } from '../shared/model/finding.ts';
import { severityRank } from '../shared/model/severity.ts';

/**
 * Output formats of the CLI: JSON Lines for machines, a table for people. The JSON record is the finding with the
 * account and region repeated inside `resource`, so a consumer can key on `resource` alone.
 */

/** The JSON object `classify --format jsonl` prints for a finding. */
export function findingRecord(finding: Finding, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    category: finding.category,
    title: finding.title,
    summary: finding.summary,
    resource: { ...finding.resource, account: finding.account, region: finding.region },
    actor: finding.actor ?? null,
    api: finding.api ?? null,
    at: finding.at,
    source: finding.source,
    changeId: finding.changeId,
    fingerprint: finding.fingerprint,
    why: finding.why,
    evidence: finding.evidence,
    ...(finding.related ? { related: finding.related } : {}),
    ...(finding.episode ? { episode: finding.episode } : {}),
    ...(finding.reach ? { reach: finding.reach } : {}),
    ...(finding.response ? { response: finding.response } : {}),
    ...extra,
  };
}

/** Most severe first, then by time. */
export function bySeverityThenTime(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) || a.at.localeCompare(b.at) || a.ruleId.localeCompare(b.ruleId)
  );
}

/** Short actor text: the role or user name, not the whole ARN. */
export function actorText(finding: Finding): string {
  const actor = finding.actor;
  if (!actor) return '-';
  const arn = actor.sessionIssuerArn ?? actor.arn;
  if (arn) {
    const tail = arn.split(':').pop() ?? arn;
    return actor.type === 'Root' ? 'root' : tail.replace(/^(assumed-role|user|role)\//, '');
  }
  return actor.invokedBy ?? actor.type ?? '-';
}

const SEVERITY_STYLE: Record<string, string> = {
  critical: '\x1b[1;41;97m',
  high: '\x1b[1;31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
  info: '\x1b[2m',
};

/** Options for {@link renderTable}. */
export interface TableOptions {
  /** Total width to fit (terminal columns); the summary column shrinks to fit. */
  width: number;
  color: boolean;
  /** Extra trailing column (e.g. where each finding is routed). */
  extra?: { header: string; value(finding: Finding): string };
}

/** A readable, fixed-width table of findings. */
export function renderTable(findings: readonly Finding[], options: TableOptions): string {
  const headers = [
    'SEVERITY',
    'RULE',
    'RESOURCE',
    'ACCOUNT/REGION',
    'ACTOR',
    'SUMMARY',
    ...(options.extra ? [options.extra.header] : []),
  ];
  // Every cell through printable(): a record's newline cannot forge a row, an ANSI / OSC escape cannot reach the
  // terminal (our own colour codes are added after).
  const rows = findings.map((f) =>
    [
      f.severity.toUpperCase(),
      f.ruleId,
      f.resource.id,
      `${f.account}/${f.region}`,
      actorText(f),
      f.summary,
      ...(options.extra ? [options.extra.value(f)] : []),
    ].map(printable),
  );
  const caps = [8, 26, 28, 26, 28, 90, 40];
  const widths = headers.map((h, i) =>
    Math.min(caps[i] ?? 40, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))),
  );
  const summaryIndex = 5;
  const fixed = widths.reduce((sum, w, i) => (i === summaryIndex ? sum : sum + w), 0) + 2 * (widths.length - 1);
  widths[summaryIndex] = Math.max(20, Math.min(widths[summaryIndex] ?? 20, options.width - fixed));
  const cell = (text: string, i: number): string => {
    const w = widths[i] ?? 10;
    const clipped = text.length > w ? `${text.slice(0, w - 1)}…` : text;
    return i === widths.length - 1 ? clipped : clipped.padEnd(w);
  };
  const lines = [headers.map(cell).join('  ')];
  for (const row of rows) {
    const text = row.map(cell).join('  ');
    const style = options.color ? SEVERITY_STYLE[(row[0] ?? '').toLowerCase()] : undefined;
    lines.push(style ? `${style}${text.slice(0, widths[0])}\x1b[0m${text.slice(widths[0])}` : text);
  }
  return lines.join('\n');
}
