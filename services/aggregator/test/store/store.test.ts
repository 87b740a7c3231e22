/**
 * What the aggregator store does across its repositories, on each dialect: the start-up migrations,
 * pruning by retention, closing; then the store URL and the migration checks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { mithrilStakeDistribution } from '@mithril-ts/protocol';
import { AggregatorStoreError, migrationFiles, openAggregatorStore, parseStoreUrl, runMigrations } from '../../src/index.js';
import { sqliteMigrationConnection } from '../../src/store/setup.js';
import { POSTGRES_URL, bytes, describeOnEachDialect, expectStoreError, pool } from './dialects.js';

if (!POSTGRES_URL) process.stderr.write('note: PostgreSQL store tests skipped (set MITHRIL_TEST_POSTGRES_URL to run them)\n');

/** Every migration, in order: the versioned SQL files of each dialect. */
const ALL_MIGRATIONS = [
  '0001_init',
  '0002_cardano_database_snapshot',
  '0003_drop_opcert_counter',
  '0004_opcert_counter',
  '0005_one_certificate_per_signed_entity',
];

describeOnEachDialect('aggregator store', (t) => {
  describe('migrations', () => {
    it('applies the versioned SQL once and records it in schema_migrations', async () => {
      const { opened, store } = t;
      expect(opened.migrations.applied).toEqual(ALL_MIGRATIONS);
      const recorded = await store.appliedMigrations();
      expect(recorded.map((m) => [m.version, m.name])).toEqual(ALL_MIGRATIONS.map((name) => [name.slice(0, 4), name]));
      expect(Number.isNaN(Date.parse(recorded[0]!.appliedAt))).toBe(false);
    });

    it('is idempotent: opening again applies nothing and keeps the data', async () => {
      const { store, url } = t;
      await store.epochSettings.save({ epoch: 3n, protocolParameters: { k: 5n, m: 100n, phiF: 0.65 } });
      const again = await openAggregatorStore({ url });
      try {
        expect(again.migrations.applied).toEqual([]);
        expect(again.migrations.recorded.map((m) => m.name)).toEqual(ALL_MIGRATIONS);
        expect(await again.store.epochSettings.get(3n)).toEqual({ epoch: 3n, protocolParameters: { k: 5n, m: 100n, phiF: 0.65 } });
      } finally {
        await again.close();
      }
    });

    it('has a migration file per dialect with the same versions', () => {
      expect(migrationFiles('sqlite').map((m) => m.name)).toEqual(migrationFiles('postgresql').map((m) => m.name));
    });
  });

  it('prunes the per-epoch state older than the retention, keeping certificates', async () => {
    const { store } = t;
    for (const epoch of [1n, 2n, 3n, 4n]) {
      await store.signerRegistrations.save({
        epoch,
        partyId: pool(1),
        verificationKey: bytes(192, 0),
        kesSignature: null,
        operationalCertificate: null,
        kesEvolutions: null,
        stake: 1n,
      });
      await store.stakeDistributions.save(epoch, [{ partyId: pool(1), stake: 1n }]);
      await store.epochSettings.save({ epoch, protocolParameters: { k: 1n, m: 2n, phiF: 0.5 } });
      const message = await store.openMessages.create({ epoch, signedEntityType: mithrilStakeDistribution(epoch), protocolMessage: '{}' });
      await store.openMessages.addSingleSignature({ openMessageId: message.id, partyId: pool(1), signature: bytes(48, 0), wonIndexes: [1n] });
      await store.certificates.save({
        hash: `c${epoch}`,
        previousHash: '',
        epoch,
        signedEntityType: mithrilStakeDistribution(epoch),
        json: '{}',
        sealedAt: new Date(Number(epoch)),
      });
    }
    // Current epoch 4, keep 2 epochs: 3 and 4 stay.
    expect(await store.prune({ currentEpoch: 4n, epochsToKeep: 2n })).toEqual({
      signerRegistrations: 2,
      stakeDistributions: 2,
      epochSettings: 2,
      openMessages: 2,
      singleSignatures: 2,
    });
    expect(await store.signerRegistrations.list(2n)).toEqual([]);
    expect(await store.signerRegistrations.list(3n)).toHaveLength(1);
    expect(await store.epochSettings.get(2n)).toBeNull();
    expect(await store.stakeDistributions.get(3n)).toHaveLength(1);
    expect((await store.openMessages.list({ includeClosed: true })).map((m) => m.epoch)).toEqual([3n, 4n]);
    expect(await store.certificates.latest({ limit: 10 })).toHaveLength(4);
    expect(await store.prune({ currentEpoch: 4n, epochsToKeep: 2n })).toMatchObject({ signerRegistrations: 0, openMessages: 0 });
    expect(await store.prune({ currentEpoch: 1n, epochsToKeep: 5n })).toMatchObject({ signerRegistrations: 0 });
  });

  it('refuses to work once closed', async () => {
    const { opened, store } = t;
    await opened.close();
    await expectStoreError(store.certificates.get('h'), 'CLOSED');
    // Every repository shares the store's session: none of them works on a closed store.
    await expectStoreError(store.signerRegistrations.list(1n), 'CLOSED');
    await expectStoreError(store.openMessages.list(), 'CLOSED');
    await expectStoreError(store.stakeDistributions.get(1n), 'CLOSED');
    await expectStoreError(store.epochSettings.get(1n), 'CLOSED');
    await expectStoreError(store.cardanoDatabaseSnapshots.get('s'), 'CLOSED');
    await expectStoreError(store.prune({ currentEpoch: 4n, epochsToKeep: 2n }), 'CLOSED');
  });
});

describe('store URL and migration checks', () => {
  it('parses the URL schemes', () => {
    expect(parseStoreUrl('file:./a.db')).toMatchObject({ dialect: 'sqlite' });
    expect(parseStoreUrl('sqlite:///tmp/a.db')).toEqual({ dialect: 'sqlite', path: '/tmp/a.db' });
    expect(parseStoreUrl('postgresql://u:p@h/db')).toEqual({ dialect: 'postgresql', connectionString: 'postgresql://u:p@h/db' });
    expect(() => parseStoreUrl('mysql://x')).toThrow(AggregatorStoreError);
    expect(() => parseStoreUrl('file::memory:')).toThrow(expect.objectContaining({ code: 'INVALID_URL' }));
  });

  it('refuses a migration changed after it was applied, and an unknown applied one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aggregator-migrations-'));
    const db = new Database(join(dir, 'm.sqlite3'));
    try {
      const files = migrationFiles('sqlite');
      const connection = sqliteMigrationConnection(db);
      expect((await runMigrations(connection, files)).applied).toEqual(ALL_MIGRATIONS);
      const changed = files.map((f) => ({ ...f, checksum: '00'.repeat(32) }));
      await expect(runMigrations(connection, changed)).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
      await expect(runMigrations(connection, [])).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
      // A failing migration leaves neither its tables nor its record.
      const broken = { version: '9999', name: '9999_broken', sql: 'CREATE TABLE t2 (a INTEGER); SELECT * FROM no_such_table;', checksum: 'x' };
      await expect(runMigrations(connection, [...files, broken])).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't2'").all()).toEqual([]);
      expect((await runMigrations(connection, files)).recorded.map((m) => m.name)).toEqual(ALL_MIGRATIONS);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
