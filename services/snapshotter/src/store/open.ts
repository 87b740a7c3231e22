/** Opens the snapshotter store (one SQLite file), migrating it first. */
import { PrismaClient } from './generated/client.js';
import { PrismaSnapshotStore } from './prisma-store.js';
import { snapshotterStoreSetup, storePath } from './setup.js';

export interface OpenedSnapshotStore {
  readonly store: PrismaSnapshotStore;
  /** Migrations applied by this opening (empty when the database was up to date). */
  readonly migrationsApplied: readonly string[];
  close(): Promise<void>;
}

/** `url`: a path, or `file:PATH`, `sqlite:PATH`, `sqlite://PATH`. */
export async function openSnapshotStore(options: { readonly url: string; readonly busyTimeoutMs?: number }): Promise<OpenedSnapshotStore> {
  const { client, migrations } = await snapshotterStoreSetup.openPrismaClient(
    { dialect: 'sqlite', path: storePath(options.url) },
    { clients: { sqlite: (adapter) => new PrismaClient({ adapter }) }, busyTimeoutMs: options.busyTimeoutMs },
  );
  const store = new PrismaSnapshotStore(client);
  return { store, migrationsApplied: migrations.applied, close: () => store.close() };
}
