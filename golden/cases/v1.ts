/**
 * Representative values of every message of package mithril.v1, recorded as goldens by
 * `npx tsx golden/record.ts` (golden/mithril/v1/<Message>.<case>.binpb + .json).
 *
 * A recorded case is frozen: never edit or remove one whose golden exists (the tests compare the
 * golden with the case). To cover a new field, add a new case name. Keys and signatures here are
 * placeholders of the right length and shape (deterministic bytes), not valid crypto: goldens pin
 * the wire format, not the cryptography (libs/stm and libs/protocol have their own vectors).
 */
import { createHash } from 'node:crypto';
import * as v1 from '@mithril-ts/proto/v1';

type V1 = typeof v1;
/** The argument of a generated codec's fromPartial: every field optional, bigints or numbers. */
type PartialOf<Codec> = Codec extends { fromPartial(object: infer P): unknown } ? P : never;
/** Names of the generated message codecs of mithril.v1, map entries ("Outer_XEntry") excluded. */
type MessageName = Exclude<
  { [K in keyof V1]: V1[K] extends { fromPartial(object: never): unknown; encode(message: never): unknown } ? K : never }[keyof V1],
  `${string}_${string}Entry`
>;
/** Cases of each message: case name (lower snake case) -> value. */
export type CaseTable = { readonly [Name in MessageName]: Readonly<Record<string, PartialOf<V1[Name]>>> };

// ---------------------------------------------------------------------------------------------
// Building blocks

export const U64_MAX = 2n ** 64n - 1n;
const U32_MAX = 2 ** 32 - 1;

