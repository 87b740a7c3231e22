export { CardanoError, type CardanoErrorCode } from './errors.js';
export { DEFAULT_ENVELOPE_MAX_BYTES, type EnvelopeReadOptions } from './envelope.js';
export {
  ColdSigningKey,
  coldVerificationKeyToTextEnvelope,
  coldVerificationKeyFromTextEnvelope,
  verifyEd25519,
  COLD_SIGNING_KEY_ENVELOPE_TYPE,
  COLD_SIGNING_KEY_ENVELOPE_DESCRIPTION,
  COLD_VERIFICATION_KEY_ENVELOPE_TYPE,
  COLD_VERIFICATION_KEY_ENVELOPE_DESCRIPTION,
} from './cold-key.js';
export {
  KES_DEPTH,
  KES_TOTAL_PERIODS,
  KES_SIGNATURE_BYTES,
  KES_SECRET_KEY_BYTES,
  KES_SECRET_KEY_WITH_PERIOD_BYTES,
  KES_VERIFICATION_KEY_BYTES,
  KES_SEED_BYTES,
  KES_SIGNING_KEY_ENVELOPE_TYPE,
  KES_SIGNING_KEY_ENVELOPE_DESCRIPTION,
  KES_VERIFICATION_KEY_ENVELOPE_TYPE,
  KES_VERIFICATION_KEY_ENVELOPE_DESCRIPTION,
  KesSigningKey,
  verifyKesSignature,
  verifyKesSignatureInWindow,
  kesVerificationKeyToTextEnvelope,
  kesVerificationKeyFromTextEnvelope,
} from './kes.js';
export {
  issueOperationalCertificate,
  operationalCertificateSignedBytes,
  verifyOperationalCertificate,
  operationalCertificateToCbor,
  operationalCertificateFromCbor,
  operationalCertificateToTextEnvelope,
  operationalCertificateFromTextEnvelope,
  OPERATIONAL_CERTIFICATE_ENVELOPE_TYPE,
  OPERATIONAL_CERTIFICATE_ENVELOPE_DESCRIPTION,
  DEFAULT_OPCERT_MAX_BYTES,
  type OperationalCertificate,
} from './opcert.js';
export { poolIdFromColdVerificationKey, poolIdFromBytes, parsePoolId, POOL_ID_BYTES, POOL_ID_BECH32_PREFIX, type PoolId } from './pool-id.js';
export { kesPeriodAt, kesEvolutionAt, acceptedKesEvolutions } from './kes-period.js';
export {
  parseCardanoCliTip,
  parseCardanoCliStakeSnapshot,
  parseCardanoCliStakeSnapshots,
  parseCardanoCliKesPeriodInfo,
  type CardanoCliStakeSnapshots,
  type ChainObserver,
  type ChainTip,
  type KesPeriodInfo,
} from './cardano-cli.js';
export {
  parseOgmiosAnswer,
  parseOgmiosTip,
  parseOgmiosEpoch,
  parseOgmiosBlockHeight,
  parseOgmiosStakePools,
  parseOgmiosHealth,
  parseOgmiosUtxoInlineDatums,
  type OgmiosAnswer,
  type OgmiosHealth,
  type OgmiosRpcError,
} from './ogmios.js';
export { certifyMithrilKey, type KesCertification } from './key-certification.js';
export {
  CertificationError,
  MITHRIL_KEY_BYTES,
  checkOpcertCounter,
  parseRegistration,
  verifyRegistration,
  type CertificationCheck,
  type ParsedRegistration,
  type RegistrationRequest,
} from './key-certification-check.js';
export { cardanoDatabaseMerkleRoot } from './cardano-database.js';
export {
  IMMUTABLE_FILE_EXTENSIONS,
  MAX_IMMUTABLE_FILE_NUMBER,
  MAX_IMMUTABLE_FILE_NAME_LENGTH,
  immutableFileNumberText,
  immutableFileName,
  immutableTrioFileNames,
  parseImmutableFileName,
  isImmutableFileName,
  listImmutableFiles,
  isCompleteTrio,
  latestFinalImmutableFileNumber,
  immutableFilesUpTo,
  type ImmutableFileExtension,
  type ImmutableFileDigest,
  type ParsedImmutableFileName,
  type ImmutableFileListing,
  type ImmutableFilesUpTo,
} from './immutable-db-layout.js';
export type { ImmutableDigester } from './immutable-digester.js';
export { ImmutableDbFormatError, type ImmutableDbFormatErrorCode } from './immutable-db-errors.js';
export {
  PRIMARY_INDEX_VERSION,
  SECONDARY_ENTRY_BYTES,
  blockChecksum,
  parsePrimaryIndex,
  parseSecondaryEntry,
  indexedBlocks,
  encodePrimaryIndex,
  encodeSecondaryEntry,
  type SecondaryEntry,
  type IndexedBlock,
  type ChunkIndex,
} from './immutable-db-index.js';
export {
  CARDANO_ERA_NAMES,
  LATEST_ERA_TAG,
  MAINNET_BYRON_EPOCH_SLOTS,
  parseStoredBlock,
  type CardanoEraName,
  type StoredBlock,
  type StoredBlockOptions,
} from './cardano-block.js';
export { CborCursor } from './cbor-cursor.js';
export {
  kesSignatureToJson,
  kesSignatureFromJson,
  operationalCertificateToJson,
  operationalCertificateFromJson,
  type KesSignatureJson,
  type OperationalCertificateJson,
} from './reference-json.js';
export { isAddressText, parseCardanoCliUtxoInlineDatums, inlineDatumBytesFields, inlineDatumOfBytes, type InlineDatum } from './inline-datum.js';
export { decodePlutusData, MAX_PLUTUS_DATA_BYTES } from './plutus-data.js';
