/**
 * Reads a node's `immutable/` directory for the `CardanoDatabase` signed entity: which immutable
 * file number is the latest final one, and the `cardano_database_merkle_root` of the files up to
 * a number (the pure rule is `cardanoDatabaseMerkleRoot` of @mithril-ts/cardano).
 *
 * The highest-numbered trio on disk is the chunk the node is still appending blocks to — on a
 * real cardano-node, and on the devnet, which rewrites the open chunk's trio as the tip moves and
 * writes a chunk's final trio before the next chunk's first file appears. So, like the
 * reference's "completed" immutable listing and the tip's immutable file number (current chunk
 * − 1), a trio counts as immutable only once a higher-numbered file exists. Digesting the open
 * chunk is refused: its bytes still change, signers would disagree, and a cached digest would be
 * wrong forever after.
 *
 * Immutable files never change once final, so each file's SHA-256 is cached by file name: after
 * a new chunk, a re-digest hashes only the new trio.
 */
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { cardanoDatabaseMerkleRoot } from '@mithril-ts/cardano';

export type ImmutableDbErrorCode =
  /** A file of a trio up to the requested number is not on disk. */
  | 'MISSING_FILE'
  /** The requested number is the open chunk (or beyond): its files are still being written. */
  | 'NOT_YET_IMMUTABLE'
  /** The directory or a file cannot be read. */
  | 'READ_FAILED'
  /** The requested number is not a non-negative bigint. */
  | 'INVALID_ARGUMENT';

export class ImmutableDbError extends Error {
  constructor(
    message: string,
    readonly code: ImmutableDbErrorCode = 'READ_FAILED',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImmutableDbError';
  }
}

const EXTENSIONS = ['chunk', 'primary', 'secondary'] as const;
/** `00042.chunk`: at least 5 digits, as cardano-node names them; anything else (e.g. the devnet's `.x.tmp` files) is ignored. */
const IMMUTABLE_FILE_NAME = /^([0-9]{5,})\.(chunk|primary|secondary)$/;
/** Files hashed at once: enough to overlap I/O, few enough to keep descriptors and memory low. */
const HASH_CONCURRENCY = 4;
/**
 * Bytes read at a time into buffers each worker reuses: with a stream's 64 KiB chunks, the
 * per-chunk costs (calls, allocations, garbage collection) took more CPU than SHA-256 itself.
 */
const READ_BYTES = 1024 * 1024;
/**
 * Read buffers kept between digests (at most two per concurrent file: 8 MiB). A fresh 1 MiB
 * buffer is new memory, page-faulted in on first touch at every digest; in a re-digest of one new
 * chunk that took a third of the time (32 ms instead of 21.5 ms for a 31 MB chunk here).
 */
const idleReadBuffers: Buffer[] = [];
/** Reads in flight per file while the previous block is hashed: a lone file still keeps the disk's queue busy. */
const READS_AHEAD = 2;
const BUFFERS_PER_FILE = READS_AHEAD + 1;
const MAX_IDLE_READ_BUFFERS = HASH_CONCURRENCY * BUFFERS_PER_FILE;

function takeReadBuffers(): Buffer[] {
  return Array.from({ length: BUFFERS_PER_FILE }, () => idleReadBuffers.pop() ?? Buffer.allocUnsafeSlow(READ_BYTES));
}

function giveBackReadBuffers(buffers: readonly Buffer[]): void {
  for (const buffer of buffers) if (idleReadBuffers.length < MAX_IDLE_READ_BUFFERS) idleReadBuffers.push(buffer);
}

function immutableFileName(number: bigint, extension: (typeof EXTENSIONS)[number]): string {
  return `${number.toString().padStart(5, '0')}.${extension}`;
}

/** The immutable files on disk. */
interface Listing {
  readonly names: ReadonlySet<string>;
  /** How many of its three files each chunk number has. */
  readonly filesPerChunk: ReadonlyMap<bigint, number>;
  /** The highest chunk number of any immutable file: the open chunk. */
  readonly highest: bigint | undefined;
}

export class ImmutableDbDigester {
  private readonly cache: Map<string, string>;

  constructor(
    private readonly immutableDirectory: string,
    options?: { readonly cache?: Map<string, string> },
  ) {
    this.cache = options?.cache ?? new Map();
  }

  /**
   * The highest immutable file number whose trio is complete and final (a later chunk has
   * started); undefined when there is none yet (or no directory yet).
   */
  async latestImmutableFileNumber(): Promise<bigint | undefined> {
    const { filesPerChunk, highest } = await this.list(true);
    let latest: bigint | undefined;
    for (const [number, count] of filesPerChunk) {
      if (highest !== undefined && number < highest && count === EXTENSIONS.length && (latest === undefined || number > latest)) latest = number;
    }
    return latest;
  }

