import { describe, expect, it } from 'vitest';
import { unwrap, type Payload } from '../../../shared/1-ingest/envelope/unwrap.ts';

/** A CloudTrail record as EventBridge's detail and as a log file carry it. */
const record = {
  eventVersion: '1.08',
  eventTime: '2026-11-20T10:00:00Z',
  eventSource: 'ec2.amazonaws.com',
  eventName: 'AuthorizeSecurityGroupIngress',
  awsRegion: 'eu-west-1',
  eventID: '6c8e0c2a-0d3c-4a6f-9d7e-2b1f3a4c5d6e',
  recipientAccountId: '111122223333',
  requestParameters: { groupId: 'sg-0a1b2c3d4e5f60718' },
};

const eventBridge = {
  version: '0',
  id: 'f1e2d3c4-b5a6-9788-1234-56789abcdef0',
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2026-11-20T10:00:01Z',
  region: 'eu-west-1',
  resources: [],
  detail: record,
};

const configMessage = {
  messageType: 'ConfigurationItemChangeNotification',
  configurationItem: { resourceType: 'AWS::EC2::SecurityGroup' },
};

/** SNS notification as SQS receives it (note the `…URL` spellings). */
function snsNotification(message: unknown): Record<string, unknown> {
  return {
    Type: 'Notification',
    MessageId: 'b1f3a1c2-8d7e-5f6a-9b0c-1d2e3f4a5b6c',
    TopicArn: 'arn:aws:sns:eu-west-1:111122223333:config-topic',
    Subject: '[AWS Config:eu-west-1] AWS::EC2::SecurityGroup sg-0a1b2c3d4e5f60718 Updated in Account 111122223333',
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: '2026-11-20T10:05:00.000Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem',
    UnsubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
  };
}

/** A Lambda SQS event with the given bodies. */
function sqsEvent(...bodies: string[]): Record<string, unknown> {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `0000000${i}-aaaa-bbbb-cccc-dddddddddddd`,
      receiptHandle: 'AQEB...',
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1763632800000',
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: '1763632800001',
      },
      messageAttributes: {},
      md5OfBody: 'x',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:netwatch-config',
      awsRegion: 'eu-west-1',
    })),
  };
}

const kinds = (payloads: Payload[]) => payloads.map((p) => p.kind);

describe('unwrap', () => {
  it('finds the same CloudTrail record bare, in a log file, in EventBridge, in SNS→SQS and in Lambda SNS', () => {
    // Prepare
    const inputs = [
      record,
      { Records: [record] },
      [record],
      eventBridge,
      snsNotification(eventBridge),
      sqsEvent(JSON.stringify(eventBridge)),
      sqsEvent(JSON.stringify(snsNotification(eventBridge))),
      {
        Records: [
          {
            EventSource: 'aws:sns',
            EventVersion: '1.0',
            Sns: {
              Type: 'Notification',
              Message: JSON.stringify(eventBridge),
              SigningCertUrl: 'https://x',
              UnsubscribeUrl: 'https://y',
            },
          },
        ],
      },
    ];
    for (const input of inputs) {
      // Act
      const payloads = unwrap(structuredClone(input));
      // Assess
      expect(kinds(payloads)).toEqual(['cloudtrail']);
      const [p] = payloads;
      expect(p?.kind === 'cloudtrail' && p.record['eventID']).toBe(record.eventID);
    }
  });

  it('finds Config messages in SNS (string and object Message), EventBridge, and rule invocations', () => {
    const inputs = [
      configMessage,
      snsNotification(configMessage),
      { ...snsNotification(configMessage), Message: configMessage },
      { version: '0', 'detail-type': 'Config Configuration Item Change', source: 'aws.config', detail: configMessage },
      { invokingEvent: JSON.stringify(configMessage), ruleParameters: '{}', resultToken: 'x', configRuleName: 'r' },
      sqsEvent(JSON.stringify(snsNotification(configMessage))),
    ];
    for (const input of inputs) {
      const payloads = unwrap(structuredClone(input));
      expect(kinds(payloads)).toEqual(['config']);
      expect(payloads[0]?.kind === 'config' && payloads[0].message['messageType']).toBe(
        'ConfigurationItemChangeNotification',
      );
    }
  });

  it('gives a compliance EventBridge event its messageType', () => {
    const payloads = unwrap({
      'detail-type': 'Config Rules Compliance Change',
      source: 'aws.config',
      detail: { configRuleName: 'restricted-ssh', newEvaluationResult: { complianceType: 'NON_COMPLIANT' } },
    });
    expect(payloads[0]?.kind === 'config' && payloads[0].message['messageType']).toBe('ComplianceChangeNotification');
  });

  it('ignores EventBridge events that are not CloudTrail or Config, saying what they were', () => {
    const payloads = unwrap({
      version: '0',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      detail: { 'instance-id': 'i-1', state: 'running' },
    });
    expect(payloads).toHaveLength(1);
    expect(payloads[0]?.kind === 'ignored' && payloads[0].reason).toContain('EC2 Instance State-change Notification');
  });

  it('reports a bad record with its index and path and keeps the good ones around it', () => {
    // Prepare: an SQS batch whose middle body is truncated JSON.
    const event = sqsEvent(
      JSON.stringify(eventBridge),
      '{"Type":"Notification","Message":"{\\"detail',
      JSON.stringify(record),
    );
    // Act
    const payloads = unwrap(event, { file: 'batch.json' });
    // Assess
    expect(kinds(payloads)).toEqual(['cloudtrail', 'error', 'cloudtrail']);
    const error = payloads[1];
    expect(error?.kind).toBe('error');
    if (error?.kind !== 'error') return;
    expect(error.error.where).toMatchObject({ file: 'batch.json', record: 1, path: '/Records/1/body' });
    expect(error.error.describe()).toMatch(/^batch\.json record #1 at \/Records\/1\/body: not valid JSON/);
  });

  it('names the path of an SNS Message that is not JSON', () => {
    const payloads = unwrap(snsNotification('View the Timeline for this Resource in the Console'), {
      file: 'mail.json',
    });
    expect(payloads[0]?.kind === 'error' && payloads[0].error.describe()).toMatch(
      /mail\.json at \/Message: not valid JSON/,
    );
  });

  it('rejects unknown shapes with the keys it saw', () => {
    const payloads = unwrap({ hello: 'world' }, { file: 'x.json' });
    expect(payloads[0]?.kind === 'error' && payloads[0].error.message).toContain('keys: hello');
  });
});
