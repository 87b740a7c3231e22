/**
 * The lottery evaluation `ev = Blake2b-512("map" ‖ msgp ‖ index (u64 LE) ‖ sigma)`, read as a
 * little-endian integer, and the win check against a signer's precomputed threshold.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import type { LotteryThreshold } from './eligibility.js';
import { u64le } from './bytes.js';

const MAP_PREFIX = new TextEncoder().encode('map');

/** Evaluates lottery values for one (message, sigma) pair, sharing the hash prefix across indices. */
export class LotteryEvaluator {
  private readonly prefix: ReturnType<typeof blake2b.create>;

  constructor(
    msgp: Uint8Array,
    private readonly sigma: Uint8Array,
  ) {
    this.prefix = blake2b.create({ dkLen: 64 }).update(MAP_PREFIX).update(msgp);
  }

  ev(index: number): Uint8Array {
    return this.prefix.clone().update(u64le(index)).update(this.sigma).digest();
  }

  wins(index: number, threshold: LotteryThreshold): boolean {
    return threshold.winsLittleEndian(this.ev(index));
  }
}
