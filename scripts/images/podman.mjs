/**
 * What the image scripts share: the image names (contract C2), the base images and a podman runner.
 * podman reads CONTAINERS_CONF when set (scripts/images/containers.conf is what these machines
 * need: runc and explicit ulimits); the scripts never set it themselves, so a machine whose podman
 * works as installed keeps its own configuration.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every entry of the build (contract C1), each made into one image. */
export const IMAGE_NAMES = ['aggregator', 'signer', 'signer-gateway', 'certifier', 'snapshotter', 'rest-gateway', 'client', 'devnet-chain'];

/** The base real users build on; it is pulled from Docker Hub. */
export const PUBLIC_BASE_IMAGE = 'docker.io/library/node:20-bookworm-slim';
/** The base made by make-base.mjs from this machine's node, for machines that cannot pull. */
export const LOCAL_BASE_IMAGE = 'localhost/mithril-ts/node-base:20';

/** The services' user and group in every image (non-root, outside the ranges distributions give to system and login users). */
export const IMAGE_USER_ID = 10001;

export const version = () => JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
export const imageName = (name, tag = version()) => `localhost/mithril-ts/${name}:${tag}`;

/**
 * Runs podman and returns its stdout; throws with podman's stderr when it fails. `inherit` shows
 * podman's output as it comes (builds).
 */
export function podman(args, { cwd = ROOT, inherit = false, allowFailure = false, timeoutMs } = {}) {
  const result = spawnSync('podman', args, {
    cwd,
    encoding: 'utf8',
    stdio: inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
    ...(timeoutMs ? { timeout: timeoutMs } : {}),
  });
  if (result.error) {
    if (result.error.code === 'ENOENT') throw new Error('podman not found: install it (Debian: apt-get install podman runc uidmap slirp4netns fuse-overlayfs)');
    throw new Error(`podman ${args[0]}: ${result.error.message}`);
  }
  if (result.status !== 0 && !allowFailure) throw new Error(`podman ${args.join(' ')} exited ${result.status}: ${(result.stderr ?? '').trim()}`);
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** podman without blocking this process's event loop (its own connections keep being served meanwhile). */
export function podmanAsync(args, { cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('podman', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
