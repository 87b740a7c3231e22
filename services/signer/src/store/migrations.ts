/**
 * The signer store's versioned SQL migrations (migrations/NNNN_name.sql), applied at start-up by
 * service-kit's runner: `schema_migrations` with checksums, one transaction per migration, a
 * changed file or a version recorded by a newer signer refused.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { migrationFiles as readMigrationFiles, runMigrations as runKitMigrations, sqliteMigrationConnection, type MigrationFile, type MigrationReport } from '@mithril-ts/service-kit';
import { fromStoreSetupError } from './errors.js';

export { MIGRATIONS_TABLE, type AppliedMigration, type MigrationFile, type MigrationReport } from '@mithril-ts/service-kit';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export function migrationFiles(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  try {
    return readMigrationFiles(dir);
  } catch (error) {
    throw fromStoreSetupError(error);
  }
}

/** Failures are SignerStoreError 'MIGRATION_FAILED'. */
export async function runMigrations(db: BetterSqlite3.Database, files: readonly MigrationFile[] = migrationFiles()): Promise<MigrationReport> {
  try {
    return await runKitMigrations(sqliteMigrationConnection(db), files, { application: 'signer' });
  } catch (error) {
    throw fromStoreSetupError(error);
  }
}
