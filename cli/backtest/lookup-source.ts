import { CloudTrailClient, LookupEventsCommand, type LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { emptyClassified, type ClassifyDeps } from '../../shared/4-classify/classify.ts';
import { classifyText } from '../../shared/4-classify/classify-text.ts';
import { errorText, MalformedInputError } from '../../shared/platform/errors.ts';
import { CLOUDTRAIL_API_CALLS } from '../../shared/1-ingest/cloudtrail/index.ts';
import { emptyScan, type OnProgress, type ScanResult } from './scan.ts';

/**
 * CloudTrail event history (LookupEvents) as backtest input: the last 90 days of management events of one region,
 * with no trail needed. The API allows 2 requests per second per account and region, and returns at most 50 events a
 * page, so reading *everything* would take hours on a busy account; instead we ask once per event name a rule can
 * read ({@link CLOUDTRAIL_API_CALLS}) — the same calls the fast path lets through — and page through each answer.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */

/** LookupEvents' documented limit: two requests per second, per account per region. */
export const LOOKUP_REQUESTS_PER_SECOND = 2;

/** Options of one history read. */
export interface LookupOptions {
  region: string;
  start: Date;
  end: Date;
  /** Injected in tests (aws-sdk-client-mock works on any client). */
  client?: CloudTrailClient;
  /** Requests per second (default {@link LOOKUP_REQUESTS_PER_SECOND}). */
  rate?: number;
  /** Waits; tests inject a recorder instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  /** Clock in ms (tests pair it with `sleep`). */
  now?: () => number;
  signal?: AbortSignal;
}

/**
 * Spaces calls at least `1000 / perSecond` ms apart: the simplest limiter that never exceeds the API's rate, so the
 * SDK never has to back off from ThrottlingException.
 */
export class RateLimiter {
  private next = 0;
  constructor(
    private readonly perSecond: number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}
  async wait(): Promise<void> {
    const gap = 1000 / this.perSecond;
    const at = this.now();
    const wait = Math.max(0, this.next - at);
    this.next = Math.max(at, this.next) + gap;
    if (wait > 0) await this.sleep(wait);
  }
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Read and classify the event history of one region. */
export async function scanLookupEvents(
  options: LookupOptions,
  deps: ClassifyDeps,
  onProgress: OnProgress = () => undefined,
): Promise<ScanResult> {
  const client = options.client ?? new CloudTrailClient({ region: options.region });
  const limiter = new RateLimiter(
    options.rate ?? LOOKUP_REQUESTS_PER_SECOND,
    options.sleep ?? realSleep,
    options.now ?? Date.now,
  );
  const file = `lookup-events:${options.region}`;
  const result: ScanResult = { ...emptyScan(), units: 1 };
  const seen = new Set<string>();
  const names = [...new Set(CLOUDTRAIL_API_CALLS.flatMap((c) => c.names))].sort();
  let line = 0;
  for (const name of names) {
    let token: string | undefined;
    do {
      if (options.signal?.aborted) return result;
      await limiter.wait();
      let page: LookupEventsCommandOutput;
      try {
        page = await client.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }],
            StartTime: options.start,
            EndTime: options.end,
            MaxResults: 50,
            ...(token ? { NextToken: token } : {}),
          }),
        );
      } catch (cause) {
        result.errors.push(
          new MalformedInputError(`LookupEvents ${name} failed: ${errorText(cause)}`, { file }, { cause }).describe(),
        );
        break;
      }
      const part = emptyClassified();
      for (const event of page.Events ?? []) {
        line += 1;
        if (event.EventId !== undefined && seen.has(event.EventId)) continue;
        if (event.EventId !== undefined) seen.add(event.EventId);
        if (typeof event.CloudTrailEvent !== 'string') {
          part.errors.push(
            new MalformedInputError(`event ${event.EventId ?? '?'} has no CloudTrailEvent`, { file, line }),
          );
          continue;
        }
        classifyText({ kind: 'line', text: event.CloudTrailEvent, file, line, mayBeCut: false }, deps, part, false);
      }
      result.records += part.records;
      result.ignored += part.ignored.length;
      result.changes += part.changes.length;
      for (const f of part.findings) result.findings.push(f);
      for (const p of part.pending) result.pending.push(p);
      for (const e of part.errors) result.errors.push(errorText(e));
      onProgress(part.records, 0);
      token = page.NextToken;
    } while (token);
  }
  return result;
}
