import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/platform/aws/clients.ts';
import { asFunction, type AwsCall, recordAwsCalls, takeCalls } from '../support/aws-calls.ts';
import { LOCAL_AWS, startAwsJsonServer } from '../support/aws-json-server.ts';
import { iamRequestsOf } from '../support/iam-requests.ts';

/** The recorder and the call → IAM request mapping the IAM simulation relies on. */
const call = (signingName: string, operation: string, input: Record<string, unknown>): AwsCall => ({
  fn: 'functions/x.handler',
  signingName,
  region: 'eu-west-1',
  operation,
  input,
});
const A = '111122223333';

describe('recorded AWS calls', () => {
  it('records every request a client the code builds sends: signing name, Region, operation, input, function', async () => {
    // Prepare: a real SDK client (built by the code's own plumbing) against a local AWS JSON speaker.
    await recordAwsCalls();
    takeCalls();
    const server = await startAwsJsonServer({
      'AmazonSSM.GetParameter': (input) => ({ Parameter: { Name: input['Name'], Value: 'v', Type: 'String' } }),
    });
    const ssm = createAwsClients({ ...LOCAL_AWS, endpoint: server.url, maxAttempts: 1 }).ssm;
    // Act
    await asFunction('functions/config-changes.handler', () =>
      ssm.send(new GetParameterCommand({ Name: '/netwatch/prod/config' })),
    );
    await ssm.send(new GetParameterCommand({ Name: '/other' }));
    const calls = takeCalls();
    await server.stop();
    // Assess
    expect(calls).toEqual([
      {
        fn: 'functions/config-changes.handler',
        signingName: 'ssm',
        region: 'eu-west-1',
        operation: 'GetParameter',
        input: { Name: '/netwatch/prod/config' },
        output: { Parameter: { Name: '/netwatch/prod/config', Value: 'v', Type: 'String' } },
      },
      {
        fn: undefined,
        signingName: 'ssm',
        region: 'eu-west-1',
        operation: 'GetParameter',
        input: { Name: '/other' },
        output: { Parameter: { Name: '/other', Value: 'v', Type: 'String' } },
      },
    ]);
  });
});

describe('AWS call → IAM request', () => {
  it.each([
    [
      call('sns', 'Publish', { TopicArn: `arn:aws:sns:eu-west-1:${A}:paging` }),
      'sns:Publish',
      [`arn:aws:sns:eu-west-1:${A}:paging`],
    ],
    [
      call('sqs', 'SendMessage', { QueueUrl: `https://sqs.eu-west-1.amazonaws.com/${A}/changes` }),
      'sqs:SendMessage',
      [`arn:aws:sqs:eu-west-1:${A}:changes`],
    ],
    [
      call('dynamodb', 'Query', { TableName: 'approvals', IndexName: 'byAccount' }),
      'dynamodb:Query',
      [`arn:aws:dynamodb:eu-west-1:${A}:table/approvals/index/byAccount`],
    ],
    [
      call('dynamodb', 'BatchWriteItem', { RequestItems: { state: [], ledger: [] } }),
      'dynamodb:BatchWriteItem',
      [`arn:aws:dynamodb:eu-west-1:${A}:table/state`, `arn:aws:dynamodb:eu-west-1:${A}:table/ledger`],
    ],
    [
      call('ssm', 'GetParameter', { Name: '/netwatch/ci/config' }),
      'ssm:GetParameter',
      [`arn:aws:ssm:eu-west-1:${A}:parameter/netwatch/ci/config`],
    ],
    [
      call('logs', 'StartQuery', { logGroupNames: ['/vpc/flow-logs/a', '/vpc/flow-logs/b'], queryString: 'x' }),
      'logs:StartQuery',
      [
        `arn:aws:logs:eu-west-1:${A}:log-group:/vpc/flow-logs/a`,
        `arn:aws:logs:eu-west-1:${A}:log-group:/vpc/flow-logs/b`,
      ],
    ],
    [call('config', 'GetResourceConfigHistory', { resourceId: 'sg-1' }), 'config:GetResourceConfigHistory', ['*']],
    [call('monitoring', 'PutMetricData', { Namespace: 'Netwatch' }), 'cloudwatch:PutMetricData', ['*']],
    [call('s3', 'ListObjectsV2', { Bucket: 'trail' }), 's3:ListBucket', ['arn:aws:s3:::trail']],
    [
      call('s3', 'GetObject', { Bucket: 'trail', Key: 'AWSLogs/x.json.gz' }),
      's3:GetObject',
      ['arn:aws:s3:::trail/AWSLogs/x.json.gz'],
    ],
  ] as const)('%#: %s', async (recorded, action, resources) => {
    const requests = await iamRequestsOf(recorded, A);
    expect(requests.map((r) => r.action)).toEqual(resources.map(() => action));
    expect(requests.map((r) => r.resource)).toEqual([...resources]);
  });

  it('a Logs Insights query id stands for the log groups of the StartQuery that returned it (GetQueryResults)', async () => {
    // Prepare
    const start: AwsCall = {
      ...call('logs', 'StartQuery', { logGroupNames: ['/vpc/flow-logs/a', '/vpc/flow-logs/b'], queryString: 'x' }),
      output: { queryId: 'q-1' },
    };
    const results = call('logs', 'GetQueryResults', { queryId: 'q-1' });
    // Act
    const requests = await iamRequestsOf(results, A, [call('logs', 'StartQuery', {}), start]);
    // Assess: the action is authorized on the query's log groups (service authorization reference: `log-group`).
    expect(requests).toEqual([
      {
        action: 'logs:GetQueryResults',
        resource: `arn:aws:logs:eu-west-1:${A}:log-group:/vpc/flow-logs/a`,
        resourceAccount: A,
      },
      {
        action: 'logs:GetQueryResults',
        resource: `arn:aws:logs:eu-west-1:${A}:log-group:/vpc/flow-logs/b`,
        resourceAccount: A,
      },
    ]);
    // StopQuery has no resource type: "*".
    expect(await iamRequestsOf(call('logs', 'StopQuery', { queryId: 'q-1' }), A)).toEqual([
      { action: 'logs:StopQuery', resource: '*', resourceAccount: A },
    ]);
    // A query id no earlier StartQuery returned is not guessed.
    await expect(iamRequestsOf(results, A, [])).rejects.toThrow(/cannot tell the resource of logs:GetQueryResults/);
  });

  it('refuses to guess: an operation that is no IAM action, or a resource it cannot tell, fails with where to teach it', async () => {
    await expect(iamRequestsOf(call('sns', 'Frobnicate', {}), A)).rejects.toThrow(
      /sns:Frobnicate .* is not an IAM action/,
    );
    await expect(iamRequestsOf(call('sns', 'Publish', {}), A)).rejects.toThrow(
      /cannot tell the resource of sns:Publish .*teach resourceOf/,
    );
  });
});
