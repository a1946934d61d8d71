import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { RateLimiter, scanLookupEvents } from '../../cli/backtest/lookup-source.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { sshWorldRecord } from '../support/records.ts';

const deps = { rules: RULES, context: EMPTY_CONTEXT };

/** A LookupEvents `Events[]` entry as the API returns it (CloudTrailEvent is the record as a JSON string). */
function historyEvent(record: Record<string, unknown>) {
  return {
    EventId: String(record['eventID']),
    EventName: String(record['eventName']),
    ReadOnly: 'false',
    AccessKeyId: 'ASIAEXAMPLEKEY',
    EventTime: new Date(String(record['eventTime'])),
    EventSource: String(record['eventSource']),
    Username: 'alice',
    Resources: [{ ResourceType: 'AWS::EC2::SecurityGroup', ResourceName: 'sg-0a1b2c3d4e5f60718' }],
    CloudTrailEvent: JSON.stringify(record),
  };
}

describe('LookupEvents source (aws-sdk-client-mock)', () => {
  it('asks once per handled event name, follows NextToken, classifies each event, and stays at 2 requests/s', async () => {
    // Prepare
    const mock = mockClient(CloudTrailClient);
    mock.on(LookupEventsCommand).resolves({ Events: [] });
    mock
      .on(LookupEventsCommand, {
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AuthorizeSecurityGroupIngress' }],
      })
      .resolvesOnce({
        Events: [historyEvent(sshWorldRecord('e-1')), historyEvent(sshWorldRecord('e-2'))],
        NextToken: 'page-2',
      })
      .resolvesOnce({ Events: [historyEvent(sshWorldRecord('e-3')), historyEvent(sshWorldRecord('e-1'))] });
    const waits: number[] = [];
    let clock = 0;
    // Act
    const result = await scanLookupEvents(
      {
        region: 'eu-west-1',
        start: new Date('2026-11-13T00:00:00Z'),
        end: new Date('2026-11-20T00:00:00Z'),
        client: new CloudTrailClient({ region: 'eu-west-1' }),
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
        now: () => clock,
      },
      deps,
    );
    // Assess
    const calls = mock.commandCalls(LookupEventsCommand);
    const names = new Set(calls.map((c) => c.args[0].input.LookupAttributes?.[0]?.AttributeValue));
    expect(names.has('AuthorizeSecurityGroupIngress')).toBe(true);
    expect(names.has('DescribeSecurityGroups')).toBe(false);
    expect(calls.length).toBe(names.size + 1);
    const second = calls.find((c) => c.args[0].input.NextToken === 'page-2');
    expect(second?.args[0].input).toMatchObject({
      StartTime: new Date('2026-11-13T00:00:00Z'),
      EndTime: new Date('2026-11-20T00:00:00Z'),
      MaxResults: 50,
    });
    // The duplicate e-1 on page two is read once.
    expect(result.records).toBe(3);
    expect(result.findings.map((f) => f.changeId).sort()).toEqual(['e-1', 'e-2', 'e-3']);
    expect(result.errors).toEqual([]);
    // Every request after the first waited: 2 per second at most.
    expect(waits.length).toBeGreaterThanOrEqual(calls.length - 1);
    expect(waits.every((ms) => ms === 500)).toBe(true);
    expect(clock / 1000).toBeGreaterThanOrEqual((calls.length - 1) / 2);
    mock.restore();
  });

  it('reports a failed call with the event name and goes on with the others', async () => {
    const mock = mockClient(CloudTrailClient);
    mock.on(LookupEventsCommand).resolves({ Events: [] });
    mock
      .on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteTrail' }] })
      .rejects(new Error('AccessDeniedException: not authorized'));
    const result = await scanLookupEvents(
      {
        region: 'eu-west-1',
        start: new Date(0),
        end: new Date(),
        client: new CloudTrailClient({ region: 'eu-west-1' }),
        rate: 1e9,
        sleep: async () => undefined,
      },
      deps,
    );
    expect(result.errors).toEqual([
      'lookup-events:eu-west-1: LookupEvents DeleteTrail failed: AccessDeniedException: not authorized',
    ]);
    mock.restore();
  });

  it('RateLimiter spaces calls 1/rate apart', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = new RateLimiter(
      2,
      async (ms) => void waits.push(ms),
      () => now,
    );
    await limiter.wait();
    await limiter.wait();
    await limiter.wait();
    now = 2000;
    await limiter.wait();
    expect(waits).toEqual([500, 1000]);
  });
});
