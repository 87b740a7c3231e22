export { SignerStoreError, type SignerStoreErrorCode } from './errors.js';
export type * from './types.js';
export { HANDLED_STATUSES } from './types.js';
export { PrismaSignerStore, beaconText } from './prisma-store.js';
export { openSignerStore, type OpenSignerStoreOptions, type OpenedSignerStore } from './open.js';
export {
  MIGRATIONS_DIR,
  MIGRATIONS_TABLE,
  migrationFiles,
  runMigrations,
  storePath,
  type MigrationFile,
  type MigrationReport,
  type AppliedMigration,
} from './setup.js';
