import {
  DescribeFlowLogsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CustomResourceEvent, handleFlowLogTargets } from '../../shared/lambda/flow-log-targets.ts';
import { createAwsClients } from '../../shared/platform/aws/clients.ts';
import { reply, startReceiver } from '../support/http-receiver.ts';

/**
 * The flow-log custom resource as CloudFormation drives it: a request with a pre-signed ResponseURL (here a loopback
 * receiver), EC2 answered from recorded responses at the SDK boundary. Every outcome must reach the URL — a custom
 * resource that never answers holds the deploy for an hour.
 */
const ec2 = mockClient(EC2Client);
const client = () =>
  createAwsClients({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } }).ec2;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeEach(async () => {
  ec2.reset();
  receiver = await startReceiver((_req, _n, res) => reply(res, 200));
});
afterEach(async () => receiver.stop());

const event = (overrides: Partial<CustomResourceEvent> = {}): CustomResourceEvent => ({
  RequestType: 'Create',
  ResponseURL: `${receiver.url}/cfn-response?X-Amz-Signature=abc`,
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/netwatch-prod/1a2b',
  RequestId: 'req-1',
  LogicalResourceId: 'FlowLogTargets',
  ResourceProperties: { Targets: ['vpce-0123456789abcdef0'], LogGroups: ['/vpc/flow-logs/prod'], Format: 'auto' },
  ...overrides,
});

describe('flow-log targets custom resource', () => {
  it('answers SUCCESS with the endpoint ENIs and the LogFormat of the flow logs in the groups', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        {
          VpcEndpointId: 'vpce-0123456789abcdef0',
          VpcEndpointType: 'Interface',
          NetworkInterfaceIds: ['eni-0b', 'eni-0a'],
        },
      ],
    });
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-0a' }, { NetworkInterfaceId: 'eni-0b' }] });
    ec2.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        {
          FlowLogId: 'fl-1',
          LogGroupName: '/vpc/flow-logs/prod',
          LogFormat:
            '${version} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${action}',
        },
      ],
    });
    await handleFlowLogTargets(event(), client(), { logStream: '2026/12/04/[$LATEST]abc' });
    expect(ec2.commandCalls(DescribeFlowLogsCommand)[0]?.args[0].input.Filter).toEqual([
      { Name: 'log-group-name', Values: ['/vpc/flow-logs/prod'] },
    ]);
    const [put] = receiver.received;
    expect(put?.method).toBe('PUT');
    expect(put?.url).toBe('/cfn-response?X-Amz-Signature=abc');
    expect(put?.headers['content-type']).toBe('');
    expect(JSON.parse(put?.body ?? '{}')).toEqual({
      Status: 'SUCCESS',
      Reason: 'See 2026/12/04/[$LATEST]abc',
      PhysicalResourceId: 'netwatch-flow-log-targets',
      StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/netwatch-prod/1a2b',
      RequestId: 'req-1',
      LogicalResourceId: 'FlowLogTargets',
      Data: {
        Target0Enis: '"eni-0a", "eni-0b"',
        Target0EniCount: '2',
        Format:
          '${version} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${action}',
        FormatSource: 'LogFormat of fl-1',
        Fields:
          '{"2":"interfaceId","3":"srcAddr","4":"dstAddr","6":"dstPort","7":"protocol","8":"packets","9":"bytes","10":"action"}',
        ParseCommand:
          'parse @message /^\\S+ (?<interfaceId>\\S+) (?<srcAddr>\\S+) (?<dstAddr>\\S+) (?<srcPort>\\S+) (?<dstPort>\\S+) (?<protocol>\\S+) (?<packets>\\S+) (?<bytes>\\S+) (?<action>\\S+)/',
      },
    });
  });

  it('an unknown endpoint fails the deploy with the reason (FAILED, not silence)', async () => {
    ec2.on(DescribeVpcEndpointsCommand).rejects(
      new EC2ServiceException({
        name: 'InvalidVpcEndpointId.NotFound',
        $fault: 'client',
        $metadata: {},
        message: "The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist",
      }),
    );
    const body = await handleFlowLogTargets(
      event({ RequestType: 'Update', PhysicalResourceId: 'netwatch-flow-log-targets' }),
      client(),
    );
    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toBe(
      "privateLinkEndpoints: vpce-0123456789abcdef0: no such VPC endpoint in this account and region (InvalidVpcEndpointId.NotFound: The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist)",
    );
    expect(JSON.parse(receiver.received[0]?.body ?? '{}').Status).toBe('FAILED');
  });

  it('a refused EC2 look-up fails the deploy naming the IAM action (the role, an SCP, a permission boundary)', async () => {
    const refused = new EC2ServiceException({
      name: 'UnauthorizedOperation',
      $fault: 'client',
      $metadata: {},
      message: 'You are not authorized to perform this operation.',
    });
    ec2.on(DescribeVpcEndpointsCommand).rejects(refused);
    const endpoint = await handleFlowLogTargets(event(), client());
    ec2.reset();
    ec2.on(DescribeFlowLogsCommand).rejects(refused);
    const format = await handleFlowLogTargets(
      event({ ResourceProperties: { Targets: [], LogGroups: ['/vpc/a'] } }),
      client(),
    );
    expect(endpoint).toMatchObject({
      Status: 'FAILED',
      Reason:
        'privateLinkEndpoints: vpce-0123456789abcdef0: ec2:DescribeVpcEndpoints denied (UnauthorizedOperation: You are not authorized to perform this operation.)',
    });
    expect(format).toMatchObject({
      Status: 'FAILED',
      Reason: 'ec2:DescribeFlowLogs denied (UnauthorizedOperation: You are not authorized to perform this operation.)',
    });
  });

  it('more than 10 ENIs (the In-filter limit) or flow logs with different formats: FAILED, saying what to do', async () => {
    const enis = Array.from({ length: 11 }, (_, i) => `eni-0${i.toString(16)}`);
    ec2
      .on(DescribeVpcEndpointsCommand)
      .resolves({ VpcEndpoints: [{ VpcEndpointType: 'Interface', NetworkInterfaceIds: enis }] });
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: enis.map((id) => ({ NetworkInterfaceId: id })) });
    expect((await handleFlowLogTargets(event(), client())).Reason).toMatch(
      /has 11 network interfaces; a Contributor Insights filter takes at most 10/,
    );
    ec2.reset();
    ec2.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        {
          FlowLogId: 'fl-1',
          LogGroupName: '/vpc/a',
          LogFormat:
            '${version} ${interface-id} ${srcaddr} ${dstaddr} ${dstport} ${protocol} ${packets} ${bytes} ${action}',
        },
        { FlowLogId: 'fl-2', LogGroupName: '/vpc/b' },
      ],
    });
    const mixed = await handleFlowLogTargets(
      event({ ResourceProperties: { Targets: [], LogGroups: ['/vpc/a', '/vpc/b'], Format: 'auto' } }),
      client(),
    );
    expect(mixed.Reason).toMatch(
      /^flowLogFormat=auto: the flow logs writing to \/vpc\/a, \/vpc\/b use different formats \(fl-1: .*; fl-2: \$\{version\} \$\{account-id\}/,
    );
  });

  it('Delete answers SUCCESS without calling EC2 (nothing was created)', async () => {
    const body = await handleFlowLogTargets(
      event({ RequestType: 'Delete', PhysicalResourceId: 'netwatch-flow-log-targets' }),
      client(),
    );
    expect(body.Status).toBe('SUCCESS');
    expect(ec2.calls()).toHaveLength(0);
    expect(receiver.received).toHaveLength(1);
  });
});
