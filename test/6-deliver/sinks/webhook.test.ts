import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { StaticSecretResolver } from '../../../shared/platform/aws/secrets.ts';
import { DeliveryError } from '../../../shared/platform/errors.ts';
import type { ChangeRecord } from '../../../shared/6-deliver/sinks/format/change-record.ts';
import { webhookSettingsSchema, WebhookSink, type WebhookSettings } from '../../../shared/6-deliver/sinks/webhook.ts';
import { APPROVED, manyDeltas, notice, sshWorldFinding, widenedDelta } from '../../support/sink-fixtures.ts';
import { instantClock, reply, startReceiver } from '../../support/http-receiver.ts';

const SECRET = 'whsec_3b1f0c2e9d8a7b6c5d4e3f2a1b0c9d8e';
const secrets = new StaticSecretResolver({
  'ssm:/netwatch/webhook/signing': SECRET,
  'ssm:/netwatch/servicenow/basic': 'Basic bmV0d2F0Y2g6czNjcjN0',
});
const NOW = new Date('2026-11-20T09:14:09.250Z');

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

function settings(url: string, extra: Partial<Record<string, unknown>> = {}): WebhookSettings {
  return webhookSettingsSchema.parse({
    type: 'webhook',
    url: `${url}/api/now/import/netwatch`,
    signingSecret: { ssm: '/netwatch/webhook/signing' },
    retry: { attempts: 4, baseDelayMs: 10 },
    ...extra,
  });
}

