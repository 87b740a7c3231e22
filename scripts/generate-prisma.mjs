#!/usr/bin/env node
// Generates the Prisma client(s) of a package's store from <package>/src/store/prisma/schema.prisma
// (written for sqlite) into <package>/src/store/generated:
//   node scripts/generate-prisma.mjs <package dir>                       one sqlite client, in generated/
//   node scripts/generate-prisma.mjs <package dir> --dialects sqlite,postgresql
//                                                                        one client per dialect, in generated/<dialect>
// (the PostgreSQL variant is the same model with `provider = "postgresql"`).
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
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { check: { type: 'boolean', default: false }, dialects: { type: 'string' } } });
if (positionals.length !== 1) {
  console.error('usage: node scripts/generate-prisma.mjs <package dir> [--dialects sqlite,postgresql] [--check]');
  process.exit(2);
}
const packageDir = resolve(positionals[0]);
const packageName = basename(packageDir);
const storeDir = join(packageDir, 'src', 'store');
const schemaPath = join(storeDir, 'prisma', 'schema.prisma');
const generatedDir = join(storeDir, 'generated');
const dialects = values.dialects === undefined ? undefined : values.dialects.split(',');

const require = createRequire(join(packageDir, 'package.json'));
const prismaCli = join(dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};

const work = mkdtempSync(join(tmpdir(), `${packageName}-prisma-`));
try {
  const source = readFileSync(schemaPath, 'utf8');
  if (!/provider\s*=\s*"sqlite"/.test(source)) throw new Error(`${schemaPath}: expected the sqlite datasource provider`);
  const outRoot = join(work, 'out');
  for (const dialect of dialects ?? ['sqlite']) {
    const out = dialects === undefined ? outRoot : join(outRoot, dialect);
    // Only the values change: the schema text is embedded in the client, its layout must stay.
    const schema = source.replace(/(output\s*=\s*)"[^"]*"/, (_, prefix) => `${prefix}${JSON.stringify(out)}`).replace(/provider\s*=\s*"sqlite"/, `provider = "${dialect}"`);
    const derived = join(work, `schema.${dialect}.prisma`);
    writeFileSync(derived, schema);
    writeFileSync(join(work, `prisma.config.${dialect}.mjs`), `export default { schema: ${JSON.stringify(derived)} };\n`);
    const result = spawnSync(process.execPath, [prismaCli, 'generate', '--config', join(work, `prisma.config.${dialect}.mjs`)], {
      cwd: packageDir,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) throw new Error(`prisma generate (${packageName}, ${dialect}) failed`);
  }
  // The inline schema embedded in the client carries the absolute temporary output path: make it stable.
  for (const file of walk(outRoot)) {
    const text = readFileSync(file, 'utf8');
    const stable = text.split(JSON.stringify(outRoot).slice(1, -1)).join('<generated>').split(outRoot).join('<generated>');
    if (stable !== text) writeFileSync(file, stable);
  }
  if (values.check) {
    const differences = compare(outRoot, generatedDir);
    if (differences.length > 0) {
      console.error(`generated Prisma client of ${packageName} is out of date (run npm run generate:prisma -w services/${packageName}):\n  ${differences.join('\n  ')}`);
      process.exit(1);
    }
    console.log(`generated Prisma client of ${packageName} is up to date`);
  } else {
    rmSync(generatedDir, { recursive: true, force: true });
    cpSync(outRoot, generatedDir, { recursive: true });
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
