#!/usr/bin/env node
/**
 * Makes the local base image `localhost/mithril-ts/node-base:20` FROM scratch, for machines that
 * cannot pull `docker.io/library/node:20-bookworm-slim` (offline machines, CI here):
 *
 *   node scripts/images/make-base.mjs [--tag <name>]
 *
 * The image holds only what `node` needs to run: this machine's `node` binary (as
 * /usr/local/bin/node, where the official image has it), the shared libraries `ldd` lists for it
 * and the dynamic loader, /etc/passwd and /etc/group with root and the services' user
 * (uid/gid 10001), /etc/nsswitch.conf, the public root CA bundle, and /tmp. No shell, no package
 * manager, no other binary: a compromised service finds nothing to run.
 *
 * Node must be 20 (the tag says so) and dynamically linked against glibc only (ldd must succeed).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE_USER_ID, LOCAL_BASE_IMAGE, podman } from './podman.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const USAGE = 'usage: node scripts/images/make-base.mjs [--tag <name>]';

/**
 * Public roots only: the Mozilla set Debian's ca-certificates ships. The machine's own bundle
 * (/etc/ssl/certs/ca-certificates.crt) may also hold local or TLS-intercepting CAs added by its
 * administrator; an image must not carry those to every cluster it runs in. A deployment that
 * needs a private CA adds it with NODE_EXTRA_CA_CERTS (or the services' tlsCaFile).
 */
const MOZILLA_ROOTS = '/usr/share/ca-certificates/mozilla';
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

function parseArgs(argv) {
  let tag = LOCAL_BASE_IMAGE;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--tag' && argv[i + 1]) tag = argv[++i];
    else if (argv[i] === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`make-base: unknown argument ${argv[i]}\n${USAGE}`);
      process.exit(2);
    }
  }
  return { tag };
}

/** The libraries the binary loads (absolute paths as the loader resolves them), the loader included. */
function sharedLibraries(binary) {
  const ldd = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (ldd.status !== 0) throw new Error(`ldd ${binary} failed (a statically linked or foreign binary?): ${ldd.stderr || ldd.stdout}`);
  const paths = [];
  for (const line of ldd.stdout.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"; the vDSO has no file.
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (match) paths.push(match[1]);
    else if (/not found/.test(line)) throw new Error(`ldd ${binary}: ${line.trim()}`);
  }
  if (!paths.some((path) => /\/ld-linux[^/]*\.so/.test(path))) throw new Error(`ldd ${binary}: no dynamic loader listed`);
  return paths;
}

/** Copies the file a path resolves to (symlinks followed) to the same path under root, keeping its mode. */
function copyInto(root, path, target = path) {
  const destination = join(root, target);
  mkdirSync(dirname(destination), { recursive: true });
  copyFileSync(realpathSync(path), destination);
}

function caBundle() {
  if (existsSync(MOZILLA_ROOTS)) {
    const files = readdirSync(MOZILLA_ROOTS)
      .filter((name) => name.endsWith('.crt'))
      .sort();
    if (files.length > 0) return files.map((name) => readFileSync(join(MOZILLA_ROOTS, name), 'utf8').trim() + '\n').join('');
  }
  if (existsSync(SYSTEM_BUNDLE)) {
    console.warn(`make-base: ${MOZILLA_ROOTS} not found, using ${SYSTEM_BUNDLE} (it may hold this machine's own CAs)`);
    return readFileSync(SYSTEM_BUNDLE, 'utf8');
  }
  throw new Error(`no CA certificates: install Debian's ca-certificates (${MOZILLA_ROOTS})`);
}

function main() {
  const { tag } = parseArgs(process.argv.slice(2));
  const node = process.execPath;
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (!version.startsWith('v20.')) throw new Error(`node ${version} at ${node}: the base is tagged 20 and needs Node 20`);

  const context = mkdtempSync(join(tmpdir(), 'mithril-node-base-'));
  try {
    const rootfs = join(context, 'rootfs');
    copyInto(rootfs, node, '/usr/local/bin/node');
    const libraries = sharedLibraries(node);
    for (const library of libraries) copyInto(rootfs, library);

    const uid = IMAGE_USER_ID;
    mkdirSync(join(rootfs, 'etc', 'ssl', 'certs'), { recursive: true });
    writeFileSync(join(rootfs, 'etc', 'passwd'), `root:x:0:0:root:/root:/sbin/nologin\nmithril:x:${uid}:${uid}:mithril:/nonexistent:/sbin/nologin\n`);
    writeFileSync(join(rootfs, 'etc', 'group'), `root:x:0:\nmithril:x:${uid}:\n`);
    // glibc's defaults without this file differ by version; Kubernetes' /etc/hosts entries must be read first.
    writeFileSync(join(rootfs, 'etc', 'nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
    const bundle = caBundle();
    writeFileSync(join(rootfs, SYSTEM_BUNDLE), bundle);
    mkdirSync(join(rootfs, 'tmp'));
    chmodSync(join(rootfs, 'tmp'), 0o1777);

    writeFileSync(
      join(context, 'Containerfile'),
      [
        'FROM scratch',
        'COPY rootfs/ /',
        'ENV PATH=/usr/local/bin:/usr/bin:/bin',
        // The same variable the official image sets, for tools that read it.
        `ENV NODE_VERSION=${version.slice(1)}`,
        `LABEL org.opencontainers.image.title="mithril-ts node base" \\`,
        `      org.opencontainers.image.description="Node ${version} and the libraries it links, nothing else (no shell)" \\`,
        `      org.opencontainers.image.version="${version.slice(1)}"`,
        'CMD ["node"]',
        '',
      ].join('\n'),
    );
    const started = Date.now();
    podman(['build', '--quiet', '--tag', tag, '--file', join(context, 'Containerfile'), context], { cwd: ROOT });
    const certificates = bundle.split('-----BEGIN CERTIFICATE-----').length - 1;
    console.log(
      `make-base: ${tag} (node ${version}, ${libraries.length} libraries, ${certificates} root certificates) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  console.error(`make-base: ${error.message}`);
  process.exit(1);
}
