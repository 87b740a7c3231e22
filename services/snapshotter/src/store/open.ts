/**
 * Opens the snapshotter store (one SQLite file), migrating it first. The location is a path, or a
 * URL `file:PATH` / `sqlite:PATH` / `sqlite://PATH`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import Database from 'better-sqlite3';
import { SnapshotterError, describeError } from '../errors.js';
import { PrismaClient } from './generated/client.js';
import { runMigrations } from './migrations.js';
import { PrismaSnapshotStore } from './prisma-store.js';

export interface OpenedSnapshotStore {
  readonly store: PrismaSnapshotStore;
  /** Migrations applied by this opening (empty when the database was up to date). */
  readonly migrationsApplied: readonly string[];
  close(): Promise<void>;
}

/** The SQLite file of a store location. */
export function storePath(url: string): string {
  if (typeof url !== 'string' || url.trim() === '') throw new SnapshotterError('INVALID_ARGUMENT', 'the store location is empty');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^sqlite:\/\//i.test(url)) {
    throw new SnapshotterError('INVALID_ARGUMENT', `unsupported store URL ${url.replace(/\/\/[^@/]*@/, '//***@')} (the snapshotter store is SQLite: a path, file:PATH or sqlite:PATH)`);
  }
  const path = (/^(?:file:|sqlite:(?:\/\/)?)(.*)$/i.exec(url)?.[1] ?? url).replace(/\?.*$/, '');
  if (path === '' || path === ':memory:') throw new SnapshotterError('INVALID_ARGUMENT', 'an in-memory SQLite database is not supported (snapshot records must survive a restart): use a file');
  return resolve(path);
}

export async function openSnapshotStore(options: { readonly url: string; readonly busyTimeoutMs?: number }): Promise<OpenedSnapshotStore> {
  const path = storePath(options.url);
  const timeout = options.busyTimeoutMs ?? 5_000;
  let migrationsApplied: string[];
  try {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { timeout });
    try {
      db.pragma('journal_mode = WAL');
      migrationsApplied = await runMigrations(db);
    } finally {
      db.close();
    }
  } catch (error) {
    throw wrapOpen(error);
  }
  const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: path, timeout }) });
  try {
    await client.$connect();
  } catch (error) {
    await client.$disconnect().catch(() => {});
    throw wrapOpen(error);
  }
  const store = new PrismaSnapshotStore(client);
  return { store, migrationsApplied, close: () => store.close() };
}

function wrapOpen(error: unknown): SnapshotterError {
  if (error instanceof SnapshotterError) return error;
  return new SnapshotterError('STORE_FAILED', `opening the snapshotter store failed: ${describeError(error)}`, { cause: error });
}
