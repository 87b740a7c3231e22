/**
 * The genesis ceremony's text forms: key files (json-hex of the 32 key bytes, as the reference
 * distributes them, or plain hex) and the payload file (what the genesis key signs, with everything
 * needed to rebuild it). Reading a payload recomputes the signed message from its content instead
 * of trusting the text it carries. Files are the services' business; this module only reads and
 * writes their text.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesFromJsonArray, bytesToJsonArray, decodeJsonHexOrBytesHex, encodeJsonHex, parseJson, stringifyJson } from '@mithril-ts/codec';
import { avkFromJson, parametersFromJson, parametersToJson } from '@mithril-ts/stm';
import { avkJsonHex } from './certificate.js';
import { epoch as toEpoch } from './epoch.js';
import { ProtocolError } from './errors.js';
import { GENESIS_KEY_BYTES, createGenesisPayload, type GenesisPayload } from './genesis.js';
import { validateProtocolParameters } from './protocol-parameters.js';
import { formatTimestamp, parseTimestamp } from './timestamp.js';

/** Bound on a payload file's text (a payload is a few hundred bytes). */
const MAX_PAYLOAD_TEXT = 1024 * 1024;

/** The genesis verification key as the reference distributes it: json-hex of a 32-byte array. */
export function encodeGenesisVerificationKey(key: Uint8Array): string {
  return keyJsonHex(key);
}

/** The genesis secret key in the same form as the verification key (the reference's key files). */
export function encodeGenesisSecretKey(key: Uint8Array): string {
  return keyJsonHex(key);
}

/** Reads a genesis verification key in json-hex (the reference's files) or plain hex. */
export function decodeGenesisVerificationKey(text: string): Uint8Array {
  return decodeKey(text, 'verification', (key) => {
    ed25519.Point.fromBytes(key); // a valid curve point
  });
}

/** Reads a genesis secret key in json-hex (the reference's files) or plain hex. */
export function decodeGenesisSecretKey(text: string): Uint8Array {
  return decodeKey(text, 'secret');
}

/** The payload file's text: the inputs of the genesis certificate and the message they make. */
export function genesisPayloadToJson(payload: GenesisPayload): string {
  const { inputs } = payload;
  return `${stringifyJson({
    network: inputs.network,
    epoch: inputs.epoch,
    protocol_parameters: parametersToJson(inputs.parameters),
    next_protocol_parameters: parametersToJson(inputs.nextParameters),
    aggregate_verification_key: avkJsonHex(inputs.avk),
    timestamp: formatTimestamp(inputs.timestamp),
    signed_message: payload.signedMessage,
  })}\n`;
}

/** Rebuilds the payload from a payload file's text; a `signed_message` that is not the payload's own is refused. */
export function genesisPayloadFromJson(text: string): GenesisPayload {
  try {
    if (text.length > MAX_PAYLOAD_TEXT) throw new Error('the file is too large');
    const value = parseJson(text) as Record<string, unknown>;
    if (typeof value !== 'object' || value === null) throw new Error('expected a JSON object');
    if (typeof value.network !== 'string' || typeof value.aggregate_verification_key !== 'string' || typeof value.timestamp !== 'string') {
      throw new Error('network, aggregate_verification_key and timestamp are required strings');
    }
    const decodedAvk = decodeJsonHexOrBytesHex(value.aggregate_verification_key, { maxBytes: MAX_PAYLOAD_TEXT });
    if (decodedAvk.kind !== 'json') throw new Error('aggregate_verification_key is not json-hex');
    const payload = createGenesisPayload({
      network: value.network,
      epoch: toEpoch(typeof value.epoch === 'number' || typeof value.epoch === 'bigint' ? value.epoch : -1),
      parameters: validateProtocolParameters(parametersFromJson(value.protocol_parameters)),
      nextParameters: validateProtocolParameters(parametersFromJson(value.next_protocol_parameters)),
      avk: avkFromJson(decodedAvk.value),
      timestamp: parseTimestamp(value.timestamp),
    });
    if (value.signed_message !== undefined && value.signed_message !== payload.signedMessage) {
      throw new Error(`signed_message ${JSON.stringify(value.signed_message)} is not the hash of the payload (${payload.signedMessage})`);
    }
    return payload;
  } catch (cause) {
    throw new ProtocolError('INVALID_GENESIS_PAYLOAD', `not a genesis payload: ${(cause as Error).message}`, { cause });
  }
}

function keyJsonHex(key: Uint8Array): string {
  return encodeJsonHex(bytesToJsonArray(key));
}

function decodeKey(text: string, kind: 'secret' | 'verification', check?: (key: Uint8Array) => void): Uint8Array {
  try {
    const decoded = decodeJsonHexOrBytesHex(text, { maxBytes: 1024 });
    const key = decoded.kind === 'json' ? bytesFromJsonArray(decoded.value, { expectedLength: GENESIS_KEY_BYTES }) : decoded.bytes;
    if (key.length !== GENESIS_KEY_BYTES) throw new Error(`expected ${GENESIS_KEY_BYTES} bytes, got ${key.length}`);
    check?.(key);
    return key;
  } catch (cause) {
    throw new ProtocolError('INVALID_GENESIS_KEY', `not a genesis ${kind} key: ${(cause as Error).message}`, { cause });
  }
}
