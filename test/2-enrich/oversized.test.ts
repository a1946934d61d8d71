import {
  ConfigServiceClient,
  ConfigServiceServiceException,
  GetResourceConfigHistoryCommand,
  ResourceNotDiscoveredException,
} from '@aws-sdk/client-config-service';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ACTOR_EVENT, historyResponse, json, liveDeps, lookupResponse, OVERSIZED_SG, run } from './fixtures.ts';

const config = mockClient(ConfigServiceClient);
const trail = mockClient(CloudTrailClient);
const oversized = json('events/config/oversized-sg.json');
const S3 = (oversized['s3DeliverySummary'] as { s3BucketLocation: string }).s3BucketLocation;

const throttling = () =>
  new ConfigServiceServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400 },
  });

describe('oversized Config items (GetResourceConfigHistory)', () => {
  beforeEach(() => {
    config.reset();
    trail.reset();
    trail.on(LookupEventsCommand).resolves({ Events: [] });
  });

  it('fetches the item and its predecessor, diffs them, and grades the change like a small one', async () => {
    // Prepare
    config.on(GetResourceConfigHistoryCommand).resolves(historyResponse());
    trail.on(LookupEventsCommand).resolves(lookupResponse(ACTOR_EVENT));
    // Act
    const result = await run(oversized, liveDeps());
    // Assess: the request asks for the notified item and the one before it
    const calls = config.commandCalls(GetResourceConfigHistoryCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: OVERSIZED_SG,
      laterTime: new Date('2024-05-27T06:18:44.120Z'),
      chronologicalOrder: 'Reverse',
      limit: 2,
    });
    expect(result.errors).toEqual([]);
    const [f, ...rest] = result.findings;
    expect(rest.map((x) => x.ruleId)).toEqual([]);
    expect(f!.ruleId).toBe('sg-open-world');
    expect(f!.summary).toBe('tcp/3389 open to 0.0.0.0/0 on sg-0a1b2c3d4e5f60718 (bastion-sg) (ingress, added)');
    expect(f!.evidence).toEqual([
      {
        kind: 'sg-permission',
        op: 'added',
        groupId: OVERSIZED_SG,
        groupName: 'bastion-sg',
        permission: {
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 3389,
          toPort: 3389,
          peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
        },
      },
    ]);
    expect(f!.changeId).toBe('config:AWS::EC2::SecurityGroup/sg-0a1b2c3d4e5f60718@2024-05-27T06:18:44.120Z');
    expect(f!.related).toEqual([ACTOR_EVENT]);
    expect(f!.why).toContain(
      'item-fetch: oversized item fetched with GetResourceConfigHistory and diffed against the previous item',
    );
    // The fetched item's relatedEvents led to the actor: an IAM user with a long-term key raises high -> critical.
    expect(f!.actor).toMatchObject({
      arn: 'arn:aws:iam::111122223333:user/legacy-admin',
      type: 'IAMUser',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      sourceIp: '203.0.113.45',
    });
    expect(f!.severity).toBe('critical');
    expect(f!.why.some((w) => w.startsWith('raised: made with long-term access key AKIAIOSFODNN7EXAMPLE'))).toBe(true);
  });

  it('retries throttling with backoff, then inspects', async () => {
    // Prepare: throttled twice, then the answer
    config
      .on(GetResourceConfigHistoryCommand)
      .rejectsOnce(throttling())
      .rejectsOnce(throttling())
      .resolves(historyResponse());
    // Act
    const result = await run(oversized, liveDeps({ trail: undefined }));
    // Assess
    expect(config.commandCalls(GetResourceConfigHistoryCommand)).toHaveLength(3);
    const [f] = result.findings;
    expect(f!.ruleId).toBe('sg-open-world');
    expect(f!.severity).toBe('high');
    expect(f!.why).toContain(
      'item-fetch: oversized item fetched with GetResourceConfigHistory and diffed against the previous item (after 2 throttled attempts, retried with backoff)',
    );
  });

  it('gives up after the retry budget and reports the change as uninspected, low', async () => {
    config.on(GetResourceConfigHistoryCommand).rejects(throttling());
    const result = await run(oversized, liveDeps({ trail: undefined, retry: { attempts: 3, sleep: async () => {} } }));
    expect(config.commandCalls(GetResourceConfigHistoryCommand)).toHaveLength(3);
    const [f, ...rest] = result.findings;
    expect(rest).toEqual([]);
    expect(f!).toMatchObject({ ruleId: 'change-uninspected', category: 'uninspected', severity: 'low' });
    expect(f!.summary).toBe(
      'AWS::EC2::SecurityGroup sg-0a1b2c3d4e5f60718 (bastion-sg) changed (UPDATE) but could not be inspected: GetResourceConfigHistory failed after 3 throttled attempts: ThrottlingException: Rate exceeded',
    );
  });

  it('not discovered: an uninspected low finding naming the resource and the S3 copy', async () => {
    // Prepare: the API's answer for a resource Config does not know
    config.on(GetResourceConfigHistoryCommand).rejects(
      new ResourceNotDiscoveredException({
        message: `Resource ${OVERSIZED_SG} of resourceType:AWS::EC2::SecurityGroup is unknown or has not been discovered`,
        $metadata: { httpStatusCode: 400 },
      }),
    );
    // Act
    const result = await run(oversized, liveDeps());
    // Assess
    const [f, ...rest] = result.findings;
    expect(rest).toEqual([]);
    expect(f!).toMatchObject({
      ruleId: 'change-uninspected',
      severity: 'low',
      resource: { type: 'AWS::EC2::SecurityGroup', id: OVERSIZED_SG, name: 'bastion-sg' },
    });
    expect(f!.summary).toContain(
      `could not be inspected: AWS Config has no history of AWS::EC2::SecurityGroup ${OVERSIZED_SG} (ResourceNotDiscoveredException: Resource ${OVERSIZED_SG}`,
    );
    expect(f!.why).toContain(`the full item is in S3: s3://${S3}`);
    expect(
      f!.why.some((w) => w.startsWith('item-fetch: oversized item not inspected: AWS Config has no history')),
    ).toBe(true);
    expect(trail.commandCalls(LookupEventsCommand)).toHaveLength(0);
  });

  it('history not caught up with the notification: uninspected, saying so', async () => {
    const stale = historyResponse();
    stale.configurationItems = stale.configurationItems?.slice(1);
    config.on(GetResourceConfigHistoryCommand).resolves(stale);
    const [f] = (await run(oversized, liveDeps())).findings;
    expect(f!.ruleId).toBe('change-uninspected');
    expect(f!.summary).toContain('AWS Config history does not hold the item captured at 2024-05-27T06:18:44.120Z yet');
  });

  it('without enrichment (offline CLI) the change is still reported, as not fetched', async () => {
    const [f] = (await run(oversized, {})).findings;
    expect(f!).toMatchObject({ ruleId: 'change-uninspected', severity: 'low' });
    expect(f!.why).toContain('enrichment is off: the item was not fetched with GetResourceConfigHistory');
    expect(config.commandCalls(GetResourceConfigHistoryCommand)).toHaveLength(0);
  });
});
