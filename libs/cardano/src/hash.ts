import { blake2b } from '@noble/hashes/blake2.js';

export function blake2b256(data: Uint8Array): Uint8Array {
  return blake2b(data, { dkLen: 32 });
}

export function blake2b224(data: Uint8Array): Uint8Array {
  return blake2b(data, { dkLen: 28 });
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Whether `haystack[offset .. offset + needle.length]` equals `needle`. */
export function bytesEqualAt(haystack: Uint8Array, offset: number, needle: Uint8Array): boolean {
  if (offset < 0 || offset + needle.length > haystack.length) return false;
  let diff = 0;
  for (let i = 0; i < needle.length; i += 1) diff |= (haystack[offset + i] as number) ^ (needle[i] as number);
  return diff === 0;
}

/**
 * A fresh plain Uint8Array holding `bytes[start .. end]`. Not `bytes.slice()`: on a Node Buffer
 * that is a view sharing memory, and keys must never alias (or be zeroed through) caller memory.
 */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}
