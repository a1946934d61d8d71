import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';

/**
 * Secrets (PagerDuty routing keys, webhook tokens, Slack URLs) never sit in the config file: a setting holds a
 * *reference*, `{ssm: /netwatch/pagerduty/routing-key}` (SecureString, decrypted) or `{secretsManager: name-or-arn}`,
 * resolved once at cold start through Powertools Parameters, which caches values (default 5 s max age here raised to
 * the container's life: a rotated secret is picked up by the next cold start).
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/parameters/
 */
export const secretRefSchema = z.union([
  z.strictObject({ ssm: z.string().regex(/^\/[A-Za-z0-9_.\-/]+$/, 'must be an SSM parameter name starting with /') }),
  z.strictObject({ secretsManager: z.string().min(1) }),
]);

/** A reference to a secret value. */
export type SecretRef = z.infer<typeof secretRefSchema>;

/** Keys that hold secrets; a plain string there is refused (the file would leak it). */
export const SECRET_KEY = /(secret|token|password|passwd|apikey|api_key|routingkey|routing_key|integrationkey|webhookurl|authorization)/i;

/**
 * Problems for every secret-looking key that holds a plain string instead of a reference. Generic over the whole
 * sinks section, so sink kinds added later (in their own schemas) get the same protection.
 */
export function plaintextSecretProblems(value: unknown, path: string): string[] {
  const problems: string[] = [];
  const walk = (v: unknown, at: string): void => {
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${at}[${i}]`));
    else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        const here = `${at}.${k}`;
        if (SECRET_KEY.test(k) && typeof child === 'string') problems.push(`${here}: looks like a secret; put it in SSM Parameter Store or Secrets Manager and write {ssm: /name} or {secretsManager: name} here`);
        else walk(child, here);
      }
    }
  };
  walk(value, path);
  return problems;
}

/** Resolves secret references. Powertools in Lambda; a map in tests. */
export interface SecretResolver {
  resolve(ref: SecretRef): Promise<string>;
}

/** Powertools Parameters resolver: SSM SecureStrings decrypted; values cached for the container's life. */
export const powertoolsSecrets: SecretResolver = {
  async resolve(ref) {
    const value = 'ssm' in ref ? await getParameter(ref.ssm, { decrypt: true, maxAge: 24 * 3600 }) : await getSecret(ref.secretsManager, { maxAge: 24 * 3600 });
    if (typeof value !== 'string' || value === '') throw new ConfigError('secret reference resolved to nothing', ['ssm' in ref ? `ssm ${ref.ssm}: empty or missing` : `secretsManager ${ref.secretsManager}: empty, binary or missing`]);
    return value;
  },
};

/** True for a `{ssm}` / `{secretsManager}` object. */
export function isSecretRef(value: unknown): value is SecretRef {
  return secretRefSchema.safeParse(value).success;
}

/**
 * A copy of `value` with every secret reference replaced by its value. All references are resolved (in parallel) and
 * every failure is reported at once, with the config path, as one {@link ConfigError}.
 */
export async function resolveSecrets<T>(value: T, resolver: SecretResolver, path = 'sinks'): Promise<T> {
  const problems: string[] = [];
  const resolveAt = async (v: unknown, at: string): Promise<unknown> => {
    if (isSecretRef(v)) {
      try {
        return await resolver.resolve(v);
      } catch (cause) {
        problems.push(`${at}: cannot resolve ${JSON.stringify(v)}: ${(cause as Error).message}`);
        return undefined;
      }
    }
    if (Array.isArray(v)) return Promise.all(v.map((item, i) => resolveAt(item, `${at}[${i}]`)));
    if (typeof v === 'object' && v !== null) return Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, child]) => [k, await resolveAt(child, `${at}.${k}`)] as const)));
    return v;
  };
  const resolved = (await resolveAt(value, path)) as T;
  if (problems.length) throw new ConfigError('secrets could not be resolved', problems);
  return resolved;
}
