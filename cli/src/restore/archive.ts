/**
 * Unpacking downloaded archives without trusting them: only the immutable files the certified
 * digests list expects are written (regular files, at `NAME` or `immutable/NAME`, each once);
 * any other entry (a link, a path elsewhere, an unexpected name) fails the archive. Every file
 * is checked against its certified SHA-256.
 *
 * One pass over the archive: it is decompressed by node:zlib's gzip stream (on the libuv thread
 * pool, so decompression runs beside this thread's work instead of inside it), the tar stream is
 * parsed here, and each expected file is hashed while it is written — nothing is read twice.
 * Names from the archive never make paths: a file is written under its certified name only.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline as pipe, type Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { DecompressStream } from 'zstd-napi';
import { verificationFailed } from '../errors.js';
import type { ImmutableFileDigest } from '../aggregator/port.js';

/** Read size of archives and hashed files: large reads keep per-chunk costs (calls, allocations) low. */
export const READ_BYTES = 1024 * 1024;
/** 128 MiB: archives written at zstd's usual levels use 8 MiB or less. */
const ZSTD_WINDOW_LOG_MAX = 27;
/** Output chunk of the decompressor (zlib's default, 16 KiB, means 64 callbacks per MiB). */
const DECOMPRESSED_CHUNK_BYTES = 256 * 1024;
/**
 * Immutable files (CBOR blocks full of hashes and signatures) gzip 2–4-fold: an archive that
 * expands a hundredfold is a decompression bomb filling the disk before any digest is checked.
 * (A thousandfold bound would never fire on gzip, whose expansion tops out at ~1030.) The first
 * 64 KiB read count as 64 KiB, so small, very regular index files stay well within it.
 */
export const MAX_DECOMPRESSION_RATIO = 100;

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  signal?.throwIfAborted(); // see extractImmutableArchive
  await pipeline(createReadStream(path, { signal, highWaterMark: READ_BYTES }), hash);
  return hash.digest('hex');
}

const DIRECTORY_ENTRIES = new Set(['', '.', 'immutable']);
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

function normalise(path: string): string {
  let result = path;
  while (result.startsWith('./')) result = result.slice(2);
  return result.replace(/\/+$/, '');
}

/** The decompressor for an archive's first bytes: gzip and zstandard by their magic numbers, else a plain tar. */
export function decompressorFor(head: Buffer): Transform | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return zlib.createGunzip({ chunkSize: DECOMPRESSED_CHUNK_BYTES });
  // zstd-napi, as Node 20's zlib has no zstd. The window bound caps the decoder's memory (zstd's
  // own default limit, said explicitly): a frame asking for more is refused, not allocated.
  if (head.readUInt32LE(0) === 0xfd2fb528) return new DecompressStream({ windowLogMax: ZSTD_WINDOW_LOG_MAX });
  return undefined;
}

export async function firstBytes(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    return head;
  } finally {
    await handle.close();
  }
}

/**
 * Writes one entry's bytes to `path` (a new file), hashing them on the way; resolves with the
 * SHA-256. The file stays in `writing` until it is complete (an abandoned extraction closes it).
 */
export function saveEntry(entry: ReadEntry, path: string, writing: Set<WriteStream>): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path, { flags: 'wx', highWaterMark: READ_BYTES });
  writing.add(out);
  out.once('close', () => writing.delete(out));
  return new Promise<string>((resolve, reject) => {
    entry.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      // The parser holds the next bytes back while this entry is paused.
      if (!out.write(chunk)) {
        entry.pause();
        out.once('drain', () => entry.resume());
      }
    });
    entry.on('end', () => out.end());
    out.once('error', reject);
    out.once('finish', () => resolve(hash.digest('hex')));
  });
}

/**
 * The archive's bytes, decompressed when its first bytes say gzip or zstandard, refused once they
 * decompress to more than MAX_DECOMPRESSION_RATIO times what was read (a decompression bomb).
 */
