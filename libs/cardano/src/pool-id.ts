/**
 * Pool ids: Blake2b-224 of the pool's cold verification key, shown as bech32 `pool1…` (CIP-5)
 * or as 56 lowercase hex digits. Mithril uses the bech32 form as the signer's party id.
 */
import { decodeBech32, encodeBech32, fromHex, toHex, CodecError } from '@mithril-ts/codec';
import { CardanoError, describe, requireBytes } from './errors.js';
import { ED25519_PUBLIC_KEY_BYTES } from './ed25519.js';
import { blake2b224, copyBytes } from './hash.js';

export const POOL_ID_BYTES = 28;
export const POOL_ID_BECH32_PREFIX = 'pool';

export interface PoolId {
  readonly bytes: Uint8Array;
  readonly hex: string;
  readonly bech32: string;
}

/** Longer than either form (both are 56 characters); refused before any parsing. */
const MAX_POOL_ID_TEXT = 128;
const HEX_POOL_ID = /^[0-9a-fA-F]{56}$/;
const HEX_DIGITS = /^[0-9a-fA-F]+$/;

function poolIdOf(bytes: Uint8Array): PoolId {
  return Object.freeze({ bytes, hex: toHex(bytes), bech32: encodeBech32(POOL_ID_BECH32_PREFIX, bytes) });
}

export function poolIdFromColdVerificationKey(coldVerificationKey: Uint8Array): PoolId {
  requireBytes(coldVerificationKey, ED25519_PUBLIC_KEY_BYTES, 'cold verification key', 'INVALID_KEY');
  return poolIdOf(blake2b224(coldVerificationKey));
}

/** A pool id from its 28 bytes. */
export function poolIdFromBytes(bytes: Uint8Array): PoolId {
  requireBytes(bytes, POOL_ID_BYTES, 'pool id', 'INVALID_POOL_ID');
  return poolIdOf(copyBytes(bytes));
}

/** Accepts `pool1…` bech32 (either case, not mixed) or 56 hex digits; no surrounding whitespace. */
export function parsePoolId(text: string): PoolId {
  if (typeof text !== 'string') {
    throw new CardanoError('INVALID_POOL_ID', `a pool id must be a string, got ${describe(text)}`);
  }
  if (text.length > MAX_POOL_ID_TEXT) {
    throw new CardanoError('TOO_LARGE', `pool id has ${text.length} characters, above the limit of ${MAX_POOL_ID_TEXT}`);
  }
  if (HEX_POOL_ID.test(text)) return poolIdOf(fromHex(text));
  if (HEX_DIGITS.test(text)) {
    throw new CardanoError('INVALID_POOL_ID', `pool id in hex must be ${POOL_ID_BYTES * 2} hex digits, got ${text.length}`);
  }
  if (!text.includes('1')) {
    throw new CardanoError('INVALID_POOL_ID', `pool id ${JSON.stringify(text)} is neither bech32 "pool1…" nor ${POOL_ID_BYTES * 2} hex digits`);
  }
  let bytes: Uint8Array;
  try {
    bytes = decodeBech32(text, { expectedPrefix: POOL_ID_BECH32_PREFIX }).bytes;
  } catch (error) {
    const reason = error instanceof CodecError ? error.message : String(error);
    throw new CardanoError('INVALID_POOL_ID', `pool id ${JSON.stringify(text)} is not a valid pool1… bech32 string: ${reason}`, {
      cause: error,
    });
  }
  if (bytes.length !== POOL_ID_BYTES) {
    throw new CardanoError('INVALID_POOL_ID', `pool id holds ${bytes.length} bytes, expected ${POOL_ID_BYTES}`);
  }
  return poolIdOf(bytes);
}
