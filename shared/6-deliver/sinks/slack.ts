import * as z from 'zod';
import { secretRefSchema, type SecretRef } from '../../platform/aws/secrets.ts';
import type { Finding } from '../../model/finding.ts';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import type { SinkDeps } from './deps.ts';
import { eventLink, findingLink } from './format/console-link.ts';
import {
  digestCategory,
  digestKey,
  digestRegion,
  digestSeverity,
  severityCounts,
  worstFinding,
} from './format/digest.ts';
import { headline, severityLabel, noticeSummary } from './format/headline.ts';
import { trafficLines } from './format/traffic.ts';
import { renderActor, renderApproval, renderDelta } from './format/text.ts';
import { truncateChars } from './format/truncate.ts';
import { whatToCheck } from './format/what-to-check.ts';
import { postWithRetry } from './http.ts';
import { retrySettingsSchema } from './retry.ts';
import { resolveSecret } from './secret.ts';
import type { Sink } from './sink.ts';

/**
 * Slack sink: an incoming-webhook POST with a Block Kit message and a plain `text` fallback (shown in notifications
 * and by clients that cannot render blocks). The webhook URL is a credential (anyone holding it can post), so it is a
 * secret reference, never config.
 * @see https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks
 * @see https://docs.slack.dev/reference/block-kit/blocks (limits: header 150 chars, section text 3000, 10 fields of 2000, 50 blocks)
 * @see https://docs.slack.dev/apis/web-api/rate-limits (incoming webhooks: about 1 message per second, 429 + Retry-After)
 */
export const slackSettingsSchema = z.strictObject({
  type: z.literal('slack'),
  webhookUrl: secretRefSchema,
  /** Max deltas listed in the message (the rest are counted). */
  maxDeltas: z.number().int().min(0).max(40).default(10),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  retry: retrySettingsSchema.default(retrySettingsSchema.parse({})),
});

export type SlackSettings = z.output<typeof slackSettingsSchema>;

const LIMIT = { header: 150, section: 3000, field: 2000, context: 2000, button: 75, text: 3000 } as const;

type TextObject = { type: 'mrkdwn' | 'plain_text'; text: string; emoji?: boolean };
type Block = Record<string, unknown>;

