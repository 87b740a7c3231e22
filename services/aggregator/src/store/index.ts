export { AggregatorStoreError, type AggregatorStoreErrorCode } from './errors.js';
export type * from './types.js';
export { PrismaAggregatorStore, beaconText, certificateRecordOf } from './prisma-store.js';
export { openAggregatorStore, parseStoreUrl, type OpenAggregatorStoreOptions, type OpenedAggregatorStore, type ParsedStoreUrl } from './open.js';
export { MIGRATIONS_TABLE, migrationFiles, runMigrations, type MigrationFile, type MigrationReport } from './migrations.js';
