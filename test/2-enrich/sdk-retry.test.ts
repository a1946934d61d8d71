import { afterEach, describe, expect, it, vi } from 'vitest';
import { liveConfigHistory, liveLookupEvents } from '../../shared/2-enrich/live-clients.ts';
import { TrailLookup } from '../../shared/2-enrich/trail-lookup.ts';
import { AWS_RETRY } from '../../shared/platform/aws/sdk-errors.ts';
import { AwsFault, startAwsJsonServer } from '../support/aws-json-server.ts';
import { ACTOR_EVENT, json, OVERSIZED_SG, run } from './fixtures.ts';

/**
 * Issue 13 "one of each": AWS calls retry through the SDK's standard retry strategy (AWS_RETRY), not a loop of ours.
 * These run the real SDK v3 clients over real HTTP against a local speaker of the Config / CloudTrail JSON protocol,
 * so the retries are the SDK's own (a mocked `send` would skip them). The SDK's jitter is `Math.random()`: pinned to 0,
 * every backoff is 0 ms and nothing sleeps.
 */
const CONFIG_TARGET = 'StarlingDoveService.GetResourceConfigHistory';
const TRAIL_TARGET = 'CloudTrail_20131101.LookupEvents';
const oversized = json('events/config/oversized-sg.json');

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()?.();
  vi.restoreAllMocks();
});

async function server(target: string, answer: (n: number) => unknown) {
  let n = 0;
  const s = await startAwsJsonServer({
    [target]: () => {
      const result = answer(n++);
      if (result instanceof AwsFault) throw result;
      return result;
    },
  });
  stops.push(s.stop);
  return s;
}

const throttled = () => new AwsFault('ThrottlingException', 'Rate exceeded');

describe('enrichment calls retry with the SDK standard strategy', () => {
  it('GetResourceConfigHistory throttled twice, then answered: the change is inspected and says so', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const history = json(`aws-responses/GetResourceConfigHistory/${OVERSIZED_SG}.json`);
    const config = await server(CONFIG_TARGET, (n) => (n < 2 ? throttled() : history));
    const result = await run(oversized, { configHistory: liveConfigHistory({ endpoint: config.url }) });
    expect(config.received).toHaveLength(3);
    const [f] = result.findings;
    expect([f?.ruleId, f?.severity]).toEqual(['sg-open-world', 'high']);
    expect(f?.why).toContain(
      "item-fetch: oversized item fetched with GetResourceConfigHistory and diffed against the previous item (after 2 retries by the SDK's standard retry strategy: throttled or transient)",
    );
  });

  it('throttled every time: the SDK gives up after maxAttempts, the change is reported uninspected (low)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const config = await server(CONFIG_TARGET, () => throttled());
    const result = await run(oversized, { configHistory: liveConfigHistory({ endpoint: config.url }) });
    expect(config.received).toHaveLength(AWS_RETRY.maxAttempts);
    const [f, ...rest] = result.findings;
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ ruleId: 'change-uninspected', category: 'uninspected', severity: 'low' });
    expect(f?.summary).toBe(
      `AWS::EC2::SecurityGroup sg-0a1b2c3d4e5f60718 (bastion-sg) changed (UPDATE) but could not be inspected: GetResourceConfigHistory failed after ${AWS_RETRY.maxAttempts - 1} retries: ThrottlingException: Rate exceeded`,
    );
  });

  it('LookupEvents throttled once: the SDK retries it inside one paced request; the result is cached by event id', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const answer = json(`aws-responses/LookupEvents/${ACTOR_EVENT}.json`);
    const trail = await server(TRAIL_TARGET, (n) => (n === 0 ? throttled() : answer));
    const lookup = new TrailLookup(liveLookupEvents({ endpoint: trail.url }));
    const first = await lookup.actorOf(ACTOR_EVENT, '111122223333', 'eu-west-1');
    const second = await lookup.actorOf(ACTOR_EVENT, '111122223333', 'eu-west-1');
    expect(first.kind).toBe('found');
    expect(second).toBe(first);
    expect(lookup.requests).toBe(1); // one request through the 2/s pacing …
    expect(trail.received).toHaveLength(2); // … which the SDK sent twice
  });
});
