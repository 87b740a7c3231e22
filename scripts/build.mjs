#!/usr/bin/env node
/**
 * The compiled build (contract C1): `npm run build` writes, for every deployable entry of the table
 * below, a self-contained `dist/<name>/` that plain `node dist/<name>/main.mjs` runs (no tsx, no
 * workspace, no root node_modules):
 *
 *   dist/<name>/main.mjs (+ other entries)  esbuild bundles (platform node, ESM, target node20), each
 *                                           with a source map; code only reached by a dynamic
 *                                           import() stays in a chunk-*.mjs beside them and loads
 *                                           only when used (the Prisma runtime of the dialect not in
 *                                           use is never read)
 *   dist/<name>/node_modules/               the packages that cannot be bundled (EXTERNAL below) with
 *                                           their runtime dependency closure, resolved as node does
 *   dist/<name>/migrations/                 the store's SQL migrations (read from disk next to the code)
 *   dist/<name>/package.json                "type": "module", the version
 *
 *   node scripts/build.mjs [name ...]       build every entry (or only those named)
 *
 * An entry whose source does not exist yet is skipped with a warning (the devnet chain's process is
 * written on another branch); a named one that does not exist is an error. Stack traces point into
 * the bundles; `NODE_OPTIONS=--enable-source-maps` maps them back to the TypeScript (not on by
 * default: it keeps every map in memory).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');

/**
 * What is built: dist name, workspace package, entries (output name → source in the package) and
 * the store migrations folder the code reads at run time (MIGRATIONS_DIR is `<bundle dir>/migrations`
 * once bundled, since it is computed from import.meta.url).
 */
export const TARGETS = [
  {
    name: 'aggregator',
    pkg: 'services/aggregator',
    entries: { main: 'src/main.ts', genesis: 'src/genesis-cli.ts' },
    migrations: 'src/store/migrations',
  },
  { name: 'signer', pkg: 'services/signer', entries: { main: 'src/main.ts' }, migrations: 'src/store/migrations' },
  { name: 'signer-gateway', pkg: 'services/signer-gateway', entries: { main: 'src/main.ts' } },
  { name: 'certifier', pkg: 'services/certifier', entries: { main: 'src/main.ts' }, migrations: 'src/store/migrations' },
  { name: 'snapshotter', pkg: 'services/snapshotter', entries: { main: 'src/main.ts' }, migrations: 'src/store/migrations' },
  // The explorer's static files go beside main.mjs (`explorer/`), where the gateway looks for them first.
  { name: 'rest-gateway', pkg: 'services/rest-gateway', entries: { main: 'src/main.ts' }, explorer: true },
  { name: 'client', pkg: 'cli', entries: { main: 'src/main.ts' } },
  { name: 'devnet-chain', pkg: 'devnet', entries: { main: 'src/chain/main.ts' } },
];

/**
 * Packages left out of the bundles and copied into dist/<name>/node_modules instead (only when a
 * bundle imports them), each with why it cannot be bundled.
 */
const EXTERNAL = {
  // Native addons: a compiled .node file loaded by path from the package's own build/ folder.
  'better-sqlite3': 'native addon',
  'zstd-napi': 'native addon',
  // Native addon (the BLS backend of libs/stm's Node-only entry): requires its platform package's .node file.
  '@chainsafe/blst': 'native addon',
  // Loads health/v1/health.proto from `${__dirname}/../../proto` at import time.
  'grpc-health-check': 'reads its .proto file from its package folder',
  // Loads its WebAssembly file with fs from its package folder (the devnet chain's transactions).
  '@emurgo/cardano-serialization-lib-nodejs': 'reads its .wasm file from its package folder',
};
/**
 * Imported behind a guard by a bundled package and never installed here: pg's optional libpq
 * binding (required only when a caller asks for `pg.native`), ws's optional native speed-ups
 * (required in a try/catch; ws falls back to JavaScript). Left unresolved; not copied.
 */
const ABSENT = ['pg-native', 'bufferutil', 'utf-8-validate'];
/**
 * Dependencies an addon needs to be compiled or installed, not to be loaded (its .node file is
 * already built): not copied.
 */
const INSTALL_ONLY = new Set(['prebuild-install', 'node-addon-api', 'node-gyp', 'nan']);

/** Makes CommonJS code bundled into ES modules work: `require` of node builtins and externals. */
const BANNER = "import { createRequire as __mithrilCreateRequire } from 'node:module';\nconst require = __mithrilCreateRequire(import.meta.url);";

const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** The folder of package `name` as node finds it from `fromDir` (node_modules lookup, symlinks resolved), or undefined. */
function findPackage(name, fromDir) {
  const paths = createRequire(join(fromDir, 'noop.js')).resolve.paths(name) ?? [];
  for (const base of paths) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return realpathSync(dir);
  }
  return undefined;
}

/**
 * Copies `name` (found from `fromDir`) and its runtime dependencies into `nodeModules`, nesting a
 * package under its dependent when another version of the same name already sits at the top.
 * `placed` maps a destination folder to the source it holds. Returns the bytes copied.
 */
