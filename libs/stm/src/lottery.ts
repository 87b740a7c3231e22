/**
 * The lottery evaluation `ev = Blake2b-512("map" ‖ msgp ‖ index (u64 LE) ‖ sigma)`, read as a
 * little-endian integer, and the win check against a signer's precomputed threshold.
 * A signer evaluates all m indices every round, so this is the signer's hot loop: one buffer is
 * reused and hashed by node:crypto's native BLAKE2b on Node (about twice as fast as a JS one
 * here), by noble's elsewhere. node:crypto is reached through `process.getBuiltinModule` rather
 * than an import so that this package still bundles for a browser.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import type * as NodeCrypto from 'node:crypto';
import type { LotteryThreshold } from './eligibility.js';

const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
  typeof NodeCrypto | undefined;
const blake2b512: (input: Uint8Array) => Uint8Array =
  nodeCrypto === undefined ? (input) => blake2b(input, { dkLen: 64 }) : (input) => nodeCrypto.createHash('blake2b512').update(input).digest();

const MAP_PREFIX = new TextEncoder().encode('map');

/** Evaluates lottery values for one (message, sigma) pair. */
export class LotteryEvaluator {
  private readonly input: Uint8Array;
  private readonly indexView: DataView;
  private readonly indexOffset: number;

  constructor(msgp: Uint8Array, sigma: Uint8Array) {
    this.indexOffset = MAP_PREFIX.length + msgp.length;
    this.input = new Uint8Array(this.indexOffset + 8 + sigma.length);
    this.input.set(MAP_PREFIX, 0);
    this.input.set(msgp, MAP_PREFIX.length);
    this.input.set(sigma, this.indexOffset + 8);
    this.indexView = new DataView(this.input.buffer, this.indexOffset, 8);
  }

  ev(index: number): Uint8Array {
    this.indexView.setBigUint64(0, BigInt(index), true);
    return blake2b512(this.input);
  }

  wins(index: number, threshold: LotteryThreshold): boolean {
    return threshold.winsLittleEndian(this.ev(index));
  }
}
