import { CloudTrailClient, LookupEventsCommand, ThrottlingException } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { liveLookupEvents } from '../../shared/2-enrich/live-clients.ts';
import { TokenBuckets } from '../../shared/platform/aws/rate-limit.ts';
import { TrailLookup } from '../../shared/2-enrich/trail-lookup.ts';
import { json, liveDeps, lookupResponse, run } from './fixtures.ts';

const trail = mockClient(CloudTrailClient);
const config = mockClient(ConfigServiceClient);
const PIPELINE_EVENT = 'b8d4e2f6-3a1c-4e79-8b05-d6f1a3c9e248';
const change = json('events/config/sg-web-opened-by-pipeline.json');

describe('actor of a Config change (CloudTrail LookupEvents)', () => {
  beforeEach(() => {
    trail.reset();
    config.reset();
  });

  it('looks up the related event by EventId and attaches actor ARN, type, source IP and user agent', async () => {
    // Prepare
    trail.on(LookupEventsCommand).resolves(lookupResponse(PIPELINE_EVENT));
    // Act
    const result = await run(change, liveDeps());
    // Assess
    const calls = trail.commandCalls(LookupEventsCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: PIPELINE_EVENT }], MaxResults: 1 },
    ]);
    const [f] = result.findings;
    expect(f!.ruleId).toBe('sg-open-world');
    expect(f!.actor).toEqual({
      arn: 'arn:aws:sts::111122223333:assumed-role/ci-deployer/GitHubActions',
      type: 'AssumedRole',
      principalId: 'AROACIEXAMPLE:GitHubActions',
      accountId: '111122223333',
      accessKeyId: 'ASIACIEXAMPLEKEY3',
      sessionIssuerArn: 'arn:aws:iam::111122223333:role/ci-deployer',
      sourceIp: '20.55.14.77',
      userAgent: 'aws-sdk-js/3.600.0 ua/2.0 os/linux#6.5.0 lang/js md/nodejs#20.14.0 api/ec2#3.600.0 m/E',
    });
    expect(f!.api).toEqual({ source: 'ec2.amazonaws.com', name: 'AuthorizeSecurityGroupIngress' });
    expect(f!.severity).toBe('medium');
    expect(f!.why).toContain(
      `actor-lookup: actor arn:aws:sts::111122223333:assumed-role/ci-deployer/GitHubActions from CloudTrail event ${PIPELINE_EVENT} (AuthorizeSecurityGroupIngress, LookupEvents)`,
    );
  });

  it('a look-up slower than the bound: delivered without the actor, and why says so', async () => {
    // Prepare: LookupEvents answers after 300 ms; the bound is 40 ms
    trail
      .on(LookupEventsCommand)
      .callsFake(() => new Promise((resolve) => setTimeout(() => resolve(lookupResponse(PIPELINE_EVENT)), 300)));
    // Act
    const started = performance.now();
    const result = await run(change, liveDeps({ waitMs: 40 }));
    // Assess
    expect(performance.now() - started).toBeLessThan(250);
    const [f] = result.findings;
    expect(f!.actor).toBeUndefined();
    expect(f!.severity).toBe('medium');
    expect(f!.why).toContain(
      `actor-lookup: actor lookup timed out after 40 ms (LookupEvents ${PIPELINE_EVENT}); delivered without the actor`,
    );
  });

  it('an event CloudTrail does not know: no actor, and why says so', async () => {
    trail.on(LookupEventsCommand).resolves({ Events: [], $metadata: {} });
    const [f] = (await run(change, liveDeps())).findings;
    expect(f!.actor).toBeUndefined();
    expect(
      f!.why.some((w) =>
        w.startsWith(`actor-lookup: actor unknown: CloudTrail event history has no event ${PIPELINE_EVENT}`),
      ),
    ).toBe(true);
  });

  it('throttled LookupEvents is retried; the result is cached by event id', async () => {
    // Prepare
    trail
      .on(LookupEventsCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }))
      .resolves(lookupResponse(PIPELINE_EVENT));
    const lookup = new TrailLookup(liveLookupEvents(), { retry: { sleep: async () => {} } });
    // Act
    const first = await lookup.actorOf(PIPELINE_EVENT, '111122223333', 'eu-west-1');
    const second = await lookup.actorOf(PIPELINE_EVENT, '111122223333', 'eu-west-1');
    // Assess
    expect(first.kind).toBe('found');
    expect(second).toBe(first);
    expect(trail.commandCalls(LookupEventsCommand)).toHaveLength(2);
    expect(lookup.requests).toBe(2);
  });

  it('a failure is not cached: the next change asks again', async () => {
    trail.on(LookupEventsCommand).rejectsOnce(new Error('socket hang up')).resolves(lookupResponse(PIPELINE_EVENT));
    const lookup = new TrailLookup(liveLookupEvents());
    expect((await lookup.actorOf(PIPELINE_EVENT, '111122223333', 'eu-west-1')).kind).toBe('failed');
    expect((await lookup.actorOf(PIPELINE_EVENT, '111122223333', 'eu-west-1')).kind).toBe('found');
  });
});

describe('LookupEvents pacing (2 requests/s per account and Region)', () => {
  it('spaces requests of one account+region, and keeps other regions independent', async () => {
    // Prepare: a fake clock advanced by the limiter's own sleeps
    let now = 0;
    const sent: Array<[string, number]> = [];
    const buckets = new TokenBuckets(2, { now: () => now, sleep: async (ms) => void (now += ms) });
    // Act
    for (let i = 0; i < 5; i += 1) {
      await buckets.take('111122223333/eu-west-1');
      sent.push(['eu-west-1', now]);
    }
    await buckets.take('111122223333/us-east-1');
    sent.push(['us-east-1', now]);
    // Assess: a burst of 2, then one every 500 ms; another region is not held back
    expect(sent).toEqual([
      ['eu-west-1', 0],
      ['eu-west-1', 0],
      ['eu-west-1', 500],
      ['eu-west-1', 1000],
      ['eu-west-1', 1500],
      ['us-east-1', 1500],
    ]);
  });
});
