#!/usr/bin/env node
/**
 * Regenerates the TypeScript protobuf contracts from /proto with `buf generate`
 * (template: buf.gen.yaml, local ts-proto plugin only, no network).
 *
 *   node scripts/generate.mjs          wipe libs/proto/src/gen, then regenerate it
 *   node scripts/generate.mjs --check  regenerate into a temporary directory and
 *                                      compare with the committed libs/proto/src/gen;
 *                                      exits 1 listing the differing files if stale
 *
 * Generated files are committed and must never be edited by hand. ts-proto's own header names the
 * plugin; each file gets a first line naming the command that writes it (HEADER), in both modes, so
 * the check compares like with like.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Must match `out` in buf.gen.yaml (relative to the repo root). */
const OUT_DIR = join('libs', 'proto', 'src', 'gen');
/** The npm package's bin is a Node script: run it with this Node, which works on every OS. */
const BUF = join(ROOT, 'node_modules', '@bufbuild', 'buf', 'bin', 'buf');

const USAGE = 'usage: node scripts/generate.mjs [--check]';
/** The first line of every generated file. */
const HEADER = '// Generated from proto/ by `npm run generate` (scripts/generate.mjs: buf with the ts-proto plugin). Do not edit.\n';

function fail(message) {
  console.error(`generate: ${message}`);
  process.exit(1);
}

/** Runs `buf generate`; `outputBase` is prepended to the template's `out` directory. */
function bufGenerate(outputBase) {
  if (!existsSync(BUF)) fail(`buf not found at ${BUF}; run \`npm install\` first`);
  const args = [BUF, 'generate', '--template', 'buf.gen.yaml'];
  if (outputBase !== undefined) args.push('--output', outputBase);
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) fail(`could not run buf: ${result.error.message}`);
  if (result.status !== 0) {
    fail(`buf generate failed (${result.signal ? `signal ${result.signal}` : `exit code ${result.status}`})`);
  }
}

/** Puts HEADER first in every file under `dir`. */
function addHeaders(dir) {
  for (const file of listFiles(dir)) writeFileSync(join(dir, file), HEADER + readFileSync(join(dir, file), 'utf8'));
}

/** Relative paths ('/'-separated, sorted) of all files under `dir`; empty if it does not exist. */
function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) =>
      relative(dir, join(entry.parentPath ?? entry.path, entry.name))
        .split(sep)
        .join('/'),
    )
    .sort();
}

/** Differences between the freshly generated tree and the committed one, as printable lines. */
function compareTrees(expectedDir, actualDir) {
  const expected = new Set(listFiles(expectedDir));
  const actual = new Set(listFiles(actualDir));
  const differences = [];
  for (const file of [...new Set([...expected, ...actual])].sort()) {
    const shown = `${OUT_DIR.split(sep).join('/')}/${file}`;
    if (!actual.has(file)) differences.push(`  missing (not committed): ${shown}`);
    else if (!expected.has(file)) differences.push(`  stale (no longer generated): ${shown}`);
    else if (!readFileSync(join(expectedDir, file)).equals(readFileSync(join(actualDir, file)))) {
      differences.push(`  out of date: ${shown}`);
    }
  }
  return differences;
}

function generate() {
  // Wipe first so that generated files for deleted/renamed protos disappear.
  rmSync(join(ROOT, OUT_DIR), { recursive: true, force: true });
  bufGenerate();
  addHeaders(join(ROOT, OUT_DIR));
  console.log(`generate: wrote ${listFiles(join(ROOT, OUT_DIR)).length} file(s) to ${OUT_DIR}`);
}

function check() {
  const tmp = mkdtempSync(join(tmpdir(), 'mithril-proto-gen-'));
  try {
    bufGenerate(tmp);
    addHeaders(join(tmp, OUT_DIR));
    const differences = compareTrees(join(tmp, OUT_DIR), join(ROOT, OUT_DIR));
    if (differences.length > 0) {
      console.error(
        `generate --check: committed generated code in ${OUT_DIR} is not up to date with /proto:\n` +
          `${differences.join('\n')}\n` +
          'Run `npm run generate` and commit the result.',
      );
      process.exitCode = 1;
      return;
    }
    console.log(`generate --check: ${OUT_DIR} is up to date.`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (args.length === 0) generate();
else if (args.length === 1 && args[0] === '--check') check();
else fail(`unexpected arguments: ${args.join(' ')}\n${USAGE}`);
