/**
 * Certificates: what one round of the network seals. A standard certificate carries the
 * multi-signature of the signers of its epoch; the genesis certificate, at the start of the
 * chain, an Ed25519 signature by the genesis key. Their hash is computed exactly as the
 * reference computes it, so certificates are interchangeable with it.
 */
import type * as NodeCrypto from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { encodeJsonHex } from '@mithril-ts/codec';
import {
  aggregateSignatureToJson,
  avkToJson,
  decodeAggregateSignature,
  encodeAggregateSignature,
  encodedAggregateSignatureToJson,
  type AggregateSignature,
  type AggregateVerificationKey,
  type EncodedAggregateSignature,
} from '@mithril-ts/stm';
import type { Epoch } from './epoch.js';
import { ProtocolError } from './errors.js';
import { protocolParametersHash, type ProtocolParameters } from './protocol-parameters.js';
import type { ProtocolMessage } from './protocol-message.js';
import { signedEntityFeed, type CertifiedEntityType } from './signed-entity-type.js';
import { timestampBytes, type Timestamp } from './timestamp.js';

/** A signer of a certificate with the stake it signed with. */
export interface StakedSigner {
  readonly partyId: string;
  readonly stake: bigint;
}

export interface CertificateMetadata {
  /** Cardano network name, e.g. "mainnet", "preprod", "devnet". */
  readonly network: string;
  /** Protocol version of the certificate ("0.1.0" for genesis certificates). */
  readonly protocolVersion: string;
  /** The parameters the multi-signature was produced with. */
  readonly parameters: ProtocolParameters;
  readonly initiatedAt: Timestamp;
  readonly sealedAt: Timestamp;
  readonly signers: readonly StakedSigner[];
}

export type CertificateSignature =
  { readonly kind: 'multi-signature'; readonly multiSignature: AggregateSignature } | { readonly kind: 'genesis'; readonly genesisSignature: Uint8Array };

export interface Certificate {
  readonly hash: string;
  /** Hash of the certificate this one links to; empty for genesis. */
  readonly previousHash: string;
  readonly epoch: Epoch;
  readonly signedEntityType: CertifiedEntityType;
  readonly metadata: CertificateMetadata;
  readonly protocolMessage: ProtocolMessage;
  /** Hex hash of the protocol message; its ASCII bytes are what was signed. */
  readonly signedMessage: string;
  /** The AVK of the signers of `epoch` (for genesis: of the signers recorded for that epoch). */
  readonly aggregateVerificationKey: AggregateVerificationKey;
  readonly signature: CertificateSignature;
}

/**
 * A certificate without its signature: what a listing shows. Decoding a multi-signature checks
 * every point it holds (seconds for a mainnet-size one), so a listing never decodes it.
 */
export type CertificateHead = Omit<Certificate, 'signature'>;

export type CertificateDraft = Omit<Certificate, 'hash'>;

export type EncodedCertificateSignature =
  | { readonly kind: 'multi-signature'; readonly multiSignature: EncodedAggregateSignature }
  | { readonly kind: 'genesis'; readonly genesisSignature: Uint8Array };

/**
 * A certificate as it is stored and relayed: all of it decoded but the curve points of its
 * multi-signature, which stay compressed bytes (libs/stm's encoded form). Changing its format
 * (reference JSON ⇄ protobuf) costs milliseconds where decoding the points costs seconds on
 * mainnet; those points are checked by whoever verifies the certificate (`decodeCertificate`).
 * Its hash is the one it came with: computed when the certificate was sealed, recomputed by
 * whoever verifies it.
 */
export interface EncodedCertificate extends CertificateHead {
  readonly signature: EncodedCertificateSignature;
}

export type EncodedCertificateDraft = Omit<EncodedCertificate, 'hash'>;

/** The certificate with its multi-signature's points compressed (cached bytes when it was decoded from bytes). */
export function encodeCertificate(certificate: Certificate): EncodedCertificate {
  return { ...certificate, signature: encodeCertificateSignature(certificate.signature) };
}

function encodeCertificateSignature(signature: CertificateSignature): EncodedCertificateSignature {
  return signature.kind === 'multi-signature' ? { kind: 'multi-signature', multiSignature: encodeAggregateSignature(signature.multiSignature) } : signature;
}

