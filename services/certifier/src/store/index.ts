export { CertifierStoreError, type CertifierStoreErrorCode } from './errors.js';
export { MIGRATIONS_DIR, PrismaOpcertCounterStore, openCertifierStore, type OpenCertifierStoreOptions, type OpenedCertifierStore } from './counter-store.js';
export { importLegacyCounters, parseLegacyCounters } from './legacy-counters.js';
