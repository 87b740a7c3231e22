/**
 * The certifier store on SQLite always and on PostgreSQL when MITHRIL_TEST_POSTGRES_URL is set
 * (`bash scripts/start-test-postgres.sh` prints one): two stores opened on one database stand for
 * two certifier replicas, and their raises of the same pools race.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLogger } from '@mithril-ts/service-kit';
import { createTestDatabase, prismaModelColumns, sqlTableColumns, type TestDatabase } from '@mithril-ts/testkit';
import { CertifierStoreError, importLegacyCounters, openCertifierStore, startCertifier, type PrismaOpcertCounterStore } from '../src/index.js';
import { MIGRATIONS_DIR } from '../src/store/index.js';

const POSTGRES_URL = process.env.MITHRIL_TEST_POSTGRES_URL;
const poolId = (i: number): string => i.toString(16).padStart(56, '0');

describe('certifier store schema', () => {
  it('creates the model of schema.prisma in both dialects', () => {
    const model = prismaModelColumns(readFileSync(join(MIGRATIONS_DIR, '..', 'prisma', 'schema.prisma'), 'utf8'));
    for (const dialect of ['sqlite', 'postgresql']) {
      expect(sqlTableColumns(readFileSync(join(MIGRATIONS_DIR, dialect, '0001_opcert_counter.sql'), 'utf8'))).toEqual(model);
    }
  });

  it('refuses a location it cannot open', async () => {
    await expect(openCertifierStore({ url: 'mysql://db/certifier' })).rejects.toMatchObject({ name: 'CertifierStoreError', code: 'INVALID_URL' });
  });
});

/** A fresh database of each dialect: a SQLite file, or a PostgreSQL database of this test file's own. */
interface Dialect {
  readonly name: string;
  fresh(): Promise<string>;
  cleanup(): Promise<void>;
}

const sqlite: Dialect = {
  name: 'SQLite',
  fresh: async () => `file:${join(mkdtempSync(join(tmpdir(), 'certifier-store-')), 'certifier.sqlite')}`,
  cleanup: async () => {},
};

function postgres(serverUrl: string): Dialect {
  const databases: TestDatabase[] = [];
  return {
    name: 'PostgreSQL',
    fresh: async () => {
      const database = await createTestDatabase(serverUrl, `certifier_store_${process.pid}_${databases.length}`);
      databases.push(database);
      return database.url;
    },
    cleanup: async () => {
      for (const database of databases.splice(0)) await database.drop();
    },
  };
}

interface Call {
  readonly issue: bigint;
  readonly started: number;
  readonly ended: number;
  readonly result: bigint;
}

const dialects = [sqlite, ...(POSTGRES_URL ? [postgres(POSTGRES_URL)] : [])];
if (!POSTGRES_URL) describe.skip('certifier store on PostgreSQL (set MITHRIL_TEST_POSTGRES_URL)', () => it('runs the same suite', () => {}));