/** Decompresses and checks every point of the multi-signature (StmError INVALID_POINT). Its hash is taken as given. */
export function decodeCertificate(certificate: EncodedCertificate): Certificate {
  const { signature } = certificate;
  return {
    ...certificate,
    signature:
      signature.kind === 'multi-signature' ? { kind: 'multi-signature', multiSignature: decodeAggregateSignature(signature.multiSignature) } : signature,
  };
}

const encoder = new TextEncoder();

/** hex(SHA-256(party_id ‖ stake u64 BE)) per signer, as the metadata hash consumes them. */
function signerDigest(signer: StakedSigner, hash: Sha256): string {
  const stake = new Uint8Array(8);
  new DataView(stake.buffer).setBigUint64(0, signer.stake);
  const hasher = hash.create();
  hasher.update(encoder.encode(signer.partyId));
  hasher.update(stake);
  return bytesToHex(hasher.digest());
}

/** SHA-256(network ‖ version ‖ ppHash ‖ initiated_at ns i64 BE ‖ sealed_at ns i64 BE ‖ signer digests), hex. */
export function certificateMetadataHash(metadata: CertificateMetadata, hash: Sha256 = defaultSha256): string {
  const hasher = hash.create();
  hasher.update(encoder.encode(metadata.network));
  hasher.update(encoder.encode(metadata.protocolVersion));
  hasher.update(encoder.encode(protocolParametersHash(metadata.parameters)));
  hasher.update(timestampBytes(metadata.initiatedAt));
  hasher.update(timestampBytes(metadata.sealedAt));
  for (const signer of metadata.signers) hasher.update(encoder.encode(signerDigest(signer, hash)));
  return bytesToHex(hasher.digest());
}

/** The AVK as certificates carry it: json-hex of its serde JSON. */
export function avkJsonHex(avk: AggregateVerificationKey): string {
  return encodeJsonHex(avkToJson(avk));
}

/** The multi-signature as certificates carry it: json-hex of its serde JSON. */
export function multiSignatureJsonHex(multiSignature: AggregateSignature): string {
  return encodeJsonHex(aggregateSignatureToJson(multiSignature));
}

/** {@link multiSignatureJsonHex} of an encoded multi-signature (the same text, no point decoded). */
export function encodedMultiSignatureJsonHex(multiSignature: EncodedAggregateSignature): string {
  return encodeJsonHex(encodedAggregateSignatureToJson(multiSignature));
}

/**
 * SHA-256 of previous_hash ‖ epoch u64 BE ‖ metadata hash ‖ protocol message hash ‖
 * signed_message ‖ AVK json-hex ‖ [standard only: signed entity feed] ‖ signature text
 * (multi-signature json-hex, or the genesis signature's 128 hex characters); lowercase hex.
 */
export function computeCertificateHash(certificate: CertificateDraft): string {
  return encodedCertificateHash({ ...certificate, signature: encodeCertificateSignature(certificate.signature) });
}

/**
 * A SHA-256 implementation. A mainnet-size certificate hashes ~1.4 MB of json-hex, ~30 ms with
 * noble here and ~1 ms with node:crypto's `{ create: () => createHash('sha256') }`: the default is
 * node:crypto's on Node (reached through `process.getBuiltinModule`, so the package still bundles
 * for a browser) and noble's elsewhere.
 */
export interface Sha256 {
  create(): { update(data: Uint8Array): unknown; digest(): Uint8Array };
}

const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
  typeof NodeCrypto | undefined;
const defaultSha256: Sha256 = nodeCrypto === undefined ? sha256 : { create: () => nodeCrypto.createHash('sha256') };

/** {@link computeCertificateHash} of an encoded certificate: the same hash, no point decoded. */
export function encodedCertificateHash(certificate: EncodedCertificateDraft, hash: Sha256 = defaultSha256): string {
  const signature: SignatureText =
    certificate.signature.kind === 'multi-signature'
      ? { kind: 'multi-signature', text: encodedMultiSignatureJsonHex(certificate.signature.multiSignature) }
      : { kind: 'genesis', text: bytesToHex(certificate.signature.genesisSignature) };
  return certificateHashOfText(certificate, signature, hash);
}

/** A certificate's signature as its hash consumes it: the multi-signature's json-hex, or the genesis signature's hex. */
export type SignatureText = { readonly kind: 'multi-signature' | 'genesis'; readonly text: string };

