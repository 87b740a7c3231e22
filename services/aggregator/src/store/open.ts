/**
 * Opens the aggregator store for a database URL, migrating it first:
 * - `file:PATH`, `sqlite:PATH` or `sqlite://PATH` → SQLite (WAL journal, busy timeout);
 * - `postgresql://…` or `postgres://…` → PostgreSQL.
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { DEFAULT_SQLITE_BUSY_TIMEOUT_MS, migrateSqliteFile, parseStoreUrl as parseKitStoreUrl, type ParsedStoreUrl } from '@mithril-ts/service-kit';
import pg from 'pg';
import { AggregatorStoreError, fromStoreSetupError } from './errors.js';
import { PrismaClient as PostgresPrismaClient } from './generated/postgresql/client.js';
import { PrismaClient as SqlitePrismaClient } from './generated/sqlite/client.js';
import { migrationFiles, postgresMigrationConnection, runMigrations, type MigrationReport } from './migrations.js';
import { PrismaAggregatorStore } from './aggregator-store.js';
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

export type { ParsedStoreUrl };

/** `file:PATH`, `sqlite:PATH`, `sqlite://PATH` or `postgresql://…`; a bad one is AggregatorStoreError 'INVALID_URL'. */
export function parseStoreUrl(url: string): ParsedStoreUrl {
  try {
    return parseKitStoreUrl(url, { storeName: 'aggregator store' });
  } catch (error) {
    throw fromStoreSetupError(error);
  }
}

export async function openAggregatorStore(options: OpenAggregatorStoreOptions): Promise<OpenedAggregatorStore> {
  const parsed = parseStoreUrl(options.url);
  const transactionOptions = { maxWait: options.transactionMaxWaitMs ?? 30_000, timeout: options.transactionTimeoutMs ?? 30_000 };
  return parsed.dialect === 'sqlite' ? openSqlite(parsed.path, options, transactionOptions) : openPostgres(parsed.connectionString, options, transactionOptions);
}

async function openSqlite(path: string, options: OpenAggregatorStoreOptions, transactionOptions: { maxWait: number; timeout: number }): Promise<OpenedAggregatorStore> {
  const timeout = options.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS;
  let migrations: MigrationReport;
  try {
    migrations = await migrateSqliteFile(path, { files: migrationFiles('sqlite'), application: 'aggregator', busyTimeoutMs: timeout });
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
  const retyped = fromStoreSetupError(error);
  if (retyped instanceof AggregatorStoreError) return retyped;
  return new AggregatorStoreError('DATABASE', `opening the ${dialect} store failed: ${(error as Error).message ?? String(error)}`, { cause: error });
}
