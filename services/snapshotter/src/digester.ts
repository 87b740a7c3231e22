/**
 * The immutable-DB digest with the per-file digest cache behind its port. Which files a digest
 * covers, their order and the Merkle root rule are @mithril-ts/cardano's, the file hashing is
 * service-kit's `ImmutableDbDigester` (the same code the signers and the aggregator run, so all
 * agree bit for bit); this wrapper feeds it the cached digests of the files the digest covers and
 * persists the ones it had to compute, so that after one new immutable file only that file's
 * trio is read from disk.
 */
import { cardanoDatabaseMerkleRoot, type ImmutableFileDigest } from '@mithril-ts/cardano';
import { ImmutableDbDigester, ImmutableDbError } from '@mithril-ts/service-kit';
import type { DigestCache } from './digest-cache/port.js';
import { SnapshotterError } from './errors.js';

export interface ImmutableFilesDigest {
  /** The `cardano_database_merkle_root` of the files. */
  readonly merkleRoot: string;
  /** Every file the digest covers (the trios on disk up to the number) with its SHA-256, in digest order (number, then name). */
  readonly files: readonly ImmutableFileDigest[];
}

export class CachedImmutableDigester {
  constructor(
    readonly immutableDirectory: string,
    private readonly cache: DigestCache,
  ) {}

  /** The highest immutable file number whose trio is final; undefined when there is none yet. */
  async latestImmutableFileNumber(): Promise<bigint | undefined> {
    try {
      return await new ImmutableDbDigester(this.immutableDirectory).latestImmutableFileNumber();
    } catch (error) {
      throw translate(error);
    }
  }

  /** The Merkle root and per-file digests of the immutable files on disk numbered up to `upTo`. */
  async digest(upTo: bigint): Promise<ImmutableFilesDigest> {
    if (typeof upTo !== 'bigint' || upTo < 0n)
      throw new SnapshotterError('INVALID_ARGUMENT', `immutable file number must be a non-negative integer, got ${String(upTo)}`);
    let cached: ReadonlyMap<string, string> = new Map();
    let files: ImmutableFileDigest[];
    try {
      // The names come from the directory listing, bounded by the files on disk (never one per number up to `upTo`).
      files = await new ImmutableDbDigester(this.immutableDirectory).immutableFileDigests(upTo, {
        knownDigests: async (names) => (cached = await this.cache.get(names)),
      });
    } catch (error) {
      throw translate(error);
    }
    const computed = new Map<string, string>();
    for (const { immutableFileName, digest } of files) if (!cached.has(immutableFileName)) computed.set(immutableFileName, digest);
    if (computed.size > 0) await this.cache.put(computed);
    return { merkleRoot: cardanoDatabaseMerkleRoot(files.map((file) => file.digest)), files };
  }
}

function translate(error: unknown): unknown {
  if (!(error instanceof ImmutableDbError)) return error;
  switch (error.code) {
    case 'INVALID_ARGUMENT':
      return new SnapshotterError('INVALID_ARGUMENT', error.message, { cause: error });
    case 'NOT_YET_IMMUTABLE':
    case 'MISSING_FILE':
      return new SnapshotterError('NOT_READY', error.message, { cause: error });
    default:
      return new SnapshotterError('IMMUTABLE_DB_UNREADABLE', error.message, { cause: error });
  }
}
