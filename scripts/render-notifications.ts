/**
 * Renders what a page looks like, for docs/sinks.md and the README: one bundled event (an SSH rule opened to the
 * world) classified by the built command with the recorded AWS answers, then formatted by the real sink builders —
 * the SNS email text (`buildSnsMessage`), the Slack Block Kit message (`buildSlackMessage`) and the PagerDuty Events
 * API v2 event (`buildPagerDutyEvent`) — and laid out as HTML that looks like an email client, a Slack channel and a
 * PagerDuty incident. The HTML is an approximation of those products; the text in it is exactly what Netwatch sends.
 *
 *   npx tsx scripts/render-notifications.ts [OUT.html]      (default: .bench/notifications.html)
 *   /usr/bin/chromium --headless --no-sandbox --screenshot=docs/images/notifications.png --window-size=1500,1000 \
 *     file://$PWD/.bench/notifications.html
 *
 * Needs `npm ci` (the built command in dist/).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseFindingLines } from '../cli/commands/findings-input.ts';
import { buildPagerDutyEvent } from '../shared/6-deliver/sinks/pagerduty.ts';
import { buildSlackMessage } from '../shared/6-deliver/sinks/slack.ts';
import { buildSnsMessage } from '../shared/6-deliver/sinks/sns.ts';
import { type Notice, UNAPPROVED } from '../shared/model/notice.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const EVENT = 'events/cloudtrail/authorize-sg-ingress-ssh-world.json';

/** The finding of the bundled event, as `netwatch classify` prints it. */
function classify(): Notice {
  const out = execFileSync(
    process.execPath,
    [
      'dist/netwatch.js',
      'classify',
      '--format',
      'jsonl',
      '--recorded-aws',
      'aws-responses',
      '--context',
      'netwatch.context.json',
      EVENT,
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
  );
  const { findings, errors } = parseFindingLines(out, EVENT);
  const finding = findings.find((f) => f.severity !== 'info');
  if (!finding || errors.length) throw new Error(`${EVENT}: no finding to render (${errors.join('; ')})`);
  return { kind: 'finding', finding, approval: UNAPPROVED, routes: ['page-risky', 'change-management'] };
}

const esc = (s: string): string =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** Slack mrkdwn (already escaped by the sink: `&amp; &lt; &gt;`) to HTML: links, bold, code, line breaks. */
function mrkdwn(text: string): string {
  return text
    .replaceAll('"', '&quot;')
    .replace(/&lt;|&gt;|&amp;/g, (m) => m) // the sink's escapes stay as they are
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '<a href="$1">$2</a>')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1<i>$2</i>')
    .replaceAll('\n', '<br>');
}

interface Block {
  type: string;
  text?: { type: string; text: string };
  fields?: { type: string; text: string }[];
  elements?: { type: string; text?: string | { text: string }; url?: string }[];
}

function slackHtml(message: ReturnType<typeof buildSlackMessage>): string {
  const blocks = (message.blocks as unknown as Block[]).map((b) => {
    switch (b.type) {
      case 'header':
        return `<div class="sh">${esc(b.text?.text ?? '')}</div>`;
      case 'section':
        return `<div class="ss">${b.text ? `<div>${mrkdwn(b.text.text)}</div>` : ''}${
          b.fields ? `<div class="sf">${b.fields.map((f) => `<div>${mrkdwn(f.text)}</div>`).join('')}</div>` : ''
        }</div>`;
      case 'actions':
        return `<div class="sa">${(b.elements ?? [])
          .map((e) => `<span class="btn">${esc(typeof e.text === 'object' ? e.text.text : (e.text ?? ''))}</span>`)
          .join('')}</div>`;
      case 'context':
        return `<div class="sc">${(b.elements ?? [])
          .map((e) => mrkdwn(typeof e.text === 'string' ? e.text : (e.text?.text ?? '')))
          .join(' ')}</div>`;
      case 'divider':
        return '<hr>';
      default:
        return '';
    }
  });
  return `<div class="slack"><div class="sbar"># netwatch-alerts</div><div class="smsg"><div class="avatar">N</div><div>
<div><b>Netwatch</b> <span class="app">APP</span> <span class="time">09:14</span></div>${blocks.join('\n')}</div></div></div>`;
}

function emailHtml(sns: ReturnType<typeof buildSnsMessage>): string {
  const email = (JSON.parse(sns.message) as { email: string; sms: string }).email;
  const sms = (JSON.parse(sns.message) as { sms: string }).sms;
  return `<div class="mail"><div class="mh"><div><b>From:</b> AWS Notifications &lt;no-reply@sns.amazonaws.com&gt;</div>
<div><b>Subject:</b> ${esc(sns.subject)}</div></div><pre>${esc(email)}</pre>
<div class="sms"><b>SMS</b> (${sms.length} characters): ${esc(sms)}</div></div>`;
}

