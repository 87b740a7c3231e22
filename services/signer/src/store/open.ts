/**
 * Opens the signer store, migrating it first. The location is a path, or a URL `file:PATH` /
 * `sqlite:PATH` / `sqlite://PATH`. The file is created readable by its owner only: it holds
 * secret keys.
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { DEFAULT_SQLITE_BUSY_TIMEOUT_MS, migrateSqliteFile, sqliteStorePath } from '@mithril-ts/service-kit';
import { SignerStoreError, fromStoreSetupError } from './errors.js';
import { PrismaClient } from './generated/client.js';
import { migrationFiles, type MigrationReport } from './migrations.js';
import { PrismaSignerStore } from './prisma-store.js';

export interface OpenSignerStoreOptions {
  /** A file path, or `file:PATH`, `sqlite:PATH`, `sqlite://PATH`. */
  readonly url: string;
  /** SQLite busy timeout in milliseconds (default 5000). */
  readonly busyTimeoutMs?: number;
}

export interface OpenedSignerStore {
  readonly store: PrismaSignerStore;
  /** What the start-up migration did. */
  readonly migrations: MigrationReport;
  close(): Promise<void>;
}

/** The SQLite file of a store location; a bad one is SignerStoreError 'INVALID_URL'. */
export function storePath(url: string): string {
  try {
    return sqliteStorePath(url, { barePath: true, storeName: 'signer store' });
  } catch (error) {
    throw fromStoreSetupError(error);
  }
}

export async function openSignerStore(options: OpenSignerStoreOptions): Promise<OpenedSignerStore> {
  const path = storePath(options.url);
  const timeout = options.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS;
  let migrations: MigrationReport;
  try {
    // Owner-only: the file holds secret keys.
    migrations = await migrateSqliteFile(path, { files: migrationFiles(), application: 'signer', busyTimeoutMs: timeout, fileMode: 0o600 });
  } catch (error) {
    throw wrapOpen(error);
  }
  const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: path, timeout }) });
  try {
    await client.$connect();
    await client.$queryRawUnsafe('PRAGMA secure_delete = ON');
  } catch (error) {
    await client.$disconnect().catch(() => {});
    throw wrapOpen(error);
  }
  const store = new PrismaSignerStore(client);
  return { store, migrations, close: () => store.close() };
}

function wrapOpen(error: unknown): SignerStoreError {
  const retyped = fromStoreSetupError(error);
  if (retyped instanceof SignerStoreError) return retyped;
  return new SignerStoreError('DATABASE', `opening the signer store failed: ${(error as Error).message ?? String(error)}`, { cause: error });
}
