/**
 * Rendered answers, kept so that the aggregator is not asked, and nothing is decoded or
 * serialised again, for what has not changed:
 * - immutable resources (certificates and artifacts by hash) stay until memory runs short
 *   (least recently used first);
 * - changing resources (lists, epoch settings) are reused for a short period, then refreshed in
 *   the background for as long again (stale-while-revalidate);
 * - either way, concurrent requests for the same resource share one upstream call.
 * Failures are never kept. Each rendered answer carries its strong ETag (a hash of the body),
 * and its compressed bodies once a client has asked for them (each coding compressed once).
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

/** The content codings answers are sent in, besides identity. */
export type Compression = 'br' | 'gzip';

/*
 * Fast levels: a body is compressed on its first request, which waits for it. On a mainnet-size
 * certificate's reference JSON (700 kB, mostly hex digits) gzip level 4 took 7.5 ms for 5.3×
 * where the default level 6 took 35 ms for 5.7×, and brotli quality 4 took 9 ms for 5.1× where
 * quality 11 takes seconds.
 */
const compressors: Record<Compression, (body: Buffer) => Promise<Buffer>> = {
  br: (body) =>
    promisify(brotliCompress)(body, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 4, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT },
    }),
  gzip: (body) => promisify(gzip)(body, { level: 4 }),
};

/** Below this a body is sent as it is: compressing it saves less than its headers cost. */
export const MIN_COMPRESSED_BYTES = 1024;

/** An answer as rendered once: its JSON body, its validator, and its compressed bodies as asked for. */
export class Rendered {
  /** Strong validator of the identity body: the quoted base64url SHA-256 of the body. */
  readonly etag: string;
  readonly #compressed = new Map<Compression, Promise<Buffer>>();

  constructor(readonly body: Buffer) {
    this.etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  }

  /** Whether the body is worth sending compressed. */
  get compressible(): boolean {
    return this.body.length >= MIN_COMPRESSED_BYTES;
  }

  /** What keeping the answer may cost: its body, and for a compressible one room for its compressed bodies (each under half of a JSON body). */
  get footprint(): number {
    return this.compressible ? 2 * this.body.length : this.body.length;
  }

  /** Each coding is its own representation (RFC 9110 §8.8.3), so it has its own strong validator. */
  etagOf(coding: Compression | 'identity'): string {
    return coding === 'identity' ? this.etag : `${this.etag.slice(0, -1)}.${coding}"`;
  }

  /** The body in `coding`, compressed once (in libuv's thread pool, off the event loop) and kept with the answer. */
  bodyIn(coding: Compression | 'identity'): Promise<Buffer> {
    if (coding === 'identity') return Promise.resolve(this.body);
    let compressed = this.#compressed.get(coding);
    if (compressed === undefined) {
      compressed = compressors[coding](this.body);
      compressed.catch(() => this.#compressed.delete(coding));
      this.#compressed.set(coding, compressed);
    }
    return compressed;
  }
}

export function rendered(json: string): Rendered {
  return new Rendered(Buffer.from(json, 'utf8'));
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
    this.immutables = new Lru(options.immutableBytes, (value) => value.footprint);
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
