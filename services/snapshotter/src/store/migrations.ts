/**
 * Versioned SQL migrations of the snapshotter store (migrations/NNNN_name.sql), applied at
 * start-up by umzug. `schema_migrations` records each applied version with the SHA-256 of its
 * file: a file changed after it was applied, or a recorded version this build does not know (a
 * newer snapshotter migrated the database), is refused. Each migration runs in one transaction
 * with its record (BEGIN IMMEDIATE, re-checked inside), so a failed migration leaves nothing
 * behind and two starters on one file cannot both apply it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { Umzug, type UmzugStorage } from 'umzug';
import { SnapshotterError, describeError } from '../errors.js';

export const MIGRATIONS_TABLE = 'schema_migrations';
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface MigrationFile {
  readonly version: string;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export function migrationFiles(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const match = NAME.exec(file);
      if (!match) throw new SnapshotterError('STORE_FAILED', `migration file name ${file} is not NNNN_name.sql`);
      const sql = readFileSync(join(dir, file), 'utf8');
      return { version: match[1] as string, name: file.slice(0, -'.sql'.length), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface Row {
  readonly version: string;
  readonly name: string;
  readonly checksum: string;
}

/** Applies the pending migrations; the names applied by this run. */
export async function runMigrations(db: BetterSqlite3.Database, files: readonly MigrationFile[] = migrationFiles()): Promise<string[]> {
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
      version TEXT NOT NULL PRIMARY KEY,
      name TEXT NOT NULL,
      checksum TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const rows = () => db.prepare(`SELECT version, name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version`).all() as Row[];
    const known = new Map(files.map((file) => [file.name, file]));
    for (const row of rows()) {
      const file = known.get(row.name);
      if (!file) throw new SnapshotterError('STORE_FAILED', `the database has migration ${row.name}, which this version does not know (a newer snapshotter migrated it?)`);
      if (file.checksum !== row.checksum) throw new SnapshotterError('STORE_FAILED', `migration ${row.name} was changed after it was applied (checksum mismatch)`);
    }
    const applied: string[] = [];
    const storage: UmzugStorage = {
      executed: async () => rows().map((row) => row.name),
      // The record is written by the migration itself, in its transaction.
      logMigration: async () => {},
      unlogMigration: async ({ name }) => {
        db.prepare(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = ?`).run(name);
      },
    };
    const umzug = new Umzug({
      migrations: files.map((file) => ({
        name: file.name,
        up: async () => {
          if (applyOne(db, file)) applied.push(file.name);
        },
      })),
      storage,
      logger: undefined,
    });
    await umzug.up();
    return applied;
  } catch (error) {
    if (error instanceof SnapshotterError) throw error;
    const cause = (error as { cause?: unknown }).cause ?? error;
    throw new SnapshotterError('STORE_FAILED', `migrating the snapshotter database failed: ${describeError(cause)}`, { cause: error });
  }
}

/** Runs one migration and records it in one transaction; false if another starter already did. */
function applyOne(db: BetterSqlite3.Database, migration: MigrationFile): boolean {
  db.exec('BEGIN IMMEDIATE');
  try {
    if (db.prepare(`SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE version = ?`).get(migration.version) !== undefined) {
      db.exec('ROLLBACK');
      return false;
    }
    db.exec(migration.sql);
    db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)`).run(migration.version, migration.name, migration.checksum, new Date().toISOString());
    db.exec('COMMIT');
    return true;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