/** What a receiver does: recompute the HMAC over `${timestamp}.${raw body}` and compare in constant time. */
function verify(headers: Record<string, string | string[] | undefined>, body: string, secret: string): boolean {
  const timestamp = String(headers['x-netwatch-timestamp']);
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const got = Buffer.from(String(headers['x-netwatch-signature']));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

describe('webhook sink (change management)', () => {
  it('POSTs a signed change record with the fingerprint as Idempotency-Key', async () => {
    // Prepare
    const receiver = await startReceiver();
    stop = receiver.stop;
    const sink = new WebhookSink(
      'change-mgmt',
      settings(receiver.url, {
        headers: { 'X-Tenant': 'acme' },
        secretHeaders: { Authorization: { ssm: '/netwatch/servicenow/basic' } },
      }),
      { secrets, now: () => NOW },
    );
    const finding = sshWorldFinding({ evidence: [widenedDelta()] });
    // Act
    await sink.deliver(notice(finding, APPROVED, ['paging', 'change-log']));
    // Assess
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    if (!request) throw new Error('nothing arrived');
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/api/now/import/netwatch');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['idempotency-key']).toBe(finding.fingerprint);
    expect(request.headers['x-tenant']).toBe('acme');
    expect(request.headers.authorization).toBe('Basic bmV0d2F0Y2g6czNjcjN0');
    expect(request.headers['x-netwatch-timestamp']).toBe(String(Math.floor(NOW.getTime() / 1000)));
    expect(verify(request.headers, request.body, SECRET)).toBe(true);
    expect(verify(request.headers, request.body, 'wrong-secret')).toBe(false);
    expect(verify(request.headers, request.body.replace('0.0.0.0/0', '10.0.0.0/8'), SECRET)).toBe(false);
    const record = JSON.parse(request.body) as ChangeRecord;
    expect(record).toMatchObject({
      schemaVersion: 1,
      kind: 'finding',
      fingerprint: finding.fingerprint,
      severity: 'high',
      category: 'sg-open-world',
      account: '111122223333',
      region: 'eu-west-1',
      approved: true,
      approval: {
        state: 'approved',
        ticket: 'CHG0031337',
        window: { start: '2026-11-20T09:00:00Z', end: '2026-11-20T11:00:00Z' },
      },
      routes: ['paging', 'change-log'],
      deliveredAt: NOW.toISOString(),
    });
    expect(record.finding).toEqual(finding);
    expect(record.change.details).toEqual([
      'Security group sg-0a1b2c3d4e5f60718 (web-frontend): rule changed: ingress tcp/22 from 10.0.0.0/8 → ingress tcp/22 from 0.0.0.0/0',
    ]);
    expect(record.change.consoleUrl).toBe(
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#SecurityGroup:groupId=sg-0a1b2c3d4e5f60718',
    );
  });

  it('sends the same Idempotency-Key and body on redelivery of the same finding', async () => {
    const receiver = await startReceiver();
    stop = receiver.stop;
    const sink = new WebhookSink('change-mgmt', settings(receiver.url), { secrets, now: () => NOW });
    await sink.deliver(notice());
    await sink.deliver(notice());
    const [first, second] = receiver.received;
    expect(first?.headers['idempotency-key']).toBe(second?.headers['idempotency-key']);
    expect(first?.body).toBe(second?.body);
  });

  it('recovers from 500, 500, 500 then 200 within its retry budget, backing off with jitter', async () => {
    const receiver = await startReceiver((_req, n, res) =>
      n < 3 ? reply(res, 500, 'upstream down') : reply(res, 200, '{"result":"created"}'),
    );
    stop = receiver.stop;
    const { clock, sleeps } = instantClock();
    const sink = new WebhookSink('change-mgmt', settings(receiver.url), { secrets, now: () => NOW, clock });
    await sink.deliver(notice());
    expect(receiver.received).toHaveLength(4);
    expect(new Set(receiver.received.map((r) => r.headers['idempotency-key']))).toEqual(
      new Set([sshWorldFinding().fingerprint]),
    );
    // full jitter with random() = 0.5 over 10, 20, 40 ms ceilings
    expect(sleeps).toEqual([5, 10, 20]);
  });

  it('gives up after the configured attempts with a retryable DeliveryError', async () => {
    const receiver = await startReceiver((_req, _n, res) => reply(res, 503));
    stop = receiver.stop;
    const sink = new WebhookSink('change-mgmt', settings(receiver.url, { retry: { attempts: 3, baseDelayMs: 1 } }), {
      secrets,
      clock: instantClock().clock,
    });
    const error = await sink.deliver(notice()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).retryable).toBe(true);
    expect((error as DeliveryError).message).toContain('HTTP 503 after 3 attempt(s)');
    expect(receiver.received).toHaveLength(3);
  });

  it('does not retry a 400 and marks it not retryable', async () => {
    const receiver = await startReceiver((_req, _n, res) => reply(res, 400, '{"error":"unknown field"}'));
    stop = receiver.stop;
    const sink = new WebhookSink('change-mgmt', settings(receiver.url), { secrets, clock: instantClock().clock });
    const error = (await sink.deliver(notice()).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('HTTP 400: {"error":"unknown field"}');
    expect(receiver.received).toHaveLength(1);
  });

  it('keeps the body under maxBytes by dropping evidence and saying so', async () => {
    const receiver = await startReceiver();
    stop = receiver.stop;
    const sink = new WebhookSink('change-mgmt', settings(receiver.url, { maxBytes: 65_536 }), {
      secrets,
      now: () => NOW,
    });
    await sink.deliver(notice(sshWorldFinding({ evidence: manyDeltas(5_000) })));
    const body = receiver.received[0]?.body ?? '';
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(65_536);
    const record = JSON.parse(body) as ChangeRecord;
    expect(record.shortened?.omitted).toBeGreaterThan(4_000);
    expect(record.finding?.evidence.length).toBe(5_000 - (record.shortened?.omitted ?? 0));
    expect(verify(receiver.received[0]?.headers ?? {}, body, SECRET)).toBe(true);
  });

  it('rejects credentials in plain headers at config time', () => {
    const result = webhookSettingsSchema.safeParse({
      type: 'webhook',
      url: 'https://example.service-now.com/api',
      signingSecret: { ssm: '/x' },
      headers: { Authorization: 'Basic abc' },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('secretHeaders');
  });
});
