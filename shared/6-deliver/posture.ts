import { createHash } from 'node:crypto';
import type { Finding } from '../model/finding.ts';
import type { ApprovalSource } from '../5-decide/approvals/model.ts';
import type { DigestNotice } from '../model/notice.ts';
import { SEVERITIES, maxSeverity, severityRank, type Severity } from '../model/severity.ts';
import type { DeliveryError } from '../platform/errors.ts';
import { escapeHtml } from '../platform/html.ts';
import { deliverFindings, type DeliveryDeps, type FindingOutcome } from './orchestrate.ts';
import { sendOnce } from './send.ts';

/**
 * The posture report of a first reconciliation: the exposures open at deployment, found in AWS Config's current state
 * instead of paged one by one. One digest to the paging routes' sinks (through the ledger, so a re-run does not send
 * it twice), every finding as a record to the record routes (change management sees the baseline), and a
 * self-contained HTML report (the Lambda function writes it to the reports bucket; `netwatch scan` to a file).
 */

/** The report. */
export interface PostureReport {
  generatedAt: string;
  /** The accounts and Regions the first run covered, with what was seen there. */
  scopes: { account: string; region: string; resources: number; counts: Record<string, number> }[];
  /** The open exposures, most severe first. */
  findings: Finding[];
}

/** Build the report (findings sorted most severe first, then by resource). */
export function postureReport(
  findings: readonly Finding[],
  scopes: PostureReport['scopes'],
  generatedAt: string,
): PostureReport {
  const sorted = [...findings].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || a.resource.id.localeCompare(b.resource.id),
  );
  return { generatedAt, scopes, findings: sorted };
}

/**
 * The report's identity: its scopes (each has one first run; a retried run sends nothing twice within the dedup
 * window).
 */
