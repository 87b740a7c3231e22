/**
 * The runtime lease (src/leadership/lease.ts): SQLite allows one aggregator per store (a second
 * one, in this process or another, is refused); on PostgreSQL (MITHRIL_TEST_POSTGRES_URL) one
 * session holds the advisory lock, and a leader whose session is gone fences itself: the intake
 * is refused at once and its runtime stops.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { CardanoCliFilesChainObserver, createLogger } from '@mithril-ts/service-kit';
import { AggregatorError, aggregatorConfigSchema, openAggregatorStore, parametersSchedule, startAggregator, type RunningAggregator } from '../src/index.js';
import { FollowerView } from '../src/leadership/follower-view.js';
import { PostgresAdvisoryLease, RUNTIME_LOCK_KEY, SqliteExclusiveLease } from '../src/leadership/lease.js';
import { SLOTS_PER_KES_PERIOD, slotOf } from './kes-pools.js';

const POSTGRES_URL = process.env.MITHRIL_TEST_POSTGRES_URL;
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const silent = createLogger('lease-test', 'silent');

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aggregator-lease-'));
  mkdirSync(join(root, 'chain'));
  mkdirSync(join(root, 'immutable'));
  writeFileSync(join(root, 'chain', 'tip.json'), JSON.stringify({ epoch: 1, era: 'Conway', slot: Number(slotOf(1n)), syncProgress: '100.00' }));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const config = (storeUrl: string, extra: Record<string, unknown> = {}) =>
  aggregatorConfigSchema.parse({
    port: 0,
    storeUrl,
    chainDirectory: join(root, 'chain'),
    immutableDirectory: join(root, 'immutable'),
    slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
    runIntervalMs: 50,
    logLevel: 'silent',
    insecure: true,
    ...extra,
  });

describe('SQLite: one aggregator per store', () => {
  it('holds the lock file for the process life; another connection or process is refused until it is released', async () => {
    const path = join(root, 'aggregator.sqlite.lease');
    const first = new SqliteExclusiveLease(path);
    const second = new SqliteExclusiveLease(path);
    expect(await first.tryAcquire()).toBe(true);
    expect(await second.tryAcquire()).toBe(false);
    // Another process: SQLite's lock is the operating system's file lock.
    const probe = `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(path)}, { timeout: 0 });
      try { d.exec('BEGIN EXCLUSIVE'); console.log('acquired'); } catch (e) { console.log(e.code); }`;
    const other = () => spawnSync(process.execPath, ['-e', probe], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.trim();
    expect(other()).toBe('SQLITE_BUSY');
    await first.release();
    expect(other()).toBe('acquired');
    expect(await second.tryAcquire()).toBe(true);
    await second.release();
  });

  it('refuses to start a second aggregator on the same store, with a message naming the lock file', async () => {
    const storeUrl = `file:${join(root, 'aggregator.sqlite')}`;
    const first = await startAggregator(config(storeUrl));
    try {
      expect(first.replica.role).toBe('leader');
      const refusal = startAggregator(config(storeUrl));
      await expect(refusal).rejects.toBeInstanceOf(AggregatorError);
      await expect(refusal).rejects.toThrow(/another aggregator process holds .*aggregator\.sqlite\.lease: with SQLite only one aggregator may run/);
    } finally {
      await first.close();
    }
    // Released on close: the store can be served again.
    const again = await startAggregator(config(storeUrl));
    await again.close();
    // leaderElection=none skips the lock (the operator's own guarantee).
    const unchecked = await startAggregator(config(storeUrl, { leaderElection: 'none' }));
    const alongside = await startAggregator(config(storeUrl, { leaderElection: 'none' }));
    await alongside.close();
    await unchecked.close();
  });
});

describe('follower view', () => {
  it("keeps the era of the tip it reads, which a follower's GetAggregatorStatus reports", async () => {
    const tip = (era?: string) =>
      writeFileSync(join(root, 'chain', 'tip.json'), JSON.stringify({ epoch: 1, era, slot: Number(slotOf(1n)), syncProgress: '100.00' }));
    const opened = await openAggregatorStore({ url: `file:${join(root, 'view.sqlite')}` });
    try {
      const view = new FollowerView({
        store: opened.store,
        chain: new CardanoCliFilesChainObserver(join(root, 'chain'), 0),
        schedule: parametersSchedule(config('file:unused').protocolParameters),
        logger: silent,
      });
      expect(view.cardanoEra).toBeUndefined();
      tip('Babbage');
      await view.refresh();
      expect(view.cardanoEra).toBe('Babbage');
      tip();
      await view.refresh();
      expect(view.cardanoEra).toBeUndefined();
    } finally {
      await opened.close();
    }
  });
});

(POSTGRES_URL ? describe : describe.skip)('PostgreSQL: the advisory lock lease', () => {
  const database = `aggregator_lease_${process.pid}`;
  let databaseUrl: string;

  async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  }
  /** Ends the sessions holding `key` in the test database, as a lost connection or a server restart would. */
  const terminateHolders = (key: bigint) =>
    sql(
      databaseUrl,
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
         AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
      [key.toString()],
    );

  beforeAll(async () => {
    await sql(POSTGRES_URL!, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await sql(POSTGRES_URL!, `CREATE DATABASE ${database}`);
    const url = new URL(POSTGRES_URL!);
    url.pathname = `/${database}`;
    databaseUrl = url.href;
  });
  afterAll(async () => {
    await sql(POSTGRES_URL!, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('is held by one session at a time; its loss is noticed within the check interval and frees it for another', async () => {
    const key = 42n;
    const a = new PostgresAdvisoryLease({ connectionString: databaseUrl, checkIntervalMs: 200, logger: silent, key });
    const b = new PostgresAdvisoryLease({ connectionString: databaseUrl, checkIntervalMs: 200, logger: silent, key });
    try {
      expect(await a.tryAcquire()).toBe(true);
      expect(await a.tryAcquire()).toBe(true);
      expect(await b.tryAcquire()).toBe(false);
      const lost = new Promise<Error>((resolve) => a.once('lost', resolve));
      const cutAt = Date.now();
      await terminateHolders(key);
      expect((await lost).message).toMatch(/terminat|ended|no longer holds/i);
      expect(Date.now() - cutAt).toBeLessThan(2000);
      expect(await b.tryAcquire()).toBe(true);
      // The former holder can only try again (and fails while b holds it).
      expect(await a.tryAcquire()).toBe(false);
    } finally {
      await a.release();
      await b.release();
    }
  });

  it('a leader that loses its lease is fenced: the intake is refused, the runtime stops, and a follower takes over', async () => {
    const settings = { leaseCheckIntervalMs: 200, leaseRetryIntervalMs: 200 };
    const leader: RunningAggregator = await startAggregator(config(databaseUrl, settings));
    const follower: RunningAggregator = await startAggregator(config(databaseUrl, settings));
    try {
      expect([leader.replica.role, follower.replica.role]).toEqual(['leader', 'follower']);
      // A follower reports the era of the tip it read itself (it runs no runtime).
      expect(follower.replica.cardanoEra).toBe('Conway');
      const fenced = new Promise((resolve) => leader.replica.once('role', resolve));
      await terminateHolders(RUNTIME_LOCK_KEY);
      expect(await fenced).toBe('fenced');
      const input = {
        signedEntityType: { kind: 'MithrilStakeDistribution' as const, epoch: 1n },
        partyId: 'pool1x',
        signature: new Uint8Array(1),
        signedMessage: '',
      };
      await expect(leader.replica.registerSignature(input)).rejects.toMatchObject({ code: 'NOT_LEADER' });
      await new Promise<void>((resolve) => (follower.replica.role === 'leader' ? resolve() : follower.replica.once('role', () => resolve())));
      expect(follower.replica.role).toBe('leader');
      // The fenced replica's runtime no longer cycles.
      const states: unknown[] = [];
      leader.runtime.on('state', (state) => states.push(state));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(states).toEqual([]);
    } finally {
      await leader.close();
      await follower.close();
    }
  });
});
