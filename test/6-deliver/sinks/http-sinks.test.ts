import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StaticSecretResolver } from '../../../shared/platform/aws/secrets.ts';
import { InvocationDeadline } from '../../../shared/platform/deadline.ts';
import { DeliveryError } from '../../../shared/platform/errors.ts';
import { pagerDutySettingsSchema, PagerDutySink } from '../../../shared/6-deliver/sinks/pagerduty.ts';
import { DEADLINE_MARGIN_MS } from '../../../shared/6-deliver/sinks/retry.ts';
import { slackSettingsSchema, SlackSink } from '../../../shared/6-deliver/sinks/slack.ts';
import type { Sink } from '../../../shared/6-deliver/sinks/sink.ts';
import { webhookSettingsSchema, WebhookSink } from '../../../shared/6-deliver/sinks/webhook.ts';
import { sinksConfigSchema } from '../../../shared/6-deliver/sinks/registry.ts';
import { instantClock, reply, startReceiver, type Received } from '../../support/http-receiver.ts';
import { notice } from '../../support/sink-fixtures.ts';

/** Issue 12, "HTTP sinks": redirects, secrets in errors, the retry budget. Each case was reproduced on main. */

const API_KEY = 'ak_live_7f3e9a1c5b2d4e6f8a0b1c2d3e4f5a6b';
const SIGNING = 'whsec_3b1f0c2e9d8a7b6c5d4e3f2a1b0c9d8e';
const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefabcdef';
const SLACK_PATH = '/services/T0A1B2C3D/B0E4F5G6H/x7Y8z9A0b1C2d3E4f5G6h7I8';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()?.();
  vi.restoreAllMocks();
});
async function receiver(respond?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(respond);
  stops.push(r.stop);
  return r;
}

/** The three HTTP sinks pointed at `base` (Slack's URL is a secret whose path is the credential). */
function sinks(base: string, retry: Record<string, unknown> = { attempts: 3, baseDelayMs: 1 }): Sink[] {
  const secrets = new StaticSecretResolver({
    'ssm:/slack': `${base}${SLACK_PATH}`,
    'ssm:/signing': SIGNING,
    'ssm:/apikey': API_KEY,
    'ssm:/pd': ROUTING_KEY,
  });
  const deps = { secrets, clock: instantClock().clock };
  return [
    new WebhookSink(
      'change-mgmt',
      webhookSettingsSchema.parse({
        type: 'webhook',
        url: `${base}/api/netwatch`,
        signingSecret: { ssm: '/signing' },
        secretHeaders: { 'X-Api-Key': { ssm: '/apikey' } },
        retry,
      }),
      deps,
    ),
    new PagerDutySink(
      'pagerduty',
      pagerDutySettingsSchema.parse({
        type: 'pagerduty',
        routingKey: { ssm: '/pd' },
        url: `${base}/v2/enqueue`,
        retry,
      }),
      deps,
    ),
    new SlackSink('slack', slackSettingsSchema.parse({ type: 'slack', webhookUrl: { ssm: '/slack' }, retry }), deps),
  ];
}

describe('redirects', () => {
  it('no sink follows a redirect to another origin: the notice and X-Api-Key never reach it', async () => {
    // Prepare: the configured receiver answers 307 (keeps method and body) pointing at another origin.
    const elsewhere = await receiver();
    const configured = await receiver((_req, _n, res) => reply(res, 307, '', { location: `${elsewhere.url}/steal` }));
    for (const sink of sinks(configured.url)) {
      // Act
      const error = await sink.deliver(notice()).catch((e: unknown) => e);
      // Assess: one request to the configured origin, none elsewhere; not retried (the config is wrong).
      expect(error, sink.name).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).retryable).toBe(false);
      expect((error as DeliveryError).message).toMatch(/HTTP 307 redirect to another origin .*not followed/);
    }
    expect(configured.received).toHaveLength(3);
    expect(elsewhere.received).toEqual([]);
  });

  it('a 308 to the same origin is followed (a moved path on the same receiver)', async () => {
    const r = await receiver((req, _n, res) =>
      req.url === '/api/netwatch' ? reply(res, 308, '', { location: '/api/v2/netwatch' }) : reply(res, 200, 'ok'),
    );
    await sinks(r.url)[0]!.deliver(notice());
    expect(r.received.map((x) => x.url)).toEqual(['/api/netwatch', '/api/v2/netwatch']);
    expect(r.received[1]?.headers['x-api-key']).toBe(API_KEY);
  });
});

