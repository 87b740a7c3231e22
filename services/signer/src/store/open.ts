/**
 * Opens the signer store, migrating it first. The file is created readable by its owner only: it
 * holds secret keys.
 */
import { PrismaClient } from './generated/client.js';
import { PrismaSignerStore } from './prisma-store.js';
import { signerStoreSetup, storePath, type MigrationReport } from './setup.js';

export interface OpenSignerStoreOptions {
  /** A file path, or `file:PATH`, `sqlite:PATH`, `sqlite://PATH`. */
  readonly url: string;
  /** SQLite busy timeout in milliseconds (default 5000). */
  readonly busyTimeoutMs?: number;
}

export interface OpenedSignerStore {
  readonly store: PrismaSignerStore;
  /** What the start-up migration did. */
  readonly migrations: MigrationReport;
  close(): Promise<void>;
}

export async function openSignerStore(options: OpenSignerStoreOptions): Promise<OpenedSignerStore> {
  const { client, migrations } = await signerStoreSetup.openPrismaClient(
    { dialect: 'sqlite', path: storePath(options.url) },
    {
      clients: { sqlite: (adapter) => new PrismaClient({ adapter }) },
      busyTimeoutMs: options.busyTimeoutMs,
      // Owner-only: the file holds secret keys.
      fileMode: 0o600,
      prepare: (client) => client.$queryRawUnsafe('PRAGMA secure_delete = ON'),
    },
  );
  const store = new PrismaSignerStore(client);
  return { store, migrations, close: () => store.close() };
}
