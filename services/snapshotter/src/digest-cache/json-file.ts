/**
 * The digest cache as one JSON file `{"00000.chunk": "<sha256 hex>", …}` — the shape of the
 * reference's JSON cache provider. The file is read once, then kept in memory; each `put` rewrites
 * it atomically (temporary file in the same directory, fsync, rename), so a crash leaves either
 * the old or the new cache, never a torn one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isImmutableFileName } from '@mithril-ts/cardano';
import { SnapshotterError, describeError } from '../errors.js';
import { MirroredDigestCache } from './mirrored.js';
import { FILE_DIGEST_HEX } from './port.js';

/** Far above a mainnet cache (~15,000 entries of ~80 bytes): anything larger is not a cache file. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export class JsonFileDigestCache extends MirroredDigestCache {
  /** Writes are chained so two puts never interleave their renames. */
  #writing: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {
    super();
  }

  /** The whole file is written each time, so a failed write's entries go with the next one. */
  protected async persist(_added: readonly (readonly [string, string])[], all: ReadonlyMap<string, string>): Promise<void> {
    // The text is taken when the write's turn comes, so the last write holds every entry.
    const write = this.#writing.then(() => this.writeAtomically(JSON.stringify(Object.fromEntries([...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))));
    this.#writing = write.catch(() => {});
    await write;
  }

  protected async read(): Promise<Map<string, string>> {
    let text: string;
    try {
      if ((await stat(this.path)).size > MAX_FILE_BYTES) {
        throw new SnapshotterError('STORE_FAILED', `digest cache file ${this.path} is larger than ${MAX_FILE_BYTES} bytes: not a digest cache`);
      }
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      if (error instanceof SnapshotterError) throw error;
      throw new SnapshotterError('STORE_FAILED', `cannot read digest cache file ${this.path}: ${describeError(error)}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new SnapshotterError('STORE_FAILED', `digest cache file ${this.path} is not JSON (delete it to rebuild the cache): ${describeError(error)}`, {
        cause: error,
      });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new SnapshotterError('STORE_FAILED', `digest cache file ${this.path} must hold an object of file name → digest (delete it to rebuild the cache)`);
    }
    const digests = new Map<string, string>();
    for (const [name, digest] of Object.entries(parsed)) {
      if (!isImmutableFileName(name) || typeof digest !== 'string' || !FILE_DIGEST_HEX.test(digest)) {
        throw new SnapshotterError(
          'STORE_FAILED',
          `digest cache file ${this.path} has an invalid entry ${JSON.stringify(name).slice(0, 80)} (delete it to rebuild the cache)`,
        );
      }
      digests.set(name, digest);
    }
    return digests;
  }

  private async writeAtomically(text: string): Promise<void> {
    const directory = dirname(this.path);
    const temporary = join(directory, `.${basename(this.path)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(directory, { recursive: true });
      const handle = await open(temporary, 'w', 0o644);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new SnapshotterError('STORE_FAILED', `cannot write digest cache file ${this.path}: ${describeError(error)}`, { cause: error });
    }
  }
}
