/**
 * The two index files of an immutable chunk, as ouroboros-consensus writes them
 * (Storage.ImmutableDB.Impl.Index.Primary / .Secondary); pure, bytes in and out.
 *
 * `NNNNN.primary`: a version byte (1), then one big-endian u32 per relative slot of the chunk plus
 * one: offsets into the secondary index. The first is always 0; an empty slot repeats the offset
 * before it, a filled one adds one secondary entry's size. Relative slot 0 is the Byron EBB's
 * place (cardano's chunks can all hold one), so a regular slot s of chunk c (chunk size N) is
 * relative slot 1 + s − c·N. A finished chunk is back-filled to all N + 1 slots; the chunk still
 * being written stops after its last filled slot.
 *
 * `NNNNN.secondary`: one 56-byte entry per block, big-endian: block offset in the chunk file u64,
 * header offset in the block u16, header size u16, CRC-32 of the block's bytes u32, header hash
 * 32 bytes, then the slot (the epoch for an EBB) u64.
 */
import { crc32 } from 'node:zlib';
import { CardanoError } from './errors.js';
import { ImmutableDbFormatError } from './immutable-db-errors.js';

export const PRIMARY_INDEX_VERSION = 1;
export const SECONDARY_ENTRY_BYTES = 56;
const OFFSET_BYTES = 4;
const HASH_BYTES = 32;

export interface SecondaryEntry {
  readonly blockOffset: bigint;
  readonly headerOffset: number;
  readonly headerSize: number;
  /** CRC-32 (IEEE, as zlib) of the stored block's bytes. */
  readonly checksum: number;
  readonly headerHash: Uint8Array;
  /** The slot of a block, the epoch of an EBB. */
  readonly blockOrEbb: bigint;
}

/** A filled relative slot of a chunk, with its entry. */
export interface IndexedBlock {
  readonly relativeSlot: number;
  readonly entry: SecondaryEntry;
}

/** The CRC-32 cardano-node stores for a block (IEEE polynomial, zlib's). */
export function blockChecksum(bytes: Uint8Array): number {
  return crc32(bytes) >>> 0;
}

/**
 * The secondary offsets of a primary index. `partialTail`: the chunk still being written, whose
 * last offset may be half-written (ignored) — elsewhere that is TRUNCATED.
 */
export function parsePrimaryIndex(bytes: Uint8Array, file: string, partialTail = false): Uint32Array {
  if (bytes.length < 1 + OFFSET_BYTES)
    throw new ImmutableDbFormatError('TRUNCATED', file, bytes.length, 'a primary index holds at least its version byte and a first offset');
  if (bytes[0] !== PRIMARY_INDEX_VERSION)
    throw new ImmutableDbFormatError('CORRUPT', file, 0, `primary index version ${bytes[0]} (this reader knows ${PRIMARY_INDEX_VERSION})`);
  const extra = (bytes.length - 1) % OFFSET_BYTES;
  if (extra !== 0 && !partialTail)
    throw new ImmutableDbFormatError('TRUNCATED', file, bytes.length - extra, `${extra} trailing bytes of a half-written offset`);
  const count = (bytes.length - 1 - extra) / OFFSET_BYTES;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsets = new Uint32Array(count);
  for (let i = 0; i < count; i += 1) {
    const value = view.getUint32(1 + i * OFFSET_BYTES, false);
    if (i === 0 && value !== 0) throw new ImmutableDbFormatError('CORRUPT', file, 1, `the first secondary offset is ${value}, not 0`);
    if (i > 0) {
      const step = value - (offsets[i - 1] as number);
      if (step !== 0 && step !== SECONDARY_ENTRY_BYTES)
        throw new ImmutableDbFormatError(
          'CORRUPT',
          file,
          1 + i * OFFSET_BYTES,
          `secondary offset ${value} after ${offsets[i - 1]}: a slot holds zero or one ${SECONDARY_ENTRY_BYTES}-byte entry`,
        );
    }
    offsets[i] = value;
  }
  return offsets;
}

/** The entry at `offset` of a secondary index (bounds checked by the caller). */
export function parseSecondaryEntry(bytes: Uint8Array, offset: number, file: string): SecondaryEntry {
  if (offset + SECONDARY_ENTRY_BYTES > bytes.length)
    throw new ImmutableDbFormatError('TRUNCATED', file, bytes.length, `the entry at byte ${offset} needs ${SECONDARY_ENTRY_BYTES} bytes, the file ends first`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, SECONDARY_ENTRY_BYTES);
  return {
    blockOffset: view.getBigUint64(0, false),
    headerOffset: view.getUint16(8, false),
    headerSize: view.getUint16(10, false),
    checksum: view.getUint32(12, false),
    headerHash: new Uint8Array(bytes.subarray(offset + 16, offset + 16 + HASH_BYTES)),
    blockOrEbb: view.getBigUint64(16 + HASH_BYTES, false),
  };
}

