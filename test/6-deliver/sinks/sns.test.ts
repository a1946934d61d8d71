import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSnsMessage, SnsSink, snsSettingsSchema, SNS_MAX_BYTES } from '../../../shared/6-deliver/sinks/sns.ts';
import { startEmulator } from '../../support/fauxqs.ts';
import { APPROVED, digest, manyDeltas, notice, sshWorldFinding, widenedDelta } from '../../support/sink-fixtures.ts';

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let queueUrl: string;
let topicArn: string;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.stop();
});
beforeEach(() => {
  // A paging topic with an inbox queue subscribed: what SNS delivers is what the queue receives.
  emulator.server.reset();
  ({ topicArn } = emulator.server.createTopic('netwatch-paging', { region: 'eu-west-1' }));
  ({ queueUrl } = emulator.server.createQueue('paging-inbox', { region: 'eu-west-1' }));
  emulator.server.subscribe({ topic: 'netwatch-paging', queue: 'paging-inbox', region: 'eu-west-1' });
});

/** The SNS → SQS envelope as it arrives in the inbox. */
interface Envelope {
  Type: string;
  Subject: string | null;
  Message: string;
  MessageAttributes: Record<string, { Type: string; Value: string }>;
}

async function receiveOne(): Promise<{ envelope: Envelope; raw: Message }> {
  const out = await emulator.clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  expect(out.Messages).toHaveLength(1);
  const raw = out.Messages?.[0] as Message;
  return { envelope: JSON.parse(raw.Body ?? '{}') as Envelope, raw };
}

/**
 * With `MessageStructure: 'json'` real SNS hands each protocol its own key; fauxqs forwards the whole JSON object to
 * SQS subscribers, which lets this test read the `email` and `sms` texts that email/SMS subscribers would get.
 */
function perProtocol(envelope: Envelope): { default: string; email: string; sms: string } {
  return JSON.parse(envelope.Message) as { default: string; email: string; sms: string };
}

const sink = () =>
  new SnsSink('paging', snsSettingsSchema.parse({ type: 'sns', topicArn }), { clients: emulator.clients });

