/** The snapshotter store against a freshly migrated SQLite file, and the model ↔ SQL agreement. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { prismaModelColumns, sqlTableColumns } from '@mithril-ts/testkit';
import {
  MIGRATIONS_DIR,
  migrationFiles,
  openSnapshotStore,
  runMigrations,
  storePath,
  type ImmutableArchiveRecord,
  type OpenedSnapshotStore,
} from '../src/index.js';
import { removeTempDirs, snapshotRecord, tempDir } from './fixture.js';

const opened: OpenedSnapshotStore[] = [];
afterAll(async () => {
  for (const store of opened.splice(0)) await store.close();
  removeTempDirs();
});

async function open(url: string): Promise<OpenedSnapshotStore> {
  const store = await openSnapshotStore({ url });
  opened.push(store);
  return store;
}

describe('snapshotter store', () => {
  it('migrates once and reopens without migrating', async () => {
    const path = join(tempDir('store'), 'nested', 'snapshotter.sqlite3');
    const first = await open(`sqlite://${path}`);
    expect(first.migrationsApplied).toEqual(['0001_init', '0002_ancillary']);
    await first.close();
    expect((await open(path)).migrationsApplied).toEqual([]);
    expect(() => storePath(':memory:')).toThrow(/in-memory/);
    expect(() => storePath('postgres://u:secret@h/db')).toThrow(/\*\*\*@/);
  });

  it('refuses a database migrated by a newer version or an edited migration', async () => {
    const path = join(tempDir('store'), 'snapshotter.sqlite3');
    const db = new Database(path);
    try {
      await runMigrations(db);
      db.prepare("UPDATE schema_migrations SET checksum = 'x'").run();
      await expect(runMigrations(db)).rejects.toMatchObject({ code: 'STORE_FAILED', message: expect.stringContaining('checksum') });
      for (const migration of migrationFiles()) db.prepare('UPDATE schema_migrations SET checksum = ? WHERE name = ?').run(migration.checksum, migration.name);
      db.prepare("INSERT INTO schema_migrations VALUES ('9999', '9999_future', 'y', 'now')").run();
      await expect(runMigrations(db)).rejects.toMatchObject({ message: expect.stringContaining('9999_future') });
    } finally {
      db.close();
    }
  });

  it('stores, lists newest first, replaces and deletes snapshots', async () => {
    const { store } = await open(join(tempDir('store'), 's.sqlite3'));
    await store.saveSnapshot(snapshotRecord(5n));
    await store.saveSnapshot(snapshotRecord(9n));
    await store.saveSnapshot(snapshotRecord(7n));
    expect(await store.getSnapshot(snapshotRecord(9n).merkleRoot)).toEqual(snapshotRecord(9n));
    expect(await store.getSnapshot('00'.repeat(32))).toBeNull();
    expect((await store.listSnapshots()).map((s) => s.immutableFileNumber)).toEqual([9n, 7n, 5n]);
    await store.saveSnapshot(snapshotRecord(9n, { certificateHash: '11'.repeat(32) }));
    expect((await store.getSnapshot(snapshotRecord(9n).merkleRoot))?.certificateHash).toBe('11'.repeat(32));
    await store.deleteSnapshot(snapshotRecord(7n).merkleRoot);
    expect((await store.listSnapshots()).map((s) => s.immutableFileNumber)).toEqual([9n, 5n]);
    await expect(store.saveSnapshot(snapshotRecord(1n, { merkleRoot: 'nope' }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.saveSnapshot(snapshotRecord(1n, { epoch: 1n << 63n }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('stores per-immutable archives by number and compression', async () => {
    const { store } = await open(join(tempDir('store'), 's.sqlite3'));
    const archive = (n: bigint): ImmutableArchiveRecord => ({
      immutableFileNumber: n,
      compression: 'gzip',
      key: `immutables/${n}.tar.gz`,
      size: 10n + n,
      sha256: 'aa'.repeat(32),
      sizeUncompressed: 30n,
      createdAt: new Date('2026-01-01T00:00:00Z'),
    });
    for (const n of [2n, 0n, 1n]) await store.saveImmutableArchive(archive(n));
    await store.saveImmutableArchive(archive(1n));
    expect(await store.listImmutableArchives('gzip')).toEqual([archive(0n), archive(1n), archive(2n)]);
    expect(await store.listImmutableArchives('zstd')).toEqual([]);
    await store.deleteImmutableArchive(1n, 'gzip');
    expect((await store.listImmutableArchives()).map((a) => a.immutableFileNumber)).toEqual([0n, 2n]);
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
    expect([...model.keys()].sort()).toEqual(['immutable_archive', 'immutable_file_digest', 'snapshot']);
    expect(sql).toEqual(model);
  });
});
