import { cborBytes, unwrapCborBytes } from './cbor.js';
import { CodecError, describeError } from './errors.js';
import { fromHex, toHex } from './hex.js';
import { parseJson } from './json.js';
import { assertWithinLimit, DEFAULT_MAX_BYTES } from './limits.js';
import { utf8Length } from './utf8.js';

/** A Cardano text envelope, the JSON wrapper cardano-cli uses for keys and certificates. */
export interface TextEnvelope {
  type: string;
  description: string;
  cbor: Uint8Array;
}

export interface ReadTextEnvelopeOptions {
  /** Accepted `type` value(s); any type is accepted when omitted. */
  expectedType?: string | readonly string[];
  /** Limit on the envelope text in UTF-8 bytes; defaults to DEFAULT_MAX_BYTES. */
  maxBytes?: number;
}

/**
 * Byte-for-byte what cardano-cli writes: aeson-pretty with 4-space indentation, keys in the
 * order type, description, cborHex, and a trailing newline. Keeping the bytes identical lets
 * files we write be diffed against, hashed with, or swapped for cardano-cli's.
 */
export function writeTextEnvelope(envelope: TextEnvelope): string {
  const { type, description, cbor } = envelope;
  if (typeof type !== 'string' || typeof description !== 'string' || !(cbor instanceof Uint8Array)) {
    throw new CodecError('WRONG_TYPE', 'a text envelope needs string type and description and Uint8Array cbor');
  }
  return '{\n' + `    "type": ${aesonString(type)},\n` + `    "description": ${aesonString(description)},\n` + `    "cborHex": "${toHex(cbor)}"\n` + '}\n';
}

export function readTextEnvelope(text: string, options: ReadTextEnvelopeOptions = {}): TextEnvelope {
  if (typeof text !== 'string') {
    throw new CodecError('WRONG_TYPE', `expected text envelope JSON as a string, got ${typeof text}`);
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  // Cheap bound first: every UTF-16 unit is at least one UTF-8 byte.
  assertWithinLimit(text.length, maxBytes, 'text envelope');
  assertWithinLimit(utf8Length(text), maxBytes, 'text envelope');

  let document: unknown;
  try {
    document = parseJson(text);
  } catch (error) {
    throw new CodecError('INVALID_ENVELOPE', `text envelope is not JSON: ${describeError(error)}`, { cause: error });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new CodecError('INVALID_ENVELOPE', 'text envelope must be a JSON object');
  }
  // Like cardano-cli, extra fields are ignored: only these three carry meaning.
  const fields = document as Record<string, unknown>;
  const type = requireStringField(fields, 'type');
  const description = requireStringField(fields, 'description');
  const cborHex = requireStringField(fields, 'cborHex');

  const { expectedType } = options;
  if (expectedType !== undefined) {
    const accepted: readonly string[] = typeof expectedType === 'string' ? [expectedType] : expectedType;
    if (!accepted.includes(type)) {
      throw new CodecError('WRONG_TYPE', `text envelope type is ${JSON.stringify(type)}, expected ${accepted.map((t) => JSON.stringify(t)).join(' or ')}`);
    }
  }

  let cbor: Uint8Array;
  try {
    cbor = fromHex(cborHex);
  } catch (error) {
    throw new CodecError('INVALID_ENVELOPE', `text envelope cborHex is not hex: ${describeError(error)}`, {
      cause: error,
    });
  }
  return { type, description, cbor };
}

/** A text envelope whose CBOR is a single byte string, as in every cardano-cli key file. */
export interface BytesTextEnvelope {
  type: string;
  description: string;
  bytes: Uint8Array;
}

export function writeBytesTextEnvelope(envelope: BytesTextEnvelope): string {
  return writeTextEnvelope({ type: envelope.type, description: envelope.description, cbor: cborBytes(envelope.bytes) });
}

/**
 * Read a key file: envelope, then its CBOR byte string. `expectedLength` guards against a key
 * of the right type but wrong size (e.g. an extended key where a plain one is expected).
 */
export function readBytesTextEnvelope(text: string, options: ReadTextEnvelopeOptions & { expectedLength?: number } = {}): BytesTextEnvelope {
  const { type, description, cbor } = readTextEnvelope(text, options);
  const bytes = unwrapCborBytes(cbor);
  if (options.expectedLength !== undefined && bytes.length !== options.expectedLength) {
    throw new CodecError('WRONG_LENGTH', `text envelope ${JSON.stringify(type)} holds ${bytes.length} bytes, expected ${options.expectedLength}`);
  }
  return { type, description, bytes };
}

function requireStringField(fields: Record<string, unknown>, name: string): string {
  if (!Object.prototype.hasOwnProperty.call(fields, name)) {
    throw new CodecError('INVALID_ENVELOPE', `text envelope has no "${name}" field`);
  }
  const value = fields[name];
  if (typeof value !== 'string') {
    throw new CodecError('INVALID_ENVELOPE', `text envelope field "${name}" must be a string`);
  }
  return value;
}

/**
 * aeson's string escaping, which differs from JSON.stringify only for \b and \f (aeson writes
 * \u0008 and \u000c). Lone surrogates cannot occur in Haskell Text, so they are refused.
 */
function aesonString(value: string): string {
  if (/[\ud800-\udfff]/u.test(value)) {
    throw new CodecError('WRONG_TYPE', 'text envelope strings cannot contain lone surrogates');
  }
  // Matching whole escapes left to right keeps an escaped backslash followed by 'b' intact.
  return JSON.stringify(value).replace(/\\[\s\S]/g, (escape) => (escape === '\\b' ? '\\u0008' : escape === '\\f' ? '\\u000c' : escape));
}
