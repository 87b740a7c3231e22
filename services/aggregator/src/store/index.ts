export { AggregatorStoreError, type AggregatorStoreErrorCode } from './errors.js';
export type { AppliedMigration, Page, PruneOptions, PruneResult, StoreDialect } from './types.js';
export { PrismaAggregatorStore, type AggregatorStore } from './aggregator-store.js';
export { certificateRecordOf, type CertificateRecord, type CertificateRepository, type NewCertificate, type SaveCertificateOptions } from './certificates.js';
export type { AcceptedRegistration, NewSignerRegistration, SignerRegistrationRecord, SignerRegistrationRepository } from './signer-registrations.js';
export type {
  AddSingleSignatureResult,
  NewOpenMessage,
  NewSingleSignature,
  OpenMessageFilter,
  OpenMessageRecord,
  OpenMessageRepository,
  SingleSignatureRecord,
} from './open-messages.js';
export type { StakeDistributionRepository, StakeEntry } from './stake-distributions.js';
export type { EpochSettingsRecord, EpochSettingsRepository } from './epoch-settings.js';
export type { OpcertCounterRepository } from './opcert-counters.js';
export type { CardanoDatabaseSnapshotRecord, CardanoDatabaseSnapshotRepository } from './cardano-database-snapshots.js';
export { beaconText } from './columns.js';
export { openAggregatorStore, type OpenAggregatorStoreOptions, type OpenedAggregatorStore } from './open.js';
export { MIGRATIONS_TABLE, migrationFiles, parseStoreUrl, runMigrations, type MigrationFile, type MigrationReport, type ParsedStoreUrl } from './setup.js';
