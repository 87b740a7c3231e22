export type * from './types.js';
export { COMPRESSIONS } from './types.js';
export { PrismaSnapshotStore, PrismaDigestCache } from './prisma-store.js';
export { openSnapshotStore, type OpenedSnapshotStore } from './open.js';
export { MIGRATIONS_DIR, MIGRATIONS_TABLE, migrationFiles, runMigrations, storePath, type MigrationFile } from './setup.js';
