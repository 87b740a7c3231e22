/**
 * The snapshotter store on Prisma 7 (Rust-free client, @prisma/adapter-better-sqlite3): snapshot
 * records, per-immutable archive records, and — through `PrismaDigestCache` — the per-file digest
 * cache, all in one SQLite file.
 */
import { isImmutableFileName } from '@mithril-ts/cardano';
import { SnapshotterError } from '../errors.js';
import { MirroredDigestCache } from '../digest-cache/mirrored.js';
import { FILE_DIGEST_HEX, type DigestCache } from '../digest-cache/port.js';
import type { PrismaClient } from './generated/client.js';
import type * as Rows from './generated/models.js';
import { snapshotterStoreErrors } from './setup.js';
import { COMPRESSIONS, type Compression, type ImmutableArchiveRecord, type SnapshotRecord, type SnapshotStore } from './types.js';

/** BIGINT columns are signed 64-bit. */
const I64_MAX = (1n << 63n) - 1n;
const HEX64 = /^[0-9a-f]{64}$/;
/** Rows per statement: SQLite binds at most 32,766 parameters; smaller batches keep statements light. */
const BATCH = 400;

const asStoreError = (error: unknown, what: string): SnapshotterError => snapshotterStoreErrors.wrap(error, what);

function bigintArg(value: bigint, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > I64_MAX) {
    throw new SnapshotterError('INVALID_ARGUMENT', `${what} must be an integer in [0, ${I64_MAX}], got ${String(value)}`);
  }
  return value;
}

function compressionOf(value: string, where: string): Compression {
  if (!COMPRESSIONS.includes(value as Compression)) throw new SnapshotterError('STORE_FAILED', `${where}: unknown compression ${JSON.stringify(value)}`);
  return value as Compression;
}

function snapshotOf(row: Rows.SnapshotModel): SnapshotRecord {
  const where = `snapshot ${row.merkleRoot}`;
  if (!HEX64.test(row.merkleRoot) || !HEX64.test(row.hash) || !HEX64.test(row.fullArchiveSha256))
    throw new SnapshotterError('STORE_FAILED', `${where}: a hash column is not 64 hex digits`);
  return {
    merkleRoot: row.merkleRoot,
    hash: row.hash,
    network: row.network,
    epoch: row.epoch,
    immutableFileNumber: row.immutableFileNumber,
    certificateHash: row.certificateHash,
    compression: compressionOf(row.compression, where),
    cardanoNodeVersion: row.cardanoNodeVersion,
    createdAt: row.createdAt,
    totalDbSizeUncompressed: row.totalDbSizeUncompressed,
    immutablesAverageSizeUncompressed: row.immutablesAverageSizeUncompressed,
    digestsKey: row.digestsKey,
    digestsSize: row.digestsSize,
    fullArchiveKey: row.fullArchiveKey,
    fullArchiveSize: row.fullArchiveSize,
    fullArchiveSha256: row.fullArchiveSha256,
    fullArchiveSizeUncompressed: row.fullArchiveSizeUncompressed,
    ...ancillaryOf(row, where),
  };
}

function ancillaryOf(row: Rows.SnapshotModel, where: string): Pick<SnapshotRecord, 'ancillary'> {
  const { ancillaryKey: key, ancillarySize: size, ancillarySha256: sha256, ancillarySizeUncompressed: sizeUncompressed } = row;
  if (key === null && size === null && sha256 === null && sizeUncompressed === null) return {};
  if (key === null || size === null || sha256 === null || sizeUncompressed === null || !HEX64.test(sha256))
    throw new SnapshotterError('STORE_FAILED', `${where}: the ancillary archive columns are incomplete or malformed`);
  return { ancillary: { key, size, sha256, sizeUncompressed } };
}

function archiveOf(row: Rows.ImmutableArchiveModel): ImmutableArchiveRecord {
  return {
    immutableFileNumber: row.immutableFileNumber,
    compression: compressionOf(row.compression, `archive of immutable file number ${row.immutableFileNumber}`),
    key: row.key,
    size: row.size,
    sha256: row.sha256,
    sizeUncompressed: row.sizeUncompressed,
    createdAt: row.createdAt,
  };
}

export class PrismaSnapshotStore implements SnapshotStore {
  #closed = false;

  constructor(private readonly client: PrismaClient) {}

  #digestCache: PrismaDigestCache | undefined;

  /** The digest cache kept in this store's `immutable_file_digest` table (one per store, so its memory mirror is shared). */
  digestCache(): DigestCache {
    this.#digestCache ??= new PrismaDigestCache(this.client, () => this.#closed);
    return this.#digestCache;
  }