export async function decompressedArchive(archive: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer>> {
  const decompressor = decompressorFor(await firstBytes(archive));
  // Node 20 leaks the descriptor of a read stream created with an already aborted signal.
  signal?.throwIfAborted();
  const source = createReadStream(archive, { signal, highWaterMark: READ_BYTES });
  // pipeline: a failure or an early stop on either side closes both (and the file).
  const stream: Readable = decompressor === undefined ? source : pipe(source, decompressor, () => undefined);
  let decompressed = 0;
  const ratioChecked = async function* (chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
    for await (const chunk of chunks) {
      decompressed += chunk.length;
      if (decompressor !== undefined && decompressed > MAX_DECOMPRESSION_RATIO * Math.max(source.bytesRead, 64 * 1024)) {
        throw new Error(`it decompresses to more than ${MAX_DECOMPRESSION_RATIO} times its size`);
      }
      yield chunk;
    }
  };
  return ratioChecked(stream);
}

/** Feeds the (decompressed) tar bytes to the parser, honouring its back-pressure; resolves once it has seen the end. */
export async function parse(source: AsyncIterable<Buffer>, parser: Parser, isAborted: () => unknown): Promise<void> {
  let failure: unknown;
  const ended = new Promise<void>((resolve, reject) => {
    parser.on('error', (error: unknown) => {
      failure ??= error;
      reject(error);
    });
    parser.on('end', () => resolve());
  });
  ended.catch(() => undefined);
  for await (const chunk of source) {
    if (failure !== undefined || isAborted()) break;
    if (!parser.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          parser.off('drain', done);
          parser.off('error', done);
          resolve();
        };
        parser.on('drain', done);
        parser.on('error', done);
      });
    }
  }
  if (failure !== undefined) throw failure;
  const aborted = isAborted();
  if (aborted !== undefined) throw aborted;
  parser.end();
  await ended;
}

/**
 * Extracts `archive` (tar, gzip- or zstandard-compressed or not) into `immutableDirectory`, which
 * must then hold exactly the `expected` files of this archive, each with its certified digest.
 * `scratchParent` is where files are written first (same file system, so moving one is a rename).
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
  const found = new Map<string, Promise<string>>(); // name -> its SHA-256, once written
  const refused: string[] = [];
  const scratch = await mkdtemp(join(scratchParent, '.extract-'));
  const writing = new Set<WriteStream>();
  try {
    let writeFailure: unknown;
    try {
      const stream = await decompressedArchive(archive, signal);
      const parser = new Parser({ strict: true });
      parser.on('entry', (entry: ReadEntry) => {
        const name = normalise(entry.path);
        const type = entry.type;
        if (type === 'Directory' && DIRECTORY_ENTRIES.has(name)) return void entry.resume();
        const bare = name.startsWith('immutable/') ? name.slice('immutable/'.length) : name;
        if (FILE_TYPES.has(type) && wanted.has(bare) && !found.has(bare)) {
          const saved = saveEntry(entry, join(scratch, bare), writing);
          saved.catch((error: unknown) => {
            writeFailure ??= error;
            entry.resume();
            parser.abort(error as Error);
          });
          found.set(bare, saved);
          return;
        }
        refused.push(`${entry.path} (${type}${found.has(bare) ? ', twice' : ''})`);
        entry.resume();
      });
      await parse(stream, parser, () => (signal?.aborted ? signal.reason : undefined));
      await Promise.all(found.values());
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      // A local write failure (disk full, permissions) is the machine's problem, not the archive's.
      if (writeFailure !== undefined) throw writeFailure;
      throw verificationFailed('ARCHIVE_CORRUPT', `${what} is not a readable tar archive: ${(cause as Error).message}`, cause);
    }
    if (refused.length > 0) {
      throw verificationFailed(
        'UNEXPECTED_ARCHIVE_ENTRY',
        `${what} contains entries the certified digests list does not expect: ${refused.slice(0, 5).join(', ')}${refused.length > 5 ? ` and ${refused.length - 5} more` : ''}`,
      );
    }
    const missing = expected.filter((entry) => !found.has(entry.name)).map((entry) => entry.name);
    if (missing.length > 0) {
      throw verificationFailed(
        'ARCHIVE_INCOMPLETE',
        `${what} lacks ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`,
      );
    }
    for (const entry of expected) {
      const digest = await found.get(entry.name)!;
      if (digest !== entry.digest) {
        throw verificationFailed('DIGEST_MISMATCH', `${entry.name} from ${what} has SHA-256 ${digest}, not the certified ${entry.digest}`);
      }
    }
    for (const entry of expected) await rename(join(scratch, entry.name), join(immutableDirectory, entry.name));
  } finally {
    for (const out of writing) out.destroy();
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
