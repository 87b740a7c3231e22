/**
 * The snapshotter store's scaffolding, all from service-kit's store module: its location (a path,
 * or `file:PATH` / `sqlite:PATH` / `sqlite://PATH`: the snapshotter store is SQLite only) and its
 * versioned SQL migrations (migrations/NNNN_name.sql), applied at start-up by the kit's runner:
 * `schema_migrations` with checksums, one transaction per migration, a changed file or a version
 * recorded by a newer snapshotter refused.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { StoreSetup, sqliteMigrationConnection, storeErrors, type MigrationFile } from '@mithril-ts/service-kit';
import { SnapshotterError } from '../errors.js';

export { MIGRATIONS_TABLE, type MigrationFile } from '@mithril-ts/service-kit';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** A bad store location is a bad setting; a failed migration, or any other failure of the store, is a store failure. */
export const snapshotterStoreErrors = storeErrors(SnapshotterError, {
  setup: { INVALID_URL: 'INVALID_ARGUMENT', MIGRATION_FAILED: 'STORE_FAILED' },
  other: 'STORE_FAILED',
});

export const snapshotterStoreSetup = new StoreSetup({ application: 'snapshotter', migrationsFolder: MIGRATIONS_DIR, errors: snapshotterStoreErrors });

export function migrationFiles(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  return snapshotterStoreSetup.migrationFiles('sqlite', dir);
}

/** Applies the pending migrations; the names applied by this run. Failures are SnapshotterError 'STORE_FAILED'. */
export async function runMigrations(db: BetterSqlite3.Database, files?: readonly MigrationFile[]): Promise<string[]> {
  return (await snapshotterStoreSetup.runMigrations(sqliteMigrationConnection(db), files)).applied;
}

/** The SQLite file of a store location; a bad one is SnapshotterError 'INVALID_ARGUMENT'. */
export function storePath(url: string): string {
  return snapshotterStoreSetup.sqlitePath(url);
}
