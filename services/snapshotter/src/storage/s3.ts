/**
 * Artifact storage in S3-compatible object storage (AWS S3, MinIO, Ceph, R2, …) — the cluster
 * adapter, where every replica and the CDN see the same objects.
 *
 * Archives are streamed in: bodies up to one part are sent with a single PutObject, larger ones
 * as a multipart upload of `partSizeBytes` parts (so memory stays at about one part whatever the
 * archive size, and objects beyond PutObject's 5 GiB limit work); a failed upload is aborted so
 * no parts linger. Either way the object appears only when complete.
 */
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { SnapshotterError, describeError } from '../errors.js';
import { checkStorageKey, contentTypeOf, joinUrl, type ArtifactStorage, type ByteRange, type StoredObjectInfo } from './port.js';

/** S3's smallest part (except the last one). */
export const S3_MIN_PART_BYTES = 5 * 1024 * 1024;
/** 64 MiB parts: S3 allows 10,000 parts, so objects up to 640 GiB. */
export const S3_DEFAULT_PART_BYTES = 64 * 1024 * 1024;

export interface S3StorageOptions {
  /** Endpoint of an S3-compatible service (e.g. "http://127.0.0.1:9000"); the AWS endpoint of the region when absent. */
  readonly endpoint?: string | undefined;
  readonly region: string;
  readonly bucket: string;
  /** Static credentials; the SDK's default provider chain (environment, profile, instance role) when absent. */
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible services need. */
  readonly forcePathStyle: boolean;
  /** Prefix of every object key (e.g. "mainnet/"). */
  readonly keyPrefix?: string | undefined;
  /** Base of public download URLs (e.g. a CDN); the bucket's own URL when absent. */
  readonly publicBaseUrl?: string | undefined;
  readonly partSizeBytes?: number | undefined;
}

export class S3Storage implements ArtifactStorage {
  readonly locationType = 'cloud_storage';
  readonly client: S3Client;
  readonly #options: S3StorageOptions;
  readonly #partSize: number;
  readonly #publicBaseUrl: string;

  constructor(options: S3StorageOptions) {
    if (options.bucket.trim() === '') throw new SnapshotterError('INVALID_ARGUMENT', 'the S3 bucket name is empty');
    if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
      throw new SnapshotterError(
        'INVALID_ARGUMENT',
        'S3 credentials need both an access key id and a secret access key (or neither, for the default provider chain)',
      );
    }
    if (options.keyPrefix !== undefined && options.keyPrefix !== '') checkStorageKey(options.keyPrefix.replace(/\/$/, ''));
    this.#options = options;
    this.#partSize = options.partSizeBytes ?? S3_DEFAULT_PART_BYTES;
    if (!Number.isSafeInteger(this.#partSize) || this.#partSize < 1)
      throw new SnapshotterError('INVALID_ARGUMENT', `S3 part size must be a positive integer, got ${this.#partSize}`);
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle,
      ...(options.accessKeyId === undefined || options.secretAccessKey === undefined
        ? {}
        : { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }),
      // Checksums only where S3 requires them: many S3-compatible services reject the newer
      // streaming trailer checksums, and the archives carry their own SHA-256 anyway.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.#publicBaseUrl = options.publicBaseUrl ?? defaultPublicBaseUrl(options);
  }

  async put(key: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: { readonly contentType?: string } = {}): Promise<void> {
    const Key = this.objectKey(key);
    const Bucket = this.#options.bucket;
    const ContentType = options.contentType ?? contentTypeOf(key);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let uploadId: string | undefined;
    const parts: { ETag: string; PartNumber: number }[] = [];
    const flushPart = async () => {
      if (uploadId === undefined) {
        const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType }));
        if (created.UploadId === undefined) throw new Error('the service returned no upload id');
        uploadId = created.UploadId;
      }
      const PartNumber = parts.length + 1;
      const Body = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      const uploaded = await this.client.send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body, ContentLength: Body.length }));
      if (uploaded.ETag === undefined) throw new Error(`the service returned no ETag for part ${PartNumber}`);
      parts.push({ ETag: uploaded.ETag, PartNumber });
    };
    try {
      for await (const chunk of body) {
        pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= this.#partSize) await flushPart();
      }
      if (uploadId === undefined) {
        const Body = Buffer.concat(pending, pendingBytes);
        await this.client.send(new PutObjectCommand({ Bucket, Key, Body, ContentLength: Body.length, ContentType }));
        return;
      }
      if (pendingBytes > 0) await flushPart();
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    } catch (error) {
      if (uploadId !== undefined) await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => {});
      throw new SnapshotterError('STORAGE_FAILED', `uploading ${Key} to bucket ${Bucket} failed: ${describeError(error)}`, { cause: error });
    }
  }

  async stat(key: string): Promise<StoredObjectInfo | undefined> {
    const Key = this.objectKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.#options.bucket, Key }));
      return { size: head.ContentLength ?? 0, lastModified: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new SnapshotterError('STORAGE_FAILED', `reading ${Key} in bucket ${this.#options.bucket} failed: ${describeError(error)}`, { cause: error });
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const Key = this.objectKey(key);
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.#options.bucket, Key, ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }) }),
      );
      return object.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) throw new SnapshotterError('NOT_FOUND', `no stored object ${Key} in bucket ${this.#options.bucket}`, { cause: error });
      throw new SnapshotterError('STORAGE_FAILED', `reading ${Key} in bucket ${this.#options.bucket} failed: ${describeError(error)}`, { cause: error });
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.#options.bucket, Key }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw new SnapshotterError('STORAGE_FAILED', `deleting ${Key} in bucket ${this.#options.bucket} failed: ${describeError(error)}`, { cause: error });
    }
  }

  url(key: string): string {
    return joinUrl(this.#publicBaseUrl, this.prefix() + checkStorageKey(key, { template: true }));
  }

  close(): void {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    return this.prefix() + checkStorageKey(key);
  }

  private prefix(): string {
    const prefix = this.#options.keyPrefix ?? '';
    return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  }
}

function defaultPublicBaseUrl(options: S3StorageOptions): string {
  const bucket = encodeURIComponent(options.bucket);
  if (options.endpoint !== undefined) {
    const endpoint = options.endpoint.replace(/\/+$/, '');
    if (options.forcePathStyle) return `${endpoint}/${bucket}`;
    const url = new URL(endpoint);
    return `${url.protocol}//${bucket}.${url.host}${url.pathname.replace(/\/+$/, '')}`;
  }
  return options.forcePathStyle ? `https://s3.${options.region}.amazonaws.com/${bucket}` : `https://${bucket}.s3.${options.region}.amazonaws.com`;
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
