/**
 * Dev-only fixtures shared by the tests of several packages (never a production dependency):
 * certified certificate chains built with real keys, pools with Cardano key material, seeds, and
 * the reading of a SQLite store's schema.prisma and SQL migrations that its drift test compares,
 * and databases of their own on the tests' PostgreSQL server.
 * The benches' shared helpers are in `@mithril-ts/testkit/bench`.
 */
export { seedOf } from './seed.js';
export { certifiedChain, type CertifiedChain, type ChainSetup, type Recording } from './certified-chain.js';
export { NETWORK, buildChain, schedule, stakeAt, type ChainFixture } from './chain-fixture.js';
export { CURRENT_SLOT, EPOCH, SLOTS_PER_KES_PERIOD, chainDirectory, testPool, type PoolRegistration, type TestPool } from './pools.js';
export { prismaModelColumns, sqlTableColumns } from './schema-drift.js';
export { createTestDatabase, onPostgres, type TestDatabase } from './postgres.js';
export { freePort } from './net.js';
export { createCertificateAuthority, writePemPair, type CertificateAuthority, type LeafOptions, type PemFiles, type PemPair } from './pki.js';
