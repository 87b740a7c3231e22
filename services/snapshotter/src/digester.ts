/**
 * The immutable-DB digest with the per-file digest cache behind its port. The Merkle root rule
 * and the file hashing are service-kit's `ImmutableDbDigester` (the same code the signers and
 * the aggregator run, so all agree bit for bit); this wrapper feeds it the cached digests of the
 * files asked for and persists the ones it had to compute, so that after one new immutable file
 * only that file's trio is read from disk.
 */
import { ImmutableDbDigester, ImmutableDbError } from '@mithril-ts/service-kit';
import type { DigestCache } from './digest-cache/port.js';
import { SnapshotterError } from './errors.js';
import { immutableFilesUpTo, type ImmutableFileDigestEntry } from './immutable-files.js';

export interface ImmutableFilesDigest {
  /** The `cardano_database_merkle_root` of the files. */
  readonly merkleRoot: string;
  /** Every file 0..upTo with its SHA-256, in digest order (number, then name). */
  readonly files: readonly ImmutableFileDigestEntry[];
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

  /** The Merkle root and per-file digests of the immutable files numbered 0..upTo. */
  async digest(upTo: bigint): Promise<ImmutableFilesDigest> {
    if (typeof upTo !== 'bigint' || upTo < 0n) throw new SnapshotterError('INVALID_ARGUMENT', `immutable file number must be a non-negative integer, got ${String(upTo)}`);
    const names = immutableFilesUpTo(upTo);
    const cached = await this.cache.get(names);
    const digests = new Map(cached);
    let merkleRoot: string;
    try {
      merkleRoot = await new ImmutableDbDigester(this.immutableDirectory, { cache: digests }).cardanoDatabaseMerkleRoot(upTo);
    } catch (error) {
      throw translate(error);
    }
    const computed = new Map<string, string>();
    for (const [name, digest] of digests) if (!cached.has(name)) computed.set(name, digest);
    if (computed.size > 0) await this.cache.put(computed);
    return { merkleRoot, files: names.map((name) => ({ immutableFileName: name, digest: digests.get(name) as string })) };
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
