/**
 * Unpacking downloaded archives without trusting them: only the immutable files the certified
 * digests list expects are extracted (regular files, at `NAME` or `immutable/NAME`, each once);
 * any other entry (a link, a path elsewhere, an unexpected name) fails the archive. Every file
 * is then checked against its certified SHA-256.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { verificationFailed } from '../errors.js';
import type { ImmutableFileDigest } from '../aggregator/port.js';

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { signal }), hash);
  return hash.digest('hex');
}

const DIRECTORY_ENTRIES = new Set(['', '.', 'immutable']);
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

function normalise(path: string): string {
  let result = path;
  while (result.startsWith('./')) result = result.slice(2);
  return result.replace(/\/+$/, '');
}

/**
 * Extracts `archive` (tar, gzip-compressed or not) into `immutableDirectory`, which must then hold
 * exactly the `expected` files of this archive, each with its certified digest. `scratchParent`
 * is where the archive is unpacked first (same file system, so moving a file is a rename).
 */
export async function extractImmutableArchive(
  archive: string,
  expected: readonly ImmutableFileDigest[],
  immutableDirectory: string,
  scratchParent: string,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  const wanted = new Map(expected.map((entry) => [entry.name, entry]));
  const found = new Map<string, string>(); // name -> path inside the scratch directory
  const refused: string[] = [];
  const scratch = await mkdtemp(join(scratchParent, '.extract-'));
  try {
    try {
      await tar.x({
        file: archive,
        cwd: scratch,
        strict: true,
        preserveOwner: false,
        filter: (path, entry) => {
          const name = normalise(path);
          const type = 'type' in entry ? entry.type : undefined;
          if (type === 'Directory' && DIRECTORY_ENTRIES.has(name)) return true;
          const bare = name.startsWith('immutable/') ? name.slice('immutable/'.length) : name;
          if (type !== undefined && FILE_TYPES.has(type) && wanted.has(bare) && !found.has(bare)) {
            found.set(bare, name);
            return true;
          }
          refused.push(`${path} (${type ?? 'unknown'}${found.has(bare) ? ', twice' : ''})`);
          return false;
        },
      });
    } catch (cause) {
      throw verificationFailed('ARCHIVE_CORRUPT', `${what} is not a readable tar archive: ${(cause as Error).message}`, cause);
    }
    if (refused.length > 0) {
      throw verificationFailed('UNEXPECTED_ARCHIVE_ENTRY', `${what} contains entries the certified digests list does not expect: ${refused.slice(0, 5).join(', ')}${refused.length > 5 ? ` and ${refused.length - 5} more` : ''}`);
    }
    const missing = expected.filter((entry) => !found.has(entry.name)).map((entry) => entry.name);
    if (missing.length > 0) {
      throw verificationFailed('ARCHIVE_INCOMPLETE', `${what} lacks ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
    }
    for (const entry of expected) {
      const extracted = join(scratch, found.get(entry.name)!);
      const digest = await sha256File(extracted, signal);
      if (digest !== entry.digest) {
        throw verificationFailed('DIGEST_MISMATCH', `${entry.name} from ${what} has SHA-256 ${digest}, not the certified ${entry.digest}`);
      }
      await rename(extracted, join(immutableDirectory, entry.name));
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The names in a directory (files only matter to the caller's set comparison). */
export async function listDirectory(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
}
