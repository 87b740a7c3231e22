import { CodecError, describeError } from './errors.js';
import { fromHex, toHex } from './hex.js';
import { parseJson, stringifyJson } from './json.js';
import { DEFAULT_MAX_BYTES } from './limits.js';
import { utf8Decode, utf8Encode } from './utf8.js';

/**
 * "JSON-hex" is how the reference ships keys and signatures inside its JSON messages: the
 * compact serde_json document of the value, UTF-8 encoded, then hex encoded.
 */

export interface JsonHexDecodeOptions {
  /** Limit on the decoded (JSON text) size in bytes; defaults to DEFAULT_MAX_BYTES. */
  maxBytes?: number;
}

export function encodeJsonHex(value: unknown): string {
  return toHex(utf8Encode(stringifyJson(value)));
}

export function decodeJsonHex(text: string, options: JsonHexDecodeOptions = {}): unknown {
  const bytes = decodeHexPayload(text, options, 'INVALID_JSON_HEX');
  return parseJsonBytes(bytes);
}

export type JsonOrBytes = { kind: 'json'; value: unknown } | { kind: 'bytes'; bytes: Uint8Array };

export interface JsonHexFallbackOptions extends JsonHexDecodeOptions {
  /**
   * The reference's fallback works because its JSON attempt deserialises into a concrete type
   * and fails on anything else. Pass that shape check here; by default any JSON value counts.
   */
  acceptJson?: (value: unknown) => boolean;
}

/**
 * The reference's rule for keys whose default codec is JSON-hex: try JSON-hex, and when that
 * does not yield an acceptable value, read the same string as plain bytes hex.
 * Throws INVALID_HEX when the string is not hex at all (then neither reading can work).
 */
export function decodeJsonHexOrBytesHex(text: string, options: JsonHexFallbackOptions = {}): JsonOrBytes {
  const bytes = decodeHexPayload(text, options, 'INVALID_HEX');
  const accept = options.acceptJson ?? (() => true);
  const value = tryParseJsonBytes(bytes);
  if (value.ok && accept(value.value)) return { kind: 'json', value: value.value };
  return { kind: 'bytes', bytes };
}

export interface BytesHexFallbackOptions extends JsonHexDecodeOptions {
  /**
   * Whether the decoded bytes are a valid binary encoding (e.g. a length check). When false,
   * the string is read as JSON-hex instead. The default rejects exactly the bytes that are
   * UTF-8 text of a JSON array or object; see decodeBytesHexOrJsonHex.
   */
  acceptBytes?: (bytes: Uint8Array) => boolean;
}

/**
 * The reference's rule for keys whose default codec is bytes hex: read bytes hex first, fall
 * back to JSON-hex. Any hex string decodes as bytes, so without a typed check the fallback
 * could never fire; the default rule is therefore: if the bytes are UTF-8 text of a JSON
 * array or object (first non-whitespace character '[' or '{'), the input is JSON-hex, otherwise
 * bytes. Real key material is practically never misread: the binary encodings of the
 * reference's keys and signatures (curve points, indices) are essentially never JSON text.
 */
export function decodeBytesHexOrJsonHex(text: string, options: BytesHexFallbackOptions = {}): JsonOrBytes {
  const bytes = decodeHexPayload(text, options, 'INVALID_HEX');
  const accept = options.acceptBytes ?? ((candidate: Uint8Array) => !isJsonContainerText(candidate));
  if (accept(bytes)) return { kind: 'bytes', bytes };
  try {
    return { kind: 'json', value: parseJsonBytes(bytes) };
  } catch (error) {
    throw new CodecError('INVALID_JSON_HEX', `hex is neither acceptable bytes nor JSON-hex: ${describeError(error)}`, { cause: error });
  }
}

/** Reference byte arrays (`Vec<u8>`, `[u8; N]`) travel in JSON as arrays of numbers. */
export function bytesToJsonArray(bytes: Uint8Array): number[] {
  if (!(bytes instanceof Uint8Array)) {
    throw new CodecError('WRONG_TYPE', `expected a Uint8Array, got ${typeof bytes}`);
  }
  return Array.from(bytes);
}

export function bytesFromJsonArray(value: unknown, options: { expectedLength?: number } = {}): Uint8Array {
  if (!Array.isArray(value)) {
    throw new CodecError('WRONG_TYPE', `expected a JSON array of bytes, got ${describeJsonType(value)}`);
  }
  const { expectedLength } = options;
  if (expectedLength !== undefined && value.length !== expectedLength) {
    throw new CodecError('WRONG_LENGTH', `expected ${expectedLength} bytes, got ${value.length}`);
  }
  const bytes = new Uint8Array(value.length);
  value.forEach((item: unknown, index) => {
    if (typeof item !== 'number' || !Number.isInteger(item) || item < 0 || item > 255) {
      throw new CodecError('WRONG_TYPE', `byte array element ${index} is ${describeJsonType(item)}, not an integer in 0..255`);
    }
    bytes[index] = item;
  });
  return bytes;
}

function decodeHexPayload(text: string, options: JsonHexDecodeOptions, code: 'INVALID_JSON_HEX' | 'INVALID_HEX'): Uint8Array {
  if (typeof text !== 'string') {
    throw new CodecError('WRONG_TYPE', `expected a hex string, got ${typeof text}`);
  }
  // Key files are written by hand or by tools that append a newline; the reference trims too.
  const trimmed = text.trim();
  try {
    return fromHex(trimmed, { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES });
  } catch (error) {
    if (error instanceof CodecError && error.code === 'INVALID_HEX' && code !== 'INVALID_HEX') {
      throw new CodecError(code, `JSON-hex is not valid hex: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function parseJsonBytes(bytes: Uint8Array): unknown {
  try {
    return parseJson(utf8Decode(bytes));
  } catch (error) {
    throw new CodecError('INVALID_JSON_HEX', `JSON-hex does not hold a JSON document: ${describeError(error)}`, {
      cause: error,
    });
  }
}

function tryParseJsonBytes(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: parseJsonBytes(bytes) };
  } catch (error) {
    if (error instanceof CodecError) return { ok: false };
    throw error;
  }
}

function isJsonContainerText(bytes: Uint8Array): boolean {
  const first = bytes.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
  if (first !== 0x5b && first !== 0x7b) return false;
  return tryParseJsonBytes(bytes).ok;
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${String(value)}`;
  return `a value of type ${typeof value}`;
}