export function postureKey(report: PostureReport): string {
  const text = ['posture', ...report.scopes.map((s) => `${s.account}|${s.region}`).sort()].join('\n');
  return `posture-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}

/** The digest notice of the report. */
export function postureDigest(report: PostureReport, location?: string): DigestNotice {
  const accounts = [...new Set(report.scopes.map((s) => s.account))];
  return {
    kind: 'digest',
    account: accounts.length === 1 ? accounts[0]! : `${accounts.length} accounts`,
    ruleId: 'posture',
    windowStart: report.generatedAt,
    windowEnd: report.generatedAt,
    findings: report.findings,
    title: 'Netwatch posture at deployment (first reconciliation)',
    ...(location !== undefined ? { report: location } : {}),
  };
}

function counts(findings: readonly Finding[]): Record<Severity, number> {
  const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) out[f.severity] += 1;
  return out;
}

/** A plain-text table (the CLI's default output). */
export function postureText(report: PostureReport): string {
  const c = counts(report.findings);
  const head = [
    `Netwatch posture report — ${report.generatedAt}`,
    `Scopes: ${report.scopes.map((s) => `${s.account}/${s.region} (${s.resources} resources)`).join(', ') || 'none'}`,
    `Open exposures: ${report.findings.length} (${SEVERITIES.slice()
      .reverse()
      .map((s) => `${c[s]} ${s}`)
      .join(', ')})`,
    '',
  ];
  if (report.findings.length === 0) return [...head, 'No open exposures.'].join('\n');
  const rows = report.findings.map((f) => [
    f.severity.toUpperCase(),
    f.ruleId,
    f.resource.id,
    `${f.account}/${f.region}`,
    f.reach?.verdict ?? '-',
    f.summary.replace(/^open at deployment: /, ''),
  ]);
  const headers = ['SEVERITY', 'RULE', 'RESOURCE', 'ACCOUNT/REGION', 'REACH', 'EXPOSURE'];
  const widths = headers.map((h, i) => Math.min(90, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (cell.length > widths[i]! ? `${cell.slice(0, widths[i]! - 1)}…` : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [...head, line(headers), ...rows.map(line)].join('\n');
}

/** Escape text for HTML content and attribute values (every string of a finding is attacker-controlled). */
const esc = escapeHtml;

const COLOUR: Readonly<Record<Severity, string>> = {
  critical: '#8b0000',
  high: '#c0392b',
  medium: '#d68910',
  low: '#2471a3',
  info: '#7f8c8d',
};

/** One self-contained HTML page: inline CSS, no script, no network; every value escaped. */
export function postureHtml(report: PostureReport): string {
  const c = counts(report.findings);
  const worst = maxSeverity(...report.findings.map((f) => f.severity));
  const rows = report.findings
    .map(
      (f) => `<tr>
<td><span class="sev" style="background:${COLOUR[f.severity]}">${esc(f.severity)}</span></td>
<td>${esc(f.ruleId)}</td><td><code>${esc(f.resource.id)}</code></td><td>${esc(f.account)}/${esc(f.region)}</td>
<td>${esc(f.summary.replace(/^open at deployment: /, ''))}${f.reach ? `<div class="reach">${esc(f.reach.verdict)}: ${esc(f.reach.text)}</div>` : ''}
<details><summary>why</summary><ul>${f.why.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></details></td>
</tr>`,
    )
    .join('\n');
  const scopes = report.scopes
    .map(
      (s) =>
        `<li>${esc(s.account)} / ${esc(s.region)}: ${s.resources} resources (${Object.entries(s.counts)
          .map(([k, n]) => `${n} ${esc(k)}`)
          .join(', ')})</li>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Netwatch posture report ${esc(report.generatedAt)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4em;vertical-align:top;text-align:left}
.sev{color:#fff;border-radius:3px;padding:.1em .5em;font-weight:600;text-transform:uppercase;font-size:12px}
.reach{color:#555;font-size:12px;margin-top:.3em}code{font-size:13px}.tiles span{display:inline-block;margin-right:1.5em}
</style></head><body>
<h1>Netwatch posture report</h1>
<p>The exposures open at deployment, found in AWS Config's current state by the first reconciliation (not paged one by one).
Generated ${esc(report.generatedAt)}. Worst: <strong>${esc(worst)}</strong>.</p>
<p class="tiles">${SEVERITIES.slice()
    .reverse()
    .map((s) => `<span><strong>${c[s]}</strong> ${s}</span>`)
    .join('')}</p>
<h2>Scopes</h2><ul>${scopes || '<li>none</li>'}</ul>
<h2>Open exposures (${report.findings.length})</h2>
${report.findings.length === 0 ? '<p>No open exposures.</p>' : `<table><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Account/Region</th><th>Exposure</th></tr></thead><tbody>\n${rows}\n</tbody></table>`}
</body></html>
`;
}

/** What delivering the report did. */
export interface PostureDelivery {
  /** Sinks that got the digest (now, or already: a re-run). */
  digest: string[];
  alreadySent: string[];
  records: FindingOutcome[];
  failed: DeliveryError[];
}

/**
 * Deliver the report: the digest once to every sink of the paging routes (claimed in the ledger under the report's
 * key), the findings to the record routes only (change management; nothing pages one by one).
 */
export async function deliverPosture(
  report: PostureReport,
  approvals: ApprovalSource,
  deps: DeliveryDeps,
  location?: string,
): Promise<PostureDelivery> {
  const out: PostureDelivery = { digest: [], alreadySent: [], records: [], failed: [] };
  const recordRoutes = deps.routes.filter((r) => (r.kind ?? 'record') === 'record');
  out.records = await deliverFindings(report.findings, approvals, { ...deps, routes: recordRoutes });
  out.failed.push(...out.records.flatMap((o) => o.failed));
  if (report.findings.length === 0) return out;
  const pageSinks = [...new Set(deps.routes.filter((r) => r.kind === 'paging').flatMap((r) => r.sinks))];
  const notice = postureDigest(report, location);
  const key = postureKey(report);
  const now = deps.now?.() ?? new Date();
  const clock = { now, ttlMs: deps.dedupWindowMs, leaseMs: deps.claimLeaseMs };
  for (const name of pageSinks) {
    const result = await sendOnce(deps, key, name, notice, clock, {
      context: 'posture',
      busy: `another run is sending ${key}`,
    });
    if (result === 'sent') out.digest.push(name);
    else if (result === 'already') out.alreadySent.push(name);
    else out.failed.push(result);
  }
  return out;
}
