/**
 * Certified artifacts in the reference's shapes: Mithril stake distributions and Cardano database
 * snapshots (with their download locations) and the latest snapshot's digests list.
 */
import { CompressionAlgorithm, type ArtifactLocation, WireError } from '@mithril-ts/proto';
import type * as proto from '@mithril-ts/proto';
import { dateText, protocolParametersMessage, required } from './common.js';
import { signerWithStakeMessage } from './signers.js';

export function mithrilStakeDistributionListItemMessage(item: proto.MithrilStakeDistributionListItem): Record<string, unknown> {
  return {
    epoch: item.epoch,
    hash: item.hash,
    certificate_hash: item.certificateHash,
    created_at: dateText(item.createdAt, 'mithril_stake_distribution.created_at'),
  };
}

export function mithrilStakeDistributionMessage(response: proto.GetMithrilStakeDistributionResponse, expectedHash: string): Record<string, unknown> {
  const distribution = required(response.mithrilStakeDistribution, 'mithril_stake_distribution');
  if (distribution.hash !== expectedHash) throw new WireError(`asked for Mithril stake distribution ${expectedHash}, got ${distribution.hash}`);
  return {
    epoch: distribution.epoch,
    hash: distribution.hash,
    certificate_hash: distribution.certificateHash,
    signers: distribution.signers.map(signerWithStakeMessage),
    created_at: dateText(distribution.createdAt, 'mithril_stake_distribution.created_at'),
    protocol_parameters: protocolParametersMessage(distribution.protocolParameters, 'mithril_stake_distribution.protocol_parameters'),
  };
}

/** The reference's compression names (serde lowercase of its enum); undefined when not compressed. */
function compressionName(algorithm: CompressionAlgorithm): string | undefined {
  switch (algorithm) {
    case CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP:
      return 'gzip';
    case CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD:
      return 'zstandard';
    default:
      return undefined;
  }
}

function compressionField(location: ArtifactLocation): { compression_algorithm?: string } {
  const name = compressionName(location.compressionAlgorithm);
  return name === undefined ? {} : { compression_algorithm: name };
}

function beaconMessage(snapshot: proto.CardanoDatabaseSnapshot): { epoch: bigint; immutable_file_number: bigint } {
  const beacon = required(snapshot.beacon, 'snapshot.beacon');
  return { epoch: beacon.epoch, immutable_file_number: beacon.immutableFileNumber };
}

export function cardanoDatabaseSnapshotListItemMessage(snapshot: proto.CardanoDatabaseSnapshot): Record<string, unknown> {
  return {
    hash: snapshot.hash,
    merkle_root: snapshot.merkleRoot,
    beacon: beaconMessage(snapshot),
    certificate_hash: snapshot.certificateHash,
    total_db_size_uncompressed: snapshot.totalDbSizeUncompressed,
    cardano_node_version: snapshot.cardanoNodeVersion,
    created_at: dateText(snapshot.createdAt, 'snapshot.created_at'),
  };
}

/**
 * The reference's CardanoDatabaseSnapshotMessage. Per-immutable archives are only reachable through
 * URI templates (`{"Template": …}`), so a location that is not a template has no place there. The
 * full archive is this implementation's extension, absent from the reference's closed shape. The
 * `ancillary` part (ledger state + last trio, vouched for by the signed manifest inside the
 * archive) is empty when the snapshotter has no ancillary key.
 */
export function cardanoDatabaseSnapshotMessage(response: proto.GetCardanoDatabaseSnapshotResponse, expectedHash: string): Record<string, unknown> {
  const snapshot = required(response.snapshot, 'snapshot');
  if (snapshot.hash !== expectedHash) throw new WireError(`asked for Cardano database snapshot ${expectedHash}, got ${snapshot.hash}`);
  return {
    hash: snapshot.hash,
    merkle_root: snapshot.merkleRoot,
    network: snapshot.network,
    beacon: beaconMessage(snapshot),
    certificate_hash: snapshot.certificateHash,
    total_db_size_uncompressed: snapshot.totalDbSizeUncompressed,
    digests: {
      size_uncompressed: snapshot.digestsSizeUncompressed,
      locations: snapshot.digestsLocations.map((location) => ({ type: location.type, uri: location.uri, ...compressionField(location) })),
    },
    immutables: {
      average_size_uncompressed: snapshot.immutablesAverageSizeUncompressed,
      locations: snapshot.immutablesLocations
        .filter((location) => location.isTemplate)
        .map((location) => ({ type: location.type, uri: { Template: location.uri }, ...compressionField(location) })),
    },
    ancillary: {
      size_uncompressed: snapshot.ancillarySizeUncompressed,
      locations: snapshot.ancillaryLocations.map((location) => ({ type: location.type, uri: location.uri, ...compressionField(location) })),
    },
    cardano_node_version: snapshot.cardanoNodeVersion,
    created_at: dateText(snapshot.createdAt, 'snapshot.created_at'),
  };
}

export function cardanoDatabaseDigestsMessage(response: proto.GetCardanoDatabaseDigestsResponse): Record<string, unknown>[] {
  return response.digests.map((entry) => ({ immutable_file_name: entry.immutableFileName, digest: entry.digest }));
}
