/**
 * Reference JSON shapes straight from STM bytes, without decoding curve points. A relay (the REST
 * gateway) turns keys its upstream already validated into the reference's JSON for every listed
 * signer; decompressing and subgroup-checking three points per key (~6 ms) would make a mainnet
 * epoch settings answer take seconds. Whoever uses the key decodes, and so validates, it.
 */
import { bytesToJsonArray } from '@mithril-ts/codec';
import { VERIFICATION_KEY_BYTES } from './encoded.js';
import { StmError } from './errors.js';

const VERIFICATION_KEY_POP_BYTES = 192;

/** `verificationKeyPoPToJson(VerificationKeyPoP.fromBytes(bytes))`, checking only the length. */
export function verificationKeyPoPBytesToJson(bytes: Uint8Array): { vk: number[]; pop: number[] } {
  if (!(bytes instanceof Uint8Array) || bytes.length !== VERIFICATION_KEY_POP_BYTES) {
    throw new StmError('INVALID_ENCODING', `verification key with PoP: expected ${VERIFICATION_KEY_POP_BYTES} bytes, got ${bytes?.length}`);
  }
  return { vk: bytesToJsonArray(bytes.subarray(0, VERIFICATION_KEY_BYTES)), pop: bytesToJsonArray(bytes.subarray(VERIFICATION_KEY_BYTES)) };
}
