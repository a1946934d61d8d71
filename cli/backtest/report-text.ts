import { durationText } from '../../shared/model/exposure.ts';
import { printable } from '../../shared/platform/printable.ts';
import type { BacktestSummary, EpisodeSummary, FindingRow, Tally } from './summary.ts';
import { SEVERITIES_DESC } from './summary.ts';

/**
 * The backtest as text for a terminal (`--format table`): headline numbers first (what would have paged), then the
 * breakdowns, then the pages themselves. Fixed-width columns, no colour, so it pastes into a ticket.
 */
export function renderTextReport(s: BacktestSummary, width = 160): string {
  const out: string[] = [];
  out.push(`Netwatch backtest — ${printable(s.sources.join(', '))}`);
  if (s.config)
    out.push(`Config ${printable(s.config)}: its context, paging routes, static approvals and allowlists applied`);
  if (s.input.interrupted) out.push('INTERRUPTED: partial results (what was read before Ctrl-C).');
  const window = s.window.from || s.window.to ? `window ${s.window.from ?? '…'} → ${s.window.to ?? '…'}; ` : '';
  out.push(printable(`${window}findings from ${s.span.first ?? '-'} to ${s.span.last ?? '-'}`));
  out.push(
    `Read ${nouns(s.input.units, 'input')}, ${nouns(s.input.records, 'record')} (${n(s.input.ignored)} not network changes, ${nouns(s.input.changes, 'change')}) in ${s.input.seconds.toFixed(1)} s ` +
      `= ${n(s.input.recordsPerSecond)} records/s; ${nouns(s.input.errors, 'error')}`,
  );
  out.push('');
  out.push(
    `Would have paged: ${n(s.totals.pages)}  (risky findings ${n(s.totals.risky)}${s.approvals.checked ? `; approved ${n(s.approvals.approved)}, allowlisted ${n(s.approvals.allowlisted)}, expired approvals ${n(s.approvals.expired)}` : ''})`,
  );
  out.push(
    `Findings: ${n(s.totals.findings)}  (${SEVERITIES_DESC.map((sev) => `${sev} ${n(s.totals.bySeverity[sev])}`).join(', ')}; ${nouns(s.totals.duplicates, 'duplicate')} merged${s.totals.outsideWindow ? `, ${n(s.totals.outsideWindow)} outside the window` : ''})`,
  );
  out.push('');
  out.push(
    section(
      'By rule',
      table(
        ['RULE', 'CATEGORY', 'FINDINGS', 'RISKY', 'PAGES'],
        s.byRule.map((t) => [t.key, t.category, n(t.findings), n(t.risky), n(t.pages)]),
      ),
    ),
  );
  out.push(section('By category', tallyTable('CATEGORY', s.byCategory)));
  out.push(
    section(
      'By severity and day',
      table(
        ['DAY', ...SEVERITIES_DESC.map((x) => x.toUpperCase()), 'PAGES'],
        s.byDay.map((t) => [t.key, ...SEVERITIES_DESC.map((x) => n(t.bySeverity[x])), n(t.pages)]),
      ),
    ),
  );
  out.push(section('By account', tallyTable('ACCOUNT', s.byAccount)));
  out.push(section('Top actors', tallyTable('ACTOR', s.topActors)));
  if (s.approvals.checked) {
    out.push(
      section(
        'Effect of approvals and allowlists',
        table(
          ['ENTRY', 'PAGES SAVED'],
          s.approvals.byEntry.map((e) => [e.entry, n(e.findings)]),
        ) || '(none matched)',
      ),
    );
  }
  if (s.episodes) out.push(section('Exposure episodes', episodesText(s.episodes, width)));
  out.push(section(`Would-be pages (${s.pages.length})`, rowsTable(s.pages, width) || 'None.'));
  if (s.suppressed.length)
    out.push(
      section(
        `Kept from paging (${s.suppressed.length})`,
        table(
          ['TIME', 'SEVERITY', 'RULE', 'RESOURCE', 'ACTOR', 'WHY'],
          s.suppressed.map((r) => [r.at, r.severity, r.ruleId, r.resource, r.actor, r.approvalReason ?? r.approval]),
        ),
      ),
    );
  if (s.errorSamples.length)
    out.push(
      section(
        `Errors (${n(s.input.errors)}${s.input.errors > s.errorSamples.length ? `, first ${s.errorSamples.length}` : ''})`,
        s.errorSamples.map(printable).join('\n'),
      ),
    );
  return out.join('\n');
}

