import { printable } from '../../platform/printable.ts';
import * as z from 'zod';
import { secretRefSchema, type SecretRef } from '../../platform/aws/secrets.ts';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import type { Severity } from '../../model/severity.ts';
import type { SinkDeps } from './deps.ts';
import { buildChangeRecord, fitChangeRecord } from './format/change-record.ts';
import { eventLink, findingLink } from './format/console-link.ts';
import { digestCategory, digestRegion, digestSeverity, noticeKey, worstFinding } from './format/digest.ts';
import { headline, noticeSummary } from './format/headline.ts';
import { truncateChars } from './format/truncate.ts';
import { httpDeps, postWithRetry } from './http.ts';
import { fitsFunctionTimeout, retrySettingsSchema } from './retry.ts';
import type { Sink } from './sink.ts';
import { resolveSecret } from './secret.ts';

/**
 * PagerDuty Events API v2 sink. `dedup_key` is the finding fingerprint (digest: a hash of account + rule + window),
 * so a redelivered SQS message or the second source of the same change lands on the *same* alert instead of opening a
 * duplicate incident (StreamAlert's PagerDuty output did exactly that until it was made idempotent).
 * @see https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
 * @see https://developer.pagerduty.com/docs/events-api-v2-overview#response-codes--retry-logic (429 / 5xx: retry)
 */
export const pagerDutySettingsSchema = z
  .strictObject({
    type: z.literal('pagerduty'),
    /** Integration (routing) key of an "Events API v2" integration: a secret. */
    routingKey: secretRefSchema,
    url: z.url({ protocol: /^https?$/ }).default('https://events.pagerduty.com/v2/enqueue'),
    /** `payload.source`; defaults to `<account>/<region>`. */
    source: z.string().min(1).optional(),
    /** `client` shown on the alert. */
    client: z.string().min(1).default('Netwatch'),
    clientUrl: z.url({ protocol: /^https?$/ }).optional(),
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    retry: retrySettingsSchema.default(retrySettingsSchema.parse({})),
  })
  .superRefine(fitsFunctionTimeout);

export type PagerDutySettings = z.output<typeof pagerDutySettingsSchema>;

/** PagerDuty knows four severities. */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

const SEVERITY: Readonly<Record<Severity, PagerDutySeverity>> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
};

/** Map a Netwatch severity to PagerDuty's scale. */
export function pagerDutySeverity(severity: Severity): PagerDutySeverity {
  return SEVERITY[severity];
}

/** PagerDuty limits: summary 1024 characters, dedup_key 255. */
const SUMMARY_MAX = 1024;
const CUSTOM_DETAILS_MAX = 400_000;

