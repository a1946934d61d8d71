import { realSleep } from './retry.ts';

/**
 * A token bucket per key (account + region): `take(key)` resolves when a request may be sent. CloudTrail LookupEvents
 * allows two requests per second per account and Region and throttles above that; spacing requests here means a
 * burst of Config items waits its turn instead of failing.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; updated: number }>();
  readonly #queues = new Map<string, Promise<void>>();
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  /**
   * @param ratePerSecond tokens added per second (LookupEvents: 2)
   * @param burst bucket size (default: the rate)
   */
  constructor(
    ratePerSecond: number,
    options: { burst?: number; now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
  ) {
    this.#rate = ratePerSecond;
    this.#burst = options.burst ?? ratePerSecond;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
  }

  /** Wait for one token of `key`'s bucket and take it. Callers of one key are served in call order. */
  take(key: string): Promise<void> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const mine = previous.then(() => this.#waitForToken(key));
    this.#queues.set(key, mine);
    return mine;
  }

  async #waitForToken(key: string): Promise<void> {
    for (;;) {
      const wait = this.#reserve(key);
      if (wait <= 0) return;
      await this.#sleep(wait);
    }
  }

  /** Takes a token now and returns 0, or returns how many ms until one is available. */
  #reserve(key: string): number {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, updated: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.updated) / 1000) * this.#rate);
    bucket.updated = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.#rate) * 1000);
  }
}
