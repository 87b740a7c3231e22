/**
 * The immutable DB of a node: one `NNNNN.chunk|.primary|.secondary` trio per chunk of
 * `immutableFileEverySlots` slots, numbered from 00000 (the names and the trio are the layout of
 * @mithril-ts/cardano, as cardano-node names them). Every node
 * follows the same chain, so every node's files are the same bytes. Pure: bytes are a function of
 * (seed, chunk number, tip slot); a complete chunk's bytes depend on (seed, number) only.
 *
 * The bytes are shaped like cardano-node's, not byte-compatible with them (nothing parses blocks):
 * - .chunk: the blocks of the chunk's slots, one per slot, each an 86-byte header
 *   (slot u64, block number u64, previous hash 32, header hash 32, issuer pool u16,
 *   body size u32) and a 200–1800-byte pseudo-random body; about 20 KB for 20 slots.
 * - .secondary: one 56-byte entry per block (block offset u64, header offset u16,
 *   header size u16, checksum u32, header hash 32, slot u64).
 * - .primary: a version byte (1), then one u32 offset into .secondary per relative slot, and one
 *   past the last entry.
 */
import type { ImmutableFileExtension } from '@mithril-ts/cardano';
import { derive, deriveBelow, deriveBytes } from './derive.js';
import { DevnetError } from './errors.js';
import type { DevnetParameters } from './parameters.js';

const HEADER_BYTES = 86;
const SECONDARY_ENTRY_BYTES = 56;
const PRIMARY_VERSION = 1;
const BODY_MIN = 200n;
const BODY_RANGE = 1601n;

/** The header hash of the block in `slot` (also the tip's `hash` when the tip is there). */
export function blockHeaderHash(params: DevnetParameters, slot: bigint): Uint8Array {
  return derive(params.seed, 'block header hash', slot);
}

/** The pool (1-based) that forged the block in `slot`. */
export function blockIssuer(params: DevnetParameters, slot: bigint): number {
  return 1 + Number(deriveBelow(BigInt(params.pools), params.seed, 'block issuer', slot));
}

function block(params: DevnetParameters, slot: bigint): Uint8Array {
  const bodySize = Number(BODY_MIN + deriveBelow(BODY_RANGE, params.seed, 'block body size', slot));
  const bytes = new Uint8Array(HEADER_BYTES + bodySize);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, slot, false);
  view.setBigUint64(8, slot, false); // block number: one block per slot
  bytes.set(slot === 0n ? new Uint8Array(32) : blockHeaderHash(params, slot - 1n), 16);
  bytes.set(blockHeaderHash(params, slot), 48);
  view.setUint16(80, blockIssuer(params, slot), false);
  view.setUint32(82, bodySize, false);
  bytes.set(deriveBytes(bodySize, params.seed, 'block body', slot), HEADER_BYTES);
  return bytes;
}

export interface ImmutableTrio {
  readonly chunk: bigint;
  /** The last slot whose block is in the trio. */
  readonly lastSlot: bigint;
  /** Whether the tip has moved on to a later chunk (the bytes never change again). */
  readonly complete: boolean;
  readonly files: Readonly<Record<ImmutableFileExtension, Uint8Array>>;
}

/** First and last slot of chunk `chunk`. */
export function chunkSlots(params: DevnetParameters, chunk: bigint): { first: bigint; last: bigint } {
  const size = BigInt(params.immutableFileEverySlots);
  return { first: chunk * size, last: (chunk + 1n) * size - 1n };
}

/**
 * The trio of chunk `chunk` as it is on disk when the tip is at `tipSlot`: complete when the tip
 * is past the chunk, else holding the blocks up to the tip.
 */
export function immutableTrio(params: DevnetParameters, chunk: bigint, tipSlot: bigint): ImmutableTrio {
  if (typeof chunk !== 'bigint' || chunk < 0n) throw new DevnetError('INVALID_ARGUMENT', `chunk number must be a non-negative bigint, got ${String(chunk)}`);
  const { first, last } = chunkSlots(params, chunk);
  if (typeof tipSlot !== 'bigint' || tipSlot < first) {
    throw new DevnetError('INVALID_ARGUMENT', `chunk ${chunk} starts at slot ${first}: it does not exist yet at slot ${String(tipSlot)}`);
  }
  const lastSlot = tipSlot < last ? tipSlot : last;
  const blocks: Uint8Array[] = [];
  for (let slot = first; slot <= lastSlot; slot += 1n) blocks.push(block(params, slot));

  const chunkBytes = new Uint8Array(blocks.reduce((size, b) => size + b.length, 0));
  const secondary = new Uint8Array(blocks.length * SECONDARY_ENTRY_BYTES);
  const secondaryView = new DataView(secondary.buffer);
  const primary = new Uint8Array(1 + 4 * (blocks.length + 1));
  const primaryView = new DataView(primary.buffer);
  primary[0] = PRIMARY_VERSION;
  let offset = 0;
  blocks.forEach((b, i) => {
    chunkBytes.set(b, offset);
    const entry = i * SECONDARY_ENTRY_BYTES;
    secondaryView.setBigUint64(entry, BigInt(offset), false);
    secondaryView.setUint16(entry + 8, 0, false);
    secondaryView.setUint16(entry + 10, HEADER_BYTES, false);
    secondary.set(derive(params.seed, 'block checksum', b).subarray(0, 4), entry + 12);
    secondary.set(b.subarray(48, 80), entry + 16);
    secondaryView.setBigUint64(entry + 48, first + BigInt(i), false);
    primaryView.setUint32(1 + 4 * i, entry, false);
    offset += b.length;
  });
  primaryView.setUint32(1 + 4 * blocks.length, secondary.length, false);
  return Object.freeze({
    chunk,
    lastSlot,
    complete: tipSlot > last,
    files: Object.freeze({ chunk: chunkBytes, primary, secondary }),
  });
}
