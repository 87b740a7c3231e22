/**
 * The genesis ceremony's files. The payload (what the genesis key signs, with everything needed to
 * rebuild it) is exported by an aggregator, signed offline by whoever holds the genesis secret
 * key, and imported back with the signature; every step recomputes the signed message from the
 * payload's content instead of trusting the text it carries.
 */
import { readFileSync } from 'node:fs';
import { bytesFromJsonArray, bytesToJsonArray, decodeJsonHexOrBytesHex, encodeJsonHex, parseJson, stringifyJson } from '@mithril-ts/codec';
import {
  GENESIS_KEY_BYTES,
  GenesisSigner,
  createGenesisPayload,
  epoch as toEpoch,
  formatTimestamp,
  parseTimestamp,
  validateProtocolParameters,
  type GenesisPayload,
} from '@mithril-ts/protocol';
import { avkFromJson, avkToJson, parametersFromJson, parametersToJson } from '@mithril-ts/stm';
import { AggregatorError } from './runtime/errors.js';

const MAX_FILE_BYTES = 1024 * 1024;

export function genesisPayloadToJson(payload: GenesisPayload): string {
  const { inputs } = payload;
  return `${stringifyJson({
      network: inputs.network,
      epoch: inputs.epoch,
      protocol_parameters: parametersToJson(inputs.parameters),
      next_protocol_parameters: parametersToJson(inputs.nextParameters),
      aggregate_verification_key: encodeJsonHex(avkToJson(inputs.avk)),
      timestamp: formatTimestamp(inputs.timestamp),
      signed_message: payload.signedMessage,
  })}\n`;
}

export function genesisPayloadFromJson(text: string): GenesisPayload {
  try {
    if (text.length > MAX_FILE_BYTES) throw new Error('the file is too large');
    const value = parseJson(text) as Record<string, unknown>;
    if (typeof value !== 'object' || value === null) throw new Error('expected a JSON object');
    if (typeof value.network !== 'string' || typeof value.aggregate_verification_key !== 'string' || typeof value.timestamp !== 'string') {
      throw new Error('network, aggregate_verification_key and timestamp are required strings');
    }
    const decodedAvk = decodeJsonHexOrBytesHex(value.aggregate_verification_key, { maxBytes: MAX_FILE_BYTES });
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
      throw new Error(`signed_message ${String(value.signed_message)} is not the hash of the payload (${payload.signedMessage})`);
    }
    return payload;
  } catch (cause) {
    throw new AggregatorError('GENESIS', `not a genesis payload: ${(cause as Error).message}`, { cause });
  }
}

/** A 32-byte key as the reference writes key files: json-hex of a byte array. */
export function encodeGenesisKey(key: Uint8Array): string {
  return encodeJsonHex(bytesToJsonArray(key));
}

/** Reads a 32-byte key written as json-hex of a byte array, or as plain hex. */
export function decodeGenesisKey(text: string, what: string): Uint8Array {
  try {
    const decoded = decodeJsonHexOrBytesHex(text.trim(), { maxBytes: 1024 });
    const key = decoded.kind === 'json' ? bytesFromJsonArray(decoded.value, { expectedLength: GENESIS_KEY_BYTES }) : decoded.bytes;
    if (key.length !== GENESIS_KEY_BYTES) throw new Error(`expected ${GENESIS_KEY_BYTES} bytes, got ${key.length}`);
    return key;
  } catch (cause) {
    throw new AggregatorError('GENESIS', `${what}: not a ${GENESIS_KEY_BYTES}-byte key (${(cause as Error).message})`, { cause });
  }
}

export function readGenesisSigner(path: string): GenesisSigner {
  return GenesisSigner.fromSecretKey(decodeGenesisKey(readFileSync(path, 'utf8'), path));
}
