/**
 * Deterministic derivation: every pseudo-random value of the devnet is SHA-256 over a domain tag,
 * the seed and a labelled, length-prefixed list of inputs, so no two uses can collide and the
 * same (seed, label, inputs) always gives the same bytes on every machine. Integers only: no
 * floating point anywhere in what ends up in a file.
 */
import { createHash } from 'node:crypto';

const DOMAIN = 'mithril-ts/devnet/v1';

export type DerivationInput = string | bigint | number | Uint8Array;

function encodeInput(input: DerivationInput): Uint8Array {
  if (typeof input === 'string') return new TextEncoder().encode(`s${input}`);
  if (input instanceof Uint8Array) return Uint8Array.of(0x62 /* b */, ...input);
  const value = BigInt(input);
  if (value < 0n) throw new RangeError(`derivation integers must be non-negative, got ${value}`);
  return new TextEncoder().encode(`i${value.toString(10)}`);
}

/** 32 bytes: SHA-256(domain ‖ seed ‖ label ‖ inputs…), every part prefixed by its u32 BE length. */
export function derive(seed: string, label: string, ...inputs: DerivationInput[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of [DOMAIN, seed, label, ...inputs]) {
    const bytes = encodeInput(part);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, bytes.length, false);
    hash.update(length);
    hash.update(bytes);
  }
  return new Uint8Array(hash.digest());
}

/** A uniform-enough integer in [0, bound) (bound ≤ 2^48: the modulo bias is below 2^-16). */
export function deriveBelow(bound: bigint, seed: string, label: string, ...inputs: DerivationInput[]): bigint {
  if (bound <= 0n || bound > 1n << 48n) throw new RangeError(`bound must be in [1, 2^48], got ${bound}`);
  const bytes = derive(seed, label, ...inputs);
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, false) % bound;
}

/** `length` pseudo-random bytes: SHA-256 in counter mode over (seed, label, inputs). */
export function deriveBytes(length: number, seed: string, label: string, ...inputs: DerivationInput[]): Uint8Array {
  const out = new Uint8Array(length);
  const key = derive(seed, label, ...inputs);
  const counter = new Uint8Array(4);
  const view = new DataView(counter.buffer);
  for (let offset = 0, block = 0; offset < length; offset += 32, block += 1) {
    view.setUint32(0, block, false);
    const digest = createHash('sha256').update(key).update(counter).digest();
    out.set(digest.subarray(0, Math.min(32, length - offset)), offset);
  }
  return out;
}
