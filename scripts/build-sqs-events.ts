/**
 * Builds the Lambda SQS sample events in events/sqs/ from the bare samples in events/cloudtrail/ and events/config/,
 * wrapped exactly as AWS delivers them to the functions:
 *   CloudTrail record → EventBridge "AWS API Call via CloudTrail" event → SQS message body
 *   Config message    → SNS notification (raw delivery off: Message is a JSON string) → SQS message body
 * Used by `serverless invoke local -f <function> -p events/sqs/<file>.json` and by the handler tests.
 * Run: `npx tsx scripts/build-sqs-events.ts` (deterministic: ids derive from the sample's content).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, 'events/sqs');
mkdirSync(out, { recursive: true });

function uuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function sqsRecord(body: unknown, queue: string, seed: string, sentAt: string): Record<string, unknown> {
  const text = JSON.stringify(body);
  const sent = String(Date.parse(sentAt) || 1763630100000);
  return {
    messageId: uuid(`msg:${seed}`),
    receiptHandle: `AQEB${createHash('sha256').update(seed).digest('base64').slice(0, 40)}`,
    body: text,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: sent,
      SenderId: 'AIDAIT2UOQQY3AUEKVGXU',
      ApproximateFirstReceiveTimestamp: sent,
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(text).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:eu-west-1:111122223333:${queue}`,
    awsRegion: 'eu-west-1',
  };
}

function eventBridge(record: Record<string, unknown>): Record<string, unknown> {
  const source = String(record['eventSource'] ?? 'ec2.amazonaws.com').replace('.amazonaws.com', '');
  return {
    version: '0',
    id: uuid(`eb:${String(record['eventID'])}`),
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${source}`,
    account: String(record['recipientAccountId'] ?? '111122223333'),
    time: record['eventTime'],
    region: record['awsRegion'],
    resources: [],
    detail: record,
  };
}

function sns(message: Record<string, unknown>, seed: string): Record<string, unknown> {
  const item = (message['configurationItem'] ?? message['configurationItemSummary'] ?? {}) as Record<string, unknown>;
  const type = String(item['resourceType'] ?? message['resourceType'] ?? 'AWS::Config::Resource');
  const id = String(item['resourceId'] ?? message['resourceId'] ?? '');
  return {
    Type: 'Notification',
    MessageId: uuid(`sns:${seed}`),
    TopicArn: 'arn:aws:sns:eu-west-1:111122223333:config-topic',
    Subject: `[AWS Config:eu-west-1] ${type} ${id} Updated in Account 111122223333`.slice(0, 100),
    Message: JSON.stringify(message),
    Timestamp: String(message['notificationCreationTime'] ?? '2026-11-20T09:20:00.000Z'),
    SignatureVersion: '1',
    Signature:
      'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
    SigningCertURL:
      'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem',
    UnsubscribeURL: `https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-west-1:111122223333:config-topic:${uuid(`sub:${seed}`)}`,
  };
}

/** The samples worth invoking by hand: one per common kind of change. */
const CLOUDTRAIL = [
  'authorize-sg-ingress-ssh-world',
  'modify-sg-rules-wrapped-world',
  'create-route-default-to-igw',
  'modify-vpc-endpoint-policy-wildcard',
  'stop-logging',
  'describe-security-groups',
];
const CONFIG = [
  'sg-ssh-world-added',
  'sg-tags-only',
  'igw-attached',
  'oversized-sg',
  'compliance-restricted-ssh-noncompliant',
];

const written: string[] = [];
for (const name of CLOUDTRAIL.map((n) => `${n}.json`)) {
  const record = JSON.parse(readFileSync(join(root, 'events/cloudtrail', name), 'utf8')) as Record<string, unknown>;
  const file = `cloudtrail-${basename(name)}`;
  writeFileSync(
    join(out, file),
    `${JSON.stringify({ Records: [sqsRecord(eventBridge(record), 'netwatch-cloudtrail', name, String(record['eventTime']))] }, null, 2)}\n`,
  );
  written.push(file);
}
for (const name of CONFIG.map((n) => `${n}.json`)) {
  const message = JSON.parse(readFileSync(join(root, 'events/config', name), 'utf8')) as Record<string, unknown>;
  const file = `config-${basename(name)}`;
  writeFileSync(
    join(out, file),
    `${JSON.stringify({ Records: [sqsRecord(sns(message, name), 'netwatch-config', name, String(message['notificationCreationTime']))] }, null, 2)}\n`,
  );
  written.push(file);
}
console.log(`wrote ${written.length} Lambda SQS events to events/sqs/`);
