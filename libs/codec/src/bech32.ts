import { bech32 } from '@scure/base';
import { CodecError, describeError } from './errors.js';

/** BIP-173's length limit; Cardano pool ids (28-byte payloads) fit, addresses need more. */
export const DEFAULT_BECH32_MAX_LENGTH = 90;

export interface Bech32EncodeOptions {
  maxLength?: number;
}

export interface Bech32DecodeOptions {
  /** Reject strings whose human-readable part differs (compared case-insensitively). */
  expectedPrefix?: string;
  maxLength?: number;
}

export interface Bech32Decoded {
  /** Human-readable part, lowercase. */
  prefix: string;
  bytes: Uint8Array;
}

export function encodeBech32(prefix: string, bytes: Uint8Array, options: Bech32EncodeOptions = {}): string {
  if (typeof prefix !== 'string' || !(bytes instanceof Uint8Array)) {
    throw new CodecError('WRONG_TYPE', 'expected a string prefix and a Uint8Array payload');
  }
  try {
    return bech32.encode(prefix, bech32.toWords(bytes), options.maxLength ?? DEFAULT_BECH32_MAX_LENGTH);
  } catch (error) {
    throw new CodecError('INVALID_BECH32', `cannot bech32-encode: ${describeError(error)}`, { cause: error });
  }
}

export function decodeBech32(text: string, options: Bech32DecodeOptions = {}): Bech32Decoded {
  if (typeof text !== 'string') {
    throw new CodecError('WRONG_TYPE', `expected a bech32 string, got ${typeof text}`);
  }
  const maxLength = options.maxLength ?? DEFAULT_BECH32_MAX_LENGTH;
  if (text.length > maxLength) {
    throw new CodecError('TOO_LARGE', `bech32 string has ${text.length} characters, above the limit of ${maxLength}`);
  }
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(text, maxLength);
  } catch (error) {
    throw new CodecError('INVALID_BECH32', `invalid bech32 string: ${describeError(error)}`, { cause: error });
  }
  const { expectedPrefix } = options;
  if (expectedPrefix !== undefined && decoded.prefix !== expectedPrefix.toLowerCase()) {
    throw new CodecError('WRONG_PREFIX', `expected bech32 prefix "${expectedPrefix}", got "${decoded.prefix}"`);
  }
  let bytes: Uint8Array;
  try {
    bytes = bech32.fromWords(decoded.words);
  } catch (error) {
    // Checksum-valid strings can still carry a payload that is not whole bytes (bad padding).
    throw new CodecError('INVALID_BECH32', `bech32 payload is not a byte string: ${describeError(error)}`, {
      cause: error,
    });
  }
  return { prefix: decoded.prefix, bytes };
}
