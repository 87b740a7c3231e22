/**
 * Opens the signer store, migrating it first. The location is a path, or a URL `file:PATH` /
 * `sqlite:PATH` / `sqlite://PATH`. The file is created readable by its owner only: it holds
 * secret keys.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import Database from 'better-sqlite3';
import { SignerStoreError } from './errors.js';
import { PrismaClient } from './generated/client.js';
import { runMigrations, type MigrationReport } from './migrations.js';
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

/** The SQLite file of a store location. */
export function storePath(url: string): string {
  if (typeof url !== 'string' || url.trim() === '') throw new SignerStoreError('INVALID_URL', 'the store location is empty');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^sqlite:\/\//i.test(url)) {
    throw new SignerStoreError('INVALID_URL', `unsupported store URL ${url.replace(/\/\/[^@/]*@/, '//***@')} (the signer store is SQLite: a path, file:PATH or sqlite:PATH)`);
  }
  const path = (/^(?:file:|sqlite:(?:\/\/)?)(.*)$/i.exec(url)?.[1] ?? url).replace(/\?.*$/, '');
  if (path === '' || path === ':memory:') {
    throw new SignerStoreError('INVALID_URL', 'an in-memory SQLite database is not supported (keys must survive a restart): use a file');
  }
  return resolve(path);
}

export async function openSignerStore(options: OpenSignerStoreOptions): Promise<OpenedSignerStore> {
  const path = storePath(options.url);
  const timeout = options.busyTimeoutMs ?? 5_000;
  let migrations: MigrationReport;
  try {
    mkdirSync(dirname(path), { recursive: true });
    // SQLite gives its -wal and -shm files the permissions of the database file.
    closeSync(openSync(path, 'a', 0o600));
    const db = new Database(path, { timeout });
    try {
      db.pragma('journal_mode = WAL');
      migrations = await runMigrations(db);
    } finally {
      db.close();
    }
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
  if (error instanceof SignerStoreError) return error;
  return new SignerStoreError('DATABASE', `opening the signer store failed: ${(error as Error).message ?? String(error)}`, { cause: error });
}
