/**
 * Opens the aggregator store for a database URL, migrating it first:
 * - `file:PATH`, `sqlite:PATH` or `sqlite://PATH` → SQLite (WAL journal, busy timeout);
 * - `postgresql://…` or `postgres://…` → PostgreSQL.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import Database from 'better-sqlite3';
import pg from 'pg';
import { AggregatorStoreError } from './errors.js';
import { PrismaClient as PostgresPrismaClient } from './generated/postgresql/client.js';
import { PrismaClient as SqlitePrismaClient } from './generated/sqlite/client.js';
import { postgresMigrationConnection, runMigrations, sqliteMigrationConnection, type MigrationReport } from './migrations.js';
import { PrismaAggregatorStore } from './prisma-store.js';
import type { StoreDialect } from './types.js';

export interface OpenAggregatorStoreOptions {
  readonly url: string;
  /** SQLite busy timeout in milliseconds (default 5000). */
  readonly busyTimeoutMs?: number;
  /** PostgreSQL pool size (default 10). */
  readonly poolSize?: number;
  /** Interactive transactions: how long to wait to start one and how long one may run (ms). */
  readonly transactionMaxWaitMs?: number;
  readonly transactionTimeoutMs?: number;
}

export interface OpenedAggregatorStore {
  readonly store: PrismaAggregatorStore;
  /** What the start-up migration did. */
  readonly migrations: MigrationReport;
  close(): Promise<void>;
}

export type ParsedStoreUrl = { readonly dialect: 'sqlite'; readonly path: string } | { readonly dialect: 'postgresql'; readonly connectionString: string };

export function parseStoreUrl(url: string): ParsedStoreUrl {
  if (typeof url !== 'string' || url.trim() === '') throw new AggregatorStoreError('INVALID_URL', 'the database URL is empty');
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgresql', connectionString: url };
  const match = /^(?:file:|sqlite:(?:\/\/)?)(.*)$/i.exec(url);
  if (!match) throw new AggregatorStoreError('INVALID_URL', `unsupported database URL ${redact(url)} (expected file:, sqlite: or postgresql://)`);
  const path = match[1]!.replace(/\?.*$/, '');
  if (path === '' || path === ':memory:') {
    throw new AggregatorStoreError('INVALID_URL', 'an in-memory SQLite database is not supported (migrations and the store use separate connections): use a temporary file');
  }
  return { dialect: 'sqlite', path: resolve(path) };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export async function openAggregatorStore(options: OpenAggregatorStoreOptions): Promise<OpenedAggregatorStore> {
  const parsed = parseStoreUrl(options.url);
  const transactionOptions = { maxWait: options.transactionMaxWaitMs ?? 30_000, timeout: options.transactionTimeoutMs ?? 30_000 };
  return parsed.dialect === 'sqlite' ? openSqlite(parsed.path, options, transactionOptions) : openPostgres(parsed.connectionString, options, transactionOptions);
}

async function openSqlite(path: string, options: OpenAggregatorStoreOptions, transactionOptions: { maxWait: number; timeout: number }): Promise<OpenedAggregatorStore> {
  const timeout = options.busyTimeoutMs ?? 5_000;
  let migrations: MigrationReport;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { timeout });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      migrations = await runMigrations(sqliteMigrationConnection(db));
    } finally {
      db.close();
    }
  } catch (error) {
    throw wrapOpen(error, 'sqlite');
  }
  // The adapter opens its own better-sqlite3 connection: `timeout` is its busy timeout; WAL is
  // a property of the database file, set above.
  const adapter = new PrismaBetterSqlite3({ url: path, timeout });
  const client = new SqlitePrismaClient({ adapter, transactionOptions });
  try {
    await client.$connect();
    await client.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  } catch (error) {
    await client.$disconnect().catch(() => {});
    throw wrapOpen(error, 'sqlite');
  }
  const store = new PrismaAggregatorStore(client, 'sqlite');
  return { store, migrations, close: () => store.close() };
}

async function openPostgres(connectionString: string, options: OpenAggregatorStoreOptions, transactionOptions: { maxWait: number; timeout: number }): Promise<OpenedAggregatorStore> {
  let migrations: MigrationReport;
  try {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      migrations = await runMigrations(postgresMigrationConnection(client));
    } finally {
      await client.end();
    }
  } catch (error) {
    throw wrapOpen(error, 'postgresql');
  }
  const adapter = new PrismaPg({ connectionString, max: options.poolSize ?? 10 });
  const client = new PostgresPrismaClient({ adapter, transactionOptions });
  try {
    await client.$connect();
  } catch (error) {
    await client.$disconnect().catch(() => {});
    throw wrapOpen(error, 'postgresql');
  }
  // Same model, same generated API: the PostgreSQL client is used through the SQLite client's type.
  const store = new PrismaAggregatorStore(client as unknown as SqlitePrismaClient, 'postgresql');
  return { store, migrations, close: () => store.close() };
}

function wrapOpen(error: unknown, dialect: StoreDialect): AggregatorStoreError {
  if (error instanceof AggregatorStoreError) return error;
  return new AggregatorStoreError('DATABASE', `opening the ${dialect} store failed: ${(error as Error).message ?? String(error)}`, { cause: error });
}