describe('no URL or secret in any error (a receiver that echoes everything)', () => {
  const echo =
    (status: number) => (req: Received, _n: number, res: Parameters<Parameters<typeof startReceiver>[0] & {}>[2]) =>
      reply(res, status, JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: req.body }));

  it.each([[400], [500]])('HTTP %i with the request echoed back', async (status) => {
    const r = await receiver(echo(status));
    for (const sink of sinks(r.url)) {
      const error = (await sink.deliver(notice()).catch((e: unknown) => e)) as DeliveryError;
      // Everything a log line could show: message, stack, the cause chain.
      const logged = `${inspect(error, { depth: 8 })}\n${JSON.stringify({ message: error.message, cause: String(error.cause) })}`;
      expect(error).toBeInstanceOf(DeliveryError);
      for (const secret of [
        API_KEY,
        SIGNING,
        ROUTING_KEY,
        SLACK_PATH,
        'x7Y8z9A0b1C2d3E4f5G6h7I8',
        r.url,
        '/api/netwatch',
      ])
        expect(logged, `${sink.name} leaks ${secret}`).not.toContain(secret);
      expect(error.message).toContain(`HTTP ${status}`);
    }
  });

  it('the PagerDuty resolve of a closed episode (issue 14) redacts the routing key its body carries', async () => {
    // Prepare: the record of a closed exposure episode resolves the alerts of its pages (one Events API post each).
    const r = await receiver((req, _n, res) => reply(res, 400, req.body)); // the body first: the key is in it
    const pagerduty = sinks(r.url)[1]!;
    const base = notice();
    const closed = {
      ...base,
      finding: {
        ...base.finding,
        severity: 'info' as const,
        episode: {
          id: 'ep-0a1b2c3d',
          state: 'closed' as const,
          kind: 'sg-ingress' as const,
          exposure: 'tcp/22 from the whole IPv4 internet',
          openedAt: '2026-11-20T09:15:02.000Z',
          closedAt: '2026-11-20T10:15:02.000Z',
        },
      },
      resolves: ['4f1d2c3b4a5968776655443322110000'],
    };
    // Act
    const error = (await pagerduty.deliver(closed).catch((e: unknown) => e)) as DeliveryError;
    // Assess: the resolve went out (echoed back in the 400), and no log line can show the key.
    expect(r.received.map((x) => (JSON.parse(x.body) as { event_action: string }).event_action)).toEqual(['resolve']);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(inspect(error, { depth: 8 })).not.toContain(ROUTING_KEY);
  });

  it('a network error quoting the URL (undici: "Failed to parse URL from …")', async () => {
    const fetchQuoting: typeof fetch = async (input) => {
      throw new TypeError(`Failed to parse URL from ${String(input)}`, { cause: new Error(`bad ${String(input)}`) });
    };
    const secrets = new StaticSecretResolver({ 'ssm:/slack': `https://hooks.slack.com${SLACK_PATH}` });
    const sink = new SlackSink(
      'slack',
      slackSettingsSchema.parse({ type: 'slack', webhookUrl: { ssm: '/slack' }, retry: { attempts: 1 } }),
      { secrets, fetch: fetchQuoting },
    );
    const error = (await sink.deliver(notice()).catch((e: unknown) => e)) as DeliveryError;
    expect(inspect(error, { depth: 8 })).not.toContain('x7Y8z9A0b1C2d3E4f5G6h7I8');
    expect(error.message).toContain('request failed: Failed to parse URL from [redacted]');
  });
});

describe('the retry budget is bounded by the invocation', () => {
  it('a receiver that never answers: attempts stop before the deadline (margin kept) and the record is retried later', async () => {
    // Prepare: fake time. Each attempt "hangs" for its whole timeout; 12 s left in the invocation.
    let now = 0;
    const timeouts: number[] = [];
    vi.spyOn(AbortSignal, 'timeout').mockImplementation((ms: number) => {
      timeouts.push(ms);
      return new AbortController().signal;
    });
    const hang: typeof fetch = async () => {
      now += timeouts.at(-1) ?? 0;
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    };
    const deadline = new InvocationDeadline(() => now);
    deadline.begin(12_000);
    const clock = { sleep: async (ms: number) => void (now += ms), random: () => 0.5 };
    const sink = new SlackSink('slack', slackSettingsSchema.parse({ type: 'slack', webhookUrl: { ssm: '/slack' } }), {
      secrets: new StaticSecretResolver({ 'ssm:/slack': `https://hooks.slack.com${SLACK_PATH}` }),
      fetch: hang,
      clock,
      deadline,
    });
    // Act
    const error = (await sink.deliver(notice()).catch((e: unknown) => e)) as DeliveryError;
    // Assess: defaults are 4 × 5 s + backoff (20.7 s, past any 12 s); now 5 s, a 0.1 s wait, then the 4.9 s left.
    expect(timeouts).toEqual([5_000, 4_900]);
    expect(now).toBeLessThanOrEqual(12_000 - DEADLINE_MARGIN_MS);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/no time left in this invocation for another attempt .*the record is retried later/);
  });
});

describe('configs whose timeoutMs × attempts cannot fit the function timeout are refused', () => {
  it.each([
    ['webhook', { url: 'https://itsm.example.com/x', signingSecret: { ssm: '/s' }, timeoutMs: 10_000 }],
    ['slack', { webhookUrl: { ssm: '/s' }, timeoutMs: 8_000, retry: { attempts: 4 } }],
    ['pagerduty', { routingKey: { ssm: '/s' }, timeoutMs: 5_000, retry: { attempts: 6 } }],
  ])('%s', (type, settings) => {
    const parsed = sinksConfigSchema.safeParse({ s: { type, ...settings } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/cannot fit the 30 s function timeout \(28000 ms usable\)/);
  });

  it('the defaults fit', () => {
    expect(
      sinksConfigSchema.safeParse({
        w: { type: 'webhook', url: 'https://itsm.example.com/x', signingSecret: { ssm: '/s' } },
        s: { type: 'slack', webhookUrl: { ssm: '/s' } },
        p: { type: 'pagerduty', routingKey: { ssm: '/s' } },
      }).success,
    ).toBe(true);
  });
});
