/**
 * The store scaffolding every service store uses: its errors re-typed as the store's own class,
 * its migration files, and the opening of a Prisma client on a migrated database (a SQLite file
 * always, PostgreSQL too when MITHRIL_TEST_POSTGRES_URL is set). The client here is a recording
 * stand-in: the kit has no generated client of its own; the services' store tests open theirs.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@mithril-ts/testkit';
import { StoreError, StoreSetup, StoreSetupError, storeErrors, type PrismaClientLike, type StoreDialect, type StoreErrorCode } from '../src/index.js';

const POSTGRES_URL = process.env.MITHRIL_TEST_POSTGRES_URL;

type TestStoreErrorCode = 'BAD_LOCATION' | 'BAD_SCHEMA' | 'BROKEN';
class TestStoreError extends StoreError<TestStoreErrorCode> {
  override readonly name = 'TestStoreError';
}
const errors = storeErrors(TestStoreError, { setup: { INVALID_URL: 'BAD_LOCATION', MIGRATION_FAILED: 'BAD_SCHEMA' }, other: 'BROKEN' });
const storeError = (code: TestStoreErrorCode, message: RegExp) =>
  expect.objectContaining({ name: 'TestStoreError', code, message: expect.stringMatching(message) });

const INIT = 'CREATE TABLE item (id INTEGER NOT NULL PRIMARY KEY, label TEXT NOT NULL);';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kit-store-setup-'));
  dirs.push(dir);
  return dir;
}
/** A migration folder: files (name → SQL), or a subfolder per dialect. */
function folder(files: Record<string, string>, perDialect = false): string {
  const root = join(tempDir(), 'migrations');
  for (const dialect of perDialect ? ['sqlite', 'postgresql'] : ['']) {
    mkdirSync(join(root, dialect), { recursive: true });
    for (const [name, sql] of Object.entries(files)) writeFileSync(join(root, dialect, name), sql);
  }
  return root;
}

/** A stand-in for a generated client: what it was built on and what was done with it. */
class RecordingClient implements PrismaClientLike {
  readonly calls: string[] = [];
  constructor(
    readonly adapter: { readonly provider: string },
    private readonly failConnect = false,
  ) {}
  async $connect(): Promise<void> {
    this.calls.push('connect');
    if (this.failConnect) throw new Error('connection refused');
  }
  async $disconnect(): Promise<void> {
    this.calls.push('disconnect');
  }
}

describe('store errors', () => {
  it("re-types the shared plumbing's errors with the store's codes, keeps its own and wraps the rest", () => {
    const retyped = errors.retype(new StoreSetupError('MIGRATION_FAILED', 'checksum mismatch'));
    expect(retyped).toBeInstanceOf(TestStoreError);
    expect(retyped).toMatchObject({ code: 'BAD_SCHEMA', message: 'checksum mismatch', cause: expect.any(StoreSetupError) });
    const other = new Error('disk full');
    expect(errors.retype(other)).toBe(other);
    const own = new TestStoreError('BAD_LOCATION', 'mine');
    expect(errors.wrap(own, 'saving')).toBe(own);
    expect(errors.wrap(new StoreSetupError('INVALID_URL', 'bad url'), 'opening')).toMatchObject({ code: 'BAD_LOCATION', message: 'bad url' });
    expect(errors.wrap(other, 'saving x')).toMatchObject({ code: 'BROKEN', message: 'saving x: disk full', cause: other });
    expect(errors.wrap('a string', 'saving x')).toMatchObject({ code: 'BROKEN', message: 'saving x: a string' });
  });

  it("keeps the plumbing's codes and reports any other failure as 'DATABASE' for a store with the common codes", () => {
    class CommonStoreError extends StoreError<StoreErrorCode> {}
    const common = storeErrors(CommonStoreError);
    expect(common.retype(new StoreSetupError('INVALID_URL', 'bad url'))).toMatchObject({ code: 'INVALID_URL', message: 'bad url' });
    expect(common.retype(new StoreSetupError('MIGRATION_FAILED', 'bad sql'))).toMatchObject({ code: 'MIGRATION_FAILED' });
    expect(common.wrap(new Error('locked'), 'saving')).toMatchObject({ code: 'DATABASE', message: 'saving: locked' });
  });

  it('re-types what a body throws or rejects with', async () => {
    expect(() =>
      errors.retyping(() => {
        throw new StoreSetupError('INVALID_URL', 'nope');
      }),
    ).toThrow(storeError('BAD_LOCATION', /^nope$/));
    expect(errors.retyping(() => 3)).toBe(3);
    await expect(errors.retypingAsync(async () => Promise.reject(new StoreSetupError('MIGRATION_FAILED', 'late')))).rejects.toThrow(
      storeError('BAD_SCHEMA', /^late$/),
    );
    const other = new Error('left alone');
    await expect(errors.retypingAsync(async () => Promise.reject(other))).rejects.toBe(other);
  });
});

