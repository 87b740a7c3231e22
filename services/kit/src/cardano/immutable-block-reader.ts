/**
 * Reads a cardano-node immutable DB (`<db>/immutable/`) block by block: for each chunk in order,
 * its primary and secondary index, then its blocks (formats: @mithril-ts/cardano's
 * `immutable-db-index` and `cardano-block`). Yields each block's era, number, slot, hash and
 * transaction ids.
 *
 * Bounded memory: an index file is read whole only under `maxIndexBytes` (a full mainnet chunk's
 * secondary index is 1.2 MB); chunk files are read through one reused window of `readBytes`
 * (at least `maxBlockBytes`), and a block larger than `maxBlockBytes` is refused before it is
 * read. Nothing grows with the size of the database.
 *
 * Strict: every block is checked against its index entry (CRC-32 of its bytes, header offset,
 * size and hash, slot or EBB epoch, relative slot) and against the block before it (previous
 * hash, block number, slot); index files must agree with each other and with the chunk file's
 * size. A failure is an ImmutableDbFormatError naming the file and the byte offset. The one
 * exception is the highest-numbered chunk, the one the node is still appending to: a truncated
 * index or block there, or a damaged last block, is the write in progress. The reader stops at
 * the last whole block before it and reports the rest through `onSkippedTail`; earlier chunks
 * are final and get no such leniency.
 */
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ImmutableDbFormatError,
  MAINNET_BYRON_EPOCH_SLOTS,
  blockChecksum,
  immutableFileName,
  indexedBlocks,
  listImmutableFiles,
  parsePrimaryIndex,
  parseStoredBlock,
  type IndexedBlock,
  type StoredBlock,
} from '@mithril-ts/cardano';
import { ImmutableDbError } from './immutable-db-digester.js';

export interface ImmutableBlock extends StoredBlock {
  /** The immutable file number of the chunk the block is in. */
  readonly chunk: bigint;
}

export interface ReadImmutableBlocksOptions {
  /** First chunk to read (default: the lowest on disk). */
  readonly fromChunk?: bigint;
  /** Last chunk to read (default: the highest on disk, the one still being written). */
  readonly toChunk?: bigint;
  /** Largest stored block accepted (default 4 MiB; mainnet's largest are Byron's 2 MB limit). */
  readonly maxBlockBytes?: number;
  /** Largest index file accepted (default 8 MiB). */
  readonly maxIndexBytes?: number;
  /** Bytes read from a chunk file at a time (default 8 MiB, raised to maxBlockBytes if smaller). */
  readonly readBytes?: number;
  /** Slots per Byron epoch (default 21600, mainnet's and the public testnets'). */
  readonly byronEpochSlots?: bigint;
  /** Slots per chunk: when given, each block's slot is checked against its relative slot in the primary index. */
  readonly chunkSlots?: bigint;
  /** Called once with what ended the last chunk early (a write in progress). */
  readonly onSkippedTail?: (error: ImmutableDbFormatError) => void;
}

const DEFAULT_MAX_BLOCK_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_INDEX_BYTES = 8 * 1024 * 1024;
const DEFAULT_READ_BYTES = 8 * 1024 * 1024;

/** The previous block, for the chain checks across blocks and chunks. */
interface Previous {
  readonly hash: Uint8Array;
  readonly number: bigint;
  readonly slot: bigint;
  readonly isEbb: boolean;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new ImmutableDbError(`${name} must be a positive integer, got ${String(value)}`, 'INVALID_ARGUMENT');
  return value;
}

async function readWhole(handle: FileHandle, file: string, limit: number): Promise<Buffer> {
  const { size } = await handle.stat();
  if (size > limit) throw new ImmutableDbFormatError('TOO_LARGE', file, 0, `${size} bytes, above the ${limit}-byte limit for an index file`);
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

async function readIndex(directory: string, file: string, limit: number): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(join(directory, file), 'r');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ImmutableDbError(`cannot open ${file}: ${(error as Error).message}`, missing ? 'MISSING_FILE' : 'READ_FAILED', { cause: error });
  }
  try {
    return await readWhole(handle, file, limit);
  } finally {
    await handle.close();
  }
}

