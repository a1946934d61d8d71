import { createHmac } from 'node:crypto';
import * as z from 'zod';
import { secretRefSchema, type SecretRef } from '../../platform/aws/secrets.ts';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import type { SinkDeps } from './deps.ts';
import { changeRecordJson } from './format/change-record.ts';
import { httpDeps, postWithRetry } from './http.ts';
import { fitsFunctionTimeout, retrySettingsSchema } from './retry.ts';
import { resolveSecret } from './secret.ts';
import { noticeKey } from './format/digest.ts';
import type { Sink } from './sink.ts';

/**
 * Change-management webhook (ServiceNow, Jira automation, any HTTP receiver): POSTs the change record
 * (`schemas/change-record.schema.json`).
 *
 * Receivers can trust and dedup it:
 * - `Idempotency-Key: <fingerprint>` — the same change delivered twice (SQS redelivery, CloudTrail + Config) carries
 *   the same key: create the ticket once.
 * - `X-Netwatch-Timestamp: <unix seconds>` and `X-Netwatch-Signature: sha256=<hex>` where hex is
 *   HMAC-SHA256(signing secret, `${timestamp}.${body}`) over the exact body bytes. Signing the timestamp with the body
 *   lets a receiver reject replays (refuse timestamps older than ~5 minutes); compare signatures in constant time.
 *
 * Credentials never sit in config: `headers` rejects credential-looking names; use `secretHeaders` (values resolved
 * from SSM / Secrets Manager), e.g. `Authorization` for ServiceNow basic auth.
 */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-auth-token)$/i;
const RESERVED_HEADER =
  /^(content-type|idempotency-key|x-netwatch-signature|x-netwatch-timestamp|content-length|host)$/i;

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name');

export const webhookSettingsSchema = z
  .strictObject({
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }),
    /** HMAC key for `X-Netwatch-Signature`. */
    signingSecret: secretRefSchema,
    /** Extra non-secret headers. */
    headers: z
      .record(headerName, z.string())
      .default({})
      .superRefine((headers, ctx) => {
        for (const name of Object.keys(headers)) {
          if (CREDENTIAL_HEADER.test(name))
            ctx.addIssue({
              code: 'custom',
              message: `header ${name} carries a credential: put it in secretHeaders as a secret reference`,
              path: [name],
            });
          if (RESERVED_HEADER.test(name))
            ctx.addIssue({ code: 'custom', message: `header ${name} is set by Netwatch`, path: [name] });
        }
      }),
    /** Headers whose values are secrets (e.g. `Authorization`). */
    secretHeaders: z.record(headerName, secretRefSchema).default({}),
    /** Per attempt; the default 4 × 6 s (+ backoff) fits the 30 s function timeout with its margin. */
    timeoutMs: z.number().int().min(100).max(60_000).default(6_000),
    retry: retrySettingsSchema.default(retrySettingsSchema.parse({})),
    /** Largest body sent; bigger change records drop evidence (and say so in `shortened`). */
    maxBytes: z.number().int().min(16_384).max(10_485_760).default(1_048_576),
  })
  .superRefine(fitsFunctionTimeout);

export type WebhookSettings = z.output<typeof webhookSettingsSchema>;

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): exported so receivers and tests verify the same way. */
export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** POSTs a signed change record per notice. */
export class WebhookSink implements Sink {
  readonly kind = 'webhook';
  constructor(
    readonly name: string,
    private readonly settings: WebhookSettings,
    private readonly deps: Pick<SinkDeps, 'secrets' | 'fetch' | 'now' | 'clock' | 'deadline'>,
  ) {}

  get secretRefs(): SecretRef[] {
    return [this.settings.signingSecret, ...Object.values(this.settings.secretHeaders)];
  }

  async deliver(notice: Notice | DigestNotice): Promise<void> {
    const now = (this.deps.now ?? (() => new Date()))();
    const secret = await resolveSecret(this.name, this.deps.secrets, this.settings.signingSecret);
    const secretHeaders: Record<string, string> = {};
    for (const [header, ref] of Object.entries(this.settings.secretHeaders))
      secretHeaders[header] = await resolveSecret(this.name, this.deps.secrets, ref);
    const { record, json } = changeRecordJson(
      notice,
      now,
      this.settings.maxBytes,
      `shortened to fit the webhook's ${this.settings.maxBytes}-byte limit`,
    );
    const timestamp = String(Math.floor(now.getTime() / 1000));
    await postWithRetry(
      this.name,
      {
        url: this.settings.url,
        body: json,
        headers: {
          ...this.settings.headers,
          ...secretHeaders,
          'content-type': 'application/json',
          'user-agent': 'netwatch',
          'idempotency-key': noticeKey(notice),
          'x-netwatch-timestamp': timestamp,
          'x-netwatch-signature': signBody(secret, timestamp, json),
        },
        timeoutMs: this.settings.timeoutMs,
        secrets: [secret, ...Object.values(secretHeaders)],
      },
      this.settings.retry,
      httpDeps(this.deps),
    );
  }
}

export function createWebhookSink(name: string, settings: WebhookSettings, deps: SinkDeps): WebhookSink {
  return new WebhookSink(name, settings, deps);
}
