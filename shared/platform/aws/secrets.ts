import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import * as z from 'zod';
import { NetwatchError, errorText } from '../errors.ts';
import type { AwsClients } from './clients.ts';
import { powertools } from './sdk.ts';

/**
 * Where a secret lives. Config files only ever hold a *reference*: routing keys, webhook URLs (a Slack incoming-webhook
 * URL is itself a credential) and signing secrets stay in SSM Parameter Store (SecureString) or Secrets Manager.
 * `key` picks one field of a JSON secret (Secrets Manager secrets are often `{"routingKey": "...", ...}`).
 */
export const secretRefSchema = z.lazy(() =>
  z.union([
    z.strictObject({ ssm: z.string().regex(/^\//, 'an SSM parameter name starts with /') }),
    z.strictObject({ secretsManager: z.string().min(1), key: z.string().min(1).optional() }),
  ]),
);

export type SecretRef = z.infer<typeof secretRefSchema>;

/** Human name of a reference (for errors and logs; never the value). */
export function describeSecretRef(ref: SecretRef): string {
  return 'ssm' in ref
    ? `ssm:${ref.ssm}`
    : `secretsmanager:${ref.secretsManager}${ref.key !== undefined ? `#${ref.key}` : ''}`;
}

/** A secret could not be resolved. `retryable` is false when the secret does not exist or has the wrong shape. */
export class SecretError extends NetwatchError {
  readonly code = 'SECRET_UNAVAILABLE';
  constructor(
    readonly ref: SecretRef,
    message: string,
    readonly retryable: boolean,
    cause?: unknown,
  ) {
    super(`secret ${describeSecretRef(ref)}: ${message}`, {}, { cause });
  }
}

/** Resolves {@link SecretRef}s to their values. Sinks call `resolve` per delivery; the cache makes that cheap. */
export interface SecretResolver {
  resolve(ref: SecretRef): Promise<string>;
  /** Resolve ahead of time (cold start), so the first page does not wait on SSM and a missing secret fails fast. */
  prefetch(refs: readonly SecretRef[]): Promise<void>;
}

export interface ParametersSecretResolverOptions {
  /** Cache lifetime in seconds (default 300). Rotated secrets are picked up after at most this long. */
  maxAgeSeconds?: number;
}

/** Error names (SDK or Powertools) meaning "this secret is not there": retrying will not help. */
const PERMANENT = new Set([
  'ParameterNotFound',
  'ParameterNotFoundError',
  'ParameterVersionNotFound',
  'ResourceNotFoundException',
  'ValidationException',
  'AccessDeniedException',
  'DecryptionFailure',
]);

/**
 * {@link SecretResolver} over Powertools Parameters (SSM `getParameter` with decryption, Secrets Manager `getSecret`),
 * which caches values in memory for `maxAge`. The providers are built over the shared, lazily created SDK clients so
 * tests can point them at a local endpoint.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/parameters/
 */
export class ParametersSecretResolver implements SecretResolver {
  private ssm: SSMProvider | undefined;
  private secrets: SecretsProvider | undefined;
  private readonly maxAge: number;

  constructor(
    private readonly clients: Pick<AwsClients, 'ssm' | 'secretsManager'>,
    options: ParametersSecretResolverOptions = {},
  ) {
    this.maxAge = options.maxAgeSeconds ?? 300;
  }

  async resolve(ref: SecretRef): Promise<string> {
    let value: unknown;
    try {
      if ('ssm' in ref) {
        this.ssm ??= new (powertools.ssm().SSMProvider)({ awsSdkV3Client: this.clients.ssm });
        value = await this.ssm.get(ref.ssm, { decrypt: true, maxAge: this.maxAge });
      } else {
        this.secrets ??= new (powertools.secrets().SecretsProvider)({ awsSdkV3Client: this.clients.secretsManager });
        value = await this.secrets.get(ref.secretsManager, { maxAge: this.maxAge });
      }
    } catch (cause) {
      throw new SecretError(ref, errorText(cause), !isPermanent(cause), cause);
    }
    if (typeof value !== 'string' || value === '') throw new SecretError(ref, 'no string value', false);
    return 'secretsManager' in ref && ref.key !== undefined ? pickKey(ref, value, ref.key) : value;
  }

  async prefetch(refs: readonly SecretRef[]): Promise<void> {
    await Promise.all(refs.map((ref) => this.resolve(ref)));
  }
}

function isPermanent(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (PERMANENT.has(e.name)) return true;
  }
  return false;
}

const jsonObject = z.lazy(() => z.record(z.string(), z.unknown()));

function pickKey(ref: SecretRef, text: string, key: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new SecretError(ref, 'is not JSON, cannot pick a key', false, cause);
  }
  const object = jsonObject.safeParse(parsed);
  const field = object.success ? object.data[key] : undefined;
  if (typeof field !== 'string' || field === '') throw new SecretError(ref, `has no string field "${key}"`, false);
  return field;
}

/** A resolver over fixed values, for the CLI and tests: `{ 'ssm:/netwatch/pd': 'R0UT1NGKEY' }`. */
export class StaticSecretResolver implements SecretResolver {
  constructor(private readonly values: Readonly<Record<string, string>>) {}
  async resolve(ref: SecretRef): Promise<string> {
    const value = this.values[describeSecretRef(ref)];
    if (value === undefined) throw new SecretError(ref, 'not configured', false);
    return value;
  }
  async prefetch(refs: readonly SecretRef[]): Promise<void> {
    await Promise.all(refs.map((ref) => this.resolve(ref)));
  }
}
