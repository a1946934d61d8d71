import type { Finding } from '../../shared/model/finding.ts';
import type { TrafficEvidence } from '../../shared/model/traffic.ts';
import { humanBytes } from '../../shared/6-deliver/sinks/format/traffic.ts';
import { escapeHtml as esc } from '../../shared/platform/html.ts';

/**
 * The evidence section as one self-contained HTML page (inline CSS, no script, no network) — what `netwatch evidence
 * --format html` writes to attach to a review or a ticket. Every string from the flow logs or the finding is escaped.
 */
export function renderEvidenceHtml(evidence: TrafficEvidence, subject: { title: string; finding?: Finding }): string {
  const t = evidence;
  const who = t.sourceScope === 'external' ? 'external sources' : 'sources';
  const maxBytes = Math.max(1, ...t.topSources.map((s) => s.bytes));
  const maxPort = Math.max(1, ...t.ports.map((p) => p.sources));
  const status: Record<TrafficEvidence['status'], string> = {
    traffic: 'traffic seen',
    'no-traffic': 'no traffic',
    'no-flow-logs': 'no flow logs',
    'no-interfaces': 'no interfaces',
    timeout: 'timed out (partial)',
    failed: 'failed',
    denied: 'access denied',
  };
  const f = subject.finding;
  const card = (n: string, label: string, cls = '') =>
    `<div class="card ${cls}"><div class="n">${esc(n)}</div><div class="l">${esc(label)}</div></div>`;
  const bar = (value: number, max: number, colour: string) =>
    `<span class="bar"><span style="width:${Math.max(2, Math.round((value / max) * 100))}%;background:${colour}"></span></span>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(subject.title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;margin:0;background:#f6f7f9}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:21px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.meta{color:#57606a;margin:0 0 14px}.summary{font-size:17px;font-weight:600;margin:10px 0 16px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#e7ecf2}
.badge.traffic{background:#ffd8d3;color:#8a1a0d}.badge.no-traffic{background:#d7f2dd;color:#175c26}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.card{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:12px 14px}
.card .n{font-size:24px;font-weight:600}.card .l{color:#57606a}.card.accepted .n{color:#b42318}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d8dee4}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eaeef2;vertical-align:middle}
th{background:#f0f3f6;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;width:160px;height:10px;background:#eef1f4;border-radius:5px;overflow:hidden;vertical-align:middle}
.bar span{display:block;height:100%}
.notes li{color:#57606a}code{font-size:12px;word-break:break-all}
a{color:#0b57d0}
</style>
</head>
<body>
<main>
<h1>Traffic since it opened — ${esc(subject.title)}</h1>
<p class="meta">${f ? `${esc(f.category)} · ${esc(f.account)}/${esc(f.region)} · changed ${esc(f.at)} · fingerprint <code>${esc(f.fingerprint)}</code><br>` : ''}Window ${esc(t.since)} → ${esc(t.until)} · ${t.interfaces.length} interface${t.interfaces.length === 1 ? '' : 's'}${t.interfaceCount > t.interfaces.length ? ` of ${t.interfaceCount}` : ''} · ${t.portScope.length ? `ports ${esc(t.portScope.join(', '))}` : 'any port'} · <span class="badge ${esc(t.status)}">${esc(status[t.status])}</span></p>
<p class="summary">${esc(t.summary)}</p>
<div class="cards">
${card(String(t.externalSources), who)}
${card(String(t.accepted.sources), 'accepted sources', 'accepted')}
${card(String(t.rejected.sources), 'rejected sources')}
${card(humanBytes(t.accepted.bytes), `accepted bytes · ${t.accepted.flows} flows`)}
${card(humanBytes(t.rejected.bytes), `rejected bytes · ${t.rejected.flows} flows`)}
</div>
${
  t.ports.length
    ? `<h2>Ports reached</h2>
<table><tr><th>port</th><th class="num">${esc(who)}</th><th class="num">accepted</th><th class="num">bytes</th><th></th></tr>
${t.ports.map((p) => `<tr><td>${esc(p.port === undefined ? p.protocol : `${p.protocol}/${p.port}`)}</td><td class="num">${p.sources}</td><td class="num">${p.acceptedSources}</td><td class="num">${esc(humanBytes(p.bytes))}</td><td>${bar(p.sources, maxPort, '#8aa4c8')}</td></tr>`).join('\n')}
</table>`
    : ''
}
${
  t.topSources.length
    ? `<h2>Top ${t.topSources.length} sources by bytes</h2>
<table><tr><th>source</th><th>action</th><th>ports</th><th class="num">flows</th><th class="num">bytes</th><th></th></tr>
${t.topSources
  .map((s) => {
    const action = s.accepted && s.rejected ? 'ACCEPT + REJECT' : s.accepted ? 'ACCEPT' : 'REJECT';
    return `<tr><td><code>${esc(s.address)}</code></td><td>${esc(action)}</td><td>${esc(s.ports.join(', '))}</td><td class="num">${s.flows}</td><td class="num">${esc(humanBytes(s.bytes))}</td><td>${bar(s.bytes, maxBytes, s.accepted ? '#d9534f' : '#9aa5b1')}</td></tr>`;
  })
  .join('\n')}
</table>`
    : ''
}
<h2>How this was read</h2>
<p class="meta">${t.query?.consoleUrl ? `<a href="${esc(t.query.consoleUrl)}">Open the query in CloudWatch Logs Insights</a>${t.query.savedQueryName ? ` (saved query <code>${esc(t.query.savedQueryName)}</code>)` : ''}<br>` : ''}${t.query ? `Source: <code>${esc(t.query.logGroups.join(', '))}</code>` : ''}${t.query?.recordsMatched !== undefined ? ` · ${t.query.recordsMatched} records matched` : ''}${t.truncated ? ' · <strong>row limit reached: counts are lower bounds</strong>' : ''}</p>
${t.query ? `<pre><code>${esc(t.query.text)}</code></pre>` : ''}
${t.notes.length ? `<ul class="notes">${t.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<p class="meta">Gathered ${esc(t.gatheredAt)} by netwatch evidence.</p>
</main>
</body>
</html>
`;
}
