/**
 * Ancillary files: the latest ledger-state snapshot and the last, not yet immutable, trio, which
 * let a node start from a restored database without replaying the chain from genesis. No
 * certificate covers them: the aggregator's operator signs their manifest
 * (`ancillary_manifest.json`: path → SHA-256) with its ancillary key, and the client checks it
 * with the ancillary verification key it was given (like the genesis key, obtained out of band).
 *
 * Nothing of the archive is trusted before that check passes, and what passes is still bounded:
 * - entries must be regular files at plain relative paths (no links, no `..`, no absolute path),
 *   under `ledger/` or `immutable/`, plus the manifest; anything else refuses the archive;
 * - immutable files must be of a number past the certified beacon: the ancillary key vouches for
 *   the node's newest, uncertified files and must never replace a certified one;
 * - the manifest's signature must verify, its files must be exactly the archive's files, and each
 *   file's SHA-256 must be the manifest's.
 * Only then are the files moved next to the certified ones.
 */
import type { WriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { parseImmutableFileName } from '@mithril-ts/cardano';
import {
  ANCILLARY_MANIFEST_FILE,
  MAX_ANCILLARY_MANIFEST_ENTRIES,
  MAX_ANCILLARY_MANIFEST_TEXT,
  ProtocolError,
  checkManifestPath,
  decodeAncillaryManifest,
  verifyAncillaryManifest,
} from '@mithril-ts/protocol';
import { verificationFailed } from '../errors.js';
import { decompressedArchive, parse, saveEntry } from './archive.js';

const DIRECTORY_TYPES = new Set(['Directory']);
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

export interface AncillaryFiles {
  /** Where the verified files are (relative paths as in the manifest). */
  readonly directory: string;
  /** Every file but the manifest, relative to `directory`. */
  readonly files: readonly string[];
  /** The ledger snapshots' names under `ledger/`. */
  readonly ledgerSnapshots: readonly string[];
}

function normalise(path: string): string {
  let result = path;
  while (result.startsWith('./')) result = result.slice(2);
  return result.replace(/\/+$/, '');
}

/** Why a path may not come from an ancillary archive, or undefined when it may. */
function refusal(path: string, beacon: bigint): string | undefined {
  if (path === ANCILLARY_MANIFEST_FILE) return undefined;
  try {
    checkManifestPath(path);
  } catch (error) {
    return (error as Error).message;
  }
  const [top, ...rest] = path.split('/');
  if (top === 'ledger' && rest.length >= 1) return undefined;
  if (top === 'immutable' && rest.length === 1) {
    const parsed = parseImmutableFileName(rest[0]!);
    if (parsed === undefined) return 'is not an immutable file name';
    return parsed.number > beacon ? undefined : `would replace certified immutable file number ${parsed.number}`;
  }
  return 'is neither under ledger/ nor an immutable file';
}

/**
 * Unpacks the ancillary archive into a new directory under `scratchParent` and verifies it
 * (see above); throws a verification error (exit 1) naming what failed.
 */
export async function extractAncillaryArchive(
  archive: string,
  beacon: bigint,
  verificationKey: Uint8Array,
  scratchParent: string,
  signal?: AbortSignal,
): Promise<AncillaryFiles> {
  const directory = await mkdtemp(join(scratchParent, '.ancillary-'));
  const found = new Map<string, Promise<string>>();
  const refused: string[] = [];
  const writing = new Set<WriteStream>();
  try {
    let writeFailure: unknown;
    try {
      const stream = await decompressedArchive(archive, signal);
      const parser = new Parser({ strict: true });
      parser.on('entry', (entry: ReadEntry) => {
        const path = normalise(entry.path);
        if (DIRECTORY_TYPES.has(entry.type) && (path === '' || path === '.' || refusal(`${path}/x`, beacon) === undefined)) return void entry.resume();
        const why = FILE_TYPES.has(entry.type) ? (found.has(path) ? 'appears twice' : refusal(path, beacon)) : `is a ${entry.type}, not a regular file`;
        if (why !== undefined || found.size >= MAX_ANCILLARY_MANIFEST_ENTRIES + 1) {
          refused.push(`${entry.path} (${why ?? 'one entry too many'})`);
          return void entry.resume();
        }
        const target = join(directory, path);
        const saved = mkdir(dirname(target), { recursive: true }).then(() => saveEntry(entry, target, writing));
        saved.catch((error: unknown) => {
          writeFailure ??= error;
          entry.resume();
          parser.abort(error as Error);
        });
        found.set(path, saved);
      });
      await parse(stream, parser, () => (signal?.aborted ? signal.reason : undefined));
      await Promise.all(found.values());
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      if (writeFailure !== undefined) throw writeFailure;
      throw verificationFailed('ANCILLARY_ARCHIVE_CORRUPT', `the ancillary archive is not a readable tar archive: ${(cause as Error).message}`, cause);
    }
    if (refused.length > 0) {
      throw verificationFailed(
        'UNEXPECTED_ANCILLARY_ENTRY',
        `the ancillary archive holds entries it may not: ${refused.slice(0, 5).join(', ')}${refused.length > 5 ? ` and ${refused.length - 5} more` : ''}`,
      );
    }
    if (!found.has(ANCILLARY_MANIFEST_FILE)) throw verificationFailed('ANCILLARY_MANIFEST_MISSING', `the ancillary archive has no ${ANCILLARY_MANIFEST_FILE}`);

    const manifestPath = join(directory, ANCILLARY_MANIFEST_FILE);
    if ((await stat(manifestPath)).size > MAX_ANCILLARY_MANIFEST_TEXT) {
      throw verificationFailed('INVALID_ANCILLARY_MANIFEST', `${ANCILLARY_MANIFEST_FILE} is larger than ${MAX_ANCILLARY_MANIFEST_TEXT} bytes`);
    }
    let manifest;
    try {
      manifest = decodeAncillaryManifest(await readFile(manifestPath, 'utf8'));
      verifyAncillaryManifest(verificationKey, manifest);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      throw verificationFailed(error.code, `refusing the ancillary files: ${error.message}`, error);
    }
    const files = [...found.keys()].filter((path) => path !== ANCILLARY_MANIFEST_FILE).sort();
    const unlisted = files.filter((path) => !manifest.data.has(path));
    const absent = [...manifest.data.keys()].filter((path) => !found.has(path));
    if (unlisted.length > 0 || absent.length > 0) {
      throw verificationFailed(
        'ANCILLARY_FILE_SET_MISMATCH',
        `refusing the ancillary files: the archive does not hold exactly the signed manifest's files (not listed: ${unlisted.slice(0, 5).join(', ') || 'none'}; missing: ${absent.slice(0, 5).join(', ') || 'none'})`,
      );
    }
    for (const path of files) {
      const digest = await found.get(path)!;
      if (digest !== manifest.data.get(path)) {
        throw verificationFailed(
          'ANCILLARY_DIGEST_MISMATCH',
          `refusing the ancillary files: ${path} has SHA-256 ${digest}, not the ${manifest.data.get(path)} the signed manifest lists`,
        );
      }
    }
    const ledgerSnapshots = [...new Set(files.filter((path) => path.startsWith('ledger/')).map((path) => path.split('/')[1]!))];
    if (ledgerSnapshots.length === 0) throw verificationFailed('ANCILLARY_WITHOUT_LEDGER', 'the ancillary archive holds no ledger-state snapshot');
    return { directory, files, ledgerSnapshots };
  } catch (error) {
    for (const out of writing) out.destroy();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

/** Moves verified ancillary files below `root` (a database directory being assembled), keeping their relative paths. */
export async function placeAncillaryFiles(ancillary: AncillaryFiles, root: string): Promise<void> {
  for (const path of ancillary.files) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await rename(join(ancillary.directory, path), join(root, path));
  }
  await rm(ancillary.directory, { recursive: true, force: true });
}
