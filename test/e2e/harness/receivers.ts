import { reply, startReceiver, type Received } from '../../support/http-receiver.ts';

/** How a receiver answers one request: a status (with headers / body), or `hang` (never answers: a stuck server). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** Scripted faults: the answer to the n-th request (0-based), or undefined for the receiver's normal success. */
export type Script = (request: Received, n: number) => Answer | undefined;

/** One request and what it was answered (undefined while hanging). */
export interface Exchange {
  request: Received;
  status: number | undefined;
}

/**
 * A local HTTP server standing in for a SaaS endpoint (change-management webhook, PagerDuty Events API, Slack incoming
 * webhook). It records every exchange, so tests count what *arrived* and what was *accepted*, and a script injects
 * faults (500s, 429 + Retry-After, hangs). `onRequest` lets a test act at a precise moment (kill a function).
 */
export class LocalReceiver {
  readonly exchanges: Exchange[] = [];
  script: Script = () => undefined;
  onRequest: (request: Received, n: number) => void = () => {};

  private constructor(
    readonly url: string,
    private readonly stopServer: () => Promise<void>,
  ) {}

  static async start(success: (request: Received) => Answer): Promise<LocalReceiver> {
    let self: LocalReceiver | undefined;
    const server = await startReceiver((request, _total, res) => {
      const receiver = self;
      if (!receiver) return reply(res, 503);
      const exchange: Exchange = { request, status: undefined };
      // n counts since the last reset (one receiver serves every test in a file).
      const n = receiver.exchanges.push(exchange) - 1;
      receiver.onRequest(request, n);
      const answer = receiver.script(request, n) ?? success(request);
      if (answer === 'hang') return;
      exchange.status = answer.status;
      reply(res, answer.status, answer.body ?? '', answer.headers ?? {});
    });
    self = new LocalReceiver(server.url, () => server.stop());
    return self;
  }

  /** Exchanges answered 2xx: what the receiver accepted. */
  accepted(): Received[] {
    return this.exchanges
      .filter((e) => e.status !== undefined && e.status >= 200 && e.status < 300)
      .map((e) => e.request);
  }

  /** Accepted requests counted by a key (Idempotency-Key, dedup_key, …). */
  acceptedBy(key: (request: Received) => string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.accepted()) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
    return counts;
  }

  reset(): void {
    this.exchanges.length = 0;
    this.script = () => undefined;
    this.onRequest = () => {};
  }

  stop(): Promise<void> {
    return this.stopServer();
  }
}

/** The change-management webhook's idempotency key (the finding fingerprint). */
export function idempotencyKey(request: Received): string {
  return String(request.headers['idempotency-key'] ?? '');
}

/** The PagerDuty Events API v2 `dedup_key` of a trigger. */
export function dedupKey(request: Received): string {
  const parsed = JSON.parse(request.body) as { dedup_key?: unknown };
  return String(parsed.dedup_key ?? '');
}

/** Kind of a change record posted to the webhook: `finding` or `digest`. */
export function recordKind(request: Received): string {
  return String((JSON.parse(request.body) as { kind?: unknown }).kind ?? '');
}

/** Start the three SaaS stand-ins with their documented success answers. */
export async function startReceivers() {
  const [webhook, pagerduty, slack] = await Promise.all([
    LocalReceiver.start(() => ({
      status: 200,
      body: '{"result":"created"}',
      headers: { 'content-type': 'application/json' },
    })),
    // https://developer.pagerduty.com/api-reference/368ae3d938c9e-send-an-event-to-pager-duty: 202 + dedup_key.
    LocalReceiver.start((r) => ({
      status: 202,
      body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: dedupKey(r) }),
      headers: { 'content-type': 'application/json' },
    })),
    LocalReceiver.start(() => ({ status: 200, body: 'ok' })),
  ]);
  return {
    webhook,
    pagerduty,
    slack,
    reset: () => {
      for (const r of [webhook, pagerduty, slack]) r.reset();
    },
    stop: () => Promise.all([webhook.stop(), pagerduty.stop(), slack.stop()]),
  };
}
