#!/usr/bin/env node
/**
 * Checks the protobuf wire contracts in /proto (offline: buf ships inside its npm package).
 *
 *   node scripts/check-contracts.mjs                 run every check below, exit 1 on the first failure
 *   node scripts/check-contracts.mjs --update-image  lint, refuse breaking changes, then rewrite the
 *                                                    committed contract image from /proto
 *
 * Checks, in order:
 *   1. `buf lint`            style and documentation rules of buf.yaml (STANDARD + COMMENTS);
 *   2. `buf breaking`        no breaking change (buf.yaml: FILE rules) against the committed image
 *                            proto/images/mithril.binpb, the contract as last released;
 *   3. image freshness       the committed image equals a fresh build of /proto, so every change is
 *                            checked against the previous one (after a compatible change, run
 *                            --update-image deliberately and commit the image with the change);
 *   4. generated code        `node scripts/generate.mjs --check` (libs/proto/src/gen is up to date).
 *
 * A breaking change never goes into an existing package: it goes into a new package version
 * (proto/mithril/v2), see golden/README.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The npm package's bin is a Node script: run it with this Node, which works on every OS. */
const BUF = join(ROOT, 'node_modules', '@bufbuild', 'buf', 'bin', 'buf');
/** The committed contract image (a Buf image: a FileDescriptorSet of every file of the module). */
export const IMAGE = join(ROOT, 'proto', 'images', 'mithril.binpb');
/**
 * Source info (comments, line numbers) is left out of the image: it plays no part in compatibility,
 * and keeping it out means editing a comment does not make the image stale.
 */
const BUILD_FLAGS = ['--exclude-source-info'];

const USAGE = 'usage: node scripts/check-contracts.mjs [--update-image]';
/** A path for messages: relative to the repository root when inside it. */
const shown = (path) => {
  const rel = relative(ROOT, path);
  return rel.startsWith('..') ? path : rel.split('\\').join('/');
};

function fail(message) {
  console.error(`\ncheck-contracts: FAILED: ${message}`);
  process.exit(1);
}

/** Runs a Node script (buf or one of ours) from the repository root; returns its exit status. */
function run(label, args) {
  console.log(`check-contracts: ${label}`);
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) fail(`could not run ${label}: ${result.error.message}`);
  return result.status ?? 1;
}

function requireBuf() {
  if (!existsSync(BUF)) fail(`buf not found at ${BUF}; run \`npm install\` first`);
}

function lint() {
  if (run('buf lint', [BUF, 'lint']) !== 0) {
    fail('`buf lint` reported problems (listed above). Fix the .proto files; every element needs a doc comment.');
  }
}

function breaking() {
  if (!existsSync(IMAGE)) {
    fail(`no committed contract image at ${shown(IMAGE)}. Create it with \`node scripts/check-contracts.mjs --update-image\` and commit it.`);
  }
  if (run(`buf breaking --against ${shown(IMAGE)}`, [BUF, 'breaking', '--against', shown(IMAGE)]) !== 0) {
    fail(
      `breaking change(s) against the committed contract ${shown(IMAGE)} (listed above).\n` +
        'A released package only grows: add fields, messages, enum values or RPCs, never renumber, retype,\n' +
        'rename or remove. For a breaking change, create a new package version (proto/mithril/v2) and keep\n' +
        'serving v1 (see golden/README.md).',
    );
  }
}

/** Builds the image of /proto into `path`. */
function build(path) {
  if (run(`buf build -o ${shown(path)}`, [BUF, 'build', ...BUILD_FLAGS, '-o', path]) !== 0) {
    fail('`buf build` failed (errors above).');
  }
}

function imageIsFresh() {
  const tmp = mkdtempSync(join(tmpdir(), 'mithril-contract-image-'));
  try {
    const fresh = join(tmp, 'mithril.binpb');
    build(fresh);
    if (!readFileSync(fresh).equals(readFileSync(IMAGE))) {
      fail(
        `the committed contract image ${shown(IMAGE)} does not match /proto.\n` +
          'The change is compatible (buf breaking passed). Record it deliberately with\n' +
          '  node scripts/check-contracts.mjs --update-image\n' +
          'and commit the image together with the .proto change and its new goldens (npx tsx golden/record.ts).',
      );
    }
    console.log(`check-contracts: ${shown(IMAGE)} matches /proto`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function generatedCodeIsFresh() {
  if (run('node scripts/generate.mjs --check', [join(ROOT, 'scripts', 'generate.mjs'), '--check']) !== 0) {
    fail('generated code in libs/proto/src/gen is stale: run `npm run generate` and commit the result.');
  }
}

function updateImage() {
  lint();
  if (existsSync(IMAGE)) breaking();
  else console.log(`check-contracts: no image at ${shown(IMAGE)} yet; creating the first one`);
  mkdirSync(dirname(IMAGE), { recursive: true });
  const next = `${IMAGE}.next`;
  build(next);
  renameSync(next, IMAGE);
  console.log(`check-contracts: wrote ${shown(IMAGE)}; commit it with the change.`);
}

function checkAll() {
  lint();
  breaking();
  imageIsFresh();
  generatedCodeIsFresh();
  console.log('check-contracts: OK (lint, no breaking change, image up to date, generated code up to date)');
}

const args = process.argv.slice(2);
requireBuf();
if (args.length === 0) checkAll();
else if (args.length === 1 && args[0] === '--update-image') updateImage();
else fail(`unexpected arguments: ${args.join(' ')}\n${USAGE}`);
