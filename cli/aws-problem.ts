import { DeliveryError } from '../shared/platform/errors.ts';

/**
 * "AWS is not set up here", told apart from every other failure. A config that names an SSM parameter, a Secrets
 * Manager secret, a DynamoDB table or an AWS sink makes the CLI call AWS; on a laptop without a region or credentials
 * the SDK fails deep inside a call (`Region is missing`, `Could not load credentials from any providers`) and the
 * raw error said nothing about what to do. The commands let such errors rise; `cli/main.ts` turns them into one line
 * — what is missing, what needed it, how to fix it — and exit code 69 (`EXIT.noAws`, cli/commands/command.ts).
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 */

/** Why AWS could not be used. */
export type AwsProblemKind = 'region' | 'credentials' | 'rejected' | 'denied' | 'unreachable';

/** One AWS set-up problem: its kind, the SDK's own words, and what the CLI was doing (when known). */
export interface AwsProblem {
  kind: AwsProblemKind;
  detail: string;
  purpose?: string;
}

/** SDK / service error names meaning the credentials were found but refused. */
const REJECTED = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
]);
/** … and the call is not allowed for these credentials. */
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError']);
/** Network errors: the endpoint (AWS, or a local emulator named by AWS_ENDPOINT_URL_*) did not answer. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);

/** Marks what a step of a command needed AWS for, so the one-line message can say it. */
export class AwsStepError extends Error {
  constructor(
    readonly purpose: string,
    cause: unknown,
  ) {
    super(`${purpose}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'AwsStepError';
  }
}

/** Run `step`; an AWS set-up problem in it is tagged with `purpose` (other errors pass through untouched). */
export async function needsAws<T>(purpose: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (awsProblem(error) !== undefined && !(error instanceof AwsStepError)) throw new AwsStepError(purpose, error);
    throw error;
  }
}

/** The AWS set-up problem behind `error` (searched along its `cause` chain), or undefined for any other failure. */
export function awsProblem(error: unknown): AwsProblem | undefined {
  let purpose: string | undefined;
  const seen = new Set<unknown>();
  for (let e: unknown = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    // The innermost step named wins: a secret read inside a sink's delivery inside a command step.
    if (e instanceof AwsStepError) purpose = e.purpose;
    // SecretError by name and message (`secret ssm:/x: …`): importing its module would load zod into every command's
    // start (cli/main.ts imports this file; test/cli/build.test.ts keeps the entry small).
    else if (e.name === 'SecretError' && /^secret \S+:/.test(e.message))
      purpose = `reading the ${/^secret \S+(?=:)/.exec(e.message)?.[0] ?? 'secret'}`;
    else if (e instanceof DeliveryError) purpose = `delivering to sink ${e.sink}`;
    const kind = kindOf(e);
    if (kind !== undefined) return { kind, detail: e.message, ...(purpose !== undefined ? { purpose } : {}) };
  }
  return undefined;
}

function kindOf(e: Error): AwsProblemKind | undefined {
  const code = (e as { code?: unknown }).code;
  if (/^Region is missing/.test(e.message)) return 'region';
  if (e.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message)) return 'credentials';
  if (REJECTED.has(e.name) || (typeof code === 'string' && REJECTED.has(code))) return 'rejected';
  if (DENIED.has(e.name)) return 'denied';
  if (typeof code === 'string' && UNREACHABLE.has(code)) return 'unreachable';
  return undefined;
}

/** Where the local endpoints point (the sandbox, an emulator), for the "unreachable" advice. */
function localEndpoints(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([k, v]) => k.startsWith('AWS_ENDPOINT_URL') && v)
    .map(([k, v]) => `${k}=${v}`);
}

/** The one line: what is missing, what needed it, how to fix it (no stack, no SDK internals). */
export function awsProblemLine(problem: AwsProblem, env: NodeJS.ProcessEnv = process.env): string {
  const needed = problem.purpose ? ` (needed for ${problem.purpose})` : '';
  const tryLocally = 'or try Netwatch without AWS: `netwatch sandbox` (docs/sandbox.md)';
  switch (problem.kind) {
    case 'region':
      return `netwatch: no AWS region${needed}: set AWS_REGION (e.g. export AWS_REGION=eu-west-1) or a region in your AWS profile, ${tryLocally}`;
    case 'credentials':
      return `netwatch: no AWS credentials${needed}: set AWS_PROFILE (after \`aws sso login\`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ${tryLocally}`;
    case 'rejected':
      return `netwatch: AWS refused the credentials${needed}: ${oneLine(problem.detail)} — refresh them (\`aws sso login\`, or new keys)`;
    case 'denied':
      return `netwatch: AWS denied the call${needed}: ${oneLine(problem.detail)} — use credentials allowed to make this call`;
    case 'unreachable': {
      const local = localEndpoints(env);
      return `netwatch: cannot reach AWS${needed}: ${oneLine(problem.detail)}${
        local.length ? ` — ${local.join(', ')} is set: is the local endpoint (\`netwatch sandbox\`) running?` : ''
      }`;
    }
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The part of an SDK v3 client's resolved config that says whether it can call AWS at all. */
interface ClientConfig {
  region?: unknown;
  credentials?: unknown;
}

/**
 * Before a command that is nothing but AWS calls (live flow-log evidence, LookupEvents, an S3 listing) starts: resolve
 * the client's region and credentials once, so a laptop without them gets the one-line message instead of one failed
 * call per query, each reported as a result. Throws the tagged problem; resolves when both are there.
 */
export async function awsReady(purpose: string, config: ClientConfig): Promise<void> {
  await needsAws(purpose, async () => {
    const region =
      typeof config.region === 'function' ? await (config.region as () => Promise<unknown>)() : config.region;
    if (!region) throw new Error('Region is missing');
    if (typeof config.credentials === 'function') await (config.credentials as () => Promise<unknown>)();
  });
}
