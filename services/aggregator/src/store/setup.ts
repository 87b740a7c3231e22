/**
 * The aggregator store's scaffolding, all from service-kit's store module: its URL (SQLite or
 * PostgreSQL) and its versioned SQL migrations, applied at start-up by the kit's runner
 * (`schema_migrations` with checksums, one transaction per migration, concurrent starters
 * serialised). Each dialect has its own folder (migrations/sqlite, migrations/postgresql) with
 * files `NNNN_name.sql` holding the same schema change. Every failure is an AggregatorStoreError.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreSetup, type MigrationConnection, type MigrationFile, type MigrationReport, type ParsedStoreUrl } from '@mithril-ts/service-kit';
import { aggregatorStoreErrors } from './errors.js';
import type { StoreDialect } from './types.js';

export {
  MIGRATIONS_TABLE,
  postgresMigrationConnection,
  sqliteMigrationConnection,
  type MigrationConnection,
  type MigrationFile,
  type MigrationReport,
  type ParsedStoreUrl,
} from '@mithril-ts/service-kit';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export const aggregatorStoreSetup = new StoreSetup({
  application: 'aggregator',
  migrationsFolder: MIGRATIONS_DIR,
  migrationsPerDialect: true,
  errors: aggregatorStoreErrors,
});

export function migrationFiles(dialect: StoreDialect, dir: string = MIGRATIONS_DIR): MigrationFile[] {
  return aggregatorStoreSetup.migrationFiles(dialect, dir);
}

/** Failures are AggregatorStoreError 'MIGRATION_FAILED'. */
export function runMigrations(connection: MigrationConnection, files?: readonly MigrationFile[]): Promise<MigrationReport> {
  return aggregatorStoreSetup.runMigrations(connection, files);
}

/** `file:PATH`, `sqlite:PATH`, `sqlite://PATH` or `postgresql://…`; a bad one is AggregatorStoreError 'INVALID_URL'. */
export function parseStoreUrl(url: string): ParsedStoreUrl {
  return aggregatorStoreSetup.parseUrl(url);
}
