/**
 * The part of node:crypto that libs/stm uses on the verification path (the lottery's BLAKE2b-512,
 * `createHash('blake2b512')`), for the browser bundle: Vite maps `node:crypto` here, so the
 * browser runs the same lib code with @noble/hashes' implementation. An algorithm the libs do not
 * use throws rather than silently hashing with another one.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';

const HASHES = {
  blake2b512: () => blake2b.create({ dkLen: 64 }),
  sha256: () => sha256.create(),
  sha512: () => sha512.create(),
} as const;

interface Hash {
  update(data: Uint8Array | string): Hash;
  digest(): Uint8Array;
}

export function createHash(algorithm: string): Hash {
  const make = HASHES[algorithm as keyof typeof HASHES];
  if (make === undefined) throw new Error(`node:crypto shim: hash ${algorithm} is not available in the browser bundle`);
  const state = make();
  const hash: Hash = {
    update(data) {
      state.update(typeof data === 'string' ? new TextEncoder().encode(data) : data);
      return hash;
    },
    digest: () => state.digest(),
  };
  return hash;
}