function rowsTable(rows: readonly FindingRow[], width: number): string {
  const body = rows.map((r) => [
    r.at,
    r.severity.toUpperCase(),
    r.ruleId,
    r.resource,
    `${r.account}/${r.region}`,
    r.actor,
    r.summary,
  ]);
  return table(['TIME', 'SEVERITY', 'RULE', 'RESOURCE', 'ACCOUNT/REGION', 'ACTOR', 'SUMMARY'], body, width);
}

function episodesText(e: EpisodeSummary, width: number): string {
  const head = `${n(e.opened)} opened, ${n(e.closed)} closed, ${n(e.stillOpen)} still open; open for ${durationText(e.medianOpenSeconds)} (median), ${durationText(e.longestOpenSeconds)} (longest)`;
  const rows = e.rows.map((r) => [
    r.openedAt,
    r.state === 'open' ? 'OPEN' : (r.closedAt ?? ''),
    durationText(r.openSeconds),
    r.kind,
    r.resource,
    r.exposure,
  ]);
  return `${head}\n${table(['OPENED', 'CLOSED', 'OPEN FOR', 'KIND', 'RESOURCE', 'EXPOSURE'], rows, width)}`;
}

function tallyTable(label: string, tallies: readonly Tally[]): string {
  return table(
    [label, 'FINDINGS', 'RISKY', 'PAGES'],
    tallies.map((t) => [t.key, n(t.findings), n(t.risky), n(t.pages)]),
  );
}

function section(title: string, body: string): string {
  return `${title}\n${'─'.repeat(title.length)}\n${body || '(none)'}\n`;
}

/** Left-aligned text columns, right-aligned numbers; the last column is cut to fit `width`. */
/** The last column keeps at least this many characters while other columns can shrink; they keep COLUMN_MIN. */
const LAST_MIN = 40;
const COLUMN_MIN = 14;

function table(headers: readonly string[], records: readonly string[][], width = 200): string {
  if (records.length === 0) return '';
  // Record text (resources, actors, summaries, reasons) cannot forge rows or reach the terminal as escapes.
  const rows = records.map((r) => r.map(printable));
  const last = headers.length - 1;
  // Columns before the last are capped at 60; the last one (SUMMARY, WHY) only by the width.
  const widths = headers.map((h, i) =>
    Math.min(i === last ? Number.POSITIVE_INFINITY : 60, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))),
  );
  const numeric = headers.map((_, i) => rows.every((r) => /^[\d,]+$/.test(r[i] ?? '')));
  const fixedWidth = () => widths.slice(0, last).reduce((a, b) => a + b + 2, 0);
  // The last column (SUMMARY, WHY) is what a person reads: before it is cut below LAST_MIN, the widest text columns
  // before it (a long resource ARN, an actor) give up characters, down to COLUMN_MIN each.
  const wanted = Math.min(widths[last] ?? 10, LAST_MIN);
  for (let over = fixedWidth() + wanted - width; over > 0; over--) {
    let widest = -1;
    for (let i = 0; i < last; i++)
      if (!numeric[i] && (widths[i] ?? 0) > COLUMN_MIN && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0)))
        widest = i;
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  widths[last] = Math.max(10, Math.min(widths[last] ?? 10, width - fixedWidth()));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? 10;
        const text = c.length > w ? `${c.slice(0, w - 1)}…` : c;
        return numeric[i] ? text.padStart(w) : i === last ? text : text.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** A count with thousands separators and its noun in the right number. */
function nouns(value: number, noun: string): string {
  return `${n(value)} ${value === 1 ? noun : `${noun}s`}`;
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}
