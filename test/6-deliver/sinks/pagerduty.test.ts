import { afterEach, describe, expect, it } from 'vitest';
import { StaticSecretResolver } from '../../../shared/platform/aws/secrets.ts';
import { DeliveryError } from '../../../shared/platform/errors.ts';
import { digestKey } from '../../../shared/6-deliver/sinks/format/digest.ts';
import { pagerDutySettingsSchema, PagerDutySink } from '../../../shared/6-deliver/sinks/pagerduty.ts';
import { digest, manyDeltas, notice, sshWorldFinding } from '../../support/sink-fixtures.ts';
import { instantClock, reply, startReceiver } from '../../support/http-receiver.ts';

const ROUTING_KEY = 'R0UT1NGKEY0000000000000000000001';
const secrets = new StaticSecretResolver({ 'secretsmanager:netwatch/pagerduty#routingKey': ROUTING_KEY });
const NOW = new Date('2026-11-20T09:14:09Z');

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

function sink(url: string, extra: Record<string, unknown> = {}, clock = instantClock().clock) {
  const settings = pagerDutySettingsSchema.parse({
    type: 'pagerduty',
    routingKey: { secretsManager: 'netwatch/pagerduty', key: 'routingKey' },
    url: `${url}/v2/enqueue`,
    retry: { attempts: 4, baseDelayMs: 10 },
    ...extra,
  });
  return new PagerDutySink('pagerduty', settings, { secrets, now: () => NOW, clock });
}

type PdEvent = {
  routing_key: string;
  event_action: string;
  dedup_key: string;
  client: string;
  links: Array<{ href: string; text: string }>;
  payload: Record<string, unknown> & { custom_details: Record<string, unknown> };
};
const accepted = (res: Parameters<typeof reply>[0]) =>
  reply(res, 202, '{"status":"success","message":"Event processed","dedup_key":"x"}', {
    'content-type': 'application/json',
  });

