/**
 * Import boundaries: the arrows of the house plan (ARCHITECTURE.md, "Rooms"), checked by
 * `npm run boundaries` in `npm test`. A violation fails with the rule's name.
 *
 * Package names (`@mithril-ts/<name>`) resolve through the workspace links in node_modules to the
 * package folders (every package exports `./src/index.ts`), so a rule on a folder also catches an
 * import by package name. Paths below are relative to the repository root:
 *   libs/<lib>/        pure libraries (libs/testkit: dev-only test support)
 *   services/kit/      what services share and clients must not carry
 *   services/<name>/   one service each
 *   cli/               the client
 *   devnet/            the simulated network and its launcher: may import anything
 *   explorer/          the web explorer: its pages import libs only; its browser tests run a devnet
 * A package's tests and benches (`test/`, `bench/`) follow the same arrows as its `src/`, plus
 * libs/testkit; nobody reaches into another package's `test/` or `bench/`.
 */

/** Every workspace package folder, as a regular expression group. */
const PACKAGE = '(libs/[^/]+|services/[^/]+|cli|devnet|explorer)';

/** Service test folders with a documented exception below (each allowed one more target, nothing else). */
const EXCEPTED_TEST_FOLDERS = ['^services/signer/test/', '^services/signer-gateway/test/'];

module.exports = {
  forbidden: [
    {
      name: 'libs-import-only-libs',
      comment: 'A lib (libs/*, libs/testkit included) is pure and below everything: it never imports a service, the service kit, the devnet or the client.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^(services|devnet|cli)/' },
    },
    {
      name: 'services-import-only-libs-and-kit',
      comment:
        'A service (src, tests, benches) imports libs and services/kit only, never another service (by path or package name). The kit itself imports libs only.',
      severity: 'error',
      from: { path: '^services/([^/]+)/', pathNot: EXCEPTED_TEST_FOLDERS },
      to: { path: '^(services|devnet|cli)/', pathNot: '^services/($1|kit)/' },
    },
    // Known exceptions, dev-only (declared as devDependencies), each a service's tests running a real peer rather than a
    // double; the same rule (same name) with one more allowed target for that folder alone.
    {
      name: 'services-import-only-libs-and-kit',
      comment:
        "Exception: the signer daemon's tests run against the devnet's simulated chain (pools with KES/opcert key material, the " +
        'cardano-cli files and immutable DB a node writes): the devnet is the one simulation of a Cardano node, and a copy in the ' +
        "signer's tests would drift from it.",
      severity: 'error',
      from: { path: '^services/(signer)/test/' },
      to: { path: '^(services|devnet|cli)/', pathNot: ['^services/($1|kit)/', '^devnet/src/'] },
    },
    {
      name: 'services-import-only-libs-and-kit',
      comment:
        "Exception: the signer gateway's registration tests have the real certifier certify registrations (a double would restate " +
        "the certifier's rules: KES period window, opcert counters, pool stake).",
      severity: 'error',
      from: { path: '^services/(signer-gateway)/test/' },
      to: { path: '^(services|devnet|cli)/', pathNot: ['^services/($1|kit)/', '^services/certifier/src/'] },
    },
    {
      name: 'cli-imports-only-libs',
      comment: 'The client is what a wallet carries: it imports libs only, never the service kit (OpenTelemetry, pino, databases), a service or the devnet.',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^(services|devnet)/' },
    },
    {
      name: 'explorer-imports-only-libs',
      comment:
        'The explorer runs in a browser: its pages (src/) and the bench page import libs only, never the service kit, a service or the devnet. ' +
        'Its browser tests (test/) start a devnet to point the browser at.',
      severity: 'error',
      from: { path: '^explorer/(src|bench)/' },
      to: { path: '^(services|devnet|cli)/' },
    },
    {
      name: 'golden-imports-only-libs',
      comment: 'The golden tests check that recorded bytes still decode: they import the protobuf contracts and codecs (libs) only.',
      severity: 'error',
      from: { path: '^golden/' },
      to: { path: '^(services|devnet|cli)/' },
    },
    {
      name: 'testkit-is-dev-only',
      comment: 'libs/testkit holds fixtures for tests and benches: no production file (src/ of any package) imports it.',
      severity: 'error',
      from: { path: `^${PACKAGE}/src/`, pathNot: ['^libs/testkit/', '^devnet/src/'] },
      to: { path: '^libs/testkit/' },
    },
    {
      name: 'testkit-is-dev-only',
      comment:
        "Exception: the devnet launcher is dev tooling and makes its local CA and service certificates with the tests' PKI " +
        'generator (libs/testkit/src/pki.ts, `@mithril-ts/testkit/pki`), and serves the Ogmios double of the tests fed by its ' +
        'chain (libs/testkit/src/ogmios-double.ts, `@mithril-ts/testkit/ogmios`), and uses nothing else of the testkit.',
      severity: 'error',
      from: { path: '^devnet/src/' },
      to: { path: '^libs/testkit/', pathNot: '^libs/testkit/src/(pki|ogmios-double)\\.ts$' },
    },
    {
      name: 'no-reaching-into-other-packages-tests',
      comment: "No package imports another package's test/ or bench/ folder: shared fixtures live in libs/testkit.",
      severity: 'error',
      from: { path: `^(${PACKAGE}|golden|scripts)/` },
      to: { path: `^${PACKAGE}/(test|bench)/`, pathNot: '^$1/' },
    },
    {
      name: 'production-does-not-import-tests',
      comment: "A package's src/ never imports its own test/ or bench/.",
      severity: 'error',
      from: { path: `^${PACKAGE}/src/` },
      to: { path: '^$1/(test|bench)/' },
    },
    {
      name: 'no-circular',
      comment: 'No module depends on itself through others: a cycle makes the load order (and the layering) a matter of luck.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a misspelled relative path or a package missing from node_modules).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: {
      // Generated trees and recorded goldens: not hand-written, not checked.
      path: ['^libs/proto/src/gen/', '^services/[^/]+/src/store/generated/', '^golden/mithril/'],
    },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    // Packages export `./src/index.ts` under the "exports" field, with no conditions.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    // Resolve through the workspace links (node_modules/@mithril-ts/x -> libs/x) to the real folders.
    preserveSymlinks: false,
    combinedDependencies: false,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
