/**
 * Artifact storage in a local directory, served by the snapshotter's download server at a
 * public base URL. Objects are written to a hidden temporary file in the root (same file system)
 * and renamed into place once complete and synced, so a download never sees a partial object.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SnapshotterError, describeError } from '../errors.js';
import { checkStorageKey, joinUrl, type ArtifactStorage, type ByteRange, type StoredObjectInfo } from './port.js';

/** Hidden directory (never served: keys cannot start with a dot) for objects being written. */
const PARTIAL_DIRECTORY = '.partial';

export class LocalDirectoryStorage implements ArtifactStorage {
  readonly locationType = 'cloud_storage';
  readonly root: string;

  constructor(
    root: string,
    private readonly publicBaseUrl: string,
  ) {
    this.root = resolve(root);
  }

  /** The file of a key, inside the root (the key's check rules out any escape). */
  pathOf(key: string): string {
    const path = resolve(this.root, checkStorageKey(key));
    if (!path.startsWith(this.root + sep)) throw new SnapshotterError('INVALID_ARGUMENT', `storage key ${JSON.stringify(key)} leaves the storage directory`);
    return path;
  }

  async put(key: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, _options?: { readonly contentType?: string }): Promise<void> {
    // The content type is derived from the key when served.
    const path = this.pathOf(key);
    const partialDirectory = join(this.root, PARTIAL_DIRECTORY);
    const temporary = join(partialDirectory, `${randomBytes(8).toString('hex')}.tmp`);
    try {
      await mkdir(partialDirectory, { recursive: true });
      await mkdir(dirname(path), { recursive: true });
      await pipeline(body, createWriteStream(temporary, { mode: 0o644 }));
      const handle = await open(temporary, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      if (error instanceof SnapshotterError) throw error;
      throw new SnapshotterError('STORAGE_FAILED', `writing ${key} to ${this.root} failed: ${describeError(error)}`, { cause: error });
    }
  }

  async stat(key: string): Promise<StoredObjectInfo | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { size: info.size, lastModified: info.mtime } : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (error instanceof SnapshotterError) throw error;
      throw new SnapshotterError('STORAGE_FAILED', `reading ${key} in ${this.root} failed: ${describeError(error)}`, { cause: error });
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(key);
    if ((await this.stat(key)) === undefined) throw new SnapshotterError('NOT_FOUND', `no stored object ${key}`);
    return createReadStream(path, range === undefined ? {} : { start: range.start, end: range.end });
  }

  async delete(key: string): Promise<void> {
    try {
      await rm(this.pathOf(key), { force: true });
    } catch (error) {
      if (error instanceof SnapshotterError) throw error;
      throw new SnapshotterError('STORAGE_FAILED', `deleting ${key} in ${this.root} failed: ${describeError(error)}`, { cause: error });
    }
  }

  url(key: string): string {
    return joinUrl(this.publicBaseUrl, checkStorageKey(key, { template: true }));
  }
}
