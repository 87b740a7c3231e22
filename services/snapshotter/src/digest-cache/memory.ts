/** The digest cache of one process's lifetime: every digest is hashed again after a restart. */
import type { DigestCache } from './port.js';

export class MemoryDigestCache implements DigestCache {
  readonly #digests = new Map<string, string>();

  async get(names: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const name of names) {
      const digest = this.#digests.get(name);
      if (digest !== undefined) found.set(name, digest);
    }
    return found;
  }

  async put(entries: ReadonlyMap<string, string>): Promise<void> {
    for (const [name, digest] of entries) this.#digests.set(name, digest);
  }

  get size(): number {
    return this.#digests.size;
  }
}