describe('SNS paging sink (fauxqs: topic → inbox queue)', () => {
  it('pages email text with before → after, actor, why, what to check, approval and console link', async () => {
    // Prepare
    const finding = sshWorldFinding({ evidence: [widenedDelta()] });
    // Act
    await sink().deliver(notice(finding, APPROVED));
    // Assess
    const { envelope } = await receiveOne();
    const texts = perProtocol(envelope);
    expect(texts.email).toContain(
      'Security group sg-0a1b2c3d4e5f60718 (web-frontend): rule changed: ingress tcp/22 from 10.0.0.0/8 → ingress tcp/22 from 0.0.0.0/0',
    );
    expect(texts.email).toContain(
      'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice (AssumedRole) from 203.0.113.10 using aws-cli/2.15.30',
    );
    expect(texts.email).toContain('API call: ec2.amazonaws.com AuthorizeSecurityGroupIngress');
    expect(texts.email).toContain('2026-11-20T09:14:03Z, account 111122223333, region eu-west-1');
    expect(texts.email).toContain('SSH (tcp/22) is reachable from 0.0.0.0/0');
    expect(texts.email).toContain('WHAT TO CHECK\n  Is the port meant to be reachable from the internet?');
    expect(texts.email).toContain('APPROVED CHG0031337 (window 2026-11-20T09:00:00Z to 2026-11-20T11:00:00Z)');
    expect(texts.email).toContain(
      'Console: https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#SecurityGroup:groupId=sg-0a1b2c3d4e5f60718',
    );
    expect(texts.email).toContain(`Fingerprint: ${finding.fingerprint}`);
    expect(texts.default).toBe(
      '[HIGH] Security group open to the world: sg-0a1b2c3d4e5f60718 (111122223333/eu-west-1)',
    );
    expect(texts.sms.length).toBeLessThanOrEqual(140);
    expect(texts.sms).toMatch(/^[\x20-\x7e]+$/);
    expect(texts.sms).toContain(
      'NETWATCH HIGH sg-open-world sg-0a1b2c3d4e5f60718 111122223333 eu-west-1 by alice APPROVED',
    );
    expect(envelope.Subject?.length).toBeLessThanOrEqual(100);
    expect(envelope.Subject).toMatch(/^[\x20-\x7e]+$/);
    expect(envelope.Subject).toContain('Netwatch [HIGH] Security group open to the world');
    expect(envelope.MessageAttributes).toEqual({
      severity: { Type: 'String', Value: 'high' },
      category: { Type: 'String', Value: 'sg-open-world' },
      account: { Type: 'String', Value: '111122223333' },
      rule: { Type: 'String', Value: 'sg-open-world' },
    });
  });

  it('keeps a finding with 5,000 deltas under 256 KB and says it was shortened', async () => {
    const finding = sshWorldFinding({ evidence: manyDeltas(5_000) });
    const unshortened = buildSnsMessage(notice(finding), { subjectPrefix: 'Netwatch' }, Number.MAX_SAFE_INTEGER);
    expect(Buffer.byteLength(unshortened.message)).toBeGreaterThan(SNS_MAX_BYTES); // the case is real
    await sink().deliver(notice(finding));
    const { envelope } = await receiveOne();
    const attributeBytes = Object.entries(envelope.MessageAttributes).reduce(
      (n, [k, v]) => n + k.length + v.Type.length + v.Value.length,
      0,
    );
    expect(Buffer.byteLength(envelope.Message) + attributeBytes).toBeLessThan(SNS_MAX_BYTES);
    const texts = perProtocol(envelope);
    expect(texts.email).toMatch(
      /… and \d+ more change\(s\) not shown \(SHORTENED: this page was shortened to fit the 256 KB SNS message limit/,
    );
    expect(texts.email).toContain('ingress tcp/1000 from 0.0.0.0/0');
    expect(texts.email).toContain('WHY IT IS RISKY'); // sections after the evidence survive
  });

  it('cuts the text (not the delivery) when a single delta is larger than the budget', async () => {
    const huge = sshWorldFinding({ why: ['x'.repeat(400_000)] });
    await sink().deliver(notice(huge));
    const { envelope } = await receiveOne();
    expect(Buffer.byteLength(envelope.Message)).toBeLessThan(SNS_MAX_BYTES);
    expect(perProtocol(envelope).email).toContain('[SHORTENED: this page was shortened');
  });

  it('sanitizes the subject: one ASCII line, at most 99 characters', () => {
    const built = buildSnsMessage(
      notice(sshWorldFinding({ title: 'Sicherheitsgruppe für „Welt“ geöffnet\nzweite Zeile — sehr lang '.repeat(4) })),
      { subjectPrefix: 'Netwatch' },
    );
    expect(built.subject.length).toBeLessThanOrEqual(99);
    expect(built.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(built.subject.endsWith('...')).toBe(true);
  });

  it('pages a digest as one message summarizing the window', async () => {
    await sink().deliver(digest(40));
    const { envelope } = await receiveOne();
    const texts = perProtocol(envelope);
    expect(texts.default).toContain('[CRITICAL] 40 findings');
    expect(texts.email).toContain(
      '40 findings of rule sg-open-world in account 111122223333 between 2026-11-20T09:00:00Z and 2026-11-20T09:15:00Z',
    );
    expect(texts.email).toContain('1 critical, 39 high');
    expect(texts.email).toContain('sg-00000000000000039');
    expect(texts.sms.length).toBeLessThanOrEqual(140);
    expect(envelope.MessageAttributes.severity?.Value).toBe('critical');
  });

  it('fails with a non-retryable DeliveryError for a topic that does not exist', async () => {
    const missing = new SnsSink(
      'paging',
      snsSettingsSchema.parse({ type: 'sns', topicArn: 'arn:aws:sns:eu-west-1:000000000000:nope' }),
      { clients: emulator.clients },
    );
    await expect(missing.deliver(notice())).rejects.toMatchObject({ name: 'DeliveryError', retryable: false });
  });
});
