/**
 * Real-shaped CloudTrail records for CLI and handler tests, modelled on the EC2 API reference example for
 * AuthorizeSecurityGroupIngress and on records CloudTrail delivers (old `items` style parameters).
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html
 */
export function sshWorldRecord(eventID = '9d3a8e5c-2f41-4b7a-8c6d-0e1f2a3b4c5d'): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEID:alice',
      arn: 'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice',
      accountId: '111122223333',
      accessKeyId: 'ASIAEXAMPLEKEY',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEID',
          arn: 'arn:aws:iam::111122223333:role/NetworkAdmin',
          accountId: '111122223333',
          userName: 'NetworkAdmin',
        },
      },
    },
    eventTime: '2026-11-20T09:15:02Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.24',
    userAgent: 'aws-cli/2.17.0 Python/3.12.1 Linux/6.1 exe/x86_64',
    requestParameters: {
      groupId: 'sg-0a1b2c3d4e5f60718',
      ipPermissions: {
        items: [
          {
            ipProtocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            groups: {},
            ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] },
            ipv6Ranges: {},
            prefixListIds: {},
          },
        ],
      },
    },
    responseElements: {
      requestId: '1a2b3c4d-0000-4000-8000-000000000001',
      _return: true,
      securityGroupRuleSet: {
        items: [
          {
            groupOwnerId: '111122223333',
            groupId: 'sg-0a1b2c3d4e5f60718',
            securityGroupRuleId: 'sgr-0123456789abcdef0',
            isEgress: false,
            ipProtocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            cidrIpv4: '0.0.0.0/0',
          },
        ],
      },
    },
    requestID: '1a2b3c4d-0000-4000-8000-000000000001',
    eventID,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
  };
}

/** A read-only call: must be ignored. */
export function describeRecord(): Record<string, unknown> {
  return {
    ...sshWorldRecord('5b6c7d8e-0000-4000-8000-00000000000d'),
    eventName: 'DescribeSecurityGroups',
    requestParameters: { securityGroupSet: {} },
    responseElements: null,
    readOnly: true,
  };
}

/** A Lambda SQS event whose bodies are the given JSON values (or raw strings, passed as is). */
export function sqsEvent(...bodies: unknown[]): { Records: Record<string, unknown>[] } {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `2e1a9c3b-5d4f-4e6a-8b7c-00000000000${i}`,
      receiptHandle: `AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a${i}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1763630100000',
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: '1763630100010',
      },
      messageAttributes: {},
      md5OfBody: '098f6bcd4621d373cade4e832627b4f6',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:netwatch-cloudtrail',
      awsRegion: 'eu-west-1',
    })),
  };
}

/** The EventBridge "AWS API Call via CloudTrail" event around a record. */
export function eventBridgeCloudTrail(record: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    account: '111122223333',
    time: record['eventTime'],
    region: 'eu-west-1',
    resources: [],
    detail: record,
  };
}
