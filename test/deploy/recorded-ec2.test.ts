import {
  DescribeFlowLogsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS } from '../support/aws-json-server.ts';
import { RECORDED_EC2 } from '../support/deployed-stack.ts';
import { startEc2QueryServer } from '../support/ec2-query-server.ts';

/**
 * The recorded EC2 speaker the deployed-stack harness answers Describe* with, talked to by the real SDK client over
 * HTTP: what it answers must be what EC2 would (filters, id lists, NotFound errors), or the IAM test would drive the
 * functions down paths EC2 never sends them.
 */
describe('recorded EC2 (Query protocol speaker)', () => {
  let server: Awaited<ReturnType<typeof startEc2QueryServer>>;
  let ec2: EC2Client;
  beforeAll(async () => {
    server = await startEc2QueryServer(RECORDED_EC2);
    ec2 = new EC2Client({ ...LOCAL_AWS, endpoint: server.url, maxAttempts: 1 });
  });
  afterAll(async () => {
    ec2.destroy();
    await server.stop();
  });

  it('applies filters as EC2 does: OR within a filter, AND across filters, nested sets (groupSet.groupId)', async () => {
    // Act
    const bySg = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: ['sg-0a1b2c3d4e5f60718'] }] }),
    );
    const bySubnetAndDescription = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [
          { Name: 'subnet-id', Values: ['subnet-0c1d2e3f4a5b60718', 'subnet-0d2e3f4a5b6c71829'] },
          { Name: 'description', Values: ['ELB net/payments-nlb/50dc6c495c0c9188'] },
        ],
      }),
    );
    const none = await ec2.send(
      new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: ['vpc-00000000000000000'] }] }),
    );
    // Assess: parsed by the SDK's own deserializer into its output shapes.
    expect(bySg.NetworkInterfaces?.map((n) => [n.NetworkInterfaceId, n.SubnetId, n.Groups?.[0]?.GroupId])).toEqual([
      ['eni-0a1b2c3d4e5f60718', 'subnet-0c1d2e3f4a5b60718', 'sg-0a1b2c3d4e5f60718'],
      ['eni-0b2c3d4e5f6071829', 'subnet-0d2e3f4a5b6c71829', 'sg-0a1b2c3d4e5f60718'],
    ]);
    expect(bySubnetAndDescription.NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).toEqual([
      'eni-0e5f60718293a4b52',
      'eni-0f60718293a4b5c63',
    ]);
    expect(none.FlowLogs).toEqual([]);
  });

  it('answers an id list with the items, an unknown id with EC2 NotFound error, an unmodelled filter loudly', async () => {
    // Act
    const found = await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: ['vpce-0a1b2c3d4e5f6a7b8'] }));
    const missing = ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: ['vpce-0000000000000000f'] }));
    const unmodelled = ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'private-ip-address', Values: ['10.20.1.15'] }] }),
    );
    // Assess
    expect(found.VpcEndpoints?.[0]).toMatchObject({
      VpcEndpointType: 'Interface',
      NetworkInterfaceIds: ['eni-0c3d4e5f607182930', 'eni-0d4e5f60718293a41'],
    });
    await expect(missing).rejects.toMatchObject({
      name: 'InvalidVpcEndpointId.NotFound',
      message: "The VPC endpoint ID 'vpce-0000000000000000f' does not exist",
    });
    await expect(unmodelled).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });
});
