/**
 * Rendered answers, kept so that the aggregator is not asked, and nothing is decoded or
 * serialised again, for what has not changed:
 * - immutable resources (certificates and artifacts by hash) stay until memory runs short
 *   (least recently used first);
 * - changing resources (lists, epoch settings) are reused for a short period, then refreshed in
 *   the background for as long again (stale-while-revalidate);
 * - either way, concurrent requests for the same resource share one upstream call.
 * Failures are never kept. Each rendered answer carries its strong ETag (a hash of the body).
 */
import { createHash } from 'node:crypto';

export interface Rendered {
  readonly body: Buffer;
  /** Strong validator: the quoted base64url SHA-256 of the body. */
  readonly etag: string;
}

export function rendered(json: string): Rendered {
  const body = Buffer.from(json, 'utf8');
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
}

/** Insertion-ordered Map used as an LRU: a hit moves the key to the end, eviction takes from the front. */
class Lru<V> {
  private readonly entries = new Map<string, V>();
  private total = 0;

  constructor(
    private readonly capacity: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    const size = this.sizeOf(value);
    if (size > this.capacity) return;
    this.delete(key);
    this.entries.set(key, value);
    this.total += size;
    for (const [oldest, old] of this.entries) {
      if (this.total <= this.capacity) break;
      this.entries.delete(oldest);
      this.total -= this.sizeOf(old);
    }
  }

  delete(key: string): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.total -= this.sizeOf(value);
  }
}

export interface ResponseCacheOptions {
  /** Bytes of rendered immutable answers kept. */
  readonly immutableBytes: number;
  /** How long a changing resource's answer is reused (0: only concurrent requests share it). */
  readonly volatileMs: number;
  /** Changing resources remembered at once (they are keyed by epoch, which callers choose). */
  readonly volatileEntries?: number;
  readonly now?: () => number;
}

export class ResponseCache {
  private readonly immutables: Lru<Rendered>;
  private readonly volatiles: Lru<{ readonly value: Rendered; readonly expiresAt: number }>;
  private readonly inFlight = new Map<string, Promise<Rendered>>();
  private readonly now: () => number;

  constructor(private readonly options: ResponseCacheOptions) {
    this.immutables = new Lru(options.immutableBytes, (value) => value.body.length);
    this.volatiles = new Lru(options.volatileEntries ?? 1_000, () => 1);
    this.now = options.now ?? Date.now;
  }

  /** A resource that never changes once it exists (a certificate or an artifact, by hash). */
  async immutable(key: string, produce: () => Promise<string>): Promise<Rendered> {
    const cached = this.immutables.get(key);
    if (cached !== undefined) return cached;
    return this.shared(`i:${key}`, produce, (value) => this.immutables.set(key, value));
  }

  /**
   * A resource that changes (a list, the epoch settings): reused for `volatileMs`. For another
   * `volatileMs` after that, the previous answer is still given at once while one refresh runs:
   * callers never all wait on the upstream call together (which would set every request's latency
   * to the upstream's); a failed refresh forgets the answer, and an older one is never given.
   */
  async volatile(key: string, produce: () => Promise<string>): Promise<Rendered> {
    const cached = this.volatiles.get(key);
    const now = this.now();
    if (cached !== undefined && cached.expiresAt > now) return cached.value;
    const keep = (value: Rendered) => {
      if (this.options.volatileMs > 0) this.volatiles.set(key, { value, expiresAt: this.now() + this.options.volatileMs });
    };
    if (cached !== undefined && cached.expiresAt + this.options.volatileMs > now) {
      this.shared(`v:${key}`, produce, keep).catch(() => this.volatiles.delete(key));
      return cached.value;
    }
    return this.shared(`v:${key}`, produce, keep);
  }

  private shared(key: string, produce: () => Promise<string>, keep: (value: Rendered) => void): Promise<Rendered> {
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const promise = produce()
      .then((json) => {
        const value = rendered(json);
        keep(value);
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }
}
