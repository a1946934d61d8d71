import type { TrafficEvidence } from '../../../model/traffic.ts';
import { count } from '../../../platform/plural.ts';

/**
 * Traffic evidence as human lines — the "TRAFFIC SINCE IT OPENED" section of an email, the details of a change record,
 * the PagerDuty follow-up. Plain text: each channel encodes it for itself (Slack mrkdwn, HTML in the CLI report).
 */

/** `1.2 MB` (decimal units, as the AWS consoles show bytes). */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** The evidence as lines, most important first. */
export function trafficLines(t: TrafficEvidence): string[] {
  const who = t.sourceScope === 'external' ? 'external source' : 'source';
  const lines = [t.summary];
  lines.push(
    `window ${t.since} → ${t.until}; ${count(t.interfaces.length, 'interface')}${t.interfaceCount > t.interfaces.length ? ` of ${t.interfaceCount}` : ''}; ${t.portScope.length ? `ports ${t.portScope.join(', ')}` : 'any port'}`,
  );
  if (t.status === 'traffic' || t.status === 'timeout') {
    lines.push(
      `accepted: ${count(t.accepted.sources, who)}, ${count(t.accepted.flows, 'flow')}, ${humanBytes(t.accepted.bytes)}; rejected: ${count(t.rejected.sources, who)}, ${count(t.rejected.flows, 'flow')}, ${humanBytes(t.rejected.bytes)}`,
    );
    for (const p of t.ports)
      lines.push(
        `port ${p.port === undefined ? p.protocol : `${p.protocol}/${p.port}`}: ${count(p.sources, who)} (${p.acceptedSources} accepted), ${humanBytes(p.bytes)}`,
      );
    t.topSources.forEach((s, i) => {
      const action = s.accepted && s.rejected ? 'ACCEPT+REJECT' : s.accepted ? 'ACCEPT' : 'REJECT';
      lines.push(
        `top ${i + 1}: ${s.address} — ${humanBytes(s.bytes)}, ${count(s.flows, 'flow')}, ${action}${s.ports.length ? ` (${s.ports.join(', ')})` : ''}`,
      );
    });
    if (t.truncated) lines.push('the query hit its 10,000-row limit: the counts are lower bounds');
  }
  if (t.query?.consoleUrl)
    lines.push(
      `Logs Insights: ${t.query.consoleUrl}${t.query.savedQueryName ? ` (saved query: ${t.query.savedQueryName})` : ''}`,
    );
  else if (t.query) lines.push(`read from: ${t.query.logGroups.join(', ')} — ${t.query.text}`);
  if (t.denied?.length)
    lines.push(
      `AWS refused ${t.denied.join(', ')} (the role, a service control policy, a permission boundary or a VPC endpoint policy): grant it to see the traffic`,
    );
  for (const n of t.notes) lines.push(`note: ${n}`);
  return lines;
}
