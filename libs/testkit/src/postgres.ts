/**
 * Databases of their own on the throwaway PostgreSQL server of the tests (MITHRIL_TEST_POSTGRES_URL,
 * from `bash scripts/start-test-postgres.sh`): jest runs test files in parallel, and one file's
 * schema resets must not reach another's tables.
 */
import pg from 'pg';

/** Runs `sql` on a connection of its own (CREATE / DROP DATABASE cannot run in a pool's transaction). */
export async function onPostgres(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database `name` on the server of `serverUrl` (one left over by an earlier run is dropped first). */
export async function createTestDatabase(serverUrl: string, name: string): Promise<TestDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`test database name ${name} is not a plain identifier`);
  await onPostgres(serverUrl, `DROP DATABASE IF EXISTS ${name}`);
  await onPostgres(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => onPostgres(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