/** The Events API v2 body for a notice (routing key inserted by the sink). */
export function buildPagerDutyEvent(
  notice: Notice | DigestNotice,
  settings: Pick<PagerDutySettings, 'source' | 'client' | 'clientUrl'>,
  routingKey: string,
  now: Date,
) {
  // Events API v2 accepts at most 512 KB per event: keep custom_details well under it.
  const record = fitChangeRecord(
    buildChangeRecord(notice, now),
    CUSTOM_DETAILS_MAX,
    'shortened to fit the PagerDuty 512 KB event limit',
  );
  const finding = notice.kind === 'finding' ? notice.finding : worstFinding(notice);
  const severity = notice.kind === 'finding' ? notice.finding.severity : digestSeverity(notice);
  const account = notice.kind === 'finding' ? notice.finding.account : notice.account;
  const region = notice.kind === 'finding' ? notice.finding.region : digestRegion(notice);
  const summaryText = notice.kind === 'finding' ? `${headline(notice)} — ${noticeSummary(notice)}` : headline(notice);
  const links: Array<{ href: string; text: string }> = [];
  if (finding)
    links.push({
      href: findingLink(finding),
      text:
        notice.kind === 'finding'
          ? 'Open the resource in the AWS console'
          : "Open the worst finding's resource in the AWS console",
    });
  const event = notice.kind === 'finding' ? eventLink(notice.finding) : undefined;
  if (event !== undefined) links.push({ href: event, text: 'CloudTrail event' });
  const traffic = notice.kind === 'finding' ? notice.traffic : undefined;
  if (traffic?.query?.consoleUrl)
    links.unshift({ href: traffic.query.consoleUrl, text: 'Flow logs since it opened (Logs Insights)' });
  return {
    routing_key: routingKey,
    event_action: 'trigger' as const,
    // A traffic follow-up goes to the finding's own alert: same dedup_key, so PagerDuty appends it to that alert's log.
    dedup_key: notice.kind === 'finding' ? notice.finding.fingerprint : noticeKey(notice),
    client: settings.client,
    ...(settings.clientUrl !== undefined ? { client_url: settings.clientUrl } : {}),
    links,
    payload: {
      // Shown on phones and in the incident list: one printable line.
      summary: truncateChars(printable(summaryText), SUMMARY_MAX),
      source: settings.source ?? `${account}/${region}`,
      severity: pagerDutySeverity(severity),
      timestamp: notice.kind === 'finding' ? notice.finding.at : notice.windowEnd,
      component: notice.kind === 'finding' ? notice.finding.resource.id : notice.ruleId,
      group: account,
      class: notice.kind === 'finding' ? notice.finding.category : digestCategory(notice),
      custom_details: record.finding
        ? {
            ...(record.traffic ? { traffic: record.traffic } : {}),
            finding: record.finding,
            shortened: record.shortened ?? null,
            approval: record.approval,
            routes: record.routes,
            details: record.change.details,
          }
        : { digest: record.digest, details: record.change.details },
    },
  };
}

/**
 * The Events API v2 body that resolves the alert opened under `dedupKey`: a closed exposure episode resolves the
 * incidents of its pages. PagerDuty ignores a resolve for a key with no open alert.
 * @see https://developer.pagerduty.com/docs/events-api-v2/resolve-events/
 */
export function buildPagerDutyResolve(routingKey: string, dedupKey: string) {
  return { routing_key: routingKey, event_action: 'resolve' as const, dedup_key: dedupKey };
}

/**
 * Triggers a PagerDuty alert per notice; the record of a closed episode resolves the alerts of its pages instead (and
 * never triggers: a close is not an incident).
 */
export class PagerDutySink implements Sink {
  readonly kind = 'pagerduty';
  readonly resolvesEpisodes = true;
  constructor(
    readonly name: string,
    private readonly settings: PagerDutySettings,
    private readonly deps: Pick<SinkDeps, 'secrets' | 'fetch' | 'now' | 'clock' | 'deadline'>,
  ) {}

  /** The secret this sink needs (prefetched at cold start). */
  get secretRefs(): SecretRef[] {
    return [this.settings.routingKey];
  }

  async deliver(notice: Notice | DigestNotice): Promise<void> {
    const routingKey = await resolveSecret(this.name, this.deps.secrets, this.settings.routingKey);
    if (notice.kind === 'finding' && notice.finding.episode?.state === 'closed') {
      for (const key of notice.resolves ?? [])
        await this.#post(JSON.stringify(buildPagerDutyResolve(routingKey, key)), routingKey);
      return;
    }
    const body = JSON.stringify(
      buildPagerDutyEvent(notice, this.settings, routingKey, (this.deps.now ?? (() => new Date()))()),
    );
    await this.#post(body, routingKey);
  }

  /** POST one event; `routingKey` travels in the body and is redacted from every error and log line. */
  async #post(body: string, routingKey: string): Promise<void> {
    await postWithRetry(
      this.name,
      {
        url: this.settings.url,
        body,
        headers: { 'content-type': 'application/json' },
        timeoutMs: this.settings.timeoutMs,
        // The routing key travels in the body: a receiver echoing the body must not put it in our logs.
        secrets: [routingKey],
      },
      this.settings.retry,
      httpDeps(this.deps),
    );
  }
}

export function createPagerDutySink(name: string, settings: PagerDutySettings, deps: SinkDeps): PagerDutySink {
  return new PagerDutySink(name, settings, deps);
}
