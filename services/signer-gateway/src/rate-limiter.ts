/**
 * Per-key token buckets (one key per pool). Memory stays bounded although anyone can make up pool
 * ids: buckets are kept in least-recently-used order, those that have refilled (they remember
 * nothing a fresh bucket would not) are dropped as they reach the front, and beyond `maxKeys` the
 * least recently used bucket is forgotten.
 */

export interface RateLimiterOptions {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size: requests a key may make at once after being idle. */
  readonly burst: number;
  readonly maxKeys: number;
  /** Monotonic milliseconds. */
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1) || !(options.maxKeys >= 1)) {
      throw new RangeError('a rate limiter needs a positive rate, a burst of at least 1 and room for at least one key');
    }
    this.now = options.now ?? (() => performance.now());
  }

  /** Takes one token for `key`; false when its bucket is empty (the request must be refused). */
  tryTake(key: string): boolean {
    const now = this.now();
    const existing = this.buckets.get(key);
    const tokens = existing === undefined ? this.options.burst : this.level(existing, now);
    // Re-inserting moves the key to the back: the Map iterates least recently used first.
    this.buckets.delete(key);
    this.forgetIdle(now);
    const allowed = tokens >= 1;
    this.buckets.set(key, { tokens: allowed ? tokens - 1 : tokens, updatedAt: now });
    return allowed;
  }

  /** Keys currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private level(bucket: Bucket, now: number): number {
    return Math.min(this.options.burst, bucket.tokens + (Math.max(0, now - bucket.updatedAt) / 1000) * this.options.ratePerSecond);
  }

  private forgetIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size >= this.options.maxKeys || this.level(bucket, now) >= this.options.burst) this.buckets.delete(key);
      else break;
    }
  }
}
