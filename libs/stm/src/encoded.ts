/**
 * A multi-signature as its formats carry it: every curve point still as its compressed bytes.
 *
 * Every format of the aggregate signature (legacy bytes, CBOR v1, serde JSON) is read into and
 * written from these values; the domain types (`AggregateSignature`, `SingleSignature`,
 * `RegisteredParty`) are one decoding step away (`decodeAggregateSignature`), which is where each
 * point is decompressed and checked to be on the curve and in the prime-order subgroup.
 *
 * Why the two steps: a relay that only changes a multi-signature's format (the aggregator
 * answering a stored reference-JSON certificate over gRPC, the REST gateway answering a gRPC
 * certificate as reference JSON) need not pay for ~1,200 point decompressions and subgroup
 * checks of a mainnet-size certificate (seconds), and must not: checking is verification, and
 * verification belongs to whoever relies on the certificate (the aggregator when it seals, the
 * client when it verifies). What these values do guarantee is the structure: exact point and
 * hash lengths, bounded counts, integers in range. A transcoded multi-signature is therefore
 * byte for byte what decoding and re-encoding would give for a valid one (tested), and for an
 * invalid one it is relayed as it came, to be refused by the verifier.
 */
import { Signature, VerificationKey } from './keys.js';
import type { MerkleBatchPath } from './merkle.js';
import type { RegisteredParty } from './registration.js';
import { SingleSignature } from './single-signature.js';
import { AggregateSignature, type SignatureWithParty } from './aggregate.js';

/** Compressed point sizes (ZCash/IETF serialisation). */
export const SIGMA_BYTES = 48;
export const VERIFICATION_KEY_BYTES = 96;

export interface EncodedSingleSignature {
  /** Compressed G1 point, 48 bytes, not decoded. */
  readonly sigma: Uint8Array;
  readonly indexes: readonly number[];
  readonly signerIndex: number;
}

export interface EncodedRegisteredParty {
  /** Compressed G2 point, 96 bytes, not decoded. */
  readonly vk: Uint8Array;
  readonly stake: bigint;
}

export interface EncodedSignatureWithParty {
  readonly signature: EncodedSingleSignature;
  readonly party: EncodedRegisteredParty;
}

export interface EncodedAggregateSignature {
  readonly signatures: readonly EncodedSignatureWithParty[];
  readonly batchProof: MerkleBatchPath;
}

export function encodeSingleSignature(signature: SingleSignature): EncodedSingleSignature {
  return { sigma: signature.sigma.toBytes(), indexes: signature.indexes, signerIndex: signature.signerIndex };
}

/** Decompresses and checks sigma (StmError INVALID_POINT). */
export function decodeSingleSignature(encoded: EncodedSingleSignature): SingleSignature {
  return new SingleSignature(Signature.fromBytes(encoded.sigma), [...encoded.indexes], encoded.signerIndex);
}

export function encodeRegisteredParty(party: RegisteredParty): EncodedRegisteredParty {
  return { vk: party.vk.toBytes(), stake: party.stake };
}

/** Decompresses and checks the verification key (StmError INVALID_POINT). */
export function decodeRegisteredParty(encoded: EncodedRegisteredParty): RegisteredParty {
  return { vk: VerificationKey.fromBytes(encoded.vk), stake: encoded.stake };
}

export function encodeSignatureWithParty(entry: SignatureWithParty): EncodedSignatureWithParty {
  return { signature: encodeSingleSignature(entry.signature), party: encodeRegisteredParty(entry.party) };
}

export function decodeSignatureWithParty(encoded: EncodedSignatureWithParty): SignatureWithParty {
  return { signature: decodeSingleSignature(encoded.signature), party: decodeRegisteredParty(encoded.party) };
}

export function encodeAggregateSignature(aggregate: AggregateSignature): EncodedAggregateSignature {
  return { signatures: aggregate.signatures.map(encodeSignatureWithParty), batchProof: aggregate.batchProof };
}

/**
 * Decompresses every point, in entry order (StmError INVALID_POINT on the first bad one): each
 * sigma fully checked (canonical, on the curve, in the prime-order subgroup, not infinity), each
 * key canonical, on the curve and not infinity. The keys' subgroup check is left out: the
 * multi-signature is only usable through `verify`, which first proves every key a leaf of the
 * AVK, and the AVK's keys were checked at registration (SECURITY.md). The sigmas keep theirs:
 * no commitment covers them, and the lottery reads their bytes.
 */
export function decodeAggregateSignature(encoded: EncodedAggregateSignature): AggregateSignature {
  return new AggregateSignature(
    encoded.signatures.map(({ signature, party }) => ({
      signature: decodeSingleSignature(signature),
      party: { vk: VerificationKey.fromCommittedBytes(party.vk), stake: party.stake },
    })),
    encoded.batchProof,
  );
}
