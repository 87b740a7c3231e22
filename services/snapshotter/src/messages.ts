/** Stored snapshots as the contract's messages, with locations built from the storage's public URLs. */
import { CompressionAlgorithm, type ArtifactLocation, type CardanoDatabaseSnapshot, type Snapshot, type Timestamp } from '@mithril-ts/proto';
import type { ArtifactStorage } from './storage/port.js';
import type { Compression, SnapshotRecord } from './store/types.js';
import { IMMUTABLE_NUMBER_TEMPLATE, immutableArchiveKey } from './snapshotter.js';

export function compressionToProto(compression: Compression): CompressionAlgorithm {
  return compression === 'gzip' ? CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP : CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD;
}

/** The compression asked for; undefined for UNSPECIFIED (the default), null for a value this version does not know. */
export function compressionFromProto(value: CompressionAlgorithm): Compression | undefined | null {
  switch (value) {
    case CompressionAlgorithm.COMPRESSION_ALGORITHM_UNSPECIFIED:
      return undefined;
    case CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP:
      return 'gzip';
    case CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD:
      return 'zstd';
    default:
      return null;
  }
}

function timestampOf(date: Date): Timestamp {
  const millis = BigInt(date.getTime());
  const seconds = millis >= 0n ? millis / 1000n : (millis - 999n) / 1000n;
  return { seconds, nanos: Number(millis - seconds * 1000n) * 1_000_000 };
}

function beaconOf(snapshot: SnapshotRecord) {
  return { network: snapshot.network, epoch: snapshot.epoch, immutableFileNumber: snapshot.immutableFileNumber };
}

/** The legacy Snapshot message: the full archive is the snapshot's archive. */
export function snapshotMessage(snapshot: SnapshotRecord, storage: ArtifactStorage): Snapshot {
  return {
    digest: snapshot.merkleRoot,
    beacon: beaconOf(snapshot),
    size: snapshot.fullArchiveSize,
    locations: [storage.url(snapshot.fullArchiveKey)],
    compressionAlgorithm: compressionToProto(snapshot.compression),
    certificateHash: snapshot.certificateHash,
    createdAt: timestampOf(snapshot.createdAt),
    cardanoNodeVersion: snapshot.cardanoNodeVersion,
  };
}

export function cardanoDatabaseSnapshotMessage(snapshot: SnapshotRecord, storage: ArtifactStorage): CardanoDatabaseSnapshot {
  const compression = compressionToProto(snapshot.compression);
  const location = (key: string, isTemplate: boolean, compressed: boolean): ArtifactLocation => ({
    type: storage.locationType,
    uri: storage.url(key),
    isTemplate,
    compressionAlgorithm: compressed ? compression : CompressionAlgorithm.COMPRESSION_ALGORITHM_UNSPECIFIED,
  });
  return {
    hash: snapshot.hash,
    merkleRoot: snapshot.merkleRoot,
    network: snapshot.network,
    beacon: beaconOf(snapshot),
    certificateHash: snapshot.certificateHash,
    totalDbSizeUncompressed: snapshot.totalDbSizeUncompressed,
    createdAt: timestampOf(snapshot.createdAt),
    digestsSizeUncompressed: snapshot.digestsSize,
    digestsLocations: [location(snapshot.digestsKey, false, false)],
    immutablesAverageSizeUncompressed: snapshot.immutablesAverageSizeUncompressed,
    immutablesLocations: [location(immutableArchiveKey(IMMUTABLE_NUMBER_TEMPLATE, snapshot.compression), true, true)],
    fullArchiveSizeUncompressed: snapshot.fullArchiveSizeUncompressed,
    fullArchiveLocations: [location(snapshot.fullArchiveKey, false, true)],
    fullArchiveSize: snapshot.fullArchiveSize,
    fullArchiveSha256: snapshot.fullArchiveSha256,
    compressionAlgorithm: compression,
    cardanoNodeVersion: snapshot.cardanoNodeVersion,
    ancillarySizeUncompressed: snapshot.ancillary?.sizeUncompressed ?? 0n,
    ancillaryLocations: snapshot.ancillary === undefined ? [] : [location(snapshot.ancillary.key, false, true)],
    ancillarySize: snapshot.ancillary?.size ?? 0n,
    ancillarySha256: snapshot.ancillary?.sha256 ?? '',
  };
}
