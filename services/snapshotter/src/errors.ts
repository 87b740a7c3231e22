import { errorMessage } from '@mithril-ts/service-kit';

/** The one error class of the snapshotter: every failure it reports carries a code the gRPC layer maps. */
export type SnapshotterErrorCode =
  /** A request field or a setting is malformed (bad hex, wrong network, bad key). */
  | 'INVALID_ARGUMENT'
  /** The immutable files' Merkle root is not the digest the caller says was certified. */
  | 'DIGEST_MISMATCH'
  /** No stored snapshot (or object) has that id. */
  | 'NOT_FOUND'
  /** The immutable files asked for are not final yet, or not (all) on disk: retry later. */
  | 'NOT_READY'
  /** The immutable file number asked for is past the latest final one on disk (the tip). */
  | 'BEYOND_TIP'
  /** The certificate named by CreateSnapshot does not exist, or certifies something else than the request. */
  | 'CERTIFICATE_MISMATCH'
  /** The aggregator could not be asked for the certificate (unreachable, failed): retry later. */
  | 'CERTIFICATE_UNAVAILABLE'
  /** The compression asked for is not one this snapshotter can produce. */
  | 'UNSUPPORTED_COMPRESSION'
  /** The immutable directory or one of its files cannot be read. */
  | 'IMMUTABLE_DB_UNREADABLE'
  /** The artifact storage failed (write, read, delete). */
  | 'STORAGE_FAILED'
  /** The snapshot store or the digest cache failed, or holds something undecodable. */
  | 'STORE_FAILED';

export class SnapshotterError extends Error {
  override readonly name = 'SnapshotterError';

  constructor(
    readonly code: SnapshotterErrorCode,
    message: string,
    options?: { cause?: unknown; metadata?: Readonly<Record<string, string>> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.metadata = options?.metadata ?? {};
  }

  /** Machine-readable context passed on to the caller (e.g. the expected and computed digests). */
  readonly metadata: Readonly<Record<string, string>>;
}

export function describeError(error: unknown): string {
  return errorMessage(error);
}
