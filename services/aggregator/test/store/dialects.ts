/**
 * Runs a store test suite against a freshly migrated database of each dialect: SQLite always (a
 * temporary file per test), PostgreSQL too when MITHRIL_TEST_POSTGRES_URL is set. On PostgreSQL
 * each test file works in a database of its own (created from the URL's, dropped afterwards; jest
 * runs the files in parallel), whose public schema is reset per test: point the URL at a
 * throwaway server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPostgres } from '@mithril-ts/testkit';
import { AggregatorStoreError, openAggregatorStore, type AggregatorStore, type OpenedAggregatorStore } from '../../src/index.js';

export const POSTGRES_URL = process.env.MITHRIL_TEST_POSTGRES_URL;

export const bytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
export const pool = (i: number): string => `pool1${i.toString().padStart(8, '0')}`;
export const I64_MAX = (1n << 63n) - 1n;

export async function expectStoreError(promise: Promise<unknown>, code: AggregatorStoreError['code']): Promise<void> {
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

function postgresBackend(serverUrl: string, suite: string): Backend {
  const database = `aggregator_${suite.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_${process.pid}`;
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  let created = false;
  return {
    fresh: async () => {
      if (!created) {
        await onPostgres(serverUrl, `DROP DATABASE IF EXISTS ${database}`);
        await onPostgres(serverUrl, `CREATE DATABASE ${database}`);
        created = true;
      }
      await onPostgres(url.href, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
      return url.href;
    },
    cleanup: async () => {
      if (created) await onPostgres(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

/** The store a test works on, opened on a fresh database before each test and closed after it. */
export interface StoreUnderTest {
  readonly url: string;
  readonly opened: OpenedAggregatorStore;
  readonly store: AggregatorStore;
}

/** `suite` on SQLite, then on PostgreSQL when MITHRIL_TEST_POSTGRES_URL is set. */
export function describeOnEachDialect(title: string, suite: (t: StoreUnderTest) => void): void {
  const run = (name: string, backend: () => Backend) =>
    describe(name, () => {
      let b: Backend;
      const state: { url?: string; opened?: OpenedAggregatorStore } = {};
      const t: StoreUnderTest = {
        get url() {
          return state.url!;
        },
        get opened() {
          return state.opened!;
        },
        get store() {
          return state.opened!.store;
        },
      };
      beforeAll(() => {
        b = backend();
      });
      beforeEach(async () => {
        state.url = await b.fresh();
        state.opened = await openAggregatorStore({ url: state.url });
      });
      afterEach(async () => {
        await state.opened?.close();
      });
      afterAll(async () => {
        await b.cleanup();
      });
      suite(t);
    });
  run(`${title} on SQLite`, sqliteBackend);
  if (POSTGRES_URL) run(`${title} on PostgreSQL`, () => postgresBackend(POSTGRES_URL, title));
  else describe.skip(`${title} on PostgreSQL (set MITHRIL_TEST_POSTGRES_URL)`, () => it('runs the same suite', () => {}));
}