/** `length` deterministic pseudo-random bytes derived from `label` (SHA-256 in counter mode). */
function bytes(label: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * 32 < length; counter++) {
    blocks.push(createHash('sha256').update(`${label}/${counter}`).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** A 64-char lowercase hex digest derived from `label`. */
function hex(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

/** CBOR of an operational certificate `[[kes_vk, issue_number, start_kes_period, sigma], cold_vk]`. */
function operationalCertificate(label: string, issueNumber: number, startKesPeriod: number): Buffer {
  const uint = (n: number): Buffer => (n < 24 ? Buffer.from([n]) : Buffer.from([0x18, n]));
  return Buffer.concat([
    Buffer.from([0x82, 0x84, 0x58, 0x20]),
    bytes(`${label}/kes_vk`, 32),
    uint(issueNumber),
    uint(startKesPeriod),
    Buffer.from([0x58, 0x40]),
    bytes(`${label}/sigma`, 64),
    Buffer.from([0x58, 0x20]),
    bytes(`${label}/cold_vk`, 32),
  ]);
}

const POOL_A = 'pool1mxyec46067n3querj9cxkk0g0zlag93pf3ya9vuyr3wgkq2e6t7';
const POOL_B = 'pool1w5qp8jdxm4t6nw2drk0d2y0ec5pu4ge8fpd6y8usvkysk9qwkc7';
/** Not a valid bech32 pool id: checks that any UTF-8 string survives the wire. */
const UNICODE_PARTY = 'pool-ñ-日本語-🚀-\u0000-end';

/** Mainnet-like parameters. */
const PARAMS = { k: 2422n, m: 20973n, phiF: 0.2 };
/** Devnet-like parameters. */
const NEXT_PARAMS = { k: 5n, m: 100n, phiF: 0.65 };
const MAX_PARAMS = { k: U64_MAX, m: U64_MAX, phiF: 1 };

/** 2023-11-14T22:13:20.123456789Z: nanoseconds matter (they are part of the certificate hash). */
const INITIATED_AT = { seconds: 1_700_000_000n, nanos: 123_456_789 };
const SEALED_AT = { seconds: 1_700_000_042n, nanos: 987_654_321 };
/** The range of google.protobuf.Timestamp: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z. */
const TIMESTAMP_MIN = { seconds: -62_135_596_800n, nanos: 0 };
const TIMESTAMP_MAX = { seconds: 253_402_300_799n, nanos: 999_999_999 };

const SIGNER_A = {
  partyId: POOL_A,
  verificationKey: bytes('vk/a', 192),
  verificationKeySignature: bytes('kes-sig/a', 448),
  operationalCertificate: operationalCertificate('opcert/a', 0, 3),
  kesEvolutions: 3,
  stake: 1_234_567_890_123n,
};
const SIGNER_B = {
  partyId: POOL_B,
  verificationKey: bytes('vk/b', 192),
  verificationKeySignature: bytes('kes-sig/b', 448),
  operationalCertificate: operationalCertificate('opcert/b', 7, 120),
  kesEvolutions: 61,
  stake: 98_765_432_100n,
};
/** A signer of a network without KES keys (devnet): no signature, certificate or evolutions. */
const SIGNER_WITHOUT_KES = { partyId: POOL_B, verificationKey: bytes('vk/c', 192), stake: 1_000_000n };

const REGISTRATION = {
  epoch: 512n,
  partyId: POOL_A,
  verificationKey: SIGNER_A.verificationKey,
  verificationKeySignature: SIGNER_A.verificationKeySignature,
  operationalCertificate: SIGNER_A.operationalCertificate,
  kesEvolutions: 3,
};
const CERTIFIED_SIGNER = { partyId: POOL_A, stake: SIGNER_A.stake, epoch: 512n };

const CARDANO_DATABASE = { $case: 'cardanoDatabase' as const, value: { epoch: 512n, immutableFileNumber: 10_080n } };
const STAKE_DISTRIBUTION = { $case: 'mithrilStakeDistribution' as const, value: { epoch: 512n } };

const SINGLE_SIGNATURE = {
  signedEntityType: { entity: CARDANO_DATABASE },
  partyId: POOL_A,
  signature: bytes('single-signature/a', 93),
  wonIndexes: [3n, 17n, 20_972n],
  signedMessage: hex('signed-message/512/10080'),
};

const AVK = bytes('avk/512', 48);
/** Protocol message of a Cardano database certificate, parts in canonical order. */
const CARDANO_DATABASE_MESSAGE = {
  parts: [
    { key: 'next_aggregate_verification_key', value: bytes('next-avk-json/513', 60).toString('hex') },
    { key: 'next_protocol_parameters', value: hex('protocol-parameters/513') },
    { key: 'current_epoch', value: '512' },
    { key: 'cardano_database_merkle_root', value: hex('merkle-root/512/10080') },
  ],
};
/** Protocol message of a genesis certificate. */
const GENESIS_MESSAGE = {
  parts: [
    { key: 'next_aggregate_verification_key', value: bytes('next-avk-json/501', 60).toString('hex') },
    { key: 'next_protocol_parameters', value: hex('protocol-parameters/501') },
    { key: 'current_epoch', value: '500' },
  ],
};

const METADATA = {
  network: 'mainnet',
  protocolVersion: '0.1.0',
  protocolParameters: PARAMS,
  initiatedAt: INITIATED_AT,
  sealedAt: SEALED_AT,
  signers: [
    { partyId: POOL_A, stake: SIGNER_A.stake },
    { partyId: POOL_B, stake: SIGNER_B.stake },
  ],
};
const GENESIS_METADATA = { ...METADATA, signers: [] };

const CERTIFICATE = {
  hash: hex('certificate/512/10080'),
  previousHash: hex('certificate/512/master'),
  epoch: 512n,
  signedEntityType: { entity: CARDANO_DATABASE },
  metadata: METADATA,
  protocolMessage: CARDANO_DATABASE_MESSAGE,
  signedMessage: hex('signed-message/512/10080'),
  aggregateVerificationKey: AVK,
  signature: { $case: 'multiSignature' as const, value: bytes('multi-signature/512/10080', 1_337) },
};
/** A certificate as the reference's CertificateMessage JSON (shortened: goldens pin the wire format, not the JSON's content). */
const CERTIFICATE_JSON = `{"hash":"${CERTIFICATE.hash}","previous_hash":"${CERTIFICATE.previousHash}","epoch":512,"signed_entity_type":{"CardanoDatabase":{"epoch":512,"immutable_file_number":10080}},"multi_signature":"${hex('multi-signature/512/10080')}","genesis_signature":""}`;
const GENESIS_CERTIFICATE = {
  hash: hex('certificate/genesis/500'),
  previousHash: '',
  epoch: 500n,
  signedEntityType: { entity: { $case: 'mithrilStakeDistribution' as const, value: { epoch: 500n } } },
  metadata: GENESIS_METADATA,
  protocolMessage: GENESIS_MESSAGE,
  signedMessage: hex('signed-message/genesis/500'),
  aggregateVerificationKey: bytes('avk/500', 48),
  signature: { $case: 'genesisSignature' as const, value: bytes('genesis-signature/500', 64) },
};
const MAX_CERTIFICATE = {
  hash: hex('certificate/max'),
  previousHash: hex('certificate/max-1'),
  epoch: U64_MAX,
  signedEntityType: { entity: { $case: 'cardanoDatabase' as const, value: { epoch: U64_MAX, immutableFileNumber: U64_MAX } } },
  metadata: {
    network: 'devnet-ünïcödé',
    protocolVersion: '18446744073709551615.0.0-rc.1+build',
    protocolParameters: MAX_PARAMS,
    initiatedAt: TIMESTAMP_MIN,
    sealedAt: TIMESTAMP_MAX,
    signers: [{ partyId: UNICODE_PARTY, stake: U64_MAX }],
  },
  protocolMessage: { parts: [{ key: 'current_epoch', value: U64_MAX.toString() }] },
  signedMessage: hex('signed-message/max'),
  aggregateVerificationKey: bytes('avk/max', 4_096),
  signature: { $case: 'multiSignature' as const, value: bytes('multi-signature/max', 16_384) },
};

const LIST_METADATA = {
  network: 'mainnet',
  protocolVersion: '0.1.0',
  protocolParameters: PARAMS,
  initiatedAt: INITIATED_AT,
  sealedAt: SEALED_AT,
  totalSigners: 2n,
};
const CERTIFICATE_LIST_ITEM = {
  hash: CERTIFICATE.hash,
  previousHash: CERTIFICATE.previousHash,
  epoch: CERTIFICATE.epoch,
  signedEntityType: CERTIFICATE.signedEntityType,
  metadata: LIST_METADATA,
  protocolMessage: CARDANO_DATABASE_MESSAGE,
  signedMessage: CERTIFICATE.signedMessage,
  aggregateVerificationKey: AVK,
};
const GENESIS_LIST_ITEM = {
  hash: GENESIS_CERTIFICATE.hash,
  epoch: GENESIS_CERTIFICATE.epoch,
  signedEntityType: GENESIS_CERTIFICATE.signedEntityType,
  metadata: { ...LIST_METADATA, totalSigners: 0n },
  protocolMessage: GENESIS_MESSAGE,
  signedMessage: GENESIS_CERTIFICATE.signedMessage,
  aggregateVerificationKey: GENESIS_CERTIFICATE.aggregateVerificationKey,
};

const BEACON = { network: 'mainnet', epoch: 512n, immutableFileNumber: 10_080n };
const MAX_BEACON = { network: 'ünïcödé-net', epoch: U64_MAX, immutableFileNumber: U64_MAX };
const SNAPSHOT = {
  digest: hex('merkle-root/512/10080'),
  beacon: BEACON,
  size: 56_789_012_345n,
  locations: [
    'https://storage.googleapis.com/mithril/mainnet-e512-i10080.tar.zst',
    'https://aggregator.example/artifact/snapshot/download/mainnet-e512-i10080.tar.zst',
  ],
  compressionAlgorithm: v1.CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD,
  certificateHash: CERTIFICATE.hash,
  createdAt: SEALED_AT,
  cardanoNodeVersion: '10.1.4',
};
const DIGESTS_LOCATION = { type: 'aggregator', uri: 'https://aggregator.example/artifact/cardano-database/digests/mainnet-e512-i10080.json' };
const IMMUTABLES_LOCATION = {
  type: 'cloud_storage',
  uri: 'https://cdn.example/mainnet/immutable/{immutable_file_number}.tar.gz',
  isTemplate: true,
  compressionAlgorithm: v1.CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP,
};
const FILE_DIGEST = { immutableFileName: '10080.chunk', digest: hex('file/10080.chunk') };
const CARDANO_DATABASE_SNAPSHOT = {
  hash: hex('cardano-database/512/10080'),
  merkleRoot: SNAPSHOT.digest,
  network: 'mainnet',
  beacon: BEACON,
  certificateHash: CERTIFICATE.hash,
  totalDbSizeUncompressed: 212_345_678_901n,
  createdAt: SEALED_AT,
  digestsSizeUncompressed: 3_000_000n,
  digestsLocations: [DIGESTS_LOCATION],
  immutablesAverageSizeUncompressed: 21_067_000n,
  immutablesLocations: [
    IMMUTABLES_LOCATION,
    { ...IMMUTABLES_LOCATION, type: 'aggregator', uri: 'https://aggregator.example/artifact/cardano-database/immutable/{immutable_file_number}.tar.gz' },
  ],
  fullArchiveSizeUncompressed: 212_345_678_901n,
  fullArchiveLocations: [
    {
      type: 'aggregator',
      uri: 'https://aggregator.example/artifact/cardano-database/full/mainnet-e512-i10080.tar.gz',
      compressionAlgorithm: v1.CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP,
    },
  ],
  fullArchiveSize: 56_789_012_345n,
  fullArchiveSha256: hex('archive/512/10080'),
  compressionAlgorithm: v1.CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP,
  cardanoNodeVersion: '10.1.4',
};
const GZIP_SNAPSHOT = {
  ...SNAPSHOT,
  digest: hex('merkle-root/511/10060'),
  beacon: { network: 'preprod', epoch: 511n, immutableFileNumber: 10_060n },
  size: 1n,
  locations: ['file:///var/mithril/snapshots/preprod-e511-i10060.tar.gz'],
  compressionAlgorithm: v1.CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP,
  createdAt: INITIATED_AT,
};

const STAKE_DISTRIBUTION_ARTIFACT = {
  epoch: 512n,
  hash: hex('mithril-stake-distribution/512'),
  signers: [SIGNER_A, SIGNER_B],
  protocolParameters: PARAMS,
  certificateHash: hex('certificate/512/msd'),
  createdAt: SEALED_AT,
};
const STAKE_DISTRIBUTION_LIST_ITEM = {
  epoch: 512n,
  hash: STAKE_DISTRIBUTION_ARTIFACT.hash,
  certificateHash: STAKE_DISTRIBUTION_ARTIFACT.certificateHash,
  createdAt: SEALED_AT,
};

const EPOCH_SETTINGS = {
  epoch: 512n,
  currentProtocolParameters: PARAMS,
  nextProtocolParameters: NEXT_PARAMS,
  currentSigners: [SIGNER_A, SIGNER_B],
  nextSigners: [SIGNER_A, SIGNER_WITHOUT_KES],
  signerRegistrationProtocolParameters: NEXT_PARAMS,
};

const AGGREGATOR_STATUS = {
  epoch: 512n,
  cardanoEra: 'Conway',
  cardanoNetwork: 'mainnet',
  mithrilEra: 'pythagoras',
  cardanoNodeVersion: '10.1.4',
  aggregatorNodeVersion: '0.1.0',
  currentProtocolParameters: PARAMS,
  nextProtocolParameters: NEXT_PARAMS,
  currentSignerCount: 2n,
  nextSignerCount: 3n,
  currentSignersStake: 123_456_789_012_345n,
  nextSignersStake: 987_654_321_098_765n,
  cardanoPoolCount: 3_012n,
  // Above 2^53 (mainnet's total stake is ~2.2e16 lovelace): kept exact.
  cardanoTotalStake: 22_000_000_000_000_001n,
};

const ERROR_DETAIL = {
  code: v1.ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION,
  message: 'protocol version 0.2.0 is not supported; this aggregator speaks 0.1.x',
  metadata: { received_protocol_version: '0.2.0', supported_protocol_versions: '0.1' },
};

const PAGE_TOKEN = 'eyJlcG9jaCI6NTEyLCJoYXNoIjoiYWJjIn0';

// ---------------------------------------------------------------------------------------------
// The cases

export const V1_CASES: CaseTable = {
  // protocol.proto
  ProtocolParameters: { empty: {}, full: PARAMS, max: MAX_PARAMS },
  StakeDistributionParty: {
    empty: {},
    full: { partyId: POOL_A, stake: SIGNER_A.stake },
    max_unicode: { partyId: UNICODE_PARTY, stake: U64_MAX },
  },
  SignedEntityType: {
    empty: {},
    cardano_database: { entity: CARDANO_DATABASE },
    mithril_stake_distribution: { entity: STAKE_DISTRIBUTION },
    /** The variant is set even though its beacon is all defaults (encodes as an empty sub-message). */
    cardano_database_default_beacon: { entity: { $case: 'cardanoDatabase', value: {} } },
    max: { entity: { $case: 'cardanoDatabase', value: { epoch: U64_MAX, immutableFileNumber: U64_MAX } } },
  },
  CardanoDatabaseSignedEntity: {
    empty: {},
    full: CARDANO_DATABASE.value,
    max: { epoch: U64_MAX, immutableFileNumber: U64_MAX },
  },
  MithrilStakeDistributionSignedEntity: { empty: {}, full: STAKE_DISTRIBUTION.value, max: { epoch: U64_MAX } },
  ProtocolMessagePart: {
    empty: {},
    full: { key: 'cardano_database_merkle_root', value: hex('merkle-root/512/10080') },
    unicode: { key: 'ключ-🔑', value: 'значение\nwith newline' },
  },
  ProtocolMessage: { empty: {}, cardano_database: CARDANO_DATABASE_MESSAGE, genesis: GENESIS_MESSAGE },

  // signer.proto
  Signer: {
    empty: {},
    full: SIGNER_A,
    without_kes: SIGNER_WITHOUT_KES,
    /** Optional fields present with default values: zero evolutions, empty bytes. */
    present_defaults: {
      partyId: POOL_A,
      verificationKey: Buffer.alloc(0),
      verificationKeySignature: Buffer.alloc(0),
      operationalCertificate: Buffer.alloc(0),
      kesEvolutions: 0,
    },
    max: { ...SIGNER_B, partyId: UNICODE_PARTY, kesEvolutions: U32_MAX, stake: U64_MAX },
  },
  SignerRegistration: {
    empty: {},
    full: REGISTRATION,
    without_kes: { epoch: 512n, partyId: POOL_B, verificationKey: SIGNER_WITHOUT_KES.verificationKey },
    max: { ...REGISTRATION, epoch: U64_MAX, partyId: UNICODE_PARTY, kesEvolutions: U32_MAX },
  },
  CertifiedSigner: {
    empty: {},
    full: CERTIFIED_SIGNER,
    max: { partyId: UNICODE_PARTY, stake: U64_MAX, epoch: U64_MAX },
  },
  SingleSignature: {
    empty: {},
    full: SINGLE_SIGNATURE,
    stake_distribution_minimal: {
      signedEntityType: { entity: STAKE_DISTRIBUTION },
      partyId: POOL_B,
      signature: bytes('single-signature/b', 61),
    },
    max: {
      ...SINGLE_SIGNATURE,
      partyId: UNICODE_PARTY,
      wonIndexes: [0n, 1n, 2n ** 53n + 1n, U64_MAX],
      signedEntityType: { entity: { $case: 'mithrilStakeDistribution', value: { epoch: U64_MAX } } },
    },
  },

  // epoch.proto
  EpochSettings: {
    empty: {},
    full: EPOCH_SETTINGS,
    no_signers: {
      epoch: 3n,
      currentProtocolParameters: NEXT_PARAMS,
      nextProtocolParameters: NEXT_PARAMS,
      signerRegistrationProtocolParameters: NEXT_PARAMS,
    },
  },
  AggregatorStatus: {
    empty: {},
    full: AGGREGATOR_STATUS,
    /** A node that reports no era, no signers yet, and the largest values. */
    no_era_max: {
      ...AGGREGATOR_STATUS,
      cardanoEra: '',
      epoch: U64_MAX,
      currentSignerCount: 0n,
      currentSignersStake: 0n,
      nextSignerCount: U64_MAX,
      nextSignersStake: U64_MAX,
      cardanoPoolCount: U64_MAX,
      cardanoTotalStake: U64_MAX,
    },
  },

  // certificate.proto
  Certificate: {
    empty: {},
    multi_signature: CERTIFICATE,
    genesis: GENESIS_CERTIFICATE,
    /** The signature oneof set to an empty multi-signature: presence survives. */
    empty_multi_signature: { ...CERTIFICATE, signature: { $case: 'multiSignature', value: Buffer.alloc(0) } },
    max: MAX_CERTIFICATE,
  },
  CertificateMetadata: {
    empty: {},
    full: METADATA,
    genesis: GENESIS_METADATA,
    timestamp_limits: MAX_CERTIFICATE.metadata,
  },
  CertificateListItem: { empty: {}, full: CERTIFICATE_LIST_ITEM, genesis: GENESIS_LIST_ITEM },
  CertificateListItemMetadata: {
    empty: {},
    full: LIST_METADATA,
    max: {
      network: MAX_CERTIFICATE.metadata.network,
      protocolVersion: MAX_CERTIFICATE.metadata.protocolVersion,
      protocolParameters: MAX_PARAMS,
      initiatedAt: TIMESTAMP_MIN,
      sealedAt: TIMESTAMP_MAX,
      totalSigners: U64_MAX,
    },
  },

  // artifact.proto
  CardanoDbBeacon: { empty: {}, full: BEACON, max: MAX_BEACON },
  Snapshot: {
    empty: {},
    full: SNAPSHOT,
    gzip: GZIP_SNAPSHOT,
    no_locations: { ...SNAPSHOT, locations: [], beacon: MAX_BEACON, size: U64_MAX },
  },
  ArtifactLocation: { empty: {}, full: IMMUTABLES_LOCATION, plain: DIGESTS_LOCATION },
  ImmutableFileDigest: { empty: {}, full: FILE_DIGEST },
  CardanoDatabaseSnapshot: {
    empty: {},
    full: CARDANO_DATABASE_SNAPSHOT,
    max: {
      ...CARDANO_DATABASE_SNAPSHOT,
      beacon: MAX_BEACON,
      totalDbSizeUncompressed: U64_MAX,
      fullArchiveSize: U64_MAX,
      fullArchiveLocations: [],
      digestsLocations: [],
    },
    // Fields 18–21, added later in v1: the ancillary archive (ledger state + last trio, signed manifest).
    with_ancillary: {
      ...CARDANO_DATABASE_SNAPSHOT,
      ancillarySizeUncompressed: 1_234_567n,
      ancillaryLocations: [
        {
          type: 'cloud_storage',
          uri: 'https://storage.example/ancillary/mainnet-e512-i10080.ancillary.tar.gz',
          compressionAlgorithm: v1.CompressionAlgorithm.COMPRESSION_ALGORITHM_GZIP,
        },
      ],
      ancillarySize: 345_678n,
      ancillarySha256: hex('ancillary/512/10080'),
    },
  },
  MithrilStakeDistribution: {
    empty: {},
    full: STAKE_DISTRIBUTION_ARTIFACT,
    no_signers: { ...STAKE_DISTRIBUTION_ARTIFACT, signers: [], epoch: U64_MAX },
  },
  MithrilStakeDistributionListItem: { empty: {}, full: STAKE_DISTRIBUTION_LIST_ITEM },

  // errors.proto
  ErrorDetail: {
    empty: {},
    full: ERROR_DETAIL,
    unicode: {
      code: v1.ErrorCode.ERROR_CODE_UNKNOWN_SIGNER,
      message: `party ${UNICODE_PARTY} is not in the stake distribution of epoch 512`,
      metadata: { party_id: UNICODE_PARTY, épоque: '512' },
    },
    certificate_mismatch: {
      code: v1.ErrorCode.ERROR_CODE_CERTIFICATE_MISMATCH,
      message: 'the certificate certifies another cardano_database_merkle_root',
      metadata: { check: 'cardano_database_merkle_root' },
    },
    beyond_chain_tip: {
      code: v1.ErrorCode.ERROR_CODE_BEYOND_CHAIN_TIP,
      message: 'immutable file number 18446744073709551615 is past the tip (41)',
      metadata: { immutable_file_number: '18446744073709551615', latest_immutable_file_number: '41' },
    },
  },
  RpcStatus: {
    empty: {},
    full: {
      code: 9,
      message: ERROR_DETAIL.message,
      details: [
        {
          typeUrl: 'type.googleapis.com/mithril.v1.ErrorDetail',
          value: Buffer.from(v1.ErrorDetail.encode(v1.ErrorDetail.fromPartial(ERROR_DETAIL)).finish()),
        },
      ],
    },
  },

  // aggregator_service.proto
  GetEpochSettingsRequest: { empty: {} },
  GetEpochSettingsResponse: { empty: {}, full: { epochSettings: EPOCH_SETTINGS } },
  GetProtocolParametersRequest: { empty: {}, full: { epoch: 512n }, max: { epoch: U64_MAX } },
  GetProtocolParametersResponse: { empty: {}, full: { protocolParameters: PARAMS } },
  ListCertificatesRequest: {
    empty: {},
    full: { pageSize: 20, pageToken: PAGE_TOKEN },
    max_page_size: { pageSize: U32_MAX },
  },
  ListCertificatesResponse: {
    empty: {},
    full: { certificates: [CERTIFICATE_LIST_ITEM, GENESIS_LIST_ITEM], nextPageToken: PAGE_TOKEN },
    last_page: { certificates: [GENESIS_LIST_ITEM] },
  },
  GetCertificateRequest: {
    empty: {},
    full: { hash: CERTIFICATE.hash },
    reference_json: { hash: CERTIFICATE.hash, form: v1.CertificateForm.CERTIFICATE_FORM_REFERENCE_JSON },
    unknown_form: { hash: CERTIFICATE.hash, form: 7 as v1.CertificateForm },
  },
  GetCertificateResponse: { empty: {}, full: { certificate: CERTIFICATE }, reference_json: { certificateJson: CERTIFICATE_JSON } },
  GetGenesisCertificateRequest: { empty: {}, reference_json: { form: v1.CertificateForm.CERTIFICATE_FORM_REFERENCE_JSON } },
  GetGenesisCertificateResponse: { empty: {}, full: { certificate: GENESIS_CERTIFICATE }, reference_json: { certificateJson: CERTIFICATE_JSON } },
  ListSnapshotsRequest: { empty: {}, full: { pageSize: 5, pageToken: PAGE_TOKEN } },
  ListSnapshotsResponse: {
    empty: {},
    full: { snapshots: [SNAPSHOT, GZIP_SNAPSHOT], nextPageToken: PAGE_TOKEN },
  },
  GetSnapshotRequest: { empty: {}, full: { digest: SNAPSHOT.digest } },
  GetSnapshotResponse: { empty: {}, full: { snapshot: SNAPSHOT } },
  ListMithrilStakeDistributionsRequest: { empty: {}, full: { pageSize: 100, pageToken: PAGE_TOKEN } },
  ListMithrilStakeDistributionsResponse: {
    empty: {},
    full: { mithrilStakeDistributions: [STAKE_DISTRIBUTION_LIST_ITEM], nextPageToken: PAGE_TOKEN },
  },
  GetMithrilStakeDistributionRequest: { empty: {}, full: { hash: STAKE_DISTRIBUTION_ARTIFACT.hash } },
  GetMithrilStakeDistributionResponse: {
    empty: {},
    full: { mithrilStakeDistribution: STAKE_DISTRIBUTION_ARTIFACT },
  },
  RegisterSignerRequest: {
    empty: {},
    full: { registration: REGISTRATION, certification: CERTIFIED_SIGNER },
    uncertified: { registration: { epoch: 512n, partyId: POOL_B, verificationKey: SIGNER_WITHOUT_KES.verificationKey } },
  },
  RegisterSignerResponse: { empty: {}, full: { signer: CERTIFIED_SIGNER } },
  RegisterSignaturesRequest: { empty: {}, full: { signature: SINGLE_SIGNATURE } },
  RegisterSignaturesResponse: {
    empty: {},
    accepted: { status: v1.SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_ACCEPTED },
    buffered: { status: v1.SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_BUFFERED },
  },
  WatchCertificatesRequest: {
    empty: {},
    full: {
      signedEntityKinds: [v1.SignedEntityKind.SIGNED_ENTITY_KIND_CARDANO_DATABASE, v1.SignedEntityKind.SIGNED_ENTITY_KIND_MITHRIL_STAKE_DISTRIBUTION],
    },
    /** An enum value this version does not know (sent by a newer peer) is kept as its number. */
    unknown_kind: { signedEntityKinds: [v1.SignedEntityKind.SIGNED_ENTITY_KIND_CARDANO_DATABASE, 99 as v1.SignedEntityKind] },
  },
  WatchCertificatesResponse: { empty: {}, full: { certificate: CERTIFICATE } },

  // certifier_service.proto
  CertifierServiceCertifyRequest: { empty: {}, full: { registration: REGISTRATION } },
  CertifierServiceCertifyResponse: { empty: {}, full: { certification: CERTIFIED_SIGNER } },

  // signer_gateway_service.proto
  SignerGatewayServiceRegisterSignerRequest: { empty: {}, full: { registration: REGISTRATION } },
  SignerGatewayServiceRegisterSignerResponse: { empty: {}, full: { signer: CERTIFIED_SIGNER } },
  SignerGatewayServiceRegisterSignatureRequest: { empty: {}, full: { signature: SINGLE_SIGNATURE } },
  SignerGatewayServiceRegisterSignatureResponse: {
    empty: {},
    accepted: { status: v1.SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_ACCEPTED },
  },

  ListRegisteredSignersRequest: { empty: {}, full: { epoch: 513n }, max: { epoch: U64_MAX } },
  ListRegisteredSignersResponse: { empty: {}, full: { epoch: 513n, signers: [SIGNER_A, SIGNER_B, SIGNER_WITHOUT_KES] } },
  ListCardanoDatabaseSnapshotsRequest: { empty: {}, full: { pageSize: 20, pageToken: PAGE_TOKEN, epoch: 512n }, epoch_zero: { epoch: 0n } },
  ListCardanoDatabaseSnapshotsResponse: { empty: {}, full: { snapshots: [CARDANO_DATABASE_SNAPSHOT], nextPageToken: PAGE_TOKEN } },
  GetCardanoDatabaseSnapshotRequest: { empty: {}, full: { hash: CARDANO_DATABASE_SNAPSHOT.hash } },
  GetCardanoDatabaseSnapshotResponse: { empty: {}, full: { snapshot: CARDANO_DATABASE_SNAPSHOT } },
  GetCardanoDatabaseDigestsRequest: { empty: {}, full: { hash: CARDANO_DATABASE_SNAPSHOT.hash } },
  GetAggregatorStatusRequest: { empty: {} },
  GetAggregatorStatusResponse: { empty: {}, full: { status: AGGREGATOR_STATUS } },
  GetCardanoDatabaseDigestsResponse: {
    empty: {},
    full: { hash: CARDANO_DATABASE_SNAPSHOT.hash, digests: [FILE_DIGEST, { immutableFileName: '10080.primary', digest: hex('file/10080.primary') }] },
  },

  // snapshotter_service.proto
  SnapshotterServiceComputeDigestRequest: { empty: {}, full: { beacon: BEACON } },
  SnapshotterServiceComputeDigestResponse: { empty: {}, full: { digest: SNAPSHOT.digest } },
  SnapshotterServiceCreateSnapshotRequest: {
    empty: {},
    full: {
      beacon: BEACON,
      digest: SNAPSHOT.digest,
      certificateHash: CERTIFICATE.hash,
      compressionAlgorithm: v1.CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD,
    },
  },
  SnapshotterServiceCreateSnapshotResponse: {
    empty: {},
    full: { snapshot: SNAPSHOT },
    with_cardano_database: { snapshot: SNAPSHOT, cardanoDatabaseSnapshot: CARDANO_DATABASE_SNAPSHOT },
  },
  SnapshotterServiceGetSnapshotRequest: { empty: {}, full: { digest: SNAPSHOT.digest } },
  SnapshotterServiceGetSnapshotResponse: { empty: {}, full: { snapshot: GZIP_SNAPSHOT } },
  SnapshotterServiceListImmutableFileDigestsRequest: { empty: {}, full: { beacon: BEACON } },
  SnapshotterServiceListImmutableFileDigestsResponse: { empty: {}, full: { digests: [FILE_DIGEST] } },
};
