/**
 * AWS calls retry through the SDK's own retry strategy, never a loop of ours: every client Netwatch builds for a
 * read it can wait for (enrichment: Config history, BatchGetResourceConfig, CloudTrail LookupEvents) uses
 * {@link AWS_RETRY} — the SDK's `standard` mode (exponential backoff with full jitter, a longer base for throttling,
 * a retry quota), bounded by `maxAttempts`. The only other retry loop is the HTTP sinks' (shared/6-deliver/sinks/
 * retry.ts). This file holds what callers need to *report* on a call: its error's name and one line, and how many
 * retries the SDK made.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */

/**
 * SDK client settings for enrichment calls: the standard retry strategy, 3 attempts in all — on throttling the SDK
 * waits up to 1 s, then up to 2 s (full jitter on a 500 ms base), so a page waits at most ~3 s on a throttled look-up.
 */
export const AWS_RETRY = { retryMode: 'standard', maxAttempts: 3 } as const;

/** The `name` of an error the SDK threw (`ResourceNotDiscoveredException`, …), or `Error`. */
export function errorName(error: unknown): string {
  return error instanceof Error
    ? error.name
    : typeof error === 'object' && error !== null && 'name' in error
      ? String(error.name)
      : 'Error';
}

/** One line about an error, for a finding's `why`: `ThrottlingException: Rate exceeded`. */
export function errorSummary(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const name = errorName(error);
  return message && message !== name ? `${name}: ${message}` : name;
}

/**
 * How many times the SDK retried a call, from the `$metadata.attempts` it puts on every response and every error
 * (0 when absent: a stubbed client, or the first attempt succeeded).
 * @see https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-smithy-types/Interface/ResponseMetadata/
 */
export function sdkRetries(responseOrError: unknown): number {
  if (typeof responseOrError !== 'object' || responseOrError === null) return 0;
  const attempts = (responseOrError as { $metadata?: { attempts?: unknown } }).$metadata?.attempts;
  return typeof attempts === 'number' && attempts > 1 ? attempts - 1 : 0;
}
