import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../shared/platform/aws/clients.ts';
import { ParametersSecretResolver, SecretError, secretRefSchema } from '../../../shared/platform/aws/secrets.ts';
import { AwsFault, LOCAL_AWS, startAwsJsonServer } from '../../support/aws-json-server.ts';

beforeAll(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
});
afterAll(() => {
  vi.unstubAllEnvs();
});

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

const PARAMETERS: Record<string, string> = { '/netwatch/pagerduty/routing-key': 'R0UT1NGKEY0000000000000000000001' };

async function ssmServer() {
  const server = await startAwsJsonServer({
    'AmazonSSM.GetParameter': (input) => {
      const name = String(input.Name);
      const value = PARAMETERS[name];
      if (value === undefined) throw new AwsFault('ParameterNotFound', `Parameter ${name} not found.`);
      return {
        Parameter: {
          Name: name,
          Type: 'SecureString',
          Value: input.WithDecryption === true ? value : 'AQICAHh…ciphertext',
          Version: 3,
          ARN: `arn:aws:ssm:eu-west-1:111122223333:parameter${name}`,
        },
      };
    },
    'secretsmanager.GetSecretValue': (input) => {
      if (input.SecretId !== 'netwatch/slack')
        throw new AwsFault('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      return {
        ARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:netwatch/slack-AbCdEf',
        Name: 'netwatch/slack',
        SecretString: '{"webhookUrl":"https://hooks.slack.com/services/T0/B0/X0","note":1}',
        VersionId: 'v1',
      };
    },
  });
  stop = server.stop;
  return server;
}

describe('secret references resolved through Powertools Parameters', () => {
  it('reads an SSM SecureString with decryption over the real SDK and caches it', async () => {
    // Prepare
    const server = await ssmServer();
    const resolver = new ParametersSecretResolver(createAwsClients({ ...LOCAL_AWS, endpoint: server.url }), {
      maxAgeSeconds: 60,
    });
    // Act
    const first = await resolver.resolve({ ssm: '/netwatch/pagerduty/routing-key' });
    const second = await resolver.resolve({ ssm: '/netwatch/pagerduty/routing-key' });
    // Assess
    expect(first).toBe('R0UT1NGKEY0000000000000000000001');
    expect(second).toBe(first);
    expect(server.received).toHaveLength(1); // second came from the cache
    expect(server.received[0]?.headers['x-amz-target']).toBe('AmazonSSM.GetParameter');
    expect(JSON.parse(server.received[0]?.body ?? '{}')).toEqual({
      Name: '/netwatch/pagerduty/routing-key',
      WithDecryption: true,
    });
    expect(String(server.received[0]?.headers.authorization)).toContain('/eu-west-1/ssm/aws4_request');
  });

  it('refetches after maxAge', async () => {
    const server = await ssmServer();
    const resolver = new ParametersSecretResolver(createAwsClients({ ...LOCAL_AWS, endpoint: server.url }), {
      maxAgeSeconds: 0,
    });
    await resolver.resolve({ ssm: '/netwatch/pagerduty/routing-key' });
    await new Promise((r) => setTimeout(r, 5));
    await resolver.resolve({ ssm: '/netwatch/pagerduty/routing-key' });
    expect(server.received).toHaveLength(2);
  });

  it('picks one field of a JSON secret from Secrets Manager', async () => {
    const server = await ssmServer();
    const resolver = new ParametersSecretResolver(createAwsClients({ ...LOCAL_AWS, endpoint: server.url }));
    expect(await resolver.resolve({ secretsManager: 'netwatch/slack', key: 'webhookUrl' })).toBe(
      'https://hooks.slack.com/services/T0/B0/X0',
    );
    await expect(resolver.resolve({ secretsManager: 'netwatch/slack', key: 'note' })).rejects.toThrow(
      'has no string field "note"',
    );
  });

  it('reports a missing parameter as a non-retryable SecretError naming the reference, and prefetch fails fast', async () => {
    const server = await ssmServer();
    const resolver = new ParametersSecretResolver(createAwsClients({ ...LOCAL_AWS, endpoint: server.url }));
    const error = (await resolver.resolve({ ssm: '/netwatch/nope' }).catch((e: unknown) => e)) as SecretError;
    expect(error).toBeInstanceOf(SecretError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('ssm:/netwatch/nope');
    await expect(
      resolver.prefetch([{ ssm: '/netwatch/pagerduty/routing-key' }, { ssm: '/netwatch/nope' }]),
    ).rejects.toThrow(SecretError);
  });

  it('treats an unreachable SSM endpoint as retryable', async () => {
    const server = await ssmServer();
    const url = server.url;
    await server.stop();
    stop = undefined;
    const resolver = new ParametersSecretResolver(createAwsClients({ ...LOCAL_AWS, endpoint: url, maxAttempts: 1 }));
    const error = (await resolver
      .resolve({ ssm: '/netwatch/pagerduty/routing-key' })
      .catch((e: unknown) => e)) as SecretError;
    expect(error).toBeInstanceOf(SecretError);
    expect(error.retryable).toBe(true);
  });

  it('accepts only references in config, never values', () => {
    expect(secretRefSchema.safeParse({ ssm: '/netwatch/x' }).success).toBe(true);
    expect(
      secretRefSchema.safeParse({ secretsManager: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:x', key: 'k' })
        .success,
    ).toBe(true);
    expect(secretRefSchema.safeParse('R0UT1NGKEY').success).toBe(false);
    expect(secretRefSchema.safeParse({ ssm: 'netwatch/no-leading-slash' }).success).toBe(false);
    expect(secretRefSchema.safeParse({ ssm: '/x', value: 'inline' }).success).toBe(false);
  });
});
