import { decodeFirst, encode, type DecodeOptions } from 'cborg';
import { CodecError, describeError } from './errors.js';
import { assertWithinLimit, DEFAULT_MAX_BYTES } from './limits.js';

export interface CborDecodeOptions {
  /** Limit on the input size; defaults to DEFAULT_MAX_BYTES. */
  maxBytes?: number;
  /** Decode maps as Map, needed when keys are not strings (Cardano maps use integer keys). */
  useMaps?: boolean;
  /** Accept indefinite-length items; Cardano ledger data sometimes uses them, key files never do. */
  allowIndefinite?: boolean;
}

/** Deterministic CBOR: smallest integer and length forms, sorted map keys (cborg's defaults). */
export function encodeCbor(value: unknown): Uint8Array {
  try {
    return encode(value);
  } catch (error) {
    throw new CodecError('WRONG_TYPE', `cannot encode value as CBOR: ${cborgMessage(error)}`, { cause: error });
  }
}

/**
 * Decode exactly one CBOR item. Strict because the bytes usually come from a file or a peer:
 * trailing bytes, non-minimal integer/length encodings, duplicate map keys and `undefined`
 * each give the same logical value several byte forms, or hide data from one reader but not
 * another, so they are rejected. Integers beyond 2^53 decode as bigint.
 */
export function decodeCbor(bytes: Uint8Array, options: CborDecodeOptions = {}): unknown {
  if (!(bytes instanceof Uint8Array)) {
    throw new CodecError('WRONG_TYPE', `expected CBOR as a Uint8Array, got ${typeof bytes}`);
  }
  assertWithinLimit(bytes.length, options.maxBytes ?? DEFAULT_MAX_BYTES, 'CBOR input');
  const decodeOptions: DecodeOptions = {
    strict: true,
    rejectDuplicateMapKeys: true,
    allowUndefined: false,
    allowNaN: false,
    allowInfinity: false,
    allowBigInt: true,
    allowIndefinite: options.allowIndefinite ?? false,
    useMaps: options.useMaps ?? false,
  };
  let value: unknown;
  let rest: Uint8Array;
  try {
    [value, rest] = decodeFirst(bytes, decodeOptions);
  } catch (error) {
    throw new CodecError('INVALID_CBOR', `invalid CBOR: ${cborgMessage(error)}`, {
      cause: error,
    });
  }
  if (rest.length > 0) {
    throw new CodecError('INVALID_CBOR', `invalid CBOR: ${rest.length} trailing byte(s) after a complete ${bytes.length - rest.length}-byte item`);
  }
  return value;
}

/** CBOR byte string (major type 2) holding `bytes`: how Cardano key files carry raw keys. */
export function cborBytes(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new CodecError('WRONG_TYPE', `expected a Uint8Array to wrap, got ${typeof bytes}`);
  }
  // A Buffer would be encoded fine too, but normalising keeps cborg's type sniffing out of it.
  return encode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** The payload of a CBOR item that must be a single byte string. */
export function unwrapCborBytes(cbor: Uint8Array, options: { maxBytes?: number } = {}): Uint8Array {
  const value = decodeCbor(cbor, options);
  if (!(value instanceof Uint8Array)) {
    throw new CodecError('WRONG_TYPE', `expected a CBOR byte string, got ${describeCborValue(value)}`);
  }
  // Copy so the result does not pin (or alias) the caller's input buffer.
  return value.slice();
}

function describeCborValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Map) return 'a map';
  return typeof value === 'object' ? 'a map' : `a ${typeof value}`;
}

/** cborg prefixes every message with "CBOR decode error: ", even on encode. */
function cborgMessage(error: unknown): string {
  return describeError(error).replace(/^CBOR (?:de|en)code error: /, '');
}
