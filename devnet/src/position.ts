/**
 * Where the chain is at a given time: pure arithmetic over the parameters and an injected clock
 * reading (nothing here reads the clock).
 *
 * - slot = ⌊(now − genesis) / slotLength⌋; every slot has a block, so blockNumber = slot (block 0
 *   is in slot 0). The devnet has no empty slots (activeSlotsCoeff = 1).
 * - chunk c covers slots [c·N, (c+1)·N) with N = immutableFileEverySlots. As in cardano-node, the
 *   trio of the chunk holding the tip is the one still being appended to; chunk c is complete
 *   once a block of chunk c+1 exists. `immutableFileNumber` is the last complete chunk (what
 *   Mithril's immutable file observer reports: it skips the last trio on disk), null before the
 *   first chunk completes.
 */
import { DevnetError } from './errors.js';
import type { DevnetParameters } from './parameters.js';

export interface ChainPosition {
  readonly slot: bigint;
  readonly epoch: bigint;
  readonly slotInEpoch: bigint;
  /** Slots left in the epoch, counting the tip's (cardano-cli: slotInEpoch + slotsToEpochEnd = epoch length). */
  readonly slotsToEpochEnd: bigint;
  /** Absolute KES period: slot / slotsPerKesPeriod. */
  readonly kesPeriod: bigint;
  /** Number of the chunk holding the tip: the highest immutable trio on disk, still growing. */
  readonly currentChunk: bigint;
  /** The last complete immutable file number, or null while the first chunk is still open. */
  readonly immutableFileNumber: bigint | null;
  readonly blockNumber: bigint;
}

/** The position of the chain whose tip is at `slot`. */
export function positionAtSlot(params: DevnetParameters, slot: bigint): ChainPosition {
  if (typeof slot !== 'bigint' || slot < 0n) {
    throw new DevnetError('INVALID_ARGUMENT', `slot must be a non-negative bigint, got ${String(slot)}`);
  }
  const slotsPerEpoch = BigInt(params.slotsPerEpoch);
  const epoch = slot / slotsPerEpoch;
  const slotInEpoch = slot % slotsPerEpoch;
  const currentChunk = slot / BigInt(params.immutableFileEverySlots);
  return Object.freeze({
    slot,
    epoch,
    slotInEpoch,
    slotsToEpochEnd: slotsPerEpoch - slotInEpoch,
    kesPeriod: slot / BigInt(params.slotsPerKesPeriod),
    currentChunk,
    immutableFileNumber: currentChunk === 0n ? null : currentChunk - 1n,
    blockNumber: slot,
  });
}

/** The slot in progress at `nowMs` for a chain started at `genesisTimeMs` (both in ms since the epoch). */
export function slotAt(params: DevnetParameters, genesisTimeMs: number, nowMs: number): bigint {
  if (!Number.isFinite(genesisTimeMs) || !Number.isFinite(nowMs)) {
    throw new DevnetError('INVALID_ARGUMENT', `times must be finite numbers of milliseconds, got genesis ${genesisTimeMs} and now ${nowMs}`);
  }
  if (nowMs < genesisTimeMs) {
    throw new DevnetError('BEFORE_GENESIS', `${nowMs} ms is ${genesisTimeMs - nowMs} ms before the devnet's genesis at ${genesisTimeMs} ms`);
  }
  return BigInt(Math.floor((nowMs - genesisTimeMs) / params.slotLengthMs));
}

/** The chain position at `nowMs`. */
export function chainPosition(params: DevnetParameters, genesisTimeMs: number, nowMs: number): ChainPosition {
  return positionAtSlot(params, slotAt(params, genesisTimeMs, nowMs));
}

/** The wall-clock time (ms) at which `slot` begins. */
export function slotStartMs(params: DevnetParameters, genesisTimeMs: number, slot: bigint): number {
  return genesisTimeMs + Number(slot) * params.slotLengthMs;
}
