/** The signer store against a freshly migrated SQLite file, and the model ↔ SQL agreement. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cardanoDatabase, mithrilStakeDistribution } from '@mithril-ts/protocol';
import { prismaModelColumns, sqlTableColumns } from '@mithril-ts/testkit';
import {
  MIGRATIONS_DIR,
  SignerStoreError,
  migrationFiles,
  openSignerStore,
  runMigrations,
  storePath,
  type OpenedSignerStore,
  type StoredInitializer,
} from '../src/store/index.js';

const dirs: string[] = [];
const opened: OpenedSignerStore[] = [];
afterAll(async () => {
  for (const store of opened.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freshPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'signer-store-'));
  dirs.push(dir);
  return join(dir, 'nested', 'signer.sqlite3');
}

async function open(url: string): Promise<OpenedSignerStore> {
  const store = await openSignerStore({ url });
  opened.push(store);
  return store;
}

const bytes = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff);
const initializer = (recordingEpoch: bigint, overrides: Partial<StoredInitializer> = {}): StoredInitializer => ({
  recordingEpoch,
  partyId: 'pool1example',
  signingKey: bytes(32, Number(recordingEpoch)),
  verificationKey: bytes(192, Number(recordingEpoch)),
  stake: 1_000_000_000n + recordingEpoch,
  parameters: { k: 5n, m: 50n, phiF: 0.9 },
  createdAt: new Date('2026-01-02T03:04:05.678Z'),
  registeredAt: null,
  ...overrides,
});

describe('signer store', () => {
  it('creates the file for its owner only, migrates once, and reopens without migrating', async () => {
    const path = freshPath();
    const first = await open(`file:${path}`);
    expect(first.migrations.applied).toEqual(['0001_init']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await first.close();
    const second = await open(path);
    expect(second.migrations.applied).toEqual([]);
    expect(second.migrations.recorded.map((m) => m.name)).toEqual(['0001_init']);
  });

  it('stores, reloads, marks registered and prunes initializers (the secret keys)', async () => {
    const { store } = await open(freshPath());
    for (const epoch of [3n, 4n, 5n, 6n]) await store.saveInitializer(initializer(epoch));
    expect(await store.getInitializer(4n)).toEqual(initializer(4n));
    expect(await store.getInitializer(9n)).toBeNull();
    const at = new Date('2026-02-03T00:00:00.000Z');
    await store.markRegistered(5n, at);
    expect((await store.getInitializer(5n))?.registeredAt).toEqual(at);
    await expect(store.markRegistered(9n)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // Replacing the key of an epoch (a fresh one after a failed registration) keeps one row.
    await store.saveInitializer(initializer(6n, { stake: 7n }));
    expect((await store.getInitializer(6n))?.stake).toBe(7n);
    expect(await store.pruneInitializers(5n)).toBe(2);
    expect(await store.getInitializer(3n)).toBeNull();
    expect(await store.getInitializer(4n)).toBeNull();
    expect(await store.getInitializer(5n)).not.toBeNull();
  });

  it('overwrites pruned secret keys in the database file', async () => {
    const path = freshPath();
    const { store, close } = await open(path);
    const secret = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + (i % 16));
    await store.saveInitializer(initializer(1n, { signingKey: secret }));
    await store.saveInitializer(initializer(2n));
    const fileHolds = () =>
      ['', '-wal'].some((suffix) => {
        try {
          return readFileSync(path + suffix).includes(Buffer.from(secret));
        } catch {
          return false;
        }
      });
    expect(fileHolds()).toBe(true);
    expect(await store.pruneInitializers(2n)).toBe(1);
    // Still open: neither the database file nor its write-ahead log keeps the key.
    expect(fileHolds()).toBe(false);
    await close();
    expect(fileHolds()).toBe(false);
  });

  it('records what became of signed entities and forgets old epochs', async () => {
    const { store } = await open(freshPath());
    const msd = mithrilStakeDistribution(4n);
    const db = cardanoDatabase(4n, 17n);
    const handledAt = new Date('2026-03-01T00:00:00.000Z');
    await store.recordHandled({ signedEntityType: msd, signedMessage: 'a'.repeat(64), status: 'accepted', wonIndexes: 3, handledAt });
    await store.recordHandled({ signedEntityType: db, signedMessage: 'b'.repeat(64), status: 'lottery-lost', wonIndexes: 0, handledAt });
    await store.recordHandled({ signedEntityType: cardanoDatabase(6n, 30n), signedMessage: 'c'.repeat(64), status: 'buffered', wonIndexes: 1, handledAt });
    expect(await store.getHandled(msd)).toEqual({ signedEntityType: msd, signedMessage: 'a'.repeat(64), status: 'accepted', wonIndexes: 3, handledAt });
    expect((await store.getHandled(db))?.status).toBe('lottery-lost');
    expect(await store.getHandled(cardanoDatabase(4n, 18n))).toBeNull();
    await store.recordHandled({ signedEntityType: db, signedMessage: 'b'.repeat(64), status: 'too-late', wonIndexes: 2, handledAt });
    expect((await store.getHandled(db))?.status).toBe('too-late');
    expect(await store.pruneHandled(5n)).toBe(2);
    expect(await store.getHandled(msd)).toBeNull();
    expect(await store.getHandled(cardanoDatabase(6n, 30n))).not.toBeNull();
  });

  it('refuses bad values and bad locations with typed errors', async () => {
    const { store } = await open(freshPath());
    await expect(store.saveInitializer(initializer(1n, { signingKey: new Uint8Array(31) }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.saveInitializer(initializer(-1n))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      store.recordHandled({ signedEntityType: mithrilStakeDistribution(1n), signedMessage: 'xyz', status: 'accepted', wonIndexes: 1, handledAt: new Date() }),
    ).rejects.toBeInstanceOf(SignerStoreError);
    expect(() => storePath('')).toThrow(SignerStoreError);
    expect(() => storePath('postgresql://u:p@host/db')).toThrow(/SQLite/);
    expect(() => storePath('sqlite::memory:')).toThrow(/in-memory/);
    expect(storePath('sqlite:///tmp/x.db')).toBe('/tmp/x.db');
  });

  it('refuses a migration changed after it was applied', async () => {
    const path = freshPath();
    await (await open(path)).close();
    const db = new Database(path);
    try {
      const changed = migrationFiles().map((file) => ({ ...file, checksum: 'f'.repeat(64) }));
      await expect(runMigrations(db, changed)).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    } finally {
      db.close();
    }
  });
});

describe('schema.prisma and the SQL migrations agree', () => {
  it('has the same tables, columns, types and nullability', () => {
    const model = prismaModelColumns(readFileSync(join(MIGRATIONS_DIR, '..', 'prisma', 'schema.prisma'), 'utf8'));
    const sql = sqlTableColumns(
      migrationFiles()
        .map((m) => m.sql)
        .join('\n'),
    );
    expect([...model.keys()].sort()).toEqual(['handled_signed_entity', 'protocol_initializer']);
    expect(sql).toEqual(model);
  });
});