/** The certificate hash of a head and its signature's text (see {@link computeCertificateHash}). */
export function certificateHashOfText(certificate: Omit<CertificateHead, 'hash'>, signature: SignatureText, hash: Sha256 = defaultSha256): string {
  const hasher = hash.create();
  hasher.update(encoder.encode(certificate.previousHash));
  const epoch = new Uint8Array(8);
  new DataView(epoch.buffer).setBigUint64(0, certificate.epoch);
  hasher.update(epoch);
  hasher.update(encoder.encode(certificateMetadataHash(certificate.metadata, hash)));
  hasher.update(encoder.encode(certificate.protocolMessage.hash()));
  hasher.update(encoder.encode(certificate.signedMessage));
  hasher.update(encoder.encode(avkJsonHex(certificate.aggregateVerificationKey)));
  if (signature.kind === 'multi-signature') hasher.update(signedEntityFeed(certificate.signedEntityType));
  hasher.update(encoder.encode(signature.text));
  return bytesToHex(hasher.digest());
}

/** Seals a draft with its hash. */
export function sealCertificate(draft: CertificateDraft): Certificate {
  checkSignedMessage(draft);
  return { ...draft, hash: computeCertificateHash(draft) };
}

function checkSignedMessage(draft: Pick<CertificateDraft, 'signedMessage' | 'protocolMessage'>): void {
  if (draft.signedMessage !== draft.protocolMessage.signedMessage()) {
    throw new ProtocolError('INVALID_CERTIFICATE', 'the signed message is not the hash of the protocol message');
  }
}

/**
 * The certificate if its hash is the hash of its content and its signed message the hash of its
 * protocol message (INVALID_CERTIFICATE otherwise), as {@link sealCertificate} would make them.
 * Checks no point: a relay's guard against serving a certificate under a hash that is not its own.
 */
export function checkEncodedCertificate(certificate: EncodedCertificate, hash?: Sha256): EncodedCertificate {
  const { hash: given, ...draft } = certificate;
  checkCertificateHash(certificate, given, encodedCertificateHash(draft, hash));
  return certificate;
}

/** INVALID_CERTIFICATE unless the signed message is the protocol message's hash and `computed` the hash `given`. */
export function checkCertificateHash(certificate: Pick<CertificateDraft, 'signedMessage' | 'protocolMessage'>, given: string, computed: string): void {
  checkSignedMessage(certificate);
  if (computed !== given) throw new ProtocolError('INVALID_CERTIFICATE', `the hash ${given} is not the hash of its content (${computed})`);
}

export function isGenesis(certificate: Certificate): boolean {
  return certificate.signature.kind === 'genesis';
}

export interface StandardCertificateInputs {
  readonly previousHash: string;
  readonly epoch: Epoch;
  readonly signedEntityType: CertifiedEntityType;
  readonly metadata: CertificateMetadata;
  readonly protocolMessage: ProtocolMessage;
  readonly aggregateVerificationKey: AggregateVerificationKey;
  readonly multiSignature: AggregateSignature;
}

export function createStandardCertificate(inputs: StandardCertificateInputs): Certificate {
  if (inputs.previousHash === '') throw new ProtocolError('INVALID_CERTIFICATE', 'a standard certificate links to a previous certificate');
  return sealCertificate({
    previousHash: inputs.previousHash,
    epoch: inputs.epoch,
    signedEntityType: inputs.signedEntityType,
    metadata: inputs.metadata,
    protocolMessage: inputs.protocolMessage,
    signedMessage: inputs.protocolMessage.signedMessage(),
    aggregateVerificationKey: inputs.aggregateVerificationKey,
    signature: { kind: 'multi-signature', multiSignature: inputs.multiSignature },
  });
}

/**
 * The certificate a new certificate of `epoch` links to (the reference's "master" certificate):
 * the first certificate of `epoch` when there is one, else the first of `epoch - 1`. Walking a
 * chain back to genesis thus takes about one certificate per epoch. `chain` is in creation order.
 * Null means the chain has a gap (no certificate in either epoch): the aggregator must not sign.
 */
export function previousCertificateFor(chain: readonly Pick<Certificate, 'hash' | 'epoch'>[], epoch: Epoch): string | null {
  const firstOf = (e: Epoch) => chain.find((certificate) => certificate.epoch === e)?.hash;
  return firstOf(epoch) ?? (epoch > 0n ? firstOf(epoch - 1n) : undefined) ?? null;
}