describe('PagerDuty sink (Events API v2)', () => {
  it('triggers an alert with the fingerprint as dedup_key and mapped severity', async () => {
    // Prepare
    const receiver = await startReceiver((_req, _n, res) => accepted(res));
    stop = receiver.stop;
    // Act
    await sink(receiver.url).deliver(notice());
    // Assess
    const event = JSON.parse(receiver.received[0]?.body ?? '{}') as PdEvent;
    expect(receiver.received[0]?.url).toBe('/v2/enqueue');
    expect(event).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: sshWorldFinding().fingerprint,
      client: 'Netwatch',
    });
    expect(event.payload).toMatchObject({
      severity: 'error',
      source: '111122223333/eu-west-1',
      timestamp: '2026-11-20T09:14:03Z',
      component: 'sg-0a1b2c3d4e5f60718',
      group: '111122223333',
      class: 'sg-open-world',
    });
    expect(String(event.payload.summary)).toContain('[HIGH] Security group open to the world: sg-0a1b2c3d4e5f60718');
    expect(event.payload.custom_details.approval).toMatchObject({ state: 'unapproved' });
    expect((event.payload.custom_details.finding as { actor: { arn: string } }).actor.arn).toBe(
      'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice',
    );
    expect(event.links[0]?.href).toBe(
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#SecurityGroup:groupId=sg-0a1b2c3d4e5f60718',
    );
    expect(event.links[1]?.href).toContain(
      'cloudtrailv2/home?region=eu-west-1#/events/9d3a8e5c-2f41-4b7a-8c6d-0e1f2a3b4c5d',
    );
  });

  it('keeps dedup_key stable across redelivery, and maps every severity', async () => {
    const receiver = await startReceiver((_req, _n, res) => accepted(res));
    stop = receiver.stop;
    const pd = sink(receiver.url);
    await pd.deliver(notice());
    await pd.deliver(notice());
    for (const severity of ['critical', 'medium', 'low', 'info'] as const)
      await pd.deliver(notice(sshWorldFinding({ severity })));
    const events = receiver.received.map((r) => JSON.parse(r.body) as PdEvent);
    expect(events[0]?.dedup_key).toBe(events[1]?.dedup_key);
    expect(events.map((e) => e.payload.severity)).toEqual(['error', 'error', 'critical', 'warning', 'info', 'info']);
  });

  it('pages a digest once per (account, rule, window) with a stable key', async () => {
    const receiver = await startReceiver((_req, _n, res) => accepted(res));
    stop = receiver.stop;
    await sink(receiver.url).deliver(digest(12));
    await sink(receiver.url).deliver(digest(12));
    const [a, b] = receiver.received.map((r) => JSON.parse(r.body) as PdEvent);
    expect(a?.dedup_key).toBe(digestKey(digest(12)));
    expect(a?.dedup_key).toBe(b?.dedup_key);
    expect(a?.payload.severity).toBe('critical');
    expect(String(a?.payload.summary)).toContain('12 findings');
  });

  it('cuts the summary to 1024 characters and the event under 512 KB for a huge finding', async () => {
    const receiver = await startReceiver((_req, _n, res) => accepted(res));
    stop = receiver.stop;
    await sink(receiver.url).deliver(
      notice(sshWorldFinding({ summary: 'x'.repeat(5_000), evidence: manyDeltas(5_000) })),
    );
    const body = receiver.received[0]?.body ?? '';
    const event = JSON.parse(body) as PdEvent;
    expect(Array.from(String(event.payload.summary)).length).toBeLessThanOrEqual(1024);
    expect(Buffer.byteLength(body)).toBeLessThan(512 * 1024);
    expect(event.payload.custom_details.shortened).toMatchObject({ reason: expect.stringContaining('PagerDuty') });
  });

  it('honours Retry-After on 429 and then delivers', async () => {
    const receiver = await startReceiver((_req, n, res) =>
      n === 0 ? reply(res, 429, '{"status":"throttle event"}', { 'retry-after': '2' }) : accepted(res),
    );
    stop = receiver.stop;
    const { clock, sleeps } = instantClock();
    await sink(receiver.url, {}, clock).deliver(notice());
    expect(receiver.received).toHaveLength(2);
    expect(sleeps).toEqual([2_000]);
  });

  it('fails fast (retryable) when Retry-After exceeds what a Lambda can wait', async () => {
    const receiver = await startReceiver((_req, _n, res) => reply(res, 429, '', { 'retry-after': '3600' }));
    stop = receiver.stop;
    const error = (await sink(receiver.url)
      .deliver(notice())
      .catch((e: unknown) => e)) as DeliveryError;
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('retry after 3600000 ms');
    expect(receiver.received).toHaveLength(1);
  });

  it('does not retry 400 (bad routing key / payload)', async () => {
    const receiver = await startReceiver((_req, _n, res) =>
      reply(res, 400, '{"status":"invalid event","errors":["Event object is invalid"]}'),
    );
    stop = receiver.stop;
    const error = (await sink(receiver.url)
      .deliver(notice())
      .catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.retryable).toBe(false);
    expect(receiver.received).toHaveLength(1);
  });

  it('times out a hung endpoint per request and reports a retryable DeliveryError', async () => {
    const receiver = await startReceiver(() => undefined); // never answers
    stop = receiver.stop;
    const started = Date.now();
    const error = (await sink(receiver.url, { timeoutMs: 150, retry: { attempts: 2, baseDelayMs: 1 } })
      .deliver(notice())
      .catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toContain('no response within 150 ms after 2 attempt(s)');
    expect(error.retryable).toBe(true);
    expect(receiver.received).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('fails not-retryable when the routing key secret is missing', async () => {
    const settings = pagerDutySettingsSchema.parse({ type: 'pagerduty', routingKey: { ssm: '/netwatch/missing' } });
    const error = (await new PagerDutySink('pagerduty', settings, { secrets })
      .deliver(notice())
      .catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('ssm:/netwatch/missing');
  });
});
