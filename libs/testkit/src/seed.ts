import { sha256 } from '@noble/hashes/sha2.js';

/** 32 bytes derived from a label: the seed of a test key, the same in every run. */
export function seedOf(label: string): Uint8Array {
  return sha256(new TextEncoder().encode(label));
}
