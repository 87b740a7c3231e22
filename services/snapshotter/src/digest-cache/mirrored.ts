/**
 * What the persistent digest caches share: their entries are read once and kept in memory (a
 * digest of a final immutable file never changes, so the copy cannot go stale in a way that
 * matters — an entry another writer added is at worst hashed again), lookups are answered from
 * that copy, and a put validates its entries and persists only those that are new.
 */
import { isImmutableFileName } from '@mithril-ts/cardano';
import { SnapshotterError } from '../errors.js';
import { FILE_DIGEST_HEX, type DigestCache } from './port.js';

/** The known digests of `names`, from a map of cached digests. */
export function digestsOf(digests: ReadonlyMap<string, string>, names: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of names) {
    const digest = digests.get(name);
    if (digest !== undefined) found.set(name, digest);
  }
  return found;
}

export abstract class MirroredDigestCache implements DigestCache {
  #mirror: Promise<Map<string, string>> | undefined;

  async get(names: readonly string[]): Promise<Map<string, string>> {
    return digestsOf(await this.load(), names);
  }

  async put(entries: ReadonlyMap<string, string>): Promise<void> {
    for (const [name, digest] of entries) {
      if (!isImmutableFileName(name) || !FILE_DIGEST_HEX.test(digest)) {
        throw new SnapshotterError(
          'INVALID_ARGUMENT',
          `digest cache entry ${JSON.stringify(name)} → ${JSON.stringify(digest)} is not an immutable file name and a SHA-256 hex digest`,
        );
      }
    }
    const digests = await this.load();
    const added = [...entries].filter(([name, digest]) => digests.get(name) !== digest);
    if (added.length === 0) return;
    for (const [name, digest] of added) digests.set(name, digest);
    await this.persist(added, digests);
  }

  /** Every entry of the underlying store, read once. */
  protected abstract read(): Promise<Map<string, string>>;

  /**
   * Makes `added` durable. `all` is the in-memory copy, `added` already in it; an adapter that
   * writes entries one batch at a time takes back out of it those a failure left unwritten, so
   * that a later put writes them.
   */
  protected abstract persist(added: readonly (readonly [string, string])[], all: Map<string, string>): Promise<void>;

  /** Throws when the cache can no longer be used (checked on every call). */
  protected assertUsable(): void {}

  /** The entries, read once (concurrent first calls share the one reading; a failed one is retried by the next call). */
  private load(): Promise<Map<string, string>> {
    try {
      this.assertUsable();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#mirror === undefined) {
      const loading = this.read();
      this.#mirror = loading;
      loading.catch(() => {
        if (this.#mirror === loading) this.#mirror = undefined;
      });
    }
    return this.#mirror;
  }
}
