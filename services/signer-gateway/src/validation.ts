/**
 * Shape checks of what signers send, before anything costly or any call upstream: every field is
 * present, bounded and decodable, or the request is refused with MALFORMED_REQUEST naming the
 * field. Whether a registration is vouched for, or a signature verifies, is decided later.
 */
import { WireError, signedEntityTypeFromProto } from '@mithril-ts/proto';
import { CodecError, decodeBech32, toHex } from '@mithril-ts/codec';
import type { SignerRegistration, SingleSignature as SingleSignatureMessage } from '@mithril-ts/proto';
import type { DecodedKeys, SignedEntityType } from '@mithril-ts/protocol';
import { VerificationKeyPoP, singleSignatureFromBytes, type SingleSignature } from '@mithril-ts/stm';
import { malformed } from './errors.js';
import { RecentSignatures } from './recent-signatures.js';

/** A Mithril verification key with its proof of possession (vk 96 ‖ PoP 96), libs/stm bytes. */
export const VERIFICATION_KEY_BYTES = 192;
/** A Sum6 KES signature (the reference's kes-summed-ed25519). */
export const KES_SIGNATURE_BYTES = 448;
/** A cardano-cli node.cert CBOR is about 200 bytes. */
export const MAX_OPERATIONAL_CERTIFICATE_BYTES = 1024;
/** Sum6 KES keys last 64 evolutions. */
export const MAX_KES_EVOLUTIONS = 63;
/** A pool id is the Blake2b-224 hash of its cold key. */
const POOL_ID_BYTES = 28;
/**
 * A single signature is 48 bytes of sigma plus its won indexes; even a pool holding all the stake
 * of a mainnet-sized round (m ≈ 21,000, phi_f = 0.2) wins ~4,200 indexes, ~13 KB in CBOR.
 */
export const MAX_SIGNATURE_BYTES = 64 * 1024;

/** A pool's identity: its bech32 party id (canonical, lowercase) and the hex of the 28 bytes. */
export interface PoolParty {
  readonly partyId: string;
  readonly poolIdHex: string;
}

export function parsePartyId(partyId: string): PoolParty {
  if (partyId === '') throw malformed('party_id is missing');
  let bytes: Uint8Array;
  try {
    bytes = decodeBech32(partyId, { expectedPrefix: 'pool' }).bytes;
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    throw malformed(`party_id is not a bech32 pool id (pool1…): ${error.message}`);
  }
  if (bytes.length !== POOL_ID_BYTES) throw malformed(`party_id must hold ${POOL_ID_BYTES} bytes, got ${bytes.length}`);
  // One spelling per pool, so that rate limits and signer lookups cannot be dodged by case.
  if (partyId !== partyId.toLowerCase()) throw malformed('party_id must be lowercase bech32');
  return { partyId, poolIdHex: toHex(bytes) };
}

export interface ValidRegistration {
  readonly registration: SignerRegistration;
  readonly pool: PoolParty;
  /** The Mithril key decoded (kept for the signer set it will join, see EpochKeyCache). */
  readonly key: VerificationKeyPoP;
}

/** `known`: keys decoded before (a signer retrying sends the same bytes), not decoded again. */
export function validateRegistration(registration: SignerRegistration | undefined, known?: DecodedKeys): ValidRegistration {
  if (registration === undefined) throw malformed('registration is missing');
  const pool = parsePartyId(registration.partyId);
  const key = registration.verificationKey;
  if (key.length !== VERIFICATION_KEY_BYTES) {
    throw malformed(`verification_key must be ${VERIFICATION_KEY_BYTES} bytes (key and proof of possession), got ${key.length}`);
  }
  let decoded = known?.lookup(key)?.key;
  try {
    decoded ??= VerificationKeyPoP.fromBytes(key);
  } catch (error) {
    // Untrusted bytes: whatever the decoder throws means they are not a key.
    throw malformed(`verification_key is not a Mithril key with proof of possession: ${(error as Error).message}`);
  }
  const { verificationKeySignature: kesSignature, operationalCertificate: opcert, kesEvolutions } = registration;
  const given = [kesSignature, opcert, kesEvolutions].filter((field) => field !== undefined).length;
  if (given !== 0 && given !== 3) {
    throw malformed('verification_key_signature, operational_certificate and kes_evolutions go together: give all three or none');
  }
  if (kesSignature !== undefined && kesSignature.length !== KES_SIGNATURE_BYTES) {
    throw malformed(`verification_key_signature must be a ${KES_SIGNATURE_BYTES}-byte KES signature, got ${kesSignature.length}`);
  }
  if (opcert !== undefined && (opcert.length === 0 || opcert.length > MAX_OPERATIONAL_CERTIFICATE_BYTES)) {
    throw malformed(`operational_certificate must be 1 to ${MAX_OPERATIONAL_CERTIFICATE_BYTES} bytes, got ${opcert.length}`);
  }
  if (kesEvolutions !== undefined && kesEvolutions > MAX_KES_EVOLUTIONS) {
    throw malformed(`kes_evolutions must be at most ${MAX_KES_EVOLUTIONS}, got ${kesEvolutions}`);
  }
  return { registration, pool, key: decoded };
}

export interface ValidSignature {
  readonly message: SingleSignatureMessage;
  readonly pool: PoolParty;
  readonly signedEntityType: SignedEntityType;
  readonly signature: SingleSignature;
  /** The 64-char lowercase hex signed message. */
  readonly signedMessage: string;
  /** Names these bytes from this party over this message (RecentSignatures). */
  readonly key: string;
}

const SIGNED_MESSAGE = /^[0-9a-f]{64}$/;

/** `recent`: signatures verified lately, whose bytes are not decoded again. */
export function validateSignature(message: SingleSignatureMessage | undefined, recent?: RecentSignatures): ValidSignature {
  if (message === undefined) throw malformed('signature is missing');
  let signedEntityType: SignedEntityType;
  try {
    signedEntityType = signedEntityTypeFromProto(message.signedEntityType, 'signature.signed_entity_type');
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    throw malformed(error.message);
  }
  const pool = parsePartyId(message.partyId);
  if (message.signature.length === 0) throw malformed('signature.signature is missing');
  if (message.signature.length > MAX_SIGNATURE_BYTES) {
    throw malformed(`signature.signature is ${message.signature.length} bytes, above the limit of ${MAX_SIGNATURE_BYTES}`);
  }
  const key = RecentSignatures.key(pool.partyId, message.signedMessage, message.signature);
  let signature = recent?.decoded(key);
  try {
    signature ??= singleSignatureFromBytes(message.signature);
  } catch (error) {
    throw malformed(`signature.signature is not an STM single signature: ${(error as Error).message}`);
  }
  if (!SIGNED_MESSAGE.test(message.signedMessage)) {
    throw malformed(`signature.signed_message must be 64 lowercase hex characters, got ${message.signedMessage.length} characters`);
  }
  const claimed = message.wonIndexes;
  if (claimed.length !== signature.indexes.length || claimed.some((index, i) => index !== BigInt(signature.indexes[i]!))) {
    throw malformed(`signature.won_indexes (${claimed.length} indexes) differ from the indexes carried by the signature (${signature.indexes.length})`);
  }
  return { message, pool, signedEntityType, signature, signedMessage: message.signedMessage, key };
}
