import type { InvocationDeadline } from '../../platform/deadline.ts';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsClients } from '../../platform/aws/clients.ts';
import type { SecretResolver } from '../../platform/aws/secrets.ts';
import type { RetryClock } from './retry.ts';

/**
 * What sink factories receive from the composition root. Everything with side effects is injected, so tests point the
 * same code at local receivers: AWS clients with an endpoint override, `fetch`, the clock used for retries, `now`.
 */
export interface SinkDeps {
  /** Lazily created AWS SDK v3 clients. */
  clients: AwsClients;
  secrets: SecretResolver;
  fetch?: typeof fetch;
  /** Time stamps in payloads (`deliveredAt`, S3 keys). */
  now?: () => Date;
  /** Sleep / randomness for retry backoff (tests: instant, deterministic). */
  clock?: RetryClock;
  /** The Lambda invocation's deadline: HTTP retries stop before it (absent in the CLI: no deadline). */
  deadline?: InvocationDeadline;
  /** Where the stdout sink writes (default `process.stdout`). */
  stdout?: { write(text: string): unknown };
  /** For the `log` sink (default: a Powertools logger named `netwatch`). */
  logger?: Logger;
}
