/**
 * The shared migration runner on a SQLite file (always) and on PostgreSQL when
 * MITHRIL_TEST_POSTGRES_URL is set (the tests work in a schema of their own, dropped afterwards).
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  MIGRATIONS_TABLE,
  StoreSetupError,
  migrateSqliteFile,
  migrationFiles,
  postgresMigrationConnection,
  runMigrations,
  sqliteMigrationConnection,
  type MigrationConnection,
  type MigrationFile,
} from '../src/index.js';

const POSTGRES_URL = process.env.MITHRIL_TEST_POSTGRES_URL;
if (!POSTGRES_URL) process.stderr.write('note: PostgreSQL migration tests skipped (set MITHRIL_TEST_POSTGRES_URL to run them)\n');

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kit-migrations-'));
  dirs.push(dir);
  return dir;
}

/** A migration folder holding `files` (name → SQL). */
function folder(files: Record<string, string>): string {
  const dir = join(tempDir(), 'migrations');
  mkdirSync(dir);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

// 0002 needs 0001's table: applying out of order fails.
const INIT = 'CREATE TABLE item (id INTEGER NOT NULL PRIMARY KEY, label TEXT NOT NULL);';
const SEED = "INSERT INTO item (id, label) VALUES (1, 'first');";
const MORE = 'CREATE TABLE other (id INTEGER NOT NULL PRIMARY KEY);';
const file = (version: string, name: string, sql: string): MigrationFile => ({ version, name: `${version}_${name}`, sql, checksum: `${version}-checksum` });

async function expectMigrationFailure(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(StoreSetupError);
  await expect(promise).rejects.toMatchObject({ code: 'MIGRATION_FAILED', message: expect.stringMatching(message) });
}

describe('migration files', () => {
  it('reads NNNN_name.sql files in version order with the SHA-256 of their text, ignoring other files', () => {
    const dir = folder({ '0002_seed.sql': SEED, '0001_init.sql': INIT, 'README.md': 'not a migration' });
    const files = migrationFiles(dir);
    expect(files.map((f) => [f.version, f.name])).toEqual([
      ['0001', '0001_init'],
      ['0002', '0002_seed'],
    ]);
    expect(files[0]!.sql).toBe(INIT);
    // The hex SHA-256 of the file's text (sha256sum), as databases migrated by earlier builds recorded it.
    expect(files[0]!.checksum).toBe('d98c1c8bed64e1a91740db9d9ed156430f96c7128b2c197a461417ea2802714b');
  });

  it('refuses a file not named NNNN_name.sql', () => {
    const dir = folder({ '0001_init.sql': INIT, 'init.sql': INIT });
    expect(() => migrationFiles(dir)).toThrow(
      expect.objectContaining({ code: 'MIGRATION_FAILED', message: expect.stringContaining('init.sql is not NNNN_name.sql') }),
    );
  });
});

describe('migration runner on SQLite', () => {
  let db: Database.Database;
  let connection: MigrationConnection;
  beforeEach(() => {
    db = new Database(join(tempDir(), 'store.sqlite3'));
    connection = sqliteMigrationConnection(db);
  });
  afterEach(() => db.close());
  const tables = () => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

  it('applies the files in version order, each recorded with its checksum', async () => {
    const dir = folder({ '0002_seed.sql': SEED, '0001_init.sql': INIT });
    const report = await runMigrations(connection, migrationFiles(dir));
    expect(report.applied).toEqual(['0001_init', '0002_seed']);
    expect(report.recorded.map((m) => [m.version, m.name])).toEqual([
      ['0001', '0001_init'],
      ['0002', '0002_seed'],
    ]);
    expect(Number.isNaN(Date.parse(report.recorded[0]!.appliedAt))).toBe(false);
    expect(db.prepare('SELECT label FROM item').all()).toEqual([{ label: 'first' }]);
    const rows = db.prepare(`SELECT version, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version`).all();
    expect(rows).toEqual(migrationFiles(dir).map((f) => ({ version: f.version, checksum: f.checksum })));
  });

  it('skips what is already applied and applies only the new files', async () => {
    const files = [file('0001', 'init', INIT), file('0002', 'seed', SEED)];
    await runMigrations(connection, files);
    const again = await runMigrations(connection, files);
    expect(again.applied).toEqual([]);
    expect(again.recorded.map((m) => m.name)).toEqual(['0001_init', '0002_seed']);
    const later = await runMigrations(connection, [...files, file('0003', 'more', MORE)]);
    expect(later.applied).toEqual(['0003_more']);
    // The seed ran once (a second INSERT of id 1 would have failed).
    expect(db.prepare('SELECT COUNT(*) AS n FROM item').get()).toEqual({ n: 1 });
  });

  it('refuses a file changed after it was applied, and applies nothing more', async () => {
    const dir = folder({ '0001_init.sql': INIT });
    await runMigrations(connection, migrationFiles(dir));
    writeFileSync(join(dir, '0001_init.sql'), `${INIT}\n-- edited`);
    writeFileSync(join(dir, '0002_more.sql'), MORE);
    await expectMigrationFailure(runMigrations(connection, migrationFiles(dir)), /migration 0001_init was changed after it was applied \(checksum mismatch\)/);
    expect(tables()).not.toContain('other');
  });

  it('refuses a recorded version this build does not know', async () => {
    await runMigrations(connection, [file('0001', 'init', INIT), file('0002', 'more', MORE)]);
    await expectMigrationFailure(
      runMigrations(connection, [file('0001', 'init', INIT)], { application: 'signer' }),
      /the database has migration 0002_more, which this version does not know \(a newer signer migrated it\?\)/,
    );
  });

  it('leaves nothing behind when a migration fails, and keeps the ones before it', async () => {
    const broken = file('0002', 'broken', 'CREATE TABLE half (a INTEGER); INSERT INTO no_such_table VALUES (1);');
    await expectMigrationFailure(
      runMigrations(connection, [file('0001', 'init', INIT), broken], { application: 'snapshotter' }),
      /^migrating the snapshotter sqlite database failed: no such table: no_such_table$/,
    );
    expect(tables()).toEqual(['item', MIGRATIONS_TABLE]);
    expect((await runMigrations(connection, [file('0001', 'init', INIT)])).recorded.map((m) => m.name)).toEqual(['0001_init']);
  });

  it('does not apply a migration another starter recorded after this one listed the applied ones', async () => {
    await connection.ensureTable();
    const init = file('0001', 'init', INIT);
    expect(await connection.apply(init, new Date().toISOString())).toBe(true);
    // Re-running the SQL would fail (the table exists): the record is checked inside the transaction.
    expect(await connection.apply(init, new Date().toISOString())).toBe(false);
    expect(db.inTransaction).toBe(false);
  });
});

describe('migrating a SQLite file', () => {
  it('enforces foreign keys while migrating', async () => {
    const files = [
      file('0001', 'init', `${INIT} CREATE TABLE child (item_id INTEGER NOT NULL REFERENCES item (id));`),
      file('0002', 'orphan', 'INSERT INTO child (item_id) VALUES (42);'),
    ];
    await expectMigrationFailure(migrateSqliteFile(join(tempDir(), 'store.sqlite3'), { files }), /FOREIGN KEY constraint failed/);
  });

  it('creates the folder and the file with the given mode, switches it to WAL and migrates it once', async () => {
    const path = join(tempDir(), 'nested', 'deeper', 'store.sqlite3');
    const files = [file('0001', 'init', INIT)];
    const first = await migrateSqliteFile(path, { files, fileMode: 0o600, busyTimeoutMs: 100 });
    expect(first.applied).toEqual(['0001_init']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    expect((await migrateSqliteFile(path, { files })).applied).toEqual([]);
  });
});

if (POSTGRES_URL) {
  describe('migration runner on PostgreSQL', () => {
    // A schema of its own: other suites reset `public` of the same database while this one runs.
    const schema = `kit_migrations_${process.pid}`;
    const clients: pg.Client[] = [];
    async function connect(): Promise<pg.Client> {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      clients.push(client);
      await client.query(`SET search_path TO ${schema}`);
      return client;
    }
    beforeEach(async () => {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
      } finally {
        await admin.end();
      }
    });
    afterEach(async () => {
      for (const client of clients.splice(0)) await client.end();
    });
    afterAll(async () => {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    });
    const files = [file('0001', 'init', INIT), file('0002', 'seed', SEED)];

    it('applies in order, skips what is applied and refuses a changed or unknown version', async () => {
      const connection = postgresMigrationConnection(await connect());
      expect((await runMigrations(connection, files)).applied).toEqual(['0001_init', '0002_seed']);
      expect((await runMigrations(connection, files)).applied).toEqual([]);
      await expectMigrationFailure(runMigrations(connection, [files[0]!, { ...files[1]!, checksum: 'changed' }]), /0002_seed was changed/);
      await expectMigrationFailure(runMigrations(connection, [files[0]!]), /which this version does not know/);
    });

    it('leaves nothing behind when a migration fails', async () => {
      const client = await connect();
      const broken = file('0003', 'broken', 'CREATE TABLE half (a INTEGER); INSERT INTO no_such_table VALUES (1);');
      await expectMigrationFailure(
        runMigrations(postgresMigrationConnection(client), [...files, broken]),
        /^migrating the service postgresql database failed: relation "no_such_table" does not exist$/,
      );
      const tables = await client.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(['item', MIGRATIONS_TABLE]);
      expect((await client.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY version`)).rows).toEqual([{ name: '0001_init' }, { name: '0002_seed' }]);
    });

    it('lets two starters race: each migration is applied once and both succeed', async () => {
      const [a, b] = [postgresMigrationConnection(await connect()), postgresMigrationConnection(await connect())];
      const reports = await Promise.all([runMigrations(a, files), runMigrations(b, files)]);
      expect(reports.flatMap((r) => r.applied).sort()).toEqual(['0001_init', '0002_seed']);
      expect(reports.map((r) => r.recorded.map((m) => m.name))).toEqual([
        ['0001_init', '0002_seed'],
        ['0001_init', '0002_seed'],
      ]);
    });
  });
} else {
  describe.skip('migration runner on PostgreSQL (set MITHRIL_TEST_POSTGRES_URL)', () => it('runs the runner against PostgreSQL', () => {}));
}
