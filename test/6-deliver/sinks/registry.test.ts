import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../shared/platform/aws/clients.ts';
import { StaticSecretResolver } from '../../../shared/platform/aws/secrets.ts';
import {
  createSinks,
  prefetchSinkSecrets,
  secretRefsOf,
  SINK_KINDS,
  sinksConfigSchema,
  sinkSpecSchema,
} from '../../../shared/6-deliver/sinks/registry.ts';
import { StdoutSink, stdoutSettingsSchema } from '../../../shared/6-deliver/sinks/stdout.ts';
import type { ChangeRecord } from '../../../shared/6-deliver/sinks/format/change-record.ts';
import { digest, notice } from '../../support/sink-fixtures.ts';

const CONFIG = `
sinks:
  paging:
    type: sns
    topicArn: arn:aws:sns:eu-west-1:111122223333:netwatch-paging
  pagerduty:
    type: pagerduty
    routingKey: { secretsManager: netwatch/pagerduty, key: routingKey }
  slack:
    type: slack
    webhookUrl: { ssm: /netwatch/slack/webhook }
  servicenow:
    type: webhook
    url: https://acme.service-now.com/api/now/import/u_netwatch
    signingSecret: { ssm: /netwatch/webhook/signing }
    secretHeaders: { Authorization: { ssm: /netwatch/servicenow/basic } }
    retry: { attempts: 3 }
  queue: { type: sqs, queueUrl: https://sqs.eu-west-1.amazonaws.com/111122223333/netwatch-changes }
  bus: { type: eventbridge }
  archive: { type: s3, bucket: netwatch-audit-111122223333, batch: true }
  console: { type: stdout, format: text }
  local: { type: file, path: out/findings.jsonl }
  logs: { type: log }
`;

describe('sink registry', () => {
  it('validates a sinks section, applies defaults and builds every kind', () => {
    // Prepare
    const raw = (parseYaml(CONFIG) as { sinks: unknown }).sinks;
    // Act
    const config = sinksConfigSchema.parse(raw);
    const sinks = createSinks(config, {
      clients: createAwsClients({ region: 'eu-west-1' }),
      secrets: new StaticSecretResolver({}),
    });
    // Assess
    expect([...sinks.values()].map((s) => [s.name, s.kind])).toEqual([
      ['paging', 'sns'],
      ['pagerduty', 'pagerduty'],
      ['slack', 'slack'],
      ['servicenow', 'webhook'],
      ['queue', 'sqs'],
      ['bus', 'eventbridge'],
      ['archive', 's3'],
      ['console', 'stdout'],
      ['local', 'file'],
      ['logs', 'log'],
    ]);
    expect(config.pagerduty).toMatchObject({
      url: 'https://events.pagerduty.com/v2/enqueue',
      timeoutMs: 5_000,
      retry: { attempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 },
    });
    // 3 attempts (5 × the 6 s default no longer fits the 30 s function timeout: refused, see http-sinks.test.ts).
    expect(config.servicenow).toMatchObject({
      retry: { attempts: 3, baseDelayMs: 200 },
      headers: {},
      timeoutMs: 6_000,
    });
    expect(config.bus).toEqual({ type: 'eventbridge', eventBusName: 'default', source: 'netwatch' });
    expect(config.archive).toMatchObject({ prefix: 'netwatch/findings', maxBatch: 500 });
    expect(Object.keys(SINK_KINDS).sort()).toEqual([
      'eventbridge',
      'file',
      'jira',
      'log',
      'memory',
      'pagerduty',
      's3',
      'securityhub',
      'servicenow',
      'slack',
      'sns',
      'sqs',
      'stdout',
      'webhook',
    ]);
  });

  it('rejects typos, unknown types and inline secrets with a path', () => {
    const typo = sinkSpecSchema.safeParse({ type: 'sns', topicARN: 'arn:aws:sns:eu-west-1:111122223333:x' });
    expect(typo.success).toBe(false);
    expect(typo.error?.issues.map((i) => i.code)).toContain('unrecognized_keys');
    expect(sinkSpecSchema.safeParse({ type: 'teams' }).success).toBe(false);
    const inline = sinkSpecSchema.safeParse({ type: 'pagerduty', routingKey: 'R0UT1NGKEY' });
    expect(inline.error?.issues[0]?.path).toEqual(['routingKey']);
    expect(sinksConfigSchema.safeParse({ 'Bad Name': { type: 'log' } }).success).toBe(false);
  });

  it('lists the secrets to prefetch at cold start, and prefetch fails fast on a missing one', async () => {
    const config = sinksConfigSchema.parse((parseYaml(CONFIG) as { sinks: unknown }).sinks);
    expect(Object.values(config).flatMap(secretRefsOf)).toEqual([
      { secretsManager: 'netwatch/pagerduty', key: 'routingKey' },
      { ssm: '/netwatch/slack/webhook' },
      { ssm: '/netwatch/webhook/signing' },
      { ssm: '/netwatch/servicenow/basic' },
    ]);
    const partial = new StaticSecretResolver({
      'secretsmanager:netwatch/pagerduty#routingKey': 'k',
      'ssm:/netwatch/slack/webhook': 'u',
      'ssm:/netwatch/webhook/signing': 's',
    });
    await expect(prefetchSinkSecrets(config, partial)).rejects.toThrow('ssm:/netwatch/servicenow/basic');
  });
});

describe('stdout and file sinks', () => {
  it('writes one JSON change record line, or one human line with format text', async () => {
    const lines: string[] = [];
    const stdout = { write: (text: string) => lines.push(text) };
    await new StdoutSink('out', stdoutSettingsSchema.parse({ type: 'stdout' }), {
      stdout,
      now: () => new Date('2026-11-20T09:14:09Z'),
    }).deliver(notice());
    await new StdoutSink('out', stdoutSettingsSchema.parse({ type: 'stdout', format: 'text' }), { stdout }).deliver(
      notice(),
    );
    await new StdoutSink('out', stdoutSettingsSchema.parse({ type: 'stdout', format: 'text' }), { stdout }).deliver(
      digest(5),
    );
    expect((JSON.parse(lines[0] ?? '{}') as ChangeRecord).fingerprint).toBe('4f1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a');
    expect(lines[1]).toBe(
      '[HIGH] Security group open to the world: sg-0a1b2c3d4e5f60718 (111122223333/eu-west-1) — sg-0a1b2c3d4e5f60718 (web-frontend) now allows tcp/22 from 0.0.0.0/0 [UNAPPROVED] 4f1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a\n',
    );
    expect(lines[2]).toMatch(/^\[CRITICAL\] 5 findings: .* digest-[0-9a-f]{32}\n$/);
    expect(lines.every((l) => l.split('\n').length === 2)).toBe(true);
  });

  it('builds the file sink from its settings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netwatch-sinks-'));
    const config = sinksConfigSchema.parse({ local: { type: 'file', path: join(dir, 'out', 'findings.jsonl') } });
    const sink = createSinks(config, { clients: createAwsClients(), secrets: new StaticSecretResolver({}) }).get(
      'local',
    );
    await sink?.deliver(notice());
    await sink?.close?.();
    const text = await readFile(join(dir, 'out', 'findings.jsonl'), 'utf8');
    expect((JSON.parse(text.trim()) as { fingerprint: string; approval: { state: string } }).approval.state).toBe(
      'unapproved',
    );
  });
});
