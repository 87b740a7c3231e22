/**
 * Era markers in the forms the reference ships them:
 * - a markers file: the JSON list `[{"name":"pythagoras","epoch":1}, …]` (`epoch` null or absent
 *   for an era announced but not scheduled);
 * - an on-chain payload: json-hex of `{"markers":[…],"signature":"<hex>"}` carried in the bytes
 *   fields of an inline datum, the signature an Ed25519 signature by the network's era-markers key
 *   over the compact JSON of the markers list (serde_json's bytes: keys `name` then `epoch`, an
 *   unscheduled epoch written `null`).
 * Anybody can put a datum at the markers address, so a payload counts only once its signature
 * verifies under the configured era-markers verification key; unsigned or forged payloads are
 * skipped, never trusted.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  bytesFromJsonArray,
  bytesToJsonArray,
  decodeBytesHexOrJsonHex,
  decodeJsonHex,
  decodeJsonHexOrBytesHex,
  encodeJsonHex,
  parseJson,
  stringifyJson,
  toHex,
} from '@mithril-ts/codec';
import { epoch as toEpoch } from './epoch.js';
import type { EraMarker } from './era.js';
import { ProtocolError } from './errors.js';

/** Markers in one list; a network has had two eras so far, so this is generous. */
const MAX_MARKERS = 256;
const MAX_ERA_NAME = 64;
/** Bound on a markers file or payload's text. */
export const MAX_ERA_MARKERS_TEXT = 64 * 1024;
const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

export interface EraMarkersPayload {
  readonly markers: readonly EraMarker[];
  /** Ed25519 signature of `eraMarkersSignedBytes(markers)`; absent on an unsigned payload. */
  readonly signature?: Uint8Array;
}

function invalid(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError('INVALID_ERA_MARKERS', message, cause === undefined ? undefined : { cause });
}

/** Checks a JSON value is a list of markers (`name` a short string, `epoch` a u64, null or absent). */
export function eraMarkersFromJson(value: unknown): EraMarker[] {
  if (!Array.isArray(value)) throw invalid('era markers must be a JSON list');
  if (value.length > MAX_MARKERS) throw invalid(`more than ${MAX_MARKERS} era markers`);
  return value.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalid(`era marker ${index} is not an object`);
    const { name, epoch, ...rest } = item as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw invalid(`era marker ${index} has unknown field ${extra[0]}`);
    if (typeof name !== 'string' || name === '' || name.length > MAX_ERA_NAME)
      throw invalid(`era marker ${index}: name must be a string of 1 to ${MAX_ERA_NAME} characters`);
    if (epoch === undefined || epoch === null) return { name };
    if ((typeof epoch !== 'number' || !Number.isInteger(epoch)) && typeof epoch !== 'bigint')
      throw invalid(`era marker ${index} (${name}): epoch must be an integer or null`);
    try {
      return { name, epoch: toEpoch(epoch) };
    } catch (cause) {
      throw invalid(`era marker ${index} (${name}): ${(cause as Error).message}`, cause);
    }
  });
}

/** Reads a markers file's text (the reference's file adapter format). */
export function parseEraMarkersJson(text: string): EraMarker[] {
  if (text.length > MAX_ERA_MARKERS_TEXT) throw invalid('the era markers text is too large');
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (cause) {
    throw invalid(`the era markers are not JSON: ${(cause as Error).message}`, cause);
  }
  return eraMarkersFromJson(value);
}

/** The markers as the reference serialises them, which is what the era-markers key signs. */
export function eraMarkersToJson(markers: readonly EraMarker[]): string {
  return stringifyJson(markers.map((marker) => ({ name: marker.name, epoch: marker.epoch ?? null })));
}

export function eraMarkersSignedBytes(markers: readonly EraMarker[]): Uint8Array {
  return new TextEncoder().encode(eraMarkersToJson(markers));
}

/** Decodes a payload's json-hex (the concatenated bytes fields of a datum); the signature is not checked here. */
export function decodeEraMarkersPayload(jsonHex: string): EraMarkersPayload {
  let value: unknown;
  try {
    value = decodeJsonHex(jsonHex, { maxBytes: MAX_ERA_MARKERS_TEXT });
  } catch (cause) {
    throw invalid(`the era markers payload is not json-hex: ${(cause as Error).message}`, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('the era markers payload is not a JSON object');
  const { markers, signature } = value as Record<string, unknown>;
  const parsed = eraMarkersFromJson(markers);
  if (signature === undefined || signature === null) return { markers: parsed };
  if (typeof signature !== 'string') throw invalid('the era markers signature is not a string');
  return { markers: parsed, signature: decodeSignature(signature) };
}

/** The reference writes the signature as plain hex of its 64 bytes; older payloads used json-hex of the byte array. */
function decodeSignature(text: string): Uint8Array {
  try {
    const decoded = decodeBytesHexOrJsonHex(text, { maxBytes: 1024 });
    const bytes = decoded.kind === 'bytes' ? decoded.bytes : bytesFromJsonArray(decoded.value, { expectedLength: SIGNATURE_BYTES });
    if (bytes.length !== SIGNATURE_BYTES) throw new Error(`expected ${SIGNATURE_BYTES} bytes, got ${bytes.length}`);
    return bytes;
  } catch (cause) {
    throw invalid(`the era markers signature does not decode: ${(cause as Error).message}`, cause);
  }
}

/** True when the payload is signed by the era-markers key (an unsigned payload never is). */
export function verifyEraMarkersPayload(payload: EraMarkersPayload, verificationKey: Uint8Array): boolean {
  if (payload.signature === undefined) return false;
  try {
    return ed25519.verify(payload.signature, eraMarkersSignedBytes(payload.markers), verificationKey);
  } catch {
    return false;
  }
}

/** A signed payload's json-hex, as a datum carries it (devnets and tests write what a network's era operator would). */
export function encodeEraMarkersPayload(markers: readonly EraMarker[], secretKey: Uint8Array): string {
  const signature = ed25519.sign(eraMarkersSignedBytes(markers), secretKey);
  return encodeJsonHex({ markers: markers.map((marker) => ({ name: marker.name, epoch: marker.epoch ?? null })), signature: toHex(signature) });
}

/** Reads an era-markers verification key: json-hex of its 32 bytes (the reference's key files) or plain hex. */
export function decodeEraMarkersVerificationKey(text: string): Uint8Array {
  try {
    const decoded = decodeJsonHexOrBytesHex(text.trim(), { maxBytes: 1024 });
    const key = decoded.kind === 'json' ? bytesFromJsonArray(decoded.value, { expectedLength: KEY_BYTES }) : decoded.bytes;
    if (key.length !== KEY_BYTES) throw new Error(`expected ${KEY_BYTES} bytes, got ${key.length}`);
    ed25519.Point.fromBytes(key);
    return key;
  } catch (cause) {
    throw invalid(`not an era-markers verification key: ${(cause as Error).message}`, cause);
  }
}

/** The verification key in the reference's key file form. */
export function encodeEraMarkersVerificationKey(key: Uint8Array): string {
  return encodeJsonHex(bytesToJsonArray(key));
}

/** The verification key of an era-markers secret key (devnets make their own pair). */
export function eraMarkersVerificationKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey);
}
