/**
 * The immutable DB of a node: one `NNNNN.chunk|.primary|.secondary` trio per chunk of
 * `immutableFileEverySlots` slots, numbered from 00000, in cardano-node's on-disk format (the
 * formats are @mithril-ts/cardano's `immutable-db-index` and `cardano-block`; the blocks are
 * `blocks.ts`'s Conway blocks). Every node follows the same chain, so every node's files are the
 * same bytes. Pure: a trio's bytes are a function of (seed, chunk number, tip slot, the block
 * before the chunk).
 *
 * - .chunk: the blocks of the chunk's slots, one per slot, each stored as `[7, block]`.
 * - .secondary: one 56-byte entry per block (block offset, header offset and size, CRC-32 of
 *   the block, header hash, slot).
 * - .primary: version byte 1, then an offset into .secondary per relative slot and one more:
 *   relative slot 0 is the (always empty) EBB slot, slot s is relative slot 1 + s − first slot.
 *   A complete chunk covers all its slots; the open one stops after the tip's slot, as the node's.
 */
import { SECONDARY_ENTRY_BYTES, blockChecksum, encodePrimaryIndex, encodeSecondaryEntry, type ImmutableFileExtension } from '@mithril-ts/cardano';
import { buildBlock, DEFAULT_BLOCK_SHAPE, type BlockShape, type BuiltBlock, type PreviousBlock } from './blocks.js';
import { DevnetError } from './errors.js';
import type { DevnetParameters } from './parameters.js';

export interface ImmutableTrio {
  readonly chunk: bigint;
  /** The last slot whose block is in the trio. */
  readonly lastSlot: bigint;
  /** Whether the tip has moved on to a later chunk (the bytes never change again). */
  readonly complete: boolean;
  readonly files: Readonly<Record<ImmutableFileExtension, Uint8Array>>;
  /** The trio's last block: the one the next chunk's first block points at (and the tip's hash when the tip is here). */
  readonly lastBlock: PreviousBlock;
}

/** First and last slot of chunk `chunk`. */
export function chunkSlots(params: DevnetParameters, chunk: bigint): { first: bigint; last: bigint } {
  const size = BigInt(params.immutableFileEverySlots);
  return { first: chunk * size, last: (chunk + 1n) * size - 1n };
}

/** The trio of `blocks` (consecutive, in order) as chunk `chunk` holds them; `complete` back-fills the primary index to every slot of the chunk. */
export function trioFiles(
  params: DevnetParameters,
  chunk: bigint,
  blocks: readonly BuiltBlock[],
  complete: boolean,
): Readonly<Record<ImmutableFileExtension, Uint8Array>> {
  const { first } = chunkSlots(params, chunk);
  const chunkBytes = new Uint8Array(blocks.reduce((size, b) => size + b.bytes.length, 0));
  const secondary = new Uint8Array(blocks.length * SECONDARY_ENTRY_BYTES);
  const filled: number[] = [];
  let offset = 0;
  blocks.forEach((block, i) => {
    chunkBytes.set(block.bytes, offset);
    secondary.set(
      encodeSecondaryEntry({
        blockOffset: BigInt(offset),
        headerOffset: block.headerOffset,
        headerSize: block.headerSize,
        checksum: blockChecksum(block.bytes),
        headerHash: block.hash,
        blockOrEbb: block.slot,
      }),
      i * SECONDARY_ENTRY_BYTES,
    );
    filled.push(1 + Number(block.slot - first));
    offset += block.bytes.length;
  });
  const slots = complete ? params.immutableFileEverySlots + 1 : (filled.at(-1) ?? 0) + 1;
  return Object.freeze({ chunk: chunkBytes, primary: encodePrimaryIndex(filled, slots), secondary });
}

/**
 * The trio of chunk `chunk` as it is on disk when the tip is at `tipSlot`: complete when the tip
 * is past the chunk, else holding the blocks up to the tip. `previous` is the last block of chunk
 * `chunk − 1` (undefined for chunk 0).
 */
export function immutableTrio(
  params: DevnetParameters,
  chunk: bigint,
  tipSlot: bigint,
  previous: PreviousBlock | undefined,
  shape: BlockShape = DEFAULT_BLOCK_SHAPE,
): ImmutableTrio {
  if (typeof chunk !== 'bigint' || chunk < 0n) throw new DevnetError('INVALID_ARGUMENT', `chunk number must be a non-negative bigint, got ${String(chunk)}`);
  const { first, last } = chunkSlots(params, chunk);
  if (typeof tipSlot !== 'bigint' || tipSlot < first) {
    throw new DevnetError('INVALID_ARGUMENT', `chunk ${chunk} starts at slot ${first}: it does not exist yet at slot ${String(tipSlot)}`);
  }
  if ((chunk === 0n) !== (previous === undefined)) {
    throw new DevnetError(
      'INVALID_ARGUMENT',
      chunk === 0n ? 'chunk 0 starts the chain: no block before it' : `chunk ${chunk} needs the last block of chunk ${chunk - 1n}`,
    );
  }
  const lastSlot = tipSlot < last ? tipSlot : last;
  const blocks: BuiltBlock[] = [];
  let before = previous;
  for (let slot = first; slot <= lastSlot; slot += 1n) {
    const block = buildBlock(params, slot, before, shape);
    blocks.push(block);
    before = { hash: block.hash, number: block.number };
  }
  const complete = tipSlot > last;
  return Object.freeze({ chunk, lastSlot, complete, files: trioFiles(params, chunk, blocks, complete), lastBlock: before as PreviousBlock });
}
