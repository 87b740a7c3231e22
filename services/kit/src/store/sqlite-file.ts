/**
 * Brings a store's SQLite file up to date before the store's own client (Prisma's adapter) opens
 * it: creates the folder, switches the file to WAL and applies the migrations on a short-lived
 * connection of its own.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { runMigrations, sqliteMigrationConnection, type MigrationFile, type MigrationReport } from './migrations.js';

/** How long a connection waits for another one's write lock before failing (ms). */
export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 5_000;

export interface MigrateSqliteFileOptions {
  readonly files: readonly MigrationFile[];
  /** Who owns the database, in messages. */
  readonly application?: string;
  readonly busyTimeoutMs?: number;
  /** Permissions of the file when it is created (e.g. 0o600 when it holds secrets). */
  readonly fileMode?: number;
}

/**
 * Migrates the SQLite file at `path`, creating it if needed. Migration failures are
 * StoreSetupError 'MIGRATION_FAILED'; file-system and SQLite open errors are thrown as they are.
 */
export async function migrateSqliteFile(path: string, options: MigrateSqliteFileOptions): Promise<MigrationReport> {
  mkdirSync(dirname(path), { recursive: true });
  // SQLite gives its -wal and -shm files the permissions of the database file, so create it first.
  if (options.fileMode !== undefined) closeSync(openSync(path, 'a', options.fileMode));
  const db = new Database(path, { timeout: options.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS });
  try {
    // WAL is a property of the file: the store's later connections inherit it.
    db.pragma('journal_mode = WAL');
    // better-sqlite3's default, said explicitly: a migration must not leave dangling references.
    db.pragma('foreign_keys = ON');
    return await runMigrations(sqliteMigrationConnection(db), options.files, { application: options.application });
  } finally {
    db.close();
  }
}
