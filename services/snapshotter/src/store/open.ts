/**
 * Opens the snapshotter store (one SQLite file), migrating it first. The location is a path, or a
 * URL `file:PATH` / `sqlite:PATH` / `sqlite://PATH`.
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { DEFAULT_SQLITE_BUSY_TIMEOUT_MS, migrateSqliteFile, sqliteStorePath } from '@mithril-ts/service-kit';
import { SnapshotterError, describeError } from '../errors.js';
import { fromStoreSetupError } from './errors.js';
import { PrismaClient } from './generated/client.js';
import { migrationFiles } from './migrations.js';
import { PrismaSnapshotStore } from './prisma-store.js';

export interface OpenedSnapshotStore {
  readonly store: PrismaSnapshotStore;
  /** Migrations applied by this opening (empty when the database was up to date). */
  readonly migrationsApplied: readonly string[];
  close(): Promise<void>;
}

/** The SQLite file of a store location; a bad one is SnapshotterError 'INVALID_ARGUMENT'. */
export function storePath(url: string): string {
  try {
    return sqliteStorePath(url, { barePath: true, storeName: 'snapshotter store' });
  } catch (error) {
    throw fromStoreSetupError(error);
  }
}

export async function openSnapshotStore(options: { readonly url: string; readonly busyTimeoutMs?: number }): Promise<OpenedSnapshotStore> {
  const path = storePath(options.url);
  const timeout = options.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS;
  let migrationsApplied: string[];
  try {
    migrationsApplied = (await migrateSqliteFile(path, { files: migrationFiles(), application: 'snapshotter', busyTimeoutMs: timeout })).applied;
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
  const retyped = fromStoreSetupError(error);
  if (retyped instanceof SnapshotterError) return retyped;
  return new SnapshotterError('STORE_FAILED', `opening the snapshotter store failed: ${describeError(error)}`, { cause: error });
}