describe.each(dialects)('certifier store on $name', (dialect) => {
  let url: string;
  let a: PrismaOpcertCounterStore;
  let b: PrismaOpcertCounterStore;

  beforeAll(async () => {
    url = await dialect.fresh();
    // Two replicas starting at once on an empty database: the kit's runner serialises their migrations.
    [a, b] = (await Promise.all([openCertifierStore({ url }), openCertifierStore({ url })])).map((opened) => opened.store) as [
      PrismaOpcertCounterStore,
      PrismaOpcertCounterStore,
    ];
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await dialect.cleanup();
  });

  it('accepts a new, equal or higher issue number and answers a lower one with the higher', async () => {
    const pool = poolId(1);
    expect(await a.highest(pool)).toBeUndefined();
    expect(await a.raise(pool, 5n)).toBe(5n);
    expect(await b.raise(pool, 4n)).toBe(5n); // the other replica refuses the older certificate
    expect(await b.raise(pool, 5n)).toBe(5n);
    expect(await b.raise(pool, 6n)).toBe(6n);
    expect(await a.raise(pool, 5n)).toBe(6n);
    expect(await a.highest(pool)).toBe(6n);
    const max = (1n << 63n) - 1n;
    expect(await a.raise(poolId(2), max)).toBe(max);
    expect(await b.highest(poolId(2))).toBe(max);
  });

  it('refuses bad arguments', async () => {
    await expect(a.raise(poolId(3), -1n)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(a.raise(poolId(3), 1n << 63n)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(a.raise('AB'.repeat(28), 1n)).rejects.toBeInstanceOf(CertifierStoreError);
    expect(await a.highest(poolId(3))).toBeUndefined();
  });

  it('never lets two replicas racing on the same pools accept an older certificate once a newer one is recorded', async () => {
    const pools = [poolId(10), poolId(11), poolId(12)];
    const calls = new Map<string, Call[]>(pools.map((pool) => [pool, []]));
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 240; i += 1) {
      const pool = pools[i % pools.length]!;
      const issue = BigInt(random(60));
      const store = random(2) === 0 ? a : b;
      const started = performance.now();
      pending.push(
        store.raise(pool, issue).then((result) => {
          calls.get(pool)!.push({ issue, started, ended: performance.now(), result });
        }),
      );
      // Staggered: some calls end before later ones start, which is where a stale decision would show.
      if (random(4) === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(pending);
    for (const pool of pools) {
      const done = calls.get(pool)!;
      const accepted = new Set(done.filter((c) => c.result === c.issue).map((c) => c.issue));
      const highestOffered = done.reduce((m, c) => (c.issue > m ? c.issue : m), -1n);
      expect(await a.highest(pool)).toBe(highestOffered);
      expect(await b.highest(pool)).toBe(highestOffered);
      for (const call of done) {
        // A refusal names a higher counter that some call had accepted.
        expect(call.result >= call.issue).toBe(true);
        if (call.result !== call.issue) expect(accepted.has(call.result)).toBe(true);
        // Accepted: no call with a higher number had finished before this one started.
        if (call.result === call.issue) {
          const earlierHigher = done.find((other) => other.ended < call.started && other.issue > call.issue);
          expect(earlierHigher).toBeUndefined();
        }
      }
    }
  });

  if (dialect.name === 'PostgreSQL') {
    it('decides on the latest committed counter: a raise waiting on a concurrent higher write is refused once it commits', async () => {
      const pool = poolId(20);
      expect(await a.raise(pool, 5n)).toBe(5n);
      const writer = new pg.Client({ connectionString: url });
      await writer.connect();
      try {
        await writer.query('BEGIN');
        await writer.query('UPDATE opcert_counter SET issue_number = 10 WHERE pool_id = $1', [pool]);
        let settled = false;
        const waiting = b.raise(pool, 8n).finally(() => {
          settled = true;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(settled).toBe(false); // blocked on the row lock, not deciding on the snapshot that has 5
        await writer.query('COMMIT');
        expect(await waiting).toBe(10n);
      } finally {
        await writer.end();
      }
    });
  }

  it('is closed by close(): later calls are refused, closing again is harmless', async () => {
    const { store } = await openCertifierStore({ url });
    await store.close();
    await store.close();
    await expect(store.raise(poolId(1), 1n)).rejects.toMatchObject({ name: 'CertifierStoreError', code: 'CLOSED' });
  });
});

describe('the former counter file', () => {
  const silent = createLogger('certifier-test', 'silent');
  const line = (pool: string, issue: number) => `${JSON.stringify({ pool, issue: String(issue) })}\n`;

  it('is imported once at start-up (highest per pool, torn last line skipped), then renamed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certifier-legacy-'));
    const file = join(dir, 'opcert-counters.jsonl');
    writeFileSync(file, line(poolId(1), 3) + line(poolId(2), 9) + line(poolId(1), 7) + line(poolId(1), 4) + `{"pool":"${poolId(3)}`);
    const certifier = await startCertifier({
      host: '127.0.0.1',
      port: 0,
      chainDirectory: dir,
      slotsPerKesPeriod: 129600n,
      storeUrl: `file:${join(dir, 'certifier.sqlite')}`,
      counterStorePath: file,
      logLevel: 'fatal',
      insecure: true,
      allowInsecureKeyPermissions: false,
      allowedClients: ['signer-gateway'],
    });
    try {
      expect(await certifier.store.highest(poolId(1))).toBe(7n);
      expect(await certifier.store.highest(poolId(2))).toBe(9n);
      expect(await certifier.store.highest(poolId(3))).toBeUndefined();
      expect(existsSync(file)).toBe(false);
      expect(existsSync(`${file}.imported`)).toBe(true);
      // The next start finds no file: nothing to import.
      expect(await importLegacyCounters(file, certifier.store, silent)).toBe(0);
      // Importing again (a crash before the rename) never lowers what was raised since.
      await certifier.store.raise(poolId(2), 12n);
      writeFileSync(file, line(poolId(2), 9));
      expect(await importLegacyCounters(file, certifier.store, silent)).toBe(1);
      expect(await certifier.store.highest(poolId(2))).toBe(12n);
    } finally {
      await certifier.close();
      await certifier.shutdownTelemetry();
    }
  });

  it('stops the start on a corrupt entry rather than forgetting counters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certifier-legacy-'));
    const file = join(dir, 'opcert-counters.jsonl');
    writeFileSync(file, `${JSON.stringify({ pool: 'not-a-pool', issue: '1' })}\n`);
    const raised: string[] = [];
    await expect(importLegacyCounters(file, { raise: async (pool) => (raised.push(pool), 0n) }, silent)).rejects.toThrow(/corrupt counter entry/);
    expect(raised).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });
});
