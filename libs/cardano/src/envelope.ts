import { decodeCbor, readTextEnvelope, writeBytesTextEnvelope } from '@mithril-ts/codec';
import { copyBytes } from './hash.js';
import { CardanoError, describe, fromCodecError } from './errors.js';

/** Key files and certificates are a few kilobytes at most; anything far larger is refused unread. */
export const DEFAULT_ENVELOPE_MAX_BYTES = 64 * 1024;

export interface EnvelopeReadOptions {
  /** Limit on the envelope text in UTF-8 bytes; defaults to DEFAULT_ENVELOPE_MAX_BYTES. */
  maxBytes?: number;
}

/** The CBOR payload of an envelope that must have the given type. */
export function readEnvelopeCbor(text: string, expectedType: string, what: string, options: EnvelopeReadOptions = {}): Uint8Array {
  try {
    return readTextEnvelope(text, { expectedType, maxBytes: options.maxBytes ?? DEFAULT_ENVELOPE_MAX_BYTES }).cbor;
  } catch (error) {
    throw fromCodecError(error, what, 'INVALID_ENVELOPE');
  }
}

/** The payload of a key envelope: a CBOR byte string of one of the accepted lengths. */
export function readBytesEnvelope(text: string, expectedType: string, lengths: readonly number[], what: string, options: EnvelopeReadOptions = {}): Uint8Array {
  const cbor = readEnvelopeCbor(text, expectedType, what, options);
  let value: unknown;
  try {
    value = decodeCbor(cbor);
  } catch (error) {
    throw fromCodecError(error, `${what} cborHex`, 'INVALID_CBOR');
  }
  if (!(value instanceof Uint8Array)) {
    throw new CardanoError('INVALID_CBOR', `${what}: cborHex must hold a CBOR byte string, got ${describe(value)}`);
  }
  if (!lengths.includes(value.length)) {
    throw new CardanoError('INVALID_KEY', `${what}: holds ${value.length} bytes, expected ${lengths.join(' or ')}`);
  }
  return copyBytes(value);
}

export function writeBytesEnvelope(type: string, description: string, bytes: Uint8Array): string {
  return writeBytesTextEnvelope({ type, description, bytes });
}
