/**
 * The certifier store: the opcert counters, in SQLite (one certifier) or PostgreSQL (replicas
 * sharing them), opened through service-kit's store scaffolding (versioned SQL migrations per
 * dialect applied at start-up, then the Prisma client on its driver adapter). The counter
 * statements are the kit's, the same the aggregator's store runs on its own table.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreSetup, highestOpcertCounter, raiseOpcertCounter, type MigrationReport, type StoreDialect } from '@mithril-ts/service-kit';
import type { OpcertCounterStore } from '../ports.js';
import { CertifierStoreError, certifierStoreErrors } from './errors.js';
import { PrismaClient as PostgresPrismaClient } from './generated/postgresql/client.js';
import { PrismaClient as SqlitePrismaClient } from './generated/sqlite/client.js';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

const certifierStoreSetup = new StoreSetup({
  application: 'certifier',
  migrationsFolder: MIGRATIONS_DIR,
  migrationsPerDialect: true,
  errors: certifierStoreErrors,
});

const POOL_ID_HEX = /^[0-9a-f]{56}$/;
/** BIGINT columns are signed 64-bit in both dialects. */
const I64_MAX = (1n << 63n) - 1n;

export class PrismaOpcertCounterStore implements OpcertCounterStore {
  #closed = false;

  constructor(
    private readonly client: SqlitePrismaClient,
    readonly dialect: StoreDialect,
  ) {}

  highest(poolIdHex: string): Promise<bigint | undefined> {
    return this.#run('read opcert counter', () => highestOpcertCounter(this.client, poolIdArg(poolIdHex)));
  }

  raise(poolIdHex: string, issueNumber: bigint): Promise<bigint> {
    return this.#run('raise opcert counter', () => raiseOpcertCounter(this.client, poolIdArg(poolIdHex), issueArg(issueNumber)));
  }

  /** Refuses every later call and releases the connections (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.client.$disconnect();
  }

  async #run<T>(what: string, body: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new CertifierStoreError('CLOSED', `${what}: the store is closed`);
    try {
      return await body();
    } catch (error) {
      throw certifierStoreErrors.wrap(error, what);
    }
  }
}

function poolIdArg(value: string): string {
  if (typeof value !== 'string' || !POOL_ID_HEX.test(value)) throw new CertifierStoreError('INVALID_ARGUMENT', 'pool id must be 56 lowercase hex digits');
  return value;
}

function issueArg(value: bigint): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > I64_MAX) {
    throw new CertifierStoreError('INVALID_ARGUMENT', `issue number must be an integer in [0, ${I64_MAX}], got ${String(value)}`);
  }
  return value;
}

export interface OpenCertifierStoreOptions {
  /** `file:PATH`, `sqlite:PATH`, `sqlite://PATH` (SQLite) or `postgresql://…` (replicas sharing the counters). */
  readonly url: string;
  /** SQLite busy timeout in milliseconds (default 5000). */
  readonly busyTimeoutMs?: number;
  /** PostgreSQL pool size (default 10). */
  readonly poolSize?: number;
}

export interface OpenedCertifierStore {
  readonly store: PrismaOpcertCounterStore;
  /** What the start-up migration did. */
  readonly migrations: MigrationReport;
}

/** Migrates the database, then opens the store; every failure is a CertifierStoreError. */
export async function openCertifierStore(options: OpenCertifierStoreOptions): Promise<OpenedCertifierStore> {
  const { client, dialect, migrations } = await certifierStoreSetup.openPrismaClient(certifierStoreSetup.parseUrl(options.url), {
    clients: {
      sqlite: (adapter) => new SqlitePrismaClient({ adapter }),
      // Same model, same generated API: the PostgreSQL client is used through the SQLite client's type.
      postgresql: (adapter) => new PostgresPrismaClient({ adapter }) as unknown as SqlitePrismaClient,
    },
    busyTimeoutMs: options.busyTimeoutMs,
    poolSize: options.poolSize,
  });
  return { store: new PrismaOpcertCounterStore(client, dialect), migrations };
}
