// knip: unused dependencies, unlisted dependencies and binaries, unresolved imports and unused files fail
// `npm run knip` (in `npm test`), and so does, in a second pass (`--production`: src entry points only), a
// runtime dependency that only tests or benches use (it belongs in devDependencies). Unused exports are
// reported by `npm run knip:exports` (warnings, not a failure: an export a package's tests or a later caller use
// is often deliberate).
import type { KnipConfig } from 'knip';

/** The store owners' Prisma clients are generated at install time into src/store/generated (gitignored, so knip
 * does not read them); only they import @prisma/client. */
const prismaStore = {
  entry: ['src/store/prisma/schema.prisma'],
  ignoreDependencies: ['@prisma/client'],
};

const config: KnipConfig = {
  // System commands (not npm packages): the client's and the REST gateway's tests make test certificates with openssl; the
  // image scripts (scripts/images) run podman and read node's libraries with ldd; scripts/check-build.mjs makes a throwaway
  // database with psql (from the PostgreSQL that scripts/start-test-postgres.sh installs).
  ignoreBinaries: ['openssl', 'podman', 'ldd', 'psql'],
  rules: {
    exports: 'warn',
    nsExports: 'warn',
    types: 'warn',
    nsTypes: 'warn',
    enumMembers: 'warn',
    namespaceMembers: 'warn',
    duplicates: 'warn',
  },
  workspaces: {
    '.': {
      entry: ['scripts/*.mjs', 'scripts/images/*.mjs', 'golden/test/**/*.test.ts'],
      // scripts/generate.mjs runs node_modules/@bufbuild/buf/bin/buf by path (no binary lookup knip can follow).
      ignoreDependencies: ['@bufbuild/buf'],
    },
    'libs/stm': { entry: ['examples/*.ts', 'bench/*.mjs'] },
    // The worker (`new Worker(new URL(...))`) and node:crypto's browser shim (a Vite alias), the bench's page and its Node
    // baseline (run by path); knip's Vite plugin finds index.html's script. `!`: production entries (the second pass).
    explorer: {
      entry: ['src/verify-worker.ts!', 'src/shims/node-crypto.ts!', 'bench/*.bench.ts', 'bench/verify-page.ts', 'bench/node-verify.ts', 'test/**/*.test.ts'],
    },
    // The stand-in cardano-cli its tests run as an executable (not imported).
    'services/kit': { entry: ['test/fixtures/*.mjs'] },
    'libs/protocol': { entry: ['bench/*.mjs'] },
    'services/aggregator': prismaStore,
    'services/certifier': prismaStore,
    'services/signer': prismaStore,
    'services/snapshotter': prismaStore,
  },
};

export default config;
