#!/usr/bin/env node
// Generates the Prisma client of the signer store from src/store/prisma/schema.prisma into
// src/store/generated (provider sqlite, used with @prisma/adapter-better-sqlite3).
// The generated code is committed (so `npm ci && npm test` needs no install script) and is never
// edited by hand; `--check` regenerates into a temporary folder and fails if the committed code
// differs (drift between schema.prisma and generated/).
//
// `prisma generate` only checks that a native schema engine binary exists (it would otherwise
// try to download one from a host unreachable here); the Rust-free `prisma-client` generator
// never runs it. Pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file lets it finish offline.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const storeDir = join(packageDir, 'src', 'store');
const schemaPath = join(storeDir, 'prisma', 'schema.prisma');
const generatedDir = join(storeDir, 'generated');
const check = process.argv.includes('--check');

const require = createRequire(import.meta.url);
const prismaCli = join(dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};

const work = mkdtempSync(join(tmpdir(), 'signer-prisma-'));
try {
  const outDir = join(work, 'out');
  const schema = readFileSync(schemaPath, 'utf8').replace(/output\s*=\s*"[^"]*"/, `output              = ${JSON.stringify(outDir)}`);
  const derived = join(work, 'schema.prisma');
  writeFileSync(derived, schema);
  writeFileSync(join(work, 'prisma.config.mjs'), `export default { schema: ${JSON.stringify(derived)} };\n`);
  const result = spawnSync(process.execPath, [prismaCli, 'generate', '--config', join(work, 'prisma.config.mjs')], {
    cwd: packageDir,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error('prisma generate failed');
  // The inline schema embedded in the client carries the absolute temporary output path: make it stable.
  for (const file of walk(outDir)) {
    const text = readFileSync(file, 'utf8');
    const stable = text.split(JSON.stringify(outDir).slice(1, -1)).join('<generated>').split(outDir).join('<generated>');
    if (stable !== text) writeFileSync(file, stable);
  }
  if (check) {
    const differences = compare(outDir, generatedDir);
    if (differences.length > 0) {
      console.error(`generated Prisma client of the signer is out of date (run npm run generate:prisma -w services/signer):\n  ${differences.join('\n  ')}`);
      process.exit(1);
    }
    console.log('generated Prisma client of the signer is up to date');
  } else {
    rmSync(generatedDir, { recursive: true, force: true });
    cpSync(outDir, generatedDir, { recursive: true });
    console.log(`wrote ${relative(process.cwd(), generatedDir)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function compare(expectedRoot, actualRoot) {
  const rel = (root) => new Set(safeWalk(root).map((f) => relative(root, f)));
  const expected = rel(expectedRoot);
  const actual = rel(actualRoot);
  const out = [];
  for (const f of expected) {
    if (!actual.has(f)) out.push(`missing ${f}`);
    else if (readFileSync(join(expectedRoot, f), 'utf8') !== readFileSync(join(actualRoot, f), 'utf8')) out.push(`differs ${f}`);
  }
  for (const f of actual) if (!expected.has(f)) out.push(`extra ${f}`);
  return out;
}

function safeWalk(dir) {
  try {
    return walk(dir);
  } catch {
    return [];
  }
}
