/**
 * The aggregator store against a freshly migrated database: SQLite always (a temporary file per
 * test), PostgreSQL too when MITHRIL_TEST_POSTGRES_URL is set (its public schema is reset per
 * test, so point it at a throwaway database).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { cardanoDatabase, mithrilStakeDistribution } from '@mithril-ts/protocol';
import {
  AggregatorStoreError,
  migrationFiles,
  openAggregatorStore,
  parseStoreUrl,
  runMigrations,
  type AggregatorStore,
  type OpenedAggregatorStore,
} from '../src/index.js';
import { sqliteMigrationConnection } from '../src/store/migrations.js';
import Database from 'better-sqlite3';

const POSTGRES_URL = process.env.MITHRIL_TEST_POSTGRES_URL;
if (!POSTGRES_URL) process.stderr.write('note: PostgreSQL store tests skipped (set MITHRIL_TEST_POSTGRES_URL to run them)\n');

const bytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
const pool = (i: number): string => `pool1${i.toString().padStart(8, '0')}`;
const I64_MAX = (1n << 63n) - 1n;
/** Every migration, in order: the versioned SQL files of each dialect. */
const ALL_MIGRATIONS = ['0001_init', '0002_cardano_database_snapshot'];

async function expectStoreError(promise: Promise<unknown>, code: AggregatorStoreError['code']): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(AggregatorStoreError);
  await expect(promise).rejects.toMatchObject({ code });
}

interface Backend {
  /** A URL of a fresh, empty database. */
  fresh(): Promise<string>;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dirs: string[] = [];
  return {
    fresh: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'aggregator-store-'));
      dirs.push(dir);
      return `file:${join(dir, 'aggregator.sqlite3')}`;
    },
    cleanup: async () => {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(url: string): Backend {
  return {
    fresh: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
      } finally {
        await client.end();
      }
      return url;
    },
    cleanup: async () => {},
  };
}

