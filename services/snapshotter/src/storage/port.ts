/**
 * Artifact storage: where archives and digests lists are written and downloaded from. Adapters:
 * a local directory (served by the snapshotter's own HTTP server; the default) and S3-compatible
 * object storage (for a cluster). Keys are relative paths such as `immutables/00042.tar.gz`.
 */
import type { Readable } from 'node:stream';
import { SnapshotterError } from '../errors.js';

export interface StoredObjectInfo {
  /** Size in bytes. */
  readonly size: number;
  readonly lastModified: Date;
}

/** An inclusive byte range. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface ArtifactStorage {
  /** What the reference calls this kind of location in artifact messages ("cloud_storage"). */
  readonly locationType: string;
  /**
   * Stores the bytes of `body` under `key`, replacing any object there. Readers see either the
   * old object or the whole new one, never a part of it.
   */
  put(key: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options?: { readonly contentType?: string }): Promise<void>;
  /** The object's size and date, or undefined when there is none. */
  stat(key: string): Promise<StoredObjectInfo | undefined>;
  /** The object's bytes (or a range of them); NOT_FOUND when there is none. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Deletes the object; deleting a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** The public download URL of `key`; a key may hold `{immutable_file_number}`, kept as is for URL templates. */
  url(key: string): string;
}

/** Path segments: letters, digits, `.`, `_`, `-`, not starting with a dot (no `..`, no hidden temporary files). */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const TEMPLATE_VARIABLE = '{immutable_file_number}';

/** Refuses anything but a plain relative key (no traversal, no absolute path, no empty segment). */
export function checkStorageKey(key: string, options: { readonly template?: boolean } = {}): string {
  const plain = options.template === true ? key.split(TEMPLATE_VARIABLE).join('0') : key;
  if (typeof key !== 'string' || key.length === 0 || key.length > 512 || !plain.split('/').every((segment) => SEGMENT.test(segment))) {
    throw new SnapshotterError(
      'INVALID_ARGUMENT',
      `storage key ${JSON.stringify(String(key).slice(0, 100))} is not a relative path of [A-Za-z0-9._-] segments`,
    );
  }
  return key;
}

/** `base/key` with each key segment URL-encoded (a template variable stays as is). */
export function joinUrl(base: string, key: string): string {
  const encoded = key
    .split('/')
    .map((segment) => segment.split(TEMPLATE_VARIABLE).map(encodeURIComponent).join(TEMPLATE_VARIABLE))
    .join('/');
  return `${base.replace(/\/+$/, '')}/${encoded}`;
}

export function contentTypeOf(key: string): string {
  if (key.endsWith('.json')) return 'application/json';
  if (key.endsWith('.gz')) return 'application/gzip';
  if (key.endsWith('.zst')) return 'application/zstd';
  return 'application/octet-stream';
}
