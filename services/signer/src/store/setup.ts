/**
 * The signer store's scaffolding, all from service-kit's store module: its location (a path, or
 * `file:PATH` / `sqlite:PATH` / `sqlite://PATH`: the signer store is SQLite only) and its versioned
 * SQL migrations (migrations/NNNN_name.sql), applied at start-up by the kit's runner:
 * `schema_migrations` with checksums, one transaction per migration, a changed file or a version
 * recorded by a newer signer refused. Every failure is a SignerStoreError.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { StoreSetup, sqliteMigrationConnection, type MigrationFile, type MigrationReport } from '@mithril-ts/service-kit';
import { signerStoreErrors } from './errors.js';

export { MIGRATIONS_TABLE, type AppliedMigration, type MigrationFile, type MigrationReport } from '@mithril-ts/service-kit';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export const signerStoreSetup = new StoreSetup({ application: 'signer', migrationsFolder: MIGRATIONS_DIR, errors: signerStoreErrors });

export function migrationFiles(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  return signerStoreSetup.migrationFiles('sqlite', dir);
}

/** Failures are SignerStoreError 'MIGRATION_FAILED'. */
export function runMigrations(db: BetterSqlite3.Database, files?: readonly MigrationFile[]): Promise<MigrationReport> {
  return signerStoreSetup.runMigrations(sqliteMigrationConnection(db), files);
}

/** The SQLite file of a store location; a bad one is SignerStoreError 'INVALID_URL'. */
export function storePath(url: string): string {
  return signerStoreSetup.sqlitePath(url);
}
