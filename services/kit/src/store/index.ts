export { StoreError, StoreSetupError, type StoreErrorCode, type StoreSetupErrorCode } from './errors.js';
export { storeErrors, type StoreErrors, type StoreErrorClass, type StoreErrorCodes } from './store-errors.js';
export { StoreSetup, type StoreSetupOptions, type PrismaClientLike, type OpenPrismaClientOptions, type OpenedPrismaClient } from './store-setup.js';
export {
  MIGRATIONS_TABLE,
  migrationFiles,
  runMigrations,
  sqliteMigrationConnection,
  postgresMigrationConnection,
  type StoreDialect,
  type MigrationFile,
  type AppliedMigration,
  type MigrationReport,
  type MigrationConnection,
  type RunMigrationsOptions,
} from './migrations.js';
export { parseStoreUrl, sqliteStorePath, type ParsedStoreUrl, type StoreUrlOptions } from './store-url.js';
export { migrateSqliteFile, DEFAULT_SQLITE_BUSY_TIMEOUT_MS, type MigrateSqliteFileOptions } from './sqlite-file.js';
export { migratePostgresDatabase, type MigratePostgresDatabaseOptions } from './postgres-database.js';
export { highestOpcertCounter, raiseOpcertCounter, type RawQueryClient } from './opcert-counters.js';
