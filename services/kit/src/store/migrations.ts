/**
 * Versioned SQL migrations of a service store, applied at start-up by umzug.
 *
 * A folder holds files `NNNN_name.sql`; `schema_migrations` records every applied version with the
 * SHA-256 of its file. A file changed after it was applied, or a recorded version the running build
 * does not know (a newer build migrated the database), is refused rather than guessed around.
 * Each migration runs in its own transaction together with its record, so a failed migration
 * leaves nothing behind. Concurrent starters are serialised: SQLite by BEGIN IMMEDIATE (and a
 * re-check inside the transaction), PostgreSQL by an advisory lock held while migrating.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { UmzugStorage } from 'umzug';
import { errorMessage } from '../error-message.js';
import { StoreSetupError } from './errors.js';

export const MIGRATIONS_TABLE = 'schema_migrations';
const NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;
/** Arbitrary constant key of the PostgreSQL advisory lock taken while migrating. */
const PG_LOCK_KEY = 0x6d697468; // "mith"

export type StoreDialect = 'sqlite' | 'postgresql';

export interface MigrationFile {
  readonly version: string;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface AppliedMigration {
  readonly version: string;
  readonly name: string;
  readonly appliedAt: string;
}

export interface MigrationReport {
  /** Names applied by this run (empty when the database was up to date). */
  readonly applied: string[];
  /** All versions recorded after the run. */
  readonly recorded: AppliedMigration[];
}

export interface RunMigrationsOptions {
  /** Who owns the database, in messages ("a newer signer migrated it?"); default 'service'. */
  readonly application?: string;
}

/** The migration files of `folder`, in version order, each with the checksum it is recorded with. */
export function migrationFiles(folder: string): MigrationFile[] {
  return readdirSync(folder)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const match = NAME.exec(file);
      if (!match) throw new StoreSetupError('MIGRATION_FAILED', `migration file name ${file} is not NNNN_name.sql`);
      const sql = readFileSync(join(folder, file), 'utf8');
      return { version: match[1]!, name: file.slice(0, -'.sql'.length), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** What the runner needs from a connection of either dialect. */
export interface MigrationConnection {
  readonly dialect: StoreDialect;
  ensureTable(): Promise<void>;
  applied(): Promise<(AppliedMigration & { checksum: string })[]>;
  /** Runs the migration and records it in one transaction; false if it was already recorded. */
  apply(migration: MigrationFile, appliedAt: string): Promise<boolean>;
  unrecord(name: string): Promise<void>;
  /** Runs `body` holding the dialect's migration lock. */
  withLock<T>(body: () => Promise<T>): Promise<T>;
}

/** Applies the pending `files`; every failure is a StoreSetupError 'MIGRATION_FAILED'. */
export async function runMigrations(
  connection: MigrationConnection,
  files: readonly MigrationFile[],
  options: RunMigrationsOptions = {},
): Promise<MigrationReport> {
  const application = options.application ?? 'service';
  try {
    await connection.ensureTable();
    return await connection.withLock(async () => {
      const known = new Map(files.map((f) => [f.name, f]));
      for (const row of await connection.applied()) {
        const file = known.get(row.name);
        if (!file)
          throw new StoreSetupError(
            'MIGRATION_FAILED',
            `the database has migration ${row.name}, which this version does not know (a newer ${application} migrated it?)`,
          );
        if (file.checksum !== row.checksum)
          throw new StoreSetupError('MIGRATION_FAILED', `migration ${row.name} was changed after it was applied (checksum mismatch)`);
      }
      const applied: string[] = [];
      const storage: UmzugStorage = {
        executed: async () => (await connection.applied()).map((row) => row.name),
        // The record is written by the migration itself, in its transaction.
        logMigration: async () => {},
        unlogMigration: async ({ name }) => connection.unrecord(name),
      };
      // Loaded on first use: importing umzug costs ~0.3 s and ~20 MB, which the services that
      // import this kit without having a store should not pay. umzug is CommonJS, whose dynamic
      // import has a different shape in each runner: node gives named exports and the exports
      // object as `default`, the compiled build's chunk only `default` (esbuild#3245), tsx only
      // the named exports.
      const umzugModule = await import('umzug');
      const Umzug = umzugModule.Umzug ?? umzugModule.default.Umzug;
      const umzug = new Umzug({
        migrations: files.map((file) => ({
          name: file.name,
          up: async () => {
            if (await connection.apply(file, new Date().toISOString())) applied.push(file.name);
          },
        })),
        storage,
        logger: undefined,
      });
      await umzug.up();
      const recorded = (await connection.applied()).map(({ version, name, appliedAt }) => ({ version, name, appliedAt }));
      return { applied, recorded };
    });
  } catch (error) {
    if (error instanceof StoreSetupError) throw error;
    // umzug wraps what the migration threw: report the SQL error itself.
    const cause = (error as { cause?: unknown }).cause ?? error;
    const detail = errorMessage(cause);
    throw new StoreSetupError('MIGRATION_FAILED', `migrating the ${application} ${connection.dialect} database failed: ${detail}`, { cause: error });
  }
}

const TABLE_SQL = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
  version TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

interface Row {
  version: string;
  name: string;
  checksum: string;
  applied_at: string;
}
const toApplied = (row: Row) => ({ version: row.version, name: row.name, checksum: row.checksum, appliedAt: row.applied_at });

export function sqliteMigrationConnection(db: BetterSqlite3.Database): MigrationConnection {
  const applied = () => (db.prepare(`SELECT version, name, checksum, applied_at FROM ${MIGRATIONS_TABLE} ORDER BY version`).all() as Row[]).map(toApplied);
  return {
    dialect: 'sqlite',
    ensureTable: async () => {
      db.exec(TABLE_SQL);
    },
    applied: async () => applied(),
    apply: async (migration, appliedAt) => {
      // IMMEDIATE takes the write lock now, so a second starter waits here and then sees the record.
      db.exec('BEGIN IMMEDIATE');
      try {
        if (db.prepare(`SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE version = ?`).get(migration.version) !== undefined) {
          db.exec('ROLLBACK');
          return false;
        }
        db.exec(migration.sql);
        db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)`).run(
          migration.version,
          migration.name,
          migration.checksum,
          appliedAt,
        );
        db.exec('COMMIT');
        return true;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
    unrecord: async (name) => {
      db.prepare(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = ?`).run(name);
    },
    withLock: (body) => body(),
  };
}

export function postgresMigrationConnection(client: pg.ClientBase): MigrationConnection {
  const applied = async () =>
    (await client.query<Row>(`SELECT version, name, checksum, applied_at FROM ${MIGRATIONS_TABLE} ORDER BY version`)).rows.map(toApplied);
  return {
    dialect: 'postgresql',
    ensureTable: async () => {
      // Two starters racing on CREATE TABLE IF NOT EXISTS can still collide in the catalog: lock first.
      await client.query('SELECT pg_advisory_lock($1)', [PG_LOCK_KEY]);
      try {
        await client.query(TABLE_SQL);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [PG_LOCK_KEY]);
      }
    },
    applied,
    apply: async (migration, appliedAt) => {
      await client.query('BEGIN');
      try {
        const existing = await client.query(`SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE version = $1`, [migration.version]);
        if ((existing.rowCount ?? 0) > 0) {
          await client.query('ROLLBACK');
          return false;
        }
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)`, [
          migration.version,
          migration.name,
          migration.checksum,
          appliedAt,
        ]);
        await client.query('COMMIT');
        return true;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    unrecord: async (name) => {
      await client.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [name]);
    },
    withLock: async (body) => {
      await client.query('SELECT pg_advisory_lock($1)', [PG_LOCK_KEY]);
      try {
        return await body();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [PG_LOCK_KEY]);
      }
    },
  };
}