  async saveSnapshot(snapshot: SnapshotRecord): Promise<void> {
    this.open();
    for (const [what, value] of Object.entries(snapshot)) if (typeof value === 'bigint') bigintArg(value, `snapshot ${what}`);
    if (!HEX64.test(snapshot.merkleRoot))
      throw new SnapshotterError('INVALID_ARGUMENT', `snapshot merkle root must be 64 lowercase hex digits, got ${JSON.stringify(snapshot.merkleRoot)}`);
    const { ancillary, ...columns } = snapshot;
    if (ancillary !== undefined) {
      bigintArg(ancillary.size, 'ancillary archive size');
      bigintArg(ancillary.sizeUncompressed, 'ancillary archive uncompressed size');
    }
    const data = {
      ...columns,
      ancillaryKey: ancillary?.key ?? null,
      ancillarySize: ancillary?.size ?? null,
      ancillarySha256: ancillary?.sha256 ?? null,
      ancillarySizeUncompressed: ancillary?.sizeUncompressed ?? null,
    };
    try {
      await this.client.snapshot.upsert({ where: { merkleRoot: snapshot.merkleRoot }, create: data, update: data });
    } catch (error) {
      throw asStoreError(error, `saving snapshot ${snapshot.merkleRoot}`);
    }
  }

  async getSnapshot(merkleRoot: string): Promise<SnapshotRecord | null> {
    this.open();
    let row;
    try {
      row = await this.client.snapshot.findUnique({ where: { merkleRoot } });
    } catch (error) {
      throw asStoreError(error, `reading snapshot ${merkleRoot}`);
    }
    return row === null ? null : snapshotOf(row);
  }

  async listSnapshots(): Promise<SnapshotRecord[]> {
    this.open();
    try {
      const rows = await this.client.snapshot.findMany({ orderBy: [{ immutableFileNumber: 'desc' }, { createdAt: 'desc' }, { merkleRoot: 'asc' }] });
      return rows.map(snapshotOf);
    } catch (error) {
      throw asStoreError(error, 'listing snapshots');
    }
  }

  async deleteSnapshot(merkleRoot: string): Promise<void> {
    this.open();
    try {
      await this.client.snapshot.deleteMany({ where: { merkleRoot } });
    } catch (error) {
      throw asStoreError(error, `deleting snapshot ${merkleRoot}`);
    }
  }

  async saveImmutableArchive(archive: ImmutableArchiveRecord): Promise<void> {
    this.open();
    for (const what of ['immutableFileNumber', 'size', 'sizeUncompressed'] as const) bigintArg(archive[what], `archive ${what}`);
    const where = { immutableFileNumber_compression: { immutableFileNumber: archive.immutableFileNumber, compression: archive.compression } };
    try {
      await this.client.immutableArchive.upsert({ where, create: { ...archive }, update: { ...archive } });
    } catch (error) {
      throw asStoreError(error, `saving the archive of immutable file number ${archive.immutableFileNumber}`);
    }
  }

  async listImmutableArchives(compression?: Compression): Promise<ImmutableArchiveRecord[]> {
    this.open();
    try {
      const rows = await this.client.immutableArchive.findMany({
        ...(compression === undefined ? {} : { where: { compression } }),
        orderBy: [{ immutableFileNumber: 'asc' }, { compression: 'asc' }],
      });
      return rows.map(archiveOf);
    } catch (error) {
      throw asStoreError(error, 'listing immutable archives');
    }
  }

  async deleteImmutableArchive(immutableFileNumber: bigint, compression: Compression): Promise<void> {
    this.open();
    try {
      await this.client.immutableArchive.deleteMany({ where: { immutableFileNumber, compression } });
    } catch (error) {
      throw asStoreError(error, `deleting the archive of immutable file number ${immutableFileNumber}`);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.client.$disconnect();
  }

  private open(): void {
    if (this.#closed) throw new SnapshotterError('STORE_FAILED', 'the snapshotter store is closed');
  }
}

/** The per-file digest cache in the store's `immutable_file_digest` table, mirrored in memory. */
export class PrismaDigestCache extends MirroredDigestCache {
  constructor(
    private readonly client: PrismaClient,
    private readonly closed: () => boolean,
  ) {
    super();
  }

  protected override assertUsable(): void {
    if (this.closed()) throw new SnapshotterError('STORE_FAILED', 'the snapshotter store is closed');
  }

  protected async persist(added: readonly (readonly [string, string])[], all: Map<string, string>): Promise<void> {
    let written = 0;
    try {
      // One multi-row INSERT per batch: a first digest of a mainnet database writes ~15,000 rows.
      for (; written < added.length; written += BATCH) {
        const batch = added.slice(written, written + BATCH);
        const placeholders = batch.map(() => '(?, ?)').join(', ');
        await this.client.$executeRawUnsafe(`INSERT OR REPLACE INTO "immutable_file_digest" ("file_name", "digest") VALUES ${placeholders}`, ...batch.flat());
      }
    } catch (error) {
      for (const [name] of added.slice(written)) all.delete(name);
      throw asStoreError(error, 'writing the digest cache');
    }
  }

  protected async read(): Promise<Map<string, string>> {
    let rows: { fileName: string; digest: string }[];
    try {
      rows = await this.client.immutableFileDigest.findMany({ select: { fileName: true, digest: true } });
    } catch (error) {
      throw asStoreError(error, 'reading the digest cache');
    }
    const digests = new Map<string, string>();
    for (const row of rows) {
      if (!isImmutableFileName(row.fileName) || !FILE_DIGEST_HEX.test(row.digest)) {
        throw new SnapshotterError(
          'STORE_FAILED',
          `cached digest of ${JSON.stringify(row.fileName).slice(0, 80)} is not an immutable file name with 64 lowercase hex digits`,
        );
      }
      digests.set(row.fileName, row.digest);
    }
    return digests;
  }
}
