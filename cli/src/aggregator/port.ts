/**
 * The aggregator as the client sees it, whatever the transport: one port, a gRPC adapter and a
 * REST adapter. Nothing an adapter returns is trusted: certificates are verified back to genesis,
 * artifacts are checked against what their certificate signs, files against their digests.
 */
import type {
  Certificate,
  CertificateSource,
  CertifiedEntityType,
  Epoch,
  ProtocolParameters,
  SignerRecord,
  StakeDistributionSignerPart,
} from '@mithril-ts/protocol';

export type Compression = 'gzip' | 'zstandard' | 'none';

/** Where a file (or, for a template, one file per immutable file number) can be downloaded. */
export interface FileLocation {
  /** "aggregator", "cloud_storage", … as the aggregator names it. */
  readonly type: string;
  /** A URL; for immutable archives a template in which "{immutable_file_number}" stands for the 5-digit number. */
  readonly uri: string;
  readonly compression: Compression;
}

export interface SnapshotBeacon {
  readonly epoch: Epoch;
  readonly immutableFileNumber: bigint;
}

/** A Cardano database snapshot as listed. */
export interface SnapshotListItem {
  readonly hash: string;
  readonly merkleRoot: string;
  readonly beacon: SnapshotBeacon;
  readonly certificateHash: string;
  readonly totalDbSizeUncompressed: bigint;
  /** RFC 3339, as the aggregator wrote it. */
  readonly createdAt: string;
  readonly cardanoNodeVersion: string;
}

/** A Cardano database snapshot with where to download its files. */
export interface CardanoDatabaseSnapshot extends SnapshotListItem {
  readonly network: string;
  readonly digests: { readonly sizeUncompressed: bigint; readonly locations: readonly FileLocation[] };
  readonly immutables: { readonly averageSizeUncompressed: bigint; readonly locations: readonly FileLocation[] };
  /** One archive of every immutable file up to the beacon (offered over gRPC). */
  readonly fullArchive:
    { readonly size: bigint; readonly sizeUncompressed: bigint; readonly sha256: string; readonly locations: readonly FileLocation[] } | undefined;
  readonly compression: Compression;
  /**
   * The ancillary archive (latest ledger-state snapshot + last, not yet immutable, trio), when the
   * aggregator offers one. Not certified: its signed manifest is checked with the ancillary key.
   * `size` and `sha256` of the archive as stored are known over gRPC only.
   */
  readonly ancillary:
    { readonly sizeUncompressed: bigint; readonly size?: bigint; readonly sha256?: string; readonly locations: readonly FileLocation[] } | undefined;
}

/** One entry of a snapshot's digests list. */
export interface ImmutableFileDigest {
  /** File name in the immutable directory, e.g. "00042.chunk". */
  readonly name: string;
  /** SHA-256 of the file, lowercase hex. */
  readonly digest: string;
}

/**
 * A signed entity type neither this client nor the reference's list it knows (a newer kind): listed
 * by its name, never verified as an artifact. Its certificates cannot be chain links either (their
 * hash mixes in the kind's beacon bytes, whose layout is unknown).
 */
export interface UnknownSignedEntityType {
  readonly kind: 'unknown';
  /** The variant name as served, e.g. "CardanoBlocksTransactions". */
  readonly name: string;
  readonly epoch: Epoch | undefined;
}

export interface CertificateListItem {
  readonly hash: string;
  readonly previousHash: string;
  readonly epoch: Epoch;
  readonly signedEntityType: CertifiedEntityType | UnknownSignedEntityType;
  /** RFC 3339. */
  readonly sealedAt: string;
  readonly totalSigners: number;
}

export interface StakeDistributionListItem {
  readonly epoch: Epoch;
  readonly hash: string;
  readonly certificateHash: string;
  readonly createdAt: string;
}

export interface StakeDistribution extends StakeDistributionListItem {
  readonly signers: readonly SignerRecord[];
  /** The signers as the artifact hash covers them, in the artifact's order (key texts as served). */
  readonly hashParts: readonly StakeDistributionSignerPart[];
  readonly parameters: ProtocolParameters;
}

export type Transport = 'grpc' | 'rest';

export interface AggregatorClient extends CertificateSource {
  readonly transport: Transport;
  /** The endpoint as the user gave it, for messages. */
  readonly endpoint: string;
  /** Most recent first. */
  listCertificates(limit: number): Promise<CertificateListItem[]>;
  /** Undefined when the aggregator has no certificate with this hash. */
  getCertificate(hash: string): Promise<Certificate | undefined>;
  getGenesisCertificate(): Promise<Certificate | undefined>;
  listSnapshots(limit: number): Promise<SnapshotListItem[]>;
  getSnapshot(hash: string): Promise<CardanoDatabaseSnapshot | undefined>;
  /**
   * The digests list straight from the aggregator's API, when the transport has a call for it;
   * undefined means "download it from the snapshot's digests locations".
   */
  getSnapshotDigests(snapshot: CardanoDatabaseSnapshot): Promise<ImmutableFileDigest[] | undefined>;
  listStakeDistributions(limit: number): Promise<StakeDistributionListItem[]>;
  getStakeDistribution(hash: string): Promise<StakeDistribution | undefined>;
  close(): void;
}