function pagerDutyHtml(event: ReturnType<typeof buildPagerDutyEvent>): string {
  const p = event.payload as Record<string, unknown> & { custom_details?: Record<string, unknown> };
  const details = p.custom_details ?? {};
  const lines = Array.isArray(details['details']) ? (details['details'] as string[]) : [];
  const approval = details['approval'] as { state?: string; reason?: string } | undefined;
  const links = ((event as { links?: { href: string; text: string }[] }).links ?? [])
    .map((l) => `<a href="${esc(l.href)}">${esc(l.text)}</a>`)
    .join(' · ');
  const row = (k: string, v: unknown) => `<tr><th>${esc(k)}</th><td>${esc(String(v ?? ''))}</td></tr>`;
  return `<div class="pd"><div class="pdh"><span class="sev sev-${esc(String(p['severity']))}">${esc(
    String(p['severity']).toUpperCase(),
  )}</span> <span class="trig">Triggered</span></div>
<div class="pdt">${esc(String(p['summary']))}</div>
<table>${row('source', p['source'])}${row('component', p['component'])}${row('group', p['group'])}${row(
    'class',
    p['class'],
  )}${row('timestamp', p['timestamp'])}${row('dedup_key', event.dedup_key)}${row(
    'approval',
    approval ? `${approval.state}: ${approval.reason}` : '',
  )}${row('routes', (details['routes'] as string[] | undefined)?.join(', '))}</table>
<div class="pdd"><b>custom_details.details</b><ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul></div>
<div class="pdl">${links}</div></div>`;
}

const CSS = `
body{margin:0;padding:18px;background:#eef0f3;font:13px/1.4 -apple-system,Helvetica,Arial,sans-serif;color:#1d1c1d}
h2{font-size:14px;margin:0 0 8px;color:#444}
.grid{display:grid;grid-template-columns:560px 460px 420px;gap:16px;align-items:start}
.mail,.slack,.pd{background:#fff;border:1px solid #ccd;border-radius:8px;overflow:hidden}
.mh{background:#f5f6f8;padding:10px 12px;border-bottom:1px solid #dde}
.mail pre{margin:0;padding:12px;font:11.5px/1.45 Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-word}
.sms{border-top:1px solid #dde;padding:8px 12px;background:#fafafa;font-size:12px}
.sbar{background:#3f0e40;color:#fff;padding:8px 12px;font-weight:bold}
.smsg{display:flex;gap:10px;padding:12px}
.avatar{width:36px;height:36px;border-radius:6px;background:#2e8b57;color:#fff;font-weight:bold;display:flex;align-items:center;justify-content:center;flex:none}
.app{background:#e8e8e8;font-size:10px;padding:1px 4px;border-radius:3px;color:#555}.time{color:#777;font-size:12px}
.sh{font-size:16px;font-weight:bold;margin:6px 0}.ss{margin:6px 0}.sf{display:grid;grid-template-columns:1fr 1fr;gap:4px 12px;margin-top:4px}
.sa{margin:8px 0}.btn{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:3px 10px;font-weight:bold;margin-right:6px}
.sc{color:#616061;font-size:11.5px;margin-top:6px}code{background:#f3f3f3;border:1px solid #e3e3e3;border-radius:3px;padding:0 3px;font-size:11.5px;color:#c01343}
a{color:#1264a3;text-decoration:none}hr{border:0;border-top:1px solid #e3e3e3}
.pdh{background:#fbeaea;padding:10px 12px}.sev{display:inline-block;padding:2px 8px;border-radius:10px;color:#fff;font-weight:bold;font-size:11px}
.sev-critical{background:#b00020}.sev-error{background:#d9480f}.sev-warning{background:#e0a800}.sev-info{background:#3a66c4}
.trig{color:#b00020;font-weight:bold}.pdt{padding:10px 12px;font-size:15px;font-weight:bold}
.pd table{border-collapse:collapse;margin:0 12px;width:calc(100% - 24px)}.pd th{text-align:left;color:#666;font-weight:normal;padding:3px 8px 3px 0;width:90px;vertical-align:top}
.pd td{padding:3px 0;word-break:break-all}.pdd{padding:8px 12px}.pdd ul{margin:4px 0;padding-left:18px}.pdl{padding:0 12px 12px}
`;

/** The page: the bundled event's finding as the three sinks format it, side by side. */
export function notificationsHtml(notice: Notice = classify()): string {
  const sns = buildSnsMessage(notice, { subjectPrefix: 'Netwatch' });
  const slack = buildSlackMessage(notice, { maxDeltas: 10 });
  const pd = buildPagerDutyEvent(notice, { client: 'Netwatch' }, 'R0UT1NGKEY-EXAMPLE', new Date(notice.finding.at));
  return `<!doctype html><html><head><meta charset="utf-8"><title>Netwatch: one finding, three sinks</title>
<style>${CSS}</style></head><body><div class="grid">
<div><h2>SNS → email (and SMS)</h2>${emailHtml(sns)}</div>
<div><h2>Slack (incoming webhook, Block Kit)</h2>${slackHtml(slack)}</div>
<div><h2>PagerDuty (Events API v2)</h2>${pagerDutyHtml(pd)}</div>
</div></body></html>`;
}

export { classify as bundledNotice };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const notice = classify();
  const out = process.argv[2] ?? join(root, '.bench', 'notifications.html');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, notificationsHtml(notice));
  console.log(`wrote ${out} (${notice.finding.severity} ${notice.finding.ruleId} on ${notice.finding.resource.id})`);
}
