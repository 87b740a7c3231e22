/**
 * Brings a store's PostgreSQL database up to date before the store's own client (Prisma's adapter
 * and its pool) connects: the migrations run on a short-lived connection of their own.
 */
import { postgresMigrationConnection, runMigrations, type MigrationFile, type MigrationReport } from './migrations.js';

export interface MigratePostgresDatabaseOptions {
  readonly files: readonly MigrationFile[];
  /** Who owns the database, in messages. */
  readonly application?: string;
}

/** Migration failures are StoreSetupError 'MIGRATION_FAILED'; connection errors are thrown as they are. */
export async function migratePostgresDatabase(connectionString: string, options: MigratePostgresDatabaseOptions): Promise<MigrationReport> {
  // Loaded on first use, like umzug: services without a PostgreSQL store do not pay for the driver.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await runMigrations(postgresMigrationConnection(client), options.files, { application: options.application });
  } finally {
    await client.end();
  }
}
