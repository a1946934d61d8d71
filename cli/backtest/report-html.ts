import { escapeHtml } from '../../shared/platform/html.ts';
import { SEVERITY_COLOURS, horizontalBars, stackedColumns } from './charts.ts';
import { durationText } from '../../shared/model/exposure.ts';
import { SEVERITIES_DESC, type BacktestSummary, type EpisodeSummary, type FindingRow, type Tally } from './summary.ts';

/**
 * The backtest as one self-contained HTML file (`--format html`): inline CSS and SVG, no script, no network. What a
 * team reads in a review: the headline (pages it would have sent), findings per day by severity, the top rules, the
 * breakdowns, then every would-be page with its actor and summary.
 */
export function renderHtmlReport(s: BacktestSummary): string {
  const title = `Netwatch backtest — ${s.sources.join(', ')}`;
  const days = s.byDay.map((t) => ({ label: t.key, values: t.bySeverity }));
  const bars = s.byRule
    .slice(0, 12)
    .map((t) => ({ label: t.key, total: t.findings, highlighted: t.pages, colour: SEVERITY_COLOURS[worstOf(t)] }));
  const window =
    s.window.from || s.window.to ? `Window ${esc(s.window.from ?? '…')} → ${esc(s.window.to ?? '…')}. ` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;margin:0;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#57606a;margin:0 0 16px}
.warn{background:#fff3cd;border:1px solid #e0b400;padding:8px 12px;border-radius:6px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px}
.card{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:12px 14px}
.card .n{font-size:26px;font-weight:600}.card .l{color:#57606a}
.card.pages .n{color:#b42318}
section.chart{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:12px}
svg text.axis{font-size:11px;fill:#57606a}svg text.value{font-size:11px;fill:#1b1f24}svg text.label{font-size:12px;fill:#1b1f24}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d8dee4}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f0f3f6;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;padding:0 6px;border-radius:4px;font-size:12px;font-weight:600;color:#fff}
.sev.low,.sev.info{color:#1b1f24}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}
code{font-size:12px}
@media print{body{background:#fff}}
</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
<p class="meta">${window}Findings from ${esc(s.span.first ?? '-')} to ${esc(s.span.last ?? '-')}. Read ${n(s.input.units)} inputs, ${n(s.input.records)} records in ${s.input.seconds.toFixed(1)} s (${n(s.input.recordsPerSecond)} records/s).${s.config ? ` Routes, context and approvals from <code>${esc(s.config)}</code>.` : ''} Generated ${esc(s.generatedAt)}.</p>
${s.input.interrupted ? '<p class="warn"><strong>Interrupted:</strong> partial results — only what was read before the run was stopped.</p>' : ''}
${s.input.errors ? `<p class="warn">${n(s.input.errors)} inputs or records could not be read; see <a href="#errors">Errors</a>.</p>` : ''}
<div class="cards">
  <div class="card pages"><div class="n">${n(s.totals.pages)}</div><div class="l">would-be pages</div></div>
  <div class="card"><div class="n">${n(s.totals.risky)}</div><div class="l">risky findings (medium+)</div></div>
  <div class="card"><div class="n">${n(s.approvals.approved + s.approvals.allowlisted)}</div><div class="l">kept from paging by approvals / allowlists</div></div>
  <div class="card"><div class="n">${n(s.totals.findings)}</div><div class="l">findings in all</div></div>
  <div class="card"><div class="n">${n(s.input.records)}</div><div class="l">CloudTrail records read</div></div>
</div>

<h2>Findings per day, by severity</h2>
<section class="chart">${days.length ? stackedColumns('Findings per day by severity', days, [...SEVERITIES_DESC]) : '<p>No findings.</p>'}</section>

<h2>Top rules</h2>
<section class="chart">${bars.length ? horizontalBars('Findings and pages per rule', bars) : '<p>No findings.</p>'}</section>

<h2>By rule</h2>
${tallyTable('Rule', s.byRule, (t) => `${esc(t.key)}<br><small>${esc((t as Tally & { title?: string }).title ?? '')}</small>`)}
<div class="grid2">
<div><h2>By category</h2>${tallyTable('Category', s.byCategory)}</div>
<div><h2>By account</h2>${tallyTable('Account', s.byAccount)}</div>
</div>
<h2>By day</h2>
<table><thead><tr><th>Day</th>${SEVERITIES_DESC.map((x) => `<th class="num">${x}</th>`).join('')}<th class="num">pages</th></tr></thead><tbody>
${s.byDay.map((t) => `<tr><td>${esc(t.key)}</td>${SEVERITIES_DESC.map((x) => `<td class="num">${n(t.bySeverity[x])}</td>`).join('')}<td class="num">${n(t.pages)}</td></tr>`).join('\n')}
</tbody></table>
<h2>Top actors</h2>
${tallyTable('Actor', s.topActors, (t) => `<code>${esc(t.key)}</code>`)}

<h2>Effect of approvals and allowlists</h2>
${
  s.approvals.checked
    ? `<p>${s.config ? `Config <code>${esc(s.config)}</code>: its context, paging routes, static approvals and allowlists applied. ` : ''}${n(s.approvals.wouldPage)} findings would page unapproved; ${n(s.approvals.approved)} approved, ${n(s.approvals.allowlisted)} allowlisted, ${n(s.approvals.expired)} with an expired approval → <strong>${n(s.approvals.paged)} pages</strong>.</p>
<table><thead><tr><th>Entry</th><th class="num">pages saved</th></tr></thead><tbody>${s.approvals.byEntry.map((e) => `<tr><td><code>${esc(e.entry)}</code></td><td class="num">${n(e.findings)}</td></tr>`).join('') || '<tr><td colspan="2">No entry matched.</td></tr>'}</tbody></table>`
    : '<p>No approvals or allowlists were given (<code>--config</code>, <code>--allow-actor</code>): every risky finding would have paged.</p>'
}

${s.episodes ? episodeSection(s.episodes) : ''}
<h2>Would-be pages (${n(s.pages.length)})</h2>
${findingTable(s.pages)}
${s.suppressed.length ? `<h2>Kept from paging (${n(s.suppressed.length)})</h2>${findingTable(s.suppressed, true)}` : ''}
${s.errorSamples.length ? `<h2 id="errors">Errors (${n(s.input.errors)})</h2><ul>${s.errorSamples.map((e) => `<li><code>${esc(e)}</code></li>`).join('')}</ul>` : ''}
</main>
</body>
</html>
`;
}

function tallyTable(label: string, tallies: readonly Tally[], cell: (t: Tally) => string = (t) => esc(t.key)): string {
  if (tallies.length === 0) return '<p>None.</p>';
  const rows = tallies
    .map(
      (t) =>
        `<tr><td>${cell(t)}</td><td class="num">${n(t.findings)}</td><td class="num">${n(t.risky)}</td><td class="num">${n(t.pages)}</td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th>${esc(label)}</th><th class="num">findings</th><th class="num">risky</th><th class="num">pages</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function findingTable(rows: readonly FindingRow[], withReason = false): string {
  if (rows.length === 0) return '<p>None.</p>';
  const body = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.at)}</td><td>${badge(r.severity)}</td><td>${esc(r.ruleId)}</td><td><code>${esc(r.resource)}</code><br><small>${esc(r.account)} / ${esc(r.region)}</small></td>` +
        `<td title="${esc(r.actorArn ?? '')}">${esc(r.actor)}</td><td>${esc(r.summary)}<br><small><code>${esc(r.changeId)}</code></small></td>${withReason ? `<td>${esc(r.approvalReason ?? r.approval)}</td>` : ''}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th>Time (UTC)</th><th>Severity</th><th>Rule</th><th>Resource</th><th>Actor</th><th>Summary</th>${withReason ? '<th>Why not paged</th>' : ''}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function episodeSection(e: EpisodeSummary): string {
  const rows = e.rows
    .map(
      (r) =>
        `<tr><td>${esc(r.openedAt)}<br><small>${esc(r.openedBy ?? '')}</small></td><td>${r.state === 'open' ? '<strong>open</strong>' : `${esc(r.closedAt ?? '')}<br><small>${esc(r.closedBy ?? '')}</small>`}</td>` +
        `<td class="num">${esc(durationText(r.openSeconds))}</td><td>${esc(r.kind)}</td><td><code>${esc(r.resource)}</code><br><small>${esc(r.account)} / ${esc(r.region)}</small></td><td>${esc(r.exposure)}</td></tr>`,
    )
    .join('\n');
  return `<h2>Exposure episodes</h2>
<p>${n(e.opened)} opened, ${n(e.closed)} closed, <strong>${n(e.stillOpen)} still open</strong>; open for ${esc(durationText(e.medianOpenSeconds))} (median), ${esc(durationText(e.longestOpenSeconds))} (longest).</p>
${e.rows.length ? `<table><thead><tr><th>Opened</th><th>Closed</th><th class="num">open for</th><th>Kind</th><th>Resource</th><th>Exposure</th></tr></thead><tbody>\n${rows}\n</tbody></table>` : ''}`;
}

function badge(severity: FindingRow['severity']): string {
  return `<span class="sev ${severity}" style="background:${SEVERITY_COLOURS[severity]}">${severity}</span>`;
}

function worstOf(t: Tally): FindingRow['severity'] {
  return SEVERITIES_DESC.find((s) => t.bySeverity[s] > 0) ?? 'info';
}

const esc = escapeHtml;

function n(value: number): string {
  return value.toLocaleString('en-US');
}
