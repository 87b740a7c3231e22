/**
 * The aggregator's versioned SQL migrations, applied at start-up by service-kit's runner
 * (`schema_migrations` with checksums, one transaction per migration, concurrent starters
 * serialised). Each dialect has its own folder (migrations/sqlite, migrations/postgresql) with
 * files `NNNN_name.sql` holding the same schema change.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrationFiles as readMigrationFiles, runMigrations as runKitMigrations, type MigrationConnection, type MigrationFile, type MigrationReport } from '@mithril-ts/service-kit';
import { fromStoreSetupError } from './errors.js';
import type { StoreDialect } from './types.js';

export { MIGRATIONS_TABLE, postgresMigrationConnection, sqliteMigrationConnection, type MigrationConnection, type MigrationFile, type MigrationReport } from '@mithril-ts/service-kit';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export function migrationFiles(dialect: StoreDialect, dir: string = MIGRATIONS_DIR): MigrationFile[] {
  try {
    return readMigrationFiles(join(dir, dialect));
  } catch (error) {
    throw fromStoreSetupError(error);
  }
}

/** Failures are AggregatorStoreError 'MIGRATION_FAILED'. */
export async function runMigrations(connection: MigrationConnection, files: MigrationFile[] = migrationFiles(connection.dialect)): Promise<MigrationReport> {
  try {
    return await runKitMigrations(connection, files, { application: 'aggregator' });
  } catch (error) {
    throw fromStoreSetupError(error);
  }
}