describe('store setup', () => {
  const sqliteOnly = (migrationsFolder: string) => new StoreSetup({ application: 'test', migrationsFolder, errors });

  it("reads the store's location, naming the store, with its error class", () => {
    const setup = sqliteOnly(folder({ '0001_init.sql': INIT }));
    expect(setup.storeName).toBe('test store');
    expect(setup.parseUrl('postgresql://h/db')).toEqual({ dialect: 'postgresql', connectionString: 'postgresql://h/db' });
    expect(() => setup.parseUrl('/tmp/a.db')).toThrow(storeError('BAD_LOCATION', /unsupported test store URL/));
    expect(setup.sqlitePath('sqlite:///tmp/a.db')).toBe('/tmp/a.db');
    expect(setup.sqlitePath('/tmp/a.db')).toBe('/tmp/a.db');
    expect(() => setup.sqlitePath('postgresql://h/db')).toThrow(storeError('BAD_LOCATION', /the test store is SQLite/));
    expect(() => setup.sqlitePath('')).toThrow(storeError('BAD_LOCATION', /^the test store location is empty$/));
  });

  it('lists the migration files of one folder, or of the folder of a dialect', () => {
    const flat = sqliteOnly(folder({ '0001_init.sql': INIT }));
    expect(flat.migrationFiles().map((f) => f.name)).toEqual(['0001_init']);
    expect(() => flat.migrationFiles('postgresql')).toThrow(storeError('BAD_LOCATION', /the test store is SQLite only/));
    const perDialect = new StoreSetup({ application: 'test', migrationsFolder: folder({ '0001_init.sql': INIT }, true), migrationsPerDialect: true, errors });
    expect(perDialect.migrationFiles('postgresql').map((f) => f.name)).toEqual(['0001_init']);
    expect(() => sqliteOnly(folder({ 'init.sql': INIT })).migrationFiles()).toThrow(storeError('BAD_SCHEMA', /init\.sql is not NNNN_name\.sql/));
  });

  it('opens a client on a migrated SQLite file, prepares it, and migrates only once', async () => {
    const setup = sqliteOnly(folder({ '0001_init.sql': INIT }));
    const path = join(tempDir(), 'nested', 'store.sqlite3');
    const prepared: StoreDialect[] = [];
    const open = () =>
      setup.openPrismaClient(
        { dialect: 'sqlite', path },
        { clients: { sqlite: (adapter) => new RecordingClient(adapter) }, fileMode: 0o600, prepare: async (_client, dialect) => prepared.push(dialect) },
      );
    const opened = await open();
    expect(opened.dialect).toBe('sqlite');
    expect(opened.migrations.applied).toEqual(['0001_init']);
    expect(opened.client.adapter.provider).toBe('sqlite');
    expect(opened.client.calls).toEqual(['connect']);
    expect(prepared).toEqual(['sqlite']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'item'").all()).toEqual([{ name: 'item' }]);
    } finally {
      db.close();
    }
    expect((await open()).migrations.applied).toEqual([]);
  });

  it("reports every failure of the opening as the store's error, the client disconnected", async () => {
    const path = join(tempDir(), 'store.sqlite3');
    const refusing = await sqliteOnly(folder({ '0001_init.sql': INIT }))
      .openPrismaClient({ dialect: 'sqlite', path }, { clients: { sqlite: (adapter) => new RecordingClient(adapter, true) } })
      .catch((error: unknown) => error);
    expect(refusing).toEqual(storeError('BROKEN', /^opening the test store \(sqlite\) failed: connection refused$/));

    let client: RecordingClient | undefined;
    const unprepared = sqliteOnly(folder({ '0001_init.sql': INIT })).openPrismaClient(
      { dialect: 'sqlite', path },
      {
        clients: { sqlite: (adapter) => (client = new RecordingClient(adapter)) },
        prepare: async () => {
          throw new Error('pragma refused');
        },
      },
    );
    await expect(unprepared).rejects.toThrow(storeError('BROKEN', /pragma refused/));
    expect(client!.calls).toEqual(['connect', 'disconnect']);

    const broken = sqliteOnly(folder({ '0001_init.sql': INIT, '0002_broken.sql': 'INSERT INTO no_such_table VALUES (1);' }));
    await expect(
      broken.openPrismaClient({ dialect: 'sqlite', path: join(tempDir(), 'b.sqlite3') }, { clients: { sqlite: (adapter) => new RecordingClient(adapter) } }),
    ).rejects.toThrow(storeError('BAD_SCHEMA', /^migrating the test sqlite database failed: no such table: no_such_table$/));
    // A SQLite-only store refuses a PostgreSQL location before connecting anywhere.
    await expect(
      sqliteOnly(folder({ '0001_init.sql': INIT })).openPrismaClient(
        { dialect: 'postgresql', connectionString: 'postgresql://nowhere.invalid/db' },
        { clients: { sqlite: (adapter) => new RecordingClient(adapter) } },
      ),
    ).rejects.toThrow(storeError('BAD_LOCATION', /the test store is SQLite only/));
  });
});

if (POSTGRES_URL) {
  describe('store setup on PostgreSQL', () => {
    // A database of its own: other suites reset schemas of the server's databases while this one runs.
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase(POSTGRES_URL, `kit_store_setup_${process.pid}`);
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('opens a client on a migrated PostgreSQL database, and migrates only once', async () => {
      const setup = new StoreSetup({ application: 'test', migrationsFolder: folder({ '0001_init.sql': INIT }, true), migrationsPerDialect: true, errors });
      const open = () =>
        setup.openPrismaClient(setup.parseUrl(database.url), {
          clients: { sqlite: (adapter) => new RecordingClient(adapter), postgresql: (adapter) => new RecordingClient(adapter) },
        });
      const opened = await open();
      expect(opened.dialect).toBe('postgresql');
      expect(opened.migrations.applied).toEqual(['0001_init']);
      expect(opened.client.adapter.provider).toBe('postgres');
      expect((await open()).migrations.applied).toEqual([]);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        expect((await client.query("SELECT table_name FROM information_schema.tables WHERE table_name = 'item'")).rows).toEqual([{ table_name: 'item' }]);
      } finally {
        await client.end();
      }
    });
  });
} else {
  describe.skip('store setup on PostgreSQL (set MITHRIL_TEST_POSTGRES_URL)', () => it('opens a client on a migrated PostgreSQL database', () => {}));
}