function copyClosure(name, fromDir, nodeModules, placed, optional = false) {
  const source = findPackage(name, fromDir);
  if (source === undefined) {
    if (optional) return;
    throw new Error(`cannot find package ${name} from ${relative(ROOT, fromDir) || '.'}`);
  }
  let dest = join(nodeModules, name);
  if (placed.has(dest) && placed.get(dest) !== source) {
    // Another version is hoisted: this one goes under the package that needs it. (fromDir is a source folder, so its
    // destination is looked up by source.)
    const parentDest = [...placed].find(([, src]) => src === fromDir)?.[0];
    if (parentDest === undefined) throw new Error(`two versions of ${name} are needed at the top of ${nodeModules}`);
    dest = join(parentDest, 'node_modules', name);
  }
  if (placed.get(dest) === source) return;
  placed.set(dest, source);
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
  const native = existsSync(join(source, 'binding.gyp'));
  cpSync(source, dest, {
    recursive: true,
    filter: (path) => {
      const rel = relative(source, path);
      if (rel === '') return true;
      const [top, ...rest] = rel.split('/');
      if (top === 'node_modules') return false; // dependencies are placed by this function
      if (!native) return true;
      // Of a native addon, only the compiled binary is needed from build/; its C/C++ sources are not.
      if (top === 'deps' || top === 'src') return false;
      if (top === 'build' && rest.length > 0) return statSync(path).isDirectory() ? !/^obj/.test(rest.at(-1)) : path.endsWith('.node') && !/test/.test(path);
      return true;
    },
  });
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    if (INSTALL_ONLY.has(dep) || dep.startsWith('@types/')) continue;
    copyClosure(dep, source, nodeModules, placed);
  }
  for (const dep of Object.keys(manifest.optionalDependencies ?? {})) copyClosure(dep, source, nodeModules, placed, true);
}

function folderSize(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? folderSize(path) : statSync(path).size;
  }
  return total;
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Builds one target into dist/<name>; returns what it wrote, or undefined when its source is missing. */
export async function buildTarget(target) {
  const pkgDir = join(ROOT, target.pkg);
  const missing = Object.values(target.entries).filter((entry) => !existsSync(join(pkgDir, entry)));
  if (missing.length > 0) {
    console.warn(`build: skipping ${target.name}: ${missing.map((entry) => join(target.pkg, entry)).join(', ')} does not exist (yet)`);
    return undefined;
  }
  const out = join(DIST, target.name);
  rmSync(out, { recursive: true, force: true });
  const started = performance.now();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(target.entries).map(([name, entry]) => [name, join(pkgDir, entry)])),
    outdir: out,
    outExtension: { '.js': '.mjs' },
    // Chunks sit beside the entries: code that finds its files from import.meta.url (the stores'
    // migrations) must see the same folder whichever chunk it lands in.
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    banner: { js: BANNER },
    external: [...Object.keys(EXTERNAL), ...ABSENT],
    metafile: true,
    logLevel: 'warning',
    tsconfig: join(ROOT, 'tsconfig.base.json'),
  });
  // The sources' `#!/usr/bin/env -S npx tsx` line is kept by esbuild: the bundles need node only.
  // (Replaced by a line, so the source maps' line numbers stay right.)
  for (const entry of Object.keys(target.entries)) {
    const file = join(out, `${entry}.mjs`);
    const text = readFileSync(file, 'utf8');
    if (text.startsWith('#!')) writeFileSync(file, `#!/usr/bin/env node${text.slice(text.indexOf('\n'))}`);
  }
  const imported = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const { path, external } of output.imports) {
      if (!external || path.startsWith('node:')) continue;
      const name = path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0];
      if (name in EXTERNAL) imported.add(name);
      else if (!ABSENT.includes(name) && !isBuiltin(name)) throw new Error(`${target.name}: unexpected external import ${path}`);
    }
  }
  const placed = new Map();
  for (const name of [...imported].sort()) copyClosure(name, pkgDir, join(out, 'node_modules'), placed);
  if (target.migrations) cpSync(join(pkgDir, target.migrations), join(out, 'migrations'), { recursive: true });
  if (target.explorer) {
    execFileSync('npm', ['run', 'build', '--silent', '-w', 'explorer'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    cpSync(join(ROOT, 'explorer', 'dist'), join(out, 'explorer'), { recursive: true });
  }
  writeFileSync(
    join(out, 'package.json'),
    `${JSON.stringify({ name: `mithril-${target.name}`, version: rootPackage.version, private: true, type: 'module' }, null, 2)}\n`,
  );
  const seconds = (performance.now() - started) / 1000;
  return { name: target.name, seconds, bytes: folderSize(out), external: [...imported].sort(), copied: placed.size };
}

const BUILTINS = new Set(createRequire(import.meta.url)('node:module').builtinModules);
function isBuiltin(name) {
  return BUILTINS.has(name);
}

async function main(names) {
  const unknown = names.filter((name) => !TARGETS.some((target) => target.name === name));
  if (unknown.length > 0) {
    console.error(`build: unknown entry ${unknown.join(', ')} (known: ${TARGETS.map((t) => t.name).join(', ')})`);
    process.exit(2);
  }
  const targets = names.length === 0 ? TARGETS : TARGETS.filter((target) => names.includes(target.name));
  mkdirSync(DIST, { recursive: true });
  // Concurrently: esbuild serves every build from one process, and the copies are small.
  const results = await Promise.all(targets.map((target) => buildTarget(target)));
  for (const built of results) {
    if (built === undefined) continue;
    const copied = built.copied > 0 ? `, node_modules: ${built.external.join(', ')} (${built.copied} packages)` : '';
    console.log(`build: dist/${built.name} ${mb(built.bytes)} in ${built.seconds.toFixed(1)} s${copied}`);
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