  /** The `cardano_database_merkle_root` (hex) of the immutable files numbered 0..`upTo`. */
  async cardanoDatabaseMerkleRoot(upTo: bigint): Promise<string> {
    if (typeof upTo !== 'bigint' || upTo < 0n) {
      throw new ImmutableDbError(`immutable file number must be a non-negative bigint, got ${String(upTo)}`, 'INVALID_ARGUMENT');
    }
    const { names, highest } = await this.list(false);
    if (highest === undefined || upTo >= highest) {
      throw new ImmutableDbError(`immutable file number ${upTo} is not final yet in ${this.immutableDirectory} (the highest chunk on disk, ${highest ?? 'none'}, is still being written)`, 'NOT_YET_IMMUTABLE');
    }
    // Files in the reference's order: by number, then name (chunk < primary < secondary).
    const files: string[] = [];
    for (let number = 0n; number <= upTo; number += 1n) {
      for (const extension of EXTENSIONS) {
        const name = immutableFileName(number, extension);
        if (!names.has(name)) throw new ImmutableDbError(`immutable file ${name} is missing in ${this.immutableDirectory} (needed up to ${upTo})`, 'MISSING_FILE');
        files.push(name);
      }
    }
    return cardanoDatabaseMerkleRoot(await this.digests(files));
  }

  private async digests(files: readonly string[]): Promise<string[]> {
    const missing = files.filter((name) => !this.cache.has(name));
    let next = 0;
    const worker = async (): Promise<void> => {
      const buffers = takeReadBuffers();
      try {
        for (let index = next++; index < missing.length; index = next++) {
          const name = missing[index] as string;
          this.cache.set(name, await this.sha256(name, buffers));
        }
      } finally {
        giveBackReadBuffers(buffers);
      }
    };
    await Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, missing.length) }, worker));
    return files.map((name) => this.cache.get(name) as string);
  }

  /**
   * The SHA-256 of a file. Buffers take turns: the next reads are in flight (on the thread pool)
   * while this thread hashes the previous block, so even a lone large file — the new chunk of a
   * re-digest — does not wait for the disk between blocks.
   */
  private async sha256(name: string, buffers: readonly Buffer[]): Promise<string> {
    const hash = createHash('sha256');
    const path = join(this.immutableDirectory, name);
    let handle: FileHandle | undefined;
    const reading: Promise<{ bytesRead: number; buffer: Buffer }>[] = [];
    try {
      handle = await open(path, 'r');
      const file = handle;
      let position = 0;
      let turn = 0;
      const readAhead = () => {
        reading.push(file.read(buffers[turn % buffers.length] as Buffer, 0, READ_BYTES, position));
        position += READ_BYTES;
        turn += 1;
      };
      for (let ahead = 0; ahead < READS_AHEAD; ahead += 1) readAhead();
      for (;;) {
        const { bytesRead, buffer } = await (reading.shift() as Promise<{ bytesRead: number; buffer: Buffer }>);
        if (bytesRead < READ_BYTES) {
          // The end of the file: the reads already issued past it must find nothing (a short read
          // elsewhere would leave a gap, since the reads ahead assume whole blocks).
          for (const after of await Promise.all(reading)) {
            if (after.bytesRead !== 0) throw new Error(`short read of ${bytesRead} bytes before the end of the file`);
          }
          hash.update(buffer.subarray(0, bytesRead));
          break;
        }
        readAhead();
        hash.update(buffer);
      }
    } catch (error) {
      throw new ImmutableDbError(`cannot read immutable file ${path}: ${(error as Error).message}`, 'READ_FAILED', { cause: error });
    } finally {
      // The buffers go back to the pool: no read may still be filling one.
      await Promise.allSettled(reading);
      await handle?.close().catch(() => undefined);
    }
    return hash.digest('hex');
  }

  private async list(missingDirectoryIsEmpty: boolean): Promise<Listing> {
    let entries: string[];
    try {
      entries = await readdir(this.immutableDirectory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        if (missingDirectoryIsEmpty) return { names: new Set(), filesPerChunk: new Map(), highest: undefined };
        throw new ImmutableDbError(`immutable directory ${this.immutableDirectory} does not exist`, 'MISSING_FILE', { cause: error });
      }
      throw new ImmutableDbError(`cannot list immutable directory ${this.immutableDirectory}: ${(error as Error).message}`, 'READ_FAILED', { cause: error });
    }
    const names = new Set<string>();
    const filesPerChunk = new Map<bigint, number>();
    let highest: bigint | undefined;
    for (const entry of entries) {
      const match = IMMUTABLE_FILE_NAME.exec(entry);
      if (match === null) continue;
      const number = BigInt(match[1] as string);
      // Normalise the name (more than 5 digits must not carry extra leading zeros) so lookups by number find it.
      if (immutableFileName(number, match[2] as (typeof EXTENSIONS)[number]) !== entry) continue;
      names.add(entry);
      filesPerChunk.set(number, (filesPerChunk.get(number) ?? 0) + 1);
      if (highest === undefined || number > highest) highest = number;
    }
    return { names, filesPerChunk, highest };
  }
}
