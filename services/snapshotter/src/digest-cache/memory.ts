/** The digest cache of one process's lifetime: every digest is hashed again after a restart. */
import { digestsOf } from './mirrored.js';
import type { DigestCache } from './port.js';

export class MemoryDigestCache implements DigestCache {
  readonly #digests = new Map<string, string>();

  async get(names: readonly string[]): Promise<Map<string, string>> {
    return digestsOf(this.#digests, names);
  }

  async put(entries: ReadonlyMap<string, string>): Promise<void> {
    for (const [name, digest] of entries) this.#digests.set(name, digest);
  }

  get size(): number {
    return this.#digests.size;
  }
}