/** Slack mrkdwn needs `&`, `<`, `>` escaped, or user-controlled text (tags, names) could inject links/mentions. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const md = (text: string, max: number = LIMIT.section): TextObject => ({
  type: 'mrkdwn',
  text: truncateChars(escapeMrkdwn(text), max),
});
const field = (label: string, value: string): TextObject => ({
  type: 'mrkdwn',
  text: truncateChars(`*${label}*\n${escapeMrkdwn(value)}`, LIMIT.field),
});

function button(url: string, text: string): Block {
  return {
    type: 'actions',
    elements: [{ type: 'button', text: { type: 'plain_text', text: truncateChars(text, LIMIT.button) }, url }],
  };
}

function findingBlocks(notice: Notice, maxDeltas: number): Block[] {
  const f: Finding = notice.finding;
  const deltas = f.evidence.slice(0, maxDeltas).map((d) => `• ${renderDelta(d)}`);
  if (f.evidence.length > maxDeltas) deltas.push(`… and ${f.evidence.length - maxDeltas} more`);
  const event = eventLink(f);
  return [
    { type: 'header', text: { type: 'plain_text', text: truncateChars(headline(notice), LIMIT.header), emoji: false } },
    {
      type: 'section',
      fields: [
        field('Severity', severityLabel(f.severity)),
        field('Category', f.category),
        field('Account', f.account),
        field('Region', f.region),
        field('Resource', `${f.resource.type} ${f.resource.id}`),
        field('Actor', renderActor(f.actor)),
      ],
    },
    ...(notice.traffic
      ? [
          {
            type: 'section',
            text: md(
              `*Traffic since it opened*\n${trafficLines(notice.traffic)
                .map((l) => `• ${l}`)
                .join('\n')}`,
            ),
          },
          ...(notice.traffic.query?.consoleUrl
            ? [button(notice.traffic.query.consoleUrl, 'Open the flow-log query')]
            : []),
        ]
      : []),
    { type: 'section', text: md(f.summary) },
    ...(deltas.length ? [{ type: 'section', text: md(`*What changed*\n${deltas.join('\n')}`) }] : []),
    { type: 'section', text: md(`*Why it is risky*\n${f.why.map((w) => `• ${w}`).join('\n') || '—'}`) },
    { type: 'section', text: md(`*What to check*\n${whatToCheck(f)}`) },
    { type: 'section', text: md(`*Approval*\n${renderApproval(notice.approval)}`) },
    button(findingLink(f), 'Open in AWS console'),
    {
      type: 'context',
      elements: [
        md(
          `fingerprint ${f.fingerprint} · rule ${f.ruleId} · ${f.at}${event !== undefined ? ` · <${event}|CloudTrail event>` : ''}`,
          LIMIT.context,
        ),
      ],
    },
  ];
}

function digestBlocks(digest: DigestNotice, maxItems: number): Block[] {
  const worst = worstFinding(digest);
  const lines = digest.findings
    .slice(0, maxItems)
    .map((f) => `• ${f.at} [${f.severity}] ${f.resource.id}: ${f.summary}`);
  if (digest.findings.length > maxItems) lines.push(`… and ${digest.findings.length - maxItems} more`);
  return [
    { type: 'header', text: { type: 'plain_text', text: truncateChars(headline(digest), LIMIT.header), emoji: false } },
    {
      type: 'section',
      fields: [
        field('Severity', severityLabel(digestSeverity(digest))),
        field('Category', digestCategory(digest)),
        field('Account', digest.account),
        field('Region', digestRegion(digest)),
        field('Findings', `${digest.findings.length} (${severityCounts(digest.findings)})`),
        field('Window', `${digest.windowStart} → ${digest.windowEnd}`),
      ],
    },
    { type: 'section', text: md(lines.join('\n')) },
    ...(worst ? [button(findingLink(worst), 'Open worst finding in console')] : []),
    { type: 'context', elements: [md(`digest ${digestKey(digest)} · rule ${digest.ruleId}`, LIMIT.context)] },
  ];
}

/** The webhook body: `text` fallback + blocks. Escapes strings the button `url` — the console link is ours. */
export function buildSlackMessage(
  notice: Notice | DigestNotice,
  settings: Pick<SlackSettings, 'maxDeltas'>,
): { text: string; blocks: Block[] } {
  const text = notice.kind === 'finding' ? `${headline(notice)} — ${noticeSummary(notice)}` : headline(notice);
  return {
    text: truncateChars(text, LIMIT.text),
    blocks:
      notice.kind === 'finding' ? findingBlocks(notice, settings.maxDeltas) : digestBlocks(notice, settings.maxDeltas),
  };
}

/** Posts each notice to one Slack incoming webhook. */
export class SlackSink implements Sink {
  readonly kind = 'slack';
  constructor(
    readonly name: string,
    private readonly settings: SlackSettings,
    private readonly deps: Pick<SinkDeps, 'secrets' | 'fetch' | 'clock'>,
  ) {}

  get secretRefs(): SecretRef[] {
    return [this.settings.webhookUrl];
  }

  async deliver(notice: Notice | DigestNotice): Promise<void> {
    const url = await resolveSecret(this.name, this.deps.secrets, this.settings.webhookUrl);
    await postWithRetry(
      this.name,
      {
        url,
        body: JSON.stringify(buildSlackMessage(notice, this.settings)),
        headers: { 'content-type': 'application/json' },
        timeoutMs: this.settings.timeoutMs,
      },
      this.settings.retry,
      {
        ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
        ...(this.deps.clock ? { clock: this.deps.clock } : {}),
      },
    );
  }
}

export function createSlackSink(name: string, settings: SlackSettings, deps: SinkDeps): SlackSink {
  return new SlackSink(name, settings, deps);
}