function storeSuite(name: string, backend: () => Backend): void {
  describe(name, () => {
    let b: Backend;
    let url: string;
    let opened: OpenedAggregatorStore;
    let store: AggregatorStore;

    beforeAll(() => {
      b = backend();
    });
    beforeEach(async () => {
      url = await b.fresh();
      opened = await openAggregatorStore({ url });
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });
    afterAll(async () => {
      await b.cleanup();
    });

    describe('migrations', () => {
      it('applies the versioned SQL once and records it in schema_migrations', async () => {
        expect(opened.migrations.applied).toEqual(ALL_MIGRATIONS);
        const recorded = await store.appliedMigrations();
        expect(recorded.map((m) => [m.version, m.name])).toEqual(ALL_MIGRATIONS.map((name) => [name.slice(0, 4), name]));
        expect(Number.isNaN(Date.parse(recorded[0]!.appliedAt))).toBe(false);
      });

      it('is idempotent: opening again applies nothing and keeps the data', async () => {
        await store.saveEpochSettings({ epoch: 3n, protocolParameters: { k: 5n, m: 100n, phiF: 0.65 } });
        const again = await openAggregatorStore({ url });
        try {
          expect(again.migrations.applied).toEqual([]);
          expect(again.migrations.recorded.map((m) => m.name)).toEqual(ALL_MIGRATIONS);
          expect(await again.store.getEpochSettings(3n)).toEqual({ epoch: 3n, protocolParameters: { k: 5n, m: 100n, phiF: 0.65 } });
        } finally {
          await again.close();
        }
      });

      it('has a migration file per dialect with the same versions', () => {
        expect(migrationFiles('sqlite').map((m) => m.name)).toEqual(migrationFiles('postgresql').map((m) => m.name));
      });
    });

    it('round-trips signer registrations and upserts per (epoch, party)', async () => {
      const vk = bytes(192, 1);
      const first = await store.registerSigner({
        epoch: 10n,
        partyId: pool(2),
        verificationKey: vk,
        kesSignature: bytes(448, 2),
        operationalCertificate: bytes(120, 3),
        kesEvolutions: 7,
        stake: I64_MAX,
        registeredAt: new Date('2026-01-02T03:04:05.678Z'),
      });
      expect(first.verificationKey).toEqual(vk);
      await store.registerSigner({ epoch: 10n, partyId: pool(1), verificationKey: bytes(192, 4), kesSignature: null, operationalCertificate: null, kesEvolutions: null, stake: 1n });
      await store.registerSigner({ epoch: 11n, partyId: pool(1), verificationKey: bytes(192, 5), kesSignature: null, operationalCertificate: null, kesEvolutions: null, stake: 2n });

      const signers = await store.listSigners(10n);
      expect(signers.map((s) => s.partyId)).toEqual([pool(1), pool(2)]);
      expect(signers[1]).toEqual({
        epoch: 10n,
        partyId: pool(2),
        verificationKey: vk,
        kesSignature: bytes(448, 2),
        operationalCertificate: bytes(120, 3),
        kesEvolutions: 7,
        stake: I64_MAX,
        registeredAt: new Date('2026-01-02T03:04:05.678Z'),
      });
      expect(signers[0]!.kesSignature).toBeNull();

      // Registering again for the same (epoch, party) replaces the registration.
      await store.registerSigner({ epoch: 10n, partyId: pool(2), verificationKey: bytes(192, 9), kesSignature: null, operationalCertificate: null, kesEvolutions: 8, stake: 3n });
      const replaced = await store.getSignerRegistration(10n, pool(2));
      expect(replaced?.verificationKey).toEqual(bytes(192, 9));
      expect(replaced?.stake).toBe(3n);
      expect(await store.listSigners(10n)).toHaveLength(2);
      expect(await store.getSignerRegistration(12n, pool(2))).toBeNull();
      await expectStoreError(
        store.registerSigner({ epoch: 1n << 64n, partyId: pool(1), verificationKey: vk, kesSignature: null, operationalCertificate: null, kesEvolutions: null, stake: 1n }),
        'INVALID_ARGUMENT',
      );
    });

    it('saves and replaces stake distributions per epoch', async () => {
      await store.saveStakeDistribution(5n, [
        { partyId: pool(2), stake: 20n },
        { partyId: pool(1), stake: I64_MAX },
      ]);
      await store.saveStakeDistribution(6n, [{ partyId: pool(1), stake: 1n }]);
      expect(await store.getStakeDistribution(5n)).toEqual([
        { partyId: pool(1), stake: I64_MAX },
        { partyId: pool(2), stake: 20n },
      ]);
      await store.saveStakeDistribution(5n, [{ partyId: pool(3), stake: 30n }]);
      expect(await store.getStakeDistribution(5n)).toEqual([{ partyId: pool(3), stake: 30n }]);
      expect(await store.getStakeDistribution(6n)).toEqual([{ partyId: pool(1), stake: 1n }]);
      expect(await store.getStakeDistribution(7n)).toEqual([]);
      await expectStoreError(store.saveStakeDistribution(8n, [{ partyId: pool(1), stake: 1n }, { partyId: pool(1), stake: 2n }]), 'INVALID_ARGUMENT');
    });

    it('saves epoch settings (one row per epoch)', async () => {
      await store.saveEpochSettings({ epoch: 4n, protocolParameters: { k: 2422n, m: 20973n, phiF: 0.2 } });
      await store.saveEpochSettings({ epoch: 4n, protocolParameters: { k: 5n, m: 100n, phiF: 0.65 } });
      expect(await store.getEpochSettings(4n)).toEqual({ epoch: 4n, protocolParameters: { k: 5n, m: 100n, phiF: 0.65 } });
      expect(await store.getEpochSettings(5n)).toBeNull();
      await expectStoreError(store.saveEpochSettings({ epoch: 5n, protocolParameters: { k: 5n, m: 100n, phiF: 1.5 } }), 'INVALID_ARGUMENT');
    });

    it('opens, finds, lists and closes open messages; one per signed entity type', async () => {
      const msd = mithrilStakeDistribution(20n);
      const db = cardanoDatabase(20n, (1n << 64n) - 1n);
      const a = await store.createOpenMessage({ epoch: 20n, signedEntityType: msd, protocolMessage: '{"message_parts":{"a":"1"}}', createdAt: new Date(1000), expiresAt: new Date(5000) });
      const b = await store.createOpenMessage({ id: 'db-20', epoch: 20n, signedEntityType: db, protocolMessage: '{}', createdAt: new Date(2000) });
      expect(await store.getOpenMessage(msd)).toEqual({
        id: a.id,
        epoch: 20n,
        signedEntityType: msd,
        protocolMessage: '{"message_parts":{"a":"1"}}',
        isCertified: false,
        isExpired: false,
        createdAt: new Date(1000),
        expiresAt: new Date(5000),
      });
      expect((await store.getOpenMessageById('db-20'))?.signedEntityType).toEqual(db);
      expect(await store.getOpenMessage(mithrilStakeDistribution(21n))).toBeNull();
      await expectStoreError(store.createOpenMessage({ epoch: 20n, signedEntityType: msd, protocolMessage: '{}' }), 'CONFLICT');

      expect((await store.listOpenMessages()).map((m) => m.id)).toEqual([a.id, b.id]);
      expect((await store.listOpenMessages({ kind: 'CardanoDatabase' })).map((m) => m.id)).toEqual([b.id]);
      expect(await store.listOpenMessages({ epoch: 21n })).toEqual([]);

      expect((await store.markOpenMessageCertified(a.id)).isCertified).toBe(true);
      expect((await store.markOpenMessageExpired(b.id)).isExpired).toBe(true);
      expect(await store.listOpenMessages()).toEqual([]);
      expect(await store.listOpenMessages({ includeClosed: true })).toHaveLength(2);
      await expectStoreError(store.markOpenMessageCertified('nope'), 'NOT_FOUND');
    });

    it('adds single signatures; a second one of a party is "already-registered"; closed messages refuse', async () => {
      const message = await store.createOpenMessage({ epoch: 3n, signedEntityType: mithrilStakeDistribution(3n), protocolMessage: '{}' });
      const added = await store.addSingleSignature({ openMessageId: message.id, partyId: pool(1), signature: bytes(48, 1), wonIndexes: [0n, 7n, (1n << 64n) - 1n], createdAt: new Date(42) });
      expect(added).toEqual({
        status: 'added',
        signature: { openMessageId: message.id, partyId: pool(1), signature: bytes(48, 1), wonIndexes: [0n, 7n, (1n << 64n) - 1n], createdAt: new Date(42) },
      });
      expect(await store.addSingleSignature({ openMessageId: message.id, partyId: pool(1), signature: bytes(48, 2), wonIndexes: [1n] })).toEqual({ status: 'already-registered' });
      const listed = await store.listSingleSignatures(message.id);
      expect(listed).toHaveLength(1);
      expect(listed[0]!.signature).toEqual(bytes(48, 1));

      await expectStoreError(store.addSingleSignature({ openMessageId: 'missing', partyId: pool(1), signature: bytes(48, 1), wonIndexes: [] }), 'NOT_FOUND');
      await store.markOpenMessageCertified(message.id);
      expect(await store.addSingleSignature({ openMessageId: message.id, partyId: pool(2), signature: bytes(48, 3), wonIndexes: [2n] })).toEqual({ status: 'message-closed', reason: 'certified' });
    });

    it('keeps every one of 200 concurrent signatures of distinct parties and reports concurrent duplicates', async () => {
      const message = await store.createOpenMessage({ epoch: 9n, signedEntityType: cardanoDatabase(9n, 100n), protocolMessage: '{}' });
      const parties = Array.from({ length: 200 }, (_, i) => pool(i));
      const submissions = [...parties, ...parties.slice(0, 40)].map((partyId, i) =>
        store.addSingleSignature({ openMessageId: message.id, partyId, signature: bytes(48, i), wonIndexes: [BigInt(i)] }),
      );
      const results = await Promise.all(submissions);
      const count = (status: string) => results.filter((r) => r.status === status).length;
      expect(count('added')).toBe(200);
      expect(count('already-registered')).toBe(40);
      const stored = await store.listSingleSignatures(message.id);
      expect(new Set(stored.map((s) => s.partyId))).toEqual(new Set(parties));
    });

    it('stores certificates: by hash, newest first with pages, first of an epoch', async () => {
      const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
      const json = 'x'.repeat(200_000);
      const certs = [
        { hash: 'h1', previousHash: '', epoch: 1n, signedEntityType: mithrilStakeDistribution(1n), json, sealedAt: at(1) },
        { hash: 'h2', previousHash: 'h1', epoch: 2n, signedEntityType: mithrilStakeDistribution(2n), json: '{"b":1}', sealedAt: at(2) },
        { hash: 'h3', previousHash: 'h2', epoch: 2n, signedEntityType: cardanoDatabase(2n, 50n), json: '{"c":1}', sealedAt: at(3) },
        { hash: 'h4', previousHash: 'h2', epoch: 3n, signedEntityType: mithrilStakeDistribution(3n), json: '{"d":1}', sealedAt: at(4) },
      ];
      // Inserted out of order: sealed time decides.
      for (const i of [2, 0, 3, 1]) await store.saveCertificate(certs[i]!);
      const h1 = await store.getCertificate('h1');
      expect(h1).toMatchObject({ hash: 'h1', previousHash: '', epoch: 1n, signedEntityType: mithrilStakeDistribution(1n), sealedAt: at(1) });
      expect(h1?.json).toBe(json);
      expect(await store.getCertificate('nope')).toBeNull();
      await expectStoreError(store.saveCertificate(certs[0]!), 'CONFLICT');

      expect((await store.latestCertificates({ limit: 3 })).map((c) => c.hash)).toEqual(['h4', 'h3', 'h2']);
      expect((await store.latestCertificates({ limit: 3, offset: 3 })).map((c) => c.hash)).toEqual(['h1']);
      expect((await store.firstCertificateOfEpoch(2n))?.hash).toBe('h2');
      expect(await store.firstCertificateOfEpoch(9n)).toBeNull();
      await expectStoreError(store.latestCertificates({ limit: 0 }), 'INVALID_ARGUMENT');
      expect((await store.certificateOfSignedEntity(cardanoDatabase(2n, 50n)))?.hash).toBe('h3');
      expect(await store.certificateOfSignedEntity(cardanoDatabase(2n, 51n))).toBeNull();
    });

    it('stores Cardano database snapshots: by hash, by certificate, newest first, by epoch', async () => {
      const snapshot = (n: number, epoch: bigint) => ({
        hash: `s${n}`,
        epoch,
        immutableFileNumber: BigInt(n),
        merkleRoot: `root${n}`,
        certificateHash: `c${n}`,
        content: bytes(300, n),
        createdAt: new Date(1000 * n),
      });
      for (const [n, epoch] of [[1, 4n], [3, 5n], [2, 4n]] as const) await store.saveCardanoDatabaseSnapshot(snapshot(n, epoch));
      expect(await store.getCardanoDatabaseSnapshot('s2')).toEqual(snapshot(2, 4n));
      expect((await store.cardanoDatabaseSnapshotOfCertificate('c3'))?.hash).toBe('s3');
      expect((await store.latestCardanoDatabaseSnapshots({ limit: 10 })).map((s) => s.hash)).toEqual(['s3', 's2', 's1']);
      expect((await store.latestCardanoDatabaseSnapshots({ limit: 10 }, { epoch: 4n })).map((s) => s.hash)).toEqual(['s2', 's1']);
      await store.saveCardanoDatabaseSnapshot({ ...snapshot(2, 4n), content: bytes(10, 9) });
      expect((await store.getCardanoDatabaseSnapshot('s2'))?.content).toEqual(bytes(10, 9));
      expect(await store.getCardanoDatabaseSnapshot('nope')).toBeNull();
    });

    it('seals a certificate and closes its open message in one transaction', async () => {
      const type = cardanoDatabase(30n, 7n);
      const message = await store.createOpenMessage({ epoch: 30n, signedEntityType: type, protocolMessage: '{}' });
      const certificate = { hash: 'm1', previousHash: 'h0', epoch: 30n, signedEntityType: type, json: '{}', sealedAt: new Date(7) };
      await store.saveCertificate(certificate, { certifiesOpenMessage: message.id });
      expect((await store.getOpenMessageById(message.id))?.isCertified).toBe(true);
      // a second seal of the same round changes nothing: neither the certificate nor the message
      await expectStoreError(store.saveCertificate({ ...certificate, hash: 'm2' }, { certifiesOpenMessage: message.id }), 'CONFLICT');
      expect(await store.getCertificate('m2')).toBeNull();
      await expectStoreError(store.saveCertificate({ ...certificate, hash: 'm3' }, { certifiesOpenMessage: 'unknown' }), 'CONFLICT');
    });

    it('keeps the highest opcert issue number per pool', async () => {
      expect(await store.getOpcertIssueNumber('abcd')).toBeNull();
      expect(await store.checkAndRecordOpcertIssueNumber('abcd', 2n)).toEqual({ status: 'accepted', highest: 2n });
      expect(await store.checkAndRecordOpcertIssueNumber('abcd', 2n)).toEqual({ status: 'accepted', highest: 2n });
      expect(await store.checkAndRecordOpcertIssueNumber('abcd', 1n)).toEqual({ status: 'rejected', highest: 2n });
      expect(await store.checkAndRecordOpcertIssueNumber('abcd', 5n)).toEqual({ status: 'accepted', highest: 5n });
      expect(await store.getOpcertIssueNumber('abcd')).toBe(5n);
    });

    it('prunes the per-epoch state older than the retention, keeping certificates', async () => {
      for (const epoch of [1n, 2n, 3n, 4n]) {
        await store.registerSigner({ epoch, partyId: pool(1), verificationKey: bytes(192, 0), kesSignature: null, operationalCertificate: null, kesEvolutions: null, stake: 1n });
        await store.saveStakeDistribution(epoch, [{ partyId: pool(1), stake: 1n }]);
        await store.saveEpochSettings({ epoch, protocolParameters: { k: 1n, m: 2n, phiF: 0.5 } });
        const message = await store.createOpenMessage({ epoch, signedEntityType: mithrilStakeDistribution(epoch), protocolMessage: '{}' });
        await store.addSingleSignature({ openMessageId: message.id, partyId: pool(1), signature: bytes(48, 0), wonIndexes: [1n] });
        await store.saveCertificate({ hash: `c${epoch}`, previousHash: '', epoch, signedEntityType: mithrilStakeDistribution(epoch), json: '{}', sealedAt: new Date(Number(epoch)) });
      }
      // Current epoch 4, keep 2 epochs: 3 and 4 stay.
      expect(await store.prune({ currentEpoch: 4n, epochsToKeep: 2n })).toEqual({
        signerRegistrations: 2,
        stakeDistributions: 2,
        epochSettings: 2,
        openMessages: 2,
        singleSignatures: 2,
      });
      expect(await store.listSigners(2n)).toEqual([]);
      expect(await store.listSigners(3n)).toHaveLength(1);
      expect(await store.getEpochSettings(2n)).toBeNull();
      expect(await store.getStakeDistribution(3n)).toHaveLength(1);
      expect((await store.listOpenMessages({ includeClosed: true })).map((m) => m.epoch)).toEqual([3n, 4n]);
      expect(await store.latestCertificates({ limit: 10 })).toHaveLength(4);
      expect(await store.prune({ currentEpoch: 4n, epochsToKeep: 2n })).toMatchObject({ signerRegistrations: 0, openMessages: 0 });
      expect(await store.prune({ currentEpoch: 1n, epochsToKeep: 5n })).toMatchObject({ signerRegistrations: 0 });
    });

    it('refuses to work once closed', async () => {
      await opened.close();
      await expectStoreError(store.getCertificate('h'), 'CLOSED');
    });
  });
}

storeSuite('aggregator store on SQLite', sqliteBackend);
if (POSTGRES_URL) storeSuite('aggregator store on PostgreSQL', () => postgresBackend(POSTGRES_URL));
else describe.skip('aggregator store on PostgreSQL (set MITHRIL_TEST_POSTGRES_URL)', () => it('runs the same suite', () => {}));

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
