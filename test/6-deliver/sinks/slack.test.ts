import { afterEach, describe, expect, it } from 'vitest';
import { StaticSecretResolver } from '../../../shared/platform/aws/secrets.ts';
import { DeliveryError } from '../../../shared/platform/errors.ts';
import { slackSettingsSchema, SlackSink } from '../../../shared/6-deliver/sinks/slack.ts';
import { digest, manyDeltas, notice, sshWorldFinding, widenedDelta } from '../../support/sink-fixtures.ts';
import { instantClock, reply, startReceiver } from '../../support/http-receiver.ts';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

type Block = {
  type: string;
  text?: { type: string; text: string };
  fields?: Array<{ text: string }>;
  elements?: Array<{ type: string; text?: unknown; url?: string }>;
};
type Message = { text: string; blocks: Block[] };

async function slack(respond?: Parameters<typeof startReceiver>[0]) {
  const receiver = await startReceiver(respond);
  stop = receiver.stop;
  // The webhook URL is a secret: here it points at the local receiver.
  const secrets = new StaticSecretResolver({
    'ssm:/netwatch/slack/webhook': `${receiver.url}/services/T000/B000/XXXXXXXX`,
  });
  const { clock, sleeps } = instantClock();
  const sink = new SlackSink(
    'slack',
    slackSettingsSchema.parse({
      type: 'slack',
      webhookUrl: { ssm: '/netwatch/slack/webhook' },
      retry: { baseDelayMs: 10 },
    }),
    { secrets, clock },
  );
  return { sink, receiver, sleeps };
}

describe('Slack sink (incoming webhook, Block Kit)', () => {
  it('posts header, fields, summary, why, approval, console button and fingerprint', async () => {
    // Prepare
    const { sink, receiver } = await slack();
    // Act
    await sink.deliver(notice(sshWorldFinding({ evidence: [widenedDelta()] })));
    // Assess
    expect(receiver.received[0]?.url).toBe('/services/T000/B000/XXXXXXXX');
    const message = JSON.parse(receiver.received[0]?.body ?? '{}') as Message;
    expect(message.text).toContain('[HIGH] Security group open to the world: sg-0a1b2c3d4e5f60718');
    const [header, fields, ...rest] = message.blocks;
    expect(header).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(fields?.fields?.map((f) => f.text)).toEqual([
      '*Severity*\nHIGH',
      '*Category*\nsg-open-world',
      '*Account*\n111122223333',
      '*Region*\neu-west-1',
      '*Resource*\nAWS::EC2::SecurityGroup sg-0a1b2c3d4e5f60718',
      '*Actor*\narn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice (AssumedRole) from 203.0.113.10 using aws-cli/2.15.30 Python/3.11.8 Linux/6.1',
    ]);
    const texts = rest.map((b) => b.text?.text ?? '').join('\n');
    expect(texts).toContain('ingress tcp/22 from 10.0.0.0/8 → ingress tcp/22 from 0.0.0.0/0');
    expect(texts).toContain('*Why it is risky*');
    expect(texts).toContain('*Approval*\nUNAPPROVED: no approved change covers this finding');
    const actions = rest.find((b) => b.type === 'actions');
    expect(actions?.elements?.[0]?.url).toBe(
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#SecurityGroup:groupId=sg-0a1b2c3d4e5f60718',
    );
    const context = rest.find((b) => b.type === 'context');
    expect(JSON.stringify(context)).toContain('fingerprint 4f1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a');
  });

  it('stays inside Block Kit limits for a finding with 5,000 deltas and a digest', async () => {
    const { sink, receiver } = await slack();
    await sink.deliver(notice(sshWorldFinding({ evidence: manyDeltas(5_000) })));
    await sink.deliver(digest(60));
    for (const request of receiver.received) {
      const message = JSON.parse(request.body) as Message;
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      for (const block of message.blocks) {
        if (block.type === 'header') expect(Array.from(block.text?.text ?? '').length).toBeLessThanOrEqual(150);
        if (block.text) expect(Array.from(block.text.text).length).toBeLessThanOrEqual(3000);
        expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
      }
    }
    expect(receiver.received[0]?.body).toContain('… and 4990 more');
    expect(receiver.received[1]?.body).toContain('60 findings');
  });

  it('escapes mrkdwn control characters from user-controlled text', async () => {
    const { sink, receiver } = await slack();
    await sink.deliver(notice(sshWorldFinding({ summary: 'group <!channel> & <https://evil.example|click>' })));
    // The URL is also defanged (`https[:]//`): Slack would auto-link it otherwise (issue 12).
    expect(receiver.received[0]?.body).toContain('group &lt;!channel&gt; &amp; &lt;https[:]//evil.example|click&gt;');
  });

  it('retries 500s and recovers; does not retry 404 no_service', async () => {
    const flaky = await slack((_req, n, res) => (n < 3 ? reply(res, 500) : reply(res, 200, 'ok')));
    await flaky.sink.deliver(notice());
    expect(flaky.receiver.received).toHaveLength(4);
    await stop?.();

    const gone = await slack((_req, _n, res) => reply(res, 404, 'no_service'));
    const error = (await gone.sink.deliver(notice()).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('no_service');
    expect(error.message).not.toContain('XXXXXXXX'); // the webhook URL is a credential: never in errors
    expect(gone.receiver.received).toHaveLength(1);
  });
});
