#!/usr/bin/env node
/**
 * `npm run images`: one podman image per entry of the build, from the root Containerfile.
 *
 *   npm run build && npm run images                       base: docker.io/library/node:20-bookworm-slim (pulled once)
 *   npm run images -- --local-base                        base: localhost/mithril-ts/node-base:20, made first from
 *                                                         this machine's node (offline machines, CI)
 *   npm run images -- --base-image <ref>                  any Node 20 image (also MITHRIL_BASE_IMAGE=<ref>)
 *   npm run images -- certifier aggregator                only these
 *
 * Images are tagged localhost/mithril-ts/<name>:<version of the root package.json>. The build
 * output must exist (`npm run build` writes dist/<name>/): this script never builds it, so what
 * is in an image is exactly what was built and checked. Prints each image's size and build time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE_NAMES, LOCAL_BASE_IMAGE, PUBLIC_BASE_IMAGE, ROOT, imageName, podman, version } from './podman.mjs';
import { runtimeEnvironment } from './runtime-settings.mjs';

const USAGE = `usage: npm run images -- [--local-base | --base-image <ref>] [name …]
  names: ${IMAGE_NAMES.join(', ')}
  MITHRIL_BASE_IMAGE=<ref> sets the base too (--local-base and --base-image win over it)`;

function parseArgs(argv) {
  let base = process.env.MITHRIL_BASE_IMAGE || PUBLIC_BASE_IMAGE;
  const names = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--local-base') base = LOCAL_BASE_IMAGE;
    else if (arg === '--base-image' && argv[i + 1]) base = argv[++i];
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (IMAGE_NAMES.includes(arg)) names.push(arg);
    else fail(`unknown argument "${arg}"\n${USAGE}`, 2);
  }
  return { base, names: names.length > 0 ? names : IMAGE_NAMES };
}

function fail(message, code = 1) {
  console.error(`images: ${message}`);
  process.exit(code);
}

const megabytes = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function revision() {
  const git = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  return git.status === 0 ? git.stdout.trim() : 'unknown';
}

function main() {
  const { base, names } = parseArgs(process.argv.slice(2));
  const missing = names.filter((name) => !existsSync(join(ROOT, 'dist', name, 'main.mjs')));
  if (missing.length > 0) fail(`no build output for ${missing.map((name) => `dist/${name}/main.mjs`).join(', ')}: run \`npm run build\` first`);

  const started = Date.now();
  if (base === LOCAL_BASE_IMAGE) {
    const made = spawnSync(process.execPath, [join(ROOT, 'scripts', 'images', 'make-base.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (made.status !== 0) fail('the local base image could not be made');
  }
  const tag = version();
  const common = [
    '--build-arg',
    `BASE_IMAGE=${base}`,
    // Labels given here, not from build arguments: see the Containerfile's last step.
    '--label',
    `org.opencontainers.image.version=${tag}`,
    '--label',
    `org.opencontainers.image.revision=${revision()}`,
    '--label',
    `org.opencontainers.image.created=${new Date().toISOString()}`,
  ];
  const rows = [];
  for (const name of names) {
    const image = imageName(name, tag);
    const begin = Date.now();
    console.log(`images: building ${image} on ${base}`);
    try {
      // The process settings (runtime-settings.mjs) become the image's environment.
      const runtime = Object.entries(runtimeEnvironment(name)).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]);
      podman(['build', '--quiet', '--file', join(ROOT, 'Containerfile'), '--tag', image, '--build-arg', `SERVICE=${name}`, ...runtime, ...common, ROOT]);
    } catch (error) {
      fail(`${image}: ${error.message}`);
    }
    const buildMs = Date.now() - begin;
    const size = Number(podman(['image', 'inspect', '--format', '{{.Size}}', image]).stdout.trim());
    rows.push({ image, size, buildMs });
  }

  const width = Math.max(...rows.map((row) => row.image.length));
  console.log(`\n${'image'.padEnd(width)}  ${'size'.padStart(9)}  ${'build'.padStart(7)}`);
  for (const row of rows) console.log(`${row.image.padEnd(width)}  ${megabytes(row.size).padStart(9)}  ${seconds(row.buildMs).padStart(7)}`);
  console.log(`${rows.length} images on ${base} in ${seconds(Date.now() - started)}`);
}

main();