/** What a chunk's indexes announce. */
export interface ChunkIndex {
  readonly blocks: readonly IndexedBlock[];
  /**
   * Only with `partialTail`: the unfinished write after the last whole entry (secondary entries
   * the primary does not reach yet, or a primary offset past the secondary's end); undefined when
   * the indexes end cleanly.
   */
  readonly unfinished: ImmutableDbFormatError | undefined;
}

/**
 * The blocks a chunk's indexes announce, in order. Checks that the primary's offsets land on the
 * secondary's entries, that block offsets start at 0 and increase, and (`partialTail` false) that
 * the secondary holds nothing the primary does not index. With `partialTail` (the chunk still
 * being written: the node appends the block, then its secondary entry, then the primary offset),
 * entries the primary does not reach yet, and primary offsets past the secondary's end, are the
 * unfinished tail: left out and reported in `unfinished`, not thrown.
 */
export function indexedBlocks(
  primary: Uint32Array,
  secondary: Uint8Array,
  files: { readonly primary: string; readonly secondary: string },
  partialTail = false,
): ChunkIndex {
  const blocks: IndexedBlock[] = [];
  let previousOffset = -1n;
  let indexed = primary.length === 0 ? 0 : (primary[primary.length - 1] as number);
  for (let slot = 0; slot + 1 < primary.length; slot += 1) {
    const at = primary[slot] as number;
    if (primary[slot + 1] === at) continue;
    if (at + SECONDARY_ENTRY_BYTES > secondary.length) {
      const cut = new ImmutableDbFormatError(
        'TRUNCATED',
        files.secondary,
        secondary.length,
        `the primary index points at an entry at byte ${at}, past the end`,
      );
      if (partialTail) return { blocks, unfinished: cut };
      throw cut;
    }
    const entry = parseSecondaryEntry(secondary, at, files.secondary);
    if (previousOffset < 0n ? entry.blockOffset !== 0n : entry.blockOffset <= previousOffset)
      throw new ImmutableDbFormatError(
        'CORRUPT',
        files.secondary,
        at,
        previousOffset < 0n
          ? `the first block is at byte ${entry.blockOffset} of the chunk, not 0`
          : `block offset ${entry.blockOffset} does not follow ${previousOffset}`,
      );
    previousOffset = entry.blockOffset;
    blocks.push({ relativeSlot: slot, entry });
    indexed = at + SECONDARY_ENTRY_BYTES;
  }
  if (secondary.length !== indexed) {
    const mismatch = new ImmutableDbFormatError(
      secondary.length > indexed ? 'CORRUPT' : 'TRUNCATED',
      files.secondary,
      Math.min(indexed, secondary.length),
      `the primary index covers ${indexed} bytes of entries, the file has ${secondary.length}`,
    );
    if (!partialTail) throw mismatch;
    return { blocks, unfinished: mismatch };
  }
  return { blocks, unfinished: undefined };
}

/** The bytes of a primary index whose relative slots `filled` (ascending) hold one block each, over `slots` relative slots. */
export function encodePrimaryIndex(filled: readonly number[], slots: number): Uint8Array {
  const bytes = new Uint8Array(1 + OFFSET_BYTES * (slots + 1));
  const view = new DataView(bytes.buffer);
  bytes[0] = PRIMARY_INDEX_VERSION;
  let next = 0;
  let offset = 0;
  for (let slot = 0; slot < slots; slot += 1) {
    view.setUint32(1 + OFFSET_BYTES * slot, offset, false);
    if (filled[next] === slot) {
      offset += SECONDARY_ENTRY_BYTES;
      next += 1;
    }
  }
  if (next !== filled.length) throw new CardanoError('INVALID_ARGUMENT', `filled relative slots must be ascending and below ${slots}`);
  view.setUint32(1 + OFFSET_BYTES * slots, offset, false);
  return bytes;
}

export function encodeSecondaryEntry(entry: SecondaryEntry): Uint8Array {
  const bytes = new Uint8Array(SECONDARY_ENTRY_BYTES);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, entry.blockOffset, false);
  view.setUint16(8, entry.headerOffset, false);
  view.setUint16(10, entry.headerSize, false);
  view.setUint32(12, entry.checksum >>> 0, false);
  bytes.set(entry.headerHash, 16);
  view.setBigUint64(16 + HASH_BYTES, entry.blockOrEbb, false);
  return bytes;
}