/** Whether `error` may be the node's write in progress in the last chunk (see the module comment). */
function isUnfinishedWrite(error: unknown, lastEntry: boolean): error is ImmutableDbFormatError {
  return error instanceof ImmutableDbFormatError && (error.code === 'TRUNCATED' || (lastEntry && error.code === 'CORRUPT'));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

class ChunkReader {
  readonly #window: Buffer;
  /**
   * The window as a plain Uint8Array: the parser takes a subarray for every header and
   * transaction body it hashes, and a Buffer's subarray is a slower object to make.
   */
  readonly #view: Uint8Array;
  #windowStart = 0;
  #windowEnd = 0;

  constructor(
    readonly handle: FileHandle,
    readonly file: string,
    readonly size: number,
    window: Buffer,
  ) {
    this.#window = window;
    this.#view = new Uint8Array(window.buffer, window.byteOffset, window.length);
  }

  /** The bytes [start, end) of the chunk file (a view into the window, valid until the next call). */
  async bytes(start: number, end: number): Promise<Uint8Array> {
    if (start < this.#windowStart || end > this.#windowEnd) {
      const length = Math.min(this.#window.length, this.size - start);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await this.handle.read(this.#window, filled, length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      this.#windowStart = start;
      this.#windowEnd = start + filled;
      if (end > this.#windowEnd)
        throw new ImmutableDbFormatError('TRUNCATED', this.file, this.#windowEnd, `the block needs bytes up to ${end}, the file ends first`);
    }
    return this.#view.subarray(start - this.#windowStart, end - this.#windowStart);
  }
}

/**
 * The blocks of the immutable DB in `directory`, in chain order. Throws ImmutableDbFormatError
 * for bytes that are not what cardano-node writes, ImmutableDbError for a missing file (a chunk
 * number skipped, a trio lacking a file) or an unreadable one.
 */
export async function* readImmutableBlocks(directory: string, options: ReadImmutableBlocksOptions = {}): AsyncGenerator<ImmutableBlock> {
  const maxBlockBytes = positiveInteger(options.maxBlockBytes, DEFAULT_MAX_BLOCK_BYTES, 'maxBlockBytes');
  const maxIndexBytes = positiveInteger(options.maxIndexBytes, DEFAULT_MAX_INDEX_BYTES, 'maxIndexBytes');
  const readBytes = Math.max(positiveInteger(options.readBytes, DEFAULT_READ_BYTES, 'readBytes'), maxBlockBytes);
  const byronEpochSlots = options.byronEpochSlots ?? MAINNET_BYRON_EPOCH_SLOTS;
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch (error) {
    throw new ImmutableDbError(`cannot list ${directory}: ${(error as Error).message}`, 'READ_FAILED', { cause: error });
  }
  const listing = listImmutableFiles(entries);
  if (listing.highest === undefined) return;
  const numbers = [...listing.trios.keys()]
    .filter((n) => (options.fromChunk === undefined || n >= options.fromChunk) && (options.toChunk === undefined || n <= options.toChunk))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const window = Buffer.allocUnsafe(readBytes);
  let previous: Previous | undefined;
  let expected: bigint | undefined;
  for (const chunk of numbers) {
    // A gap would hide blocks; the chain check would catch it too, but later and less clearly.
    if (expected !== undefined && chunk !== expected) throw new ImmutableDbError(`chunk ${immutableFileName(expected, 'chunk')} is missing`, 'MISSING_FILE');
    expected = chunk + 1n;
    const openChunk = chunk === listing.highest;
    try {
      for await (const block of readChunk(
        directory,
        chunk,
        openChunk,
        previous,
        { maxBlockBytes, maxIndexBytes, byronEpochSlots, chunkSlots: options.chunkSlots },
        window,
      )) {
        previous = block;
        yield block;
      }
    } catch (error) {
      if (openChunk && error instanceof SkippedTail) {
        options.onSkippedTail?.(error.error);
        return;
      }
      throw error;
    }
  }
}

class SkippedTail extends Error {
  constructor(readonly error: ImmutableDbFormatError) {
    super(error.message);
  }
}

interface ChunkLimits {
  readonly maxBlockBytes: number;
  readonly maxIndexBytes: number;
  readonly byronEpochSlots: bigint;
  readonly chunkSlots: bigint | undefined;
}

async function* readChunk(
  directory: string,
  chunk: bigint,
  openChunk: boolean,
  before: Previous | undefined,
  limits: ChunkLimits,
  window: Buffer,
): AsyncGenerator<ImmutableBlock> {
  const files = { chunk: immutableFileName(chunk, 'chunk'), primary: immutableFileName(chunk, 'primary'), secondary: immutableFileName(chunk, 'secondary') };
  let blocks: readonly IndexedBlock[];
  let unfinished: ImmutableDbFormatError | undefined;
  try {
    const primary = parsePrimaryIndex(await readIndex(directory, files.primary, limits.maxIndexBytes), files.primary, openChunk);
    const secondary = await readIndex(directory, files.secondary, limits.maxIndexBytes);
    ({ blocks, unfinished } = indexedBlocks(primary, secondary, files, openChunk));
  } catch (error) {
    if (openChunk && isUnfinishedWrite(error, false)) throw new SkippedTail(error);
    if (openChunk && error instanceof ImmutableDbError && error.code === 'MISSING_FILE')
      throw new SkippedTail(new ImmutableDbFormatError('TRUNCATED', files.primary, 0, error.message));
    throw error;
  }
  let handle: FileHandle;
  try {
    handle = await open(join(directory, files.chunk), 'r');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    if (openChunk && missing) throw new SkippedTail(new ImmutableDbFormatError('TRUNCATED', files.chunk, 0, 'the chunk file is not there yet'));
    throw new ImmutableDbError(`cannot open ${files.chunk}: ${(error as Error).message}`, missing ? 'MISSING_FILE' : 'READ_FAILED', { cause: error });
  }
  try {
    const { size } = await handle.stat();
    const reader = new ChunkReader(handle, files.chunk, size, window);
    let previous = before;
    for (let i = 0; i < blocks.length; i += 1) {
      const indexed = blocks[i] as IndexedBlock;
      const last = i === blocks.length - 1;
      let block: ImmutableBlock;
      try {
        block = await readBlock(
          reader,
          indexed,
          last ? undefined : (blocks[i + 1] as IndexedBlock).entry.blockOffset,
          openChunk && last,
          previous,
          chunk,
          limits,
        );
      } catch (error) {
        if (openChunk && isUnfinishedWrite(error, last)) throw new SkippedTail(error);
        throw error;
      }
      previous = block;
      yield block;
      if (last && block.size < reader.size - Number(indexed.entry.blockOffset))
        unfinished ??= new ImmutableDbFormatError(
          'TRUNCATED',
          files.chunk,
          Number(indexed.entry.blockOffset) + block.size,
          'bytes after the last indexed block (a block being written)',
        );
    }
    if (blocks.length === 0 && reader.size > 0) {
      const orphan = new ImmutableDbFormatError(
        openChunk ? 'TRUNCATED' : 'CORRUPT',
        files.chunk,
        0,
        `${reader.size} bytes in a chunk whose indexes hold no block`,
      );
      if (!openChunk) throw orphan;
      unfinished ??= orphan;
    }
    // Only the open chunk's indexes may be unfinished (indexedBlocks throws otherwise).
    if (unfinished !== undefined) throw new SkippedTail(unfinished);
  } finally {
    await handle.close();
  }
}

async function readBlock(
  reader: ChunkReader,
  indexed: IndexedBlock,
  nextOffset: bigint | undefined,
  tolerateTrailing: boolean,
  previous: Previous | undefined,
  chunk: bigint,
  limits: ChunkLimits,
): Promise<ImmutableBlock> {
  const { entry, relativeSlot } = indexed;
  const file = reader.file;
  const start = entry.blockOffset;
  if (start >= BigInt(reader.size))
    throw new ImmutableDbFormatError('TRUNCATED', file, reader.size, `the index puts a block at byte ${start}, past the end of the file`);
  const end = nextOffset ?? BigInt(reader.size);
  if (end > BigInt(reader.size))
    throw new ImmutableDbFormatError('TRUNCATED', file, reader.size, `the index puts a block at byte ${nextOffset}, past the end of the file`);
  // The last block of the open chunk may be followed by a block still being written: its own
  // CBOR says where it ends, the file size does not.
  const span = end - start;
  if (span > BigInt(limits.maxBlockBytes) && !tolerateTrailing)
    throw new ImmutableDbFormatError('TOO_LARGE', file, Number(start), `a ${span}-byte block, above the ${limits.maxBlockBytes}-byte limit`);
  const readEnd = Number(start) + Math.min(Number(span), limits.maxBlockBytes);
  const bytes = await reader.bytes(Number(start), readEnd);
  const block = parseStoredBlock(bytes, { file, offset: Number(start), byronEpochSlots: limits.byronEpochSlots });
  const at = Number(start);
  if (block.size !== bytes.length && !(tolerateTrailing && block.size < bytes.length))
    throw new ImmutableDbFormatError('CORRUPT', file, at + block.size, `the block ends at byte ${at + block.size}, its index says ${end}`);
  const stored = bytes.subarray(0, block.size);
  const checksum = blockChecksum(stored);
  if (checksum !== entry.checksum)
    throw new ImmutableDbFormatError(
      'CORRUPT',
      file,
      at,
      `CRC-32 ${checksum.toString(16)} of the block, the secondary index says ${entry.checksum.toString(16)}`,
    );
  if (block.headerOffset !== entry.headerOffset || block.headerSize !== entry.headerSize)
    throw new ImmutableDbFormatError(
      'CORRUPT',
      file,
      at,
      `the header is at ${block.headerOffset} (${block.headerSize} bytes), the secondary index says ${entry.headerOffset} (${entry.headerSize} bytes)`,
    );
  if (!sameBytes(block.hash, entry.headerHash)) throw new ImmutableDbFormatError('CORRUPT', file, at, 'the header hash differs from the secondary index');
  const blockOrEbb = block.isEbb ? (block.ebbEpoch as bigint) : block.slot;
  if (blockOrEbb !== entry.blockOrEbb)
    throw new ImmutableDbFormatError(
      'CORRUPT',
      file,
      at,
      `the block is at ${block.isEbb ? 'epoch' : 'slot'} ${blockOrEbb}, the secondary index says ${entry.blockOrEbb}`,
    );
  if (block.isEbb !== (relativeSlot === 0))
    throw new ImmutableDbFormatError(
      'CORRUPT',
      file,
      at,
      block.isEbb ? `an EBB in relative slot ${relativeSlot}, not 0` : 'a regular block in relative slot 0 (the EBB slot)',
    );
  if (limits.chunkSlots !== undefined && !block.isEbb && block.slot !== chunk * limits.chunkSlots + BigInt(relativeSlot - 1))
    throw new ImmutableDbFormatError(
      'CORRUPT',
      file,
      at,
      `slot ${block.slot} in relative slot ${relativeSlot} of chunk ${chunk} (${limits.chunkSlots} slots per chunk)`,
    );
  if (previous !== undefined) {
    if (block.previousHash === undefined || !sameBytes(block.previousHash, previous.hash))
      throw new ImmutableDbFormatError('BROKEN_CHAIN', file, at, `block ${block.number} does not point at the block before it (number ${previous.number})`);
    const number = block.isEbb ? previous.number : previous.number + 1n;
    if (block.number !== number) throw new ImmutableDbFormatError('BROKEN_CHAIN', file, at, `block number ${block.number} after ${previous.number}`);
    // Slots increase, except that an epoch's first block may share its slot with the EBB before it.
    if (block.slot < previous.slot || (block.slot === previous.slot && !previous.isEbb))
      throw new ImmutableDbFormatError('BROKEN_CHAIN', file, at, `slot ${block.slot} after slot ${previous.slot}`);
  }
  return { ...block, chunk };
}
