/** What the snapshotter keeps across restarts: its snapshots and the per-immutable archives they share. */

/** How an archive is compressed (the file extension follows: .tar.gz / .tar.zst). */
export type Compression = 'gzip' | 'zstd';
export const COMPRESSIONS: readonly Compression[] = ['gzip', 'zstd'];

/** A stored snapshot. Sizes are in bytes. Storage keys, not URLs: locations are built when served. */
export interface SnapshotRecord {
  /** The certified Merkle root (64 lowercase hex digits); identifies the snapshot. */
  readonly merkleRoot: string;
  /** The Cardano database snapshot hash: SHA-256(epoch u64 BE ‖ merkle_root). */
  readonly hash: string;
  readonly network: string;
  readonly epoch: bigint;
  readonly immutableFileNumber: bigint;
  readonly certificateHash: string;
  readonly compression: Compression;
  readonly cardanoNodeVersion: string;
  readonly createdAt: Date;
  /** Total size of the immutable files 0..immutableFileNumber. */
  readonly totalDbSizeUncompressed: bigint;
  /** Average size of one immutable file number's trio. */
  readonly immutablesAverageSizeUncompressed: bigint;
  readonly digestsKey: string;
  readonly digestsSize: bigint;
  readonly fullArchiveKey: string;
  readonly fullArchiveSize: bigint;
  readonly fullArchiveSha256: string;
  readonly fullArchiveSizeUncompressed: bigint;
  /** The ancillary archive (ledger state + last trio + signed manifest); absent without an ancillary key or ledger snapshot. */
  readonly ancillary?: AncillaryArchiveRecord;
}

/** A snapshot's ancillary archive as stored. */
export interface AncillaryArchiveRecord {
  readonly key: string;
  /** Size of the archive as stored. */
  readonly size: bigint;
  /** SHA-256 of the archive as stored. */
  readonly sha256: string;
  /** Total size of the files inside (manifest included). */
  readonly sizeUncompressed: bigint;
}

/** The archive of one immutable file number's trio (shared by every snapshot that reaches it). */
export interface ImmutableArchiveRecord {
  readonly immutableFileNumber: bigint;
  readonly compression: Compression;
  readonly key: string;
  readonly size: bigint;
  readonly sha256: string;
  readonly sizeUncompressed: bigint;
  readonly createdAt: Date;
}

export interface SnapshotStore {
  /** Saves a snapshot (replacing one with the same Merkle root). */
  saveSnapshot(snapshot: SnapshotRecord): Promise<void>;
  getSnapshot(merkleRoot: string): Promise<SnapshotRecord | null>;
  /** Every snapshot, newest first (highest immutable file number, then latest created). */
  listSnapshots(): Promise<SnapshotRecord[]>;
  deleteSnapshot(merkleRoot: string): Promise<void>;
  saveImmutableArchive(archive: ImmutableArchiveRecord): Promise<void>;
  /** Every per-immutable archive of a compression, by immutable file number. */
  listImmutableArchives(compression?: Compression): Promise<ImmutableArchiveRecord[]>;
  deleteImmutableArchive(immutableFileNumber: bigint, compression: Compression): Promise<void>;
  close(): Promise<void>;
}
