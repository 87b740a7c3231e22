/**
 * Opens the aggregator store for a database URL, migrating it first:
 * - `file:PATH`, `sqlite:PATH` or `sqlite://PATH` → SQLite (WAL journal, busy timeout);
 * - `postgresql://…` or `postgres://…` → PostgreSQL.
 */
import { PrismaAggregatorStore } from './aggregator-store.js';
import { PrismaClient as PostgresPrismaClient } from './generated/postgresql/client.js';
import { PrismaClient as SqlitePrismaClient } from './generated/sqlite/client.js';
import { aggregatorStoreSetup, parseStoreUrl, type MigrationReport } from './setup.js';

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

export async function openAggregatorStore(options: OpenAggregatorStoreOptions): Promise<OpenedAggregatorStore> {
  const transactionOptions = { maxWait: options.transactionMaxWaitMs ?? 30_000, timeout: options.transactionTimeoutMs ?? 30_000 };
  const { client, dialect, migrations } = await aggregatorStoreSetup.openPrismaClient(parseStoreUrl(options.url), {
    clients: {
      sqlite: (adapter) => new SqlitePrismaClient({ adapter, transactionOptions }),
      // Same model, same generated API: the PostgreSQL client is used through the SQLite client's type.
      postgresql: (adapter) => new PostgresPrismaClient({ adapter, transactionOptions }) as unknown as SqlitePrismaClient,
    },
    busyTimeoutMs: options.busyTimeoutMs,
    poolSize: options.poolSize,
    prepare: async (client, dialect) => {
      if (dialect === 'sqlite') await client.$executeRawUnsafe('PRAGMA foreign_keys = ON');
    },
  });
  const store = new PrismaAggregatorStore(client, dialect);
  return { store, migrations, close: () => store.close() };
}
