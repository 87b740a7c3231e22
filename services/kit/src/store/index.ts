export { StoreSetupError, type StoreSetupErrorCode } from './errors.js';
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
