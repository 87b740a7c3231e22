/**
 * The scaffolding of one service store, written once for every store: its location (URL or
 * path), its versioned SQL migrations (one folder, or a subfolder per dialect) and the opening of
 * its Prisma client on a freshly migrated database, each failure reported as the store's own
 * error class (see StoreErrors).
 */
import { join } from 'node:path';
import type { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { PrismaPg } from '@prisma/adapter-pg';
import { StoreSetupError } from './errors.js';
import { migrationFiles, runMigrations, type MigrationConnection, type MigrationFile, type MigrationReport, type StoreDialect } from './migrations.js';
import { migratePostgresDatabase } from './postgres-database.js';
import { DEFAULT_SQLITE_BUSY_TIMEOUT_MS, migrateSqliteFile } from './sqlite-file.js';
import type { StoreErrors } from './store-errors.js';
import { parseStoreUrl, sqliteStorePath, type ParsedStoreUrl, type StoreUrlOptions } from './store-url.js';

export interface StoreSetupOptions<E extends Error> {
  /** Who owns the store, in messages: 'signer' → "the signer store". */
  readonly application: string;
  /** The folder of the store's migration files. */
  readonly migrationsFolder: string;
  /** The folder holds a subfolder per dialect (`sqlite/`, `postgresql/`) rather than SQLite files. */
  readonly migrationsPerDialect?: boolean;
  readonly errors: StoreErrors<E>;
}

/** What the opening needs from a generated Prisma client. */
export interface PrismaClientLike {
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
}

export interface OpenPrismaClientOptions<C extends PrismaClientLike> {
  /** The store's client of each dialect it supports, on the driver adapter the opening creates. */
  readonly clients: { readonly sqlite: (adapter: PrismaBetterSqlite3) => C; readonly postgresql?: (adapter: PrismaPg) => C };
  /** SQLite busy timeout in milliseconds (default 5000). */
  readonly busyTimeoutMs?: number;
  /** Permissions of the SQLite file when the opening creates it (e.g. 0o600 when it holds secrets). */
  readonly fileMode?: number;
  /** PostgreSQL pool size (default 10). */
  readonly poolSize?: number;
  /** Runs once the client is connected (per-connection settings, such as SQLite pragmas). */
  readonly prepare?: (client: C, dialect: StoreDialect) => Promise<unknown>;
}

export interface OpenedPrismaClient<C> {
  readonly client: C;
  readonly dialect: StoreDialect;
  /** What the start-up migration did. */
  readonly migrations: MigrationReport;
}

export class StoreSetup<E extends Error> {
  /** e.g. "signer store". */
  readonly storeName: string;

  constructor(private readonly options: StoreSetupOptions<E>) {
    this.storeName = `${options.application} store`;
  }

  get errors(): StoreErrors<E> {
    return this.options.errors;
  }

  /** A SQLite or PostgreSQL location; a bad one is the store's error for INVALID_URL. */
  parseUrl(url: string, options: Omit<StoreUrlOptions, 'storeName'> = {}): ParsedStoreUrl {
    return this.errors.retyping(() => parseStoreUrl(url, { ...options, storeName: this.storeName }));
  }

  /** The SQLite file of a store that only knows SQLite (a bare path is accepted by default). */
  sqlitePath(url: string, options: Omit<StoreUrlOptions, 'storeName'> = { barePath: true }): string {
    return this.errors.retyping(() => sqliteStorePath(url, { ...options, storeName: this.storeName }));
  }

  /** The migration files of a dialect, in version order (`folder` defaults to the store's). */
  migrationFiles(dialect: StoreDialect = 'sqlite', folder: string = this.options.migrationsFolder): MigrationFile[] {
    if (!this.options.migrationsPerDialect && dialect !== 'sqlite') {
      throw this.errors.retype(new StoreSetupError('INVALID_URL', `the ${this.storeName} is SQLite only`));
    }
    return this.errors.retyping(() => migrationFiles(this.options.migrationsPerDialect ? join(folder, dialect) : folder));
  }

  /** Applies the pending migrations over `connection`; a failure is the store's error for MIGRATION_FAILED. */
  runMigrations(connection: MigrationConnection, files: readonly MigrationFile[] = this.migrationFiles(connection.dialect)): Promise<MigrationReport> {
    return this.errors.retypingAsync(() => runMigrations(connection, files, { application: this.options.application }));
  }

  /**
   * Migrates the database at `location` (on a connection of its own), then creates the store's
   * client on its driver adapter and connects it. Any failure is the store's error, the client
   * disconnected.
   */
  async openPrismaClient<C extends PrismaClientLike>(location: ParsedStoreUrl, options: OpenPrismaClientOptions<C>): Promise<OpenedPrismaClient<C>> {
    const { dialect } = location;
    const what = `opening the ${this.storeName} (${dialect}) failed`;
    const application = this.options.application;
    const timeout = options.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS;
    let migrations: MigrationReport;
    let client: C;
    try {
      if (location.dialect === 'sqlite') {
        migrations = await migrateSqliteFile(location.path, {
          files: this.migrationFiles('sqlite'),
          application,
          busyTimeoutMs: timeout,
          fileMode: options.fileMode,
        });
        // The adapter opens its own better-sqlite3 connection: `timeout` is its busy timeout; WAL is
        // a property of the database file, set by the migration.
        const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
        client = options.clients.sqlite(new PrismaBetterSqlite3({ url: location.path, timeout }));
      } else {
        const create = options.clients.postgresql;
        if (create === undefined) throw new StoreSetupError('INVALID_URL', `the ${this.storeName} is SQLite only`);
        migrations = await migratePostgresDatabase(location.connectionString, { files: this.migrationFiles('postgresql'), application });
        const { PrismaPg } = await import('@prisma/adapter-pg');
        client = create(new PrismaPg({ connectionString: location.connectionString, max: options.poolSize ?? 10 }));
      }
    } catch (error) {
      throw this.errors.wrap(error, what);
    }
    try {
      await client.$connect();
      await options.prepare?.(client, dialect);
    } catch (error) {
      await client.$disconnect().catch(() => {});
      throw this.errors.wrap(error, what);
    }
    return { client, dialect, migrations };
  }
}
