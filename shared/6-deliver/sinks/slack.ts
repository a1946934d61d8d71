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
import { printable, printableCopy } from '../../platform/printable.ts';
import { whatToCheck } from './format/what-to-check.ts';
import { httpDeps, postWithRetry } from './http.ts';
import { fitsFunctionTimeout, retrySettingsSchema } from './retry.ts';
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
export const slackSettingsSchema = z
  .strictObject({
    type: z.literal('slack'),
    webhookUrl: secretRefSchema,
    /** Max deltas listed in the message (the rest are counted). */
    maxDeltas: z.number().int().min(0).max(40).default(10),
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    retry: retrySettingsSchema.default(retrySettingsSchema.parse({})),
  })
  .superRefine(fitsFunctionTimeout);

export type SlackSettings = z.output<typeof slackSettingsSchema>;

const LIMIT = { header: 150, section: 3000, field: 2000, context: 2000, button: 75, text: 3000 } as const;

type TextObject = { type: 'mrkdwn' | 'plain_text'; text: string; emoji?: boolean };
type Block = Record<string, unknown>;

/**
 * Record text made inert for Slack mrkdwn (and the top-level `text`, which Slack also parses): `&`, `<`, `>` escaped,
 * so `<!channel>`, `<@U…>` and `<https://evil|Click>` arrive as text; `@` followed by a name gets a zero-width space
 * (no `@here` / `@channel` ping, whatever the app's link_names setting); `scheme://` becomes `scheme[:]//` so a URL in
 * a description is not auto-linked. Links are only ever added by {@link ourLink}, from the console URL builder.
 * @see https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(?=\w)/g, '@\u200b')
    .replace(/:\/\//g, '[:]//');
}

/** Cut escaped mrkdwn to `max` characters without splitting an entity (`&am…` would be a bare `&`). */
function truncateEscaped(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars
    .slice(0, Math.max(0, max - 1))
    .join('')
    .replace(/&[a-z]{0,4}$/, '')}…`;
}

/**
 * A Slack link to one of our own URLs (console, CloudTrail event: format/console-link.ts, which encodes every record
 * part), never built from record text. Anything that could end the `<url|label>` syntax early is refused (no link).
 */
function ourLink(url: string, label: string): string | undefined {
  return /^https:\/\/[^\s<>|]+$/.test(url) ? `<${url}|${label}>` : undefined;
}

const md = (text: string, max: number = LIMIT.section, link?: { url: string; label: string }): TextObject => {
  const made = link ? ourLink(link.url, link.label) : undefined;
  const suffix = made ? ` · ${made}` : '';
  return { type: 'mrkdwn', text: truncateEscaped(escapeMrkdwn(text), max - Array.from(suffix).length) + suffix };
};
const field = (label: string, value: string): TextObject => ({
  type: 'mrkdwn',
  text: truncateEscaped(`*${label}*\n${escapeMrkdwn(value)}`, LIMIT.field),
});
/** Plain text (header, button): Slack shows it as is, nothing is parsed; controls are still replaced. */
const plain = (text: string, max: number): { type: 'plain_text'; text: string; emoji: false } => ({
  type: 'plain_text',
  text: truncateChars(printable(text), max),
  emoji: false,
});

/** A link button to one of our URLs; a URL that fails {@link ourLink}'s check becomes plain text, never a link. */
function button(url: string, text: string): Block {
  if (ourLink(url, text) === undefined)
    return { type: 'context', elements: [md(`${text}: link withheld (not a console URL)`, LIMIT.context)] };
  return {
    type: 'actions',
    elements: [{ type: 'button', text: plain(text, LIMIT.button), url }],
  };
}

function findingBlocks(notice: Notice, maxDeltas: number): Block[] {
  const f: Finding = notice.finding;
  const deltas = f.evidence.slice(0, maxDeltas).map((d) => `• ${renderDelta(d)}`);
  if (f.evidence.length > maxDeltas) deltas.push(`… and ${f.evidence.length - maxDeltas} more`);
  const event = eventLink(f);
  return [
    { type: 'header', text: plain(headline(notice), LIMIT.header) },
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
          `fingerprint ${f.fingerprint} · rule ${f.ruleId} · ${f.at}`,
          LIMIT.context,
          event !== undefined ? { url: event, label: 'CloudTrail event' } : undefined,
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
    { type: 'header', text: plain(headline(digest), LIMIT.header) },
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

/**
 * The webhook body: `text` fallback + blocks, every record string escaped ({@link escapeMrkdwn}) or plain text; the
 * only links are the console and CloudTrail-event URLs from format/console-link.ts; link previews off.
 */
export function buildSlackMessage(
  input: Notice | DigestNotice,
  settings: Pick<SlackSettings, 'maxDeltas'>,
): { text: string; unfurl_links: false; unfurl_media: false; blocks: Block[] } {
  // Every record string on one line, without control characters, before anything is composed around it.
  const notice = printableCopy(input);
  const text = notice.kind === 'finding' ? `${headline(notice)} — ${noticeSummary(notice)}` : headline(notice);
  return {
    // The notification fallback is parsed as mrkdwn too: escaped like every block (it went out raw before).
    text: truncateEscaped(escapeMrkdwn(text), LIMIT.text),
    unfurl_links: false,
    unfurl_media: false,
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
    private readonly deps: Pick<SinkDeps, 'secrets' | 'fetch' | 'clock' | 'deadline'>,
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
      httpDeps(this.deps),
    );
  }
}

export function createSlackSink(name: string, settings: SlackSettings, deps: SinkDeps): SlackSink {
  return new SlackSink(name, settings, deps);
}
