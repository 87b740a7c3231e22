/**
 * The certificate as the reference's REST API carries it (its `CertificateMessage` JSON), in
 * both directions. Certificates reach clients from servers they do not trust, so decoding is
 * strict and bounded, and every failure is a ProtocolError naming the field.
 */
import { decodeBytesHexOrJsonHex, decodeJsonHexOrBytesHex, encodeJsonHex, fromHex, parseJson, stringifyJson, toHex } from '@mithril-ts/codec';
import {
  StmError,
  avkFromBytes,
  avkFromJson,
  avkToJson,
  encodedAggregateSignatureFromBytes,
  encodedAggregateSignatureFromJson,
  type AggregateVerificationKey,
  type EncodedAggregateSignature,
} from '@mithril-ts/stm';
import {
  certificateHashOfText,
  checkCertificateHash,
  decodeCertificate,
  encodeCertificate,
  encodedMultiSignatureJsonHex,
  type Certificate,
  type CertificateHead,
  type EncodedCertificate,
  type Sha256,
  type SignatureText,
  type StakedSigner,
} from './certificate.js';
import { ProtocolError } from './errors.js';
import { GENESIS_SIGNATURE_BYTES } from './genesis.js';
import { ProtocolMessage } from './protocol-message.js';
import { certifiedEntityTypeFromJson, signedEntityTypeToJson } from './signed-entity-type.js';
import { formatTimestamp, parseTimestamp } from './timestamp.js';

/** A mainnet multi-signature is under 1 MB as json-hex; leave room, refuse the absurd. */
export const MAX_CERTIFICATE_MESSAGE_BYTES = 8 * 1024 * 1024;
const MAX_SIGNERS = 100_000;

export function certificateToMessage(certificate: Certificate): Record<string, unknown> {
  return encodedCertificateToMessage(encodeCertificate(certificate));
}

/** {@link certificateToMessage} of an encoded certificate: the same message, no point decoded. */
export function encodedCertificateToMessage(certificate: EncodedCertificate): Record<string, unknown> {
  return {
    hash: certificate.hash,
    previous_hash: certificate.previousHash,
    epoch: certificate.epoch,
    signed_entity_type: signedEntityTypeToJson(certificate.signedEntityType),
    metadata: {
      network: certificate.metadata.network,
      version: certificate.metadata.protocolVersion,
      parameters: { k: certificate.metadata.parameters.k, m: certificate.metadata.parameters.m, phi_f: certificate.metadata.parameters.phiF },
      initiated_at: formatTimestamp(certificate.metadata.initiatedAt),
      sealed_at: formatTimestamp(certificate.metadata.sealedAt),
      signers: certificate.metadata.signers.map((signer) => ({ party_id: signer.partyId, stake: signer.stake })),
    },
    protocol_message: { message_parts: certificate.protocolMessage.toRecord() },
    signed_message: certificate.signedMessage,
    aggregate_verification_key: encodeJsonHex(avkToJson(certificate.aggregateVerificationKey)),
    multi_signature: certificate.signature.kind === 'multi-signature' ? encodedMultiSignatureJsonHex(certificate.signature.multiSignature) : '',
    genesis_signature: certificate.signature.kind === 'genesis' ? toHex(certificate.signature.genesisSignature) : '',
  };
}

export function certificateToJson(certificate: Certificate): string {
  return stringifyJson(certificateToMessage(certificate));
}

export function encodedCertificateToJson(certificate: EncodedCertificate): string {
  return stringifyJson(encodedCertificateToMessage(certificate));
}

/**
 * Decodes a certificate message. The hash field is taken as given: chain verification
 * recomputes it, so a decoded certificate is only as trustworthy as its verification.
 */
export function certificateFromMessage(value: unknown): Certificate {
  const encoded = encodedCertificateFromMessage(value);
  try {
    return decodeCertificate(encoded);
  } catch (cause) {
    if (cause instanceof StmError) throw invalid(`multi_signature: ${cause.message}`, cause);
    throw cause;
  }
}

/**
 * Decodes a certificate message but for the curve points of its multi-signature (see
 * EncodedCertificate): every field and the multi-signature's structure are checked, the points
 * are not. For relaying a certificate in another format; verification decodes the points.
 */
export function encodedCertificateFromMessage(value: unknown): EncodedCertificate {
  const { head, multiSignatureText, genesisSignatureText } = decodeHead(value);
  return {
    ...head,
    signature:
      multiSignatureText !== ''
        ? { kind: 'multi-signature', multiSignature: decodeMultiSignature(multiSignatureText) }
        : { kind: 'genesis', genesisSignature: decodeGenesisSignature(genesisSignatureText) },
  };
}

/**
 * Decodes all of a certificate message but its signature, which is only checked to be present
 * (exactly one of the two). For listing certificates already verified, e.g. from a store.
 */
export function certificateHeadFromMessage(value: unknown): CertificateHead {
  return decodeHead(value).head;
}

function decodeHead(value: unknown): { head: CertificateHead; multiSignatureText: string; genesisSignatureText: string } {
  const message = object(value, 'certificate');
  const metadata = object(message.metadata, 'metadata');
  const parameters = object(metadata.parameters, 'metadata.parameters');
  const multiSignatureText = string(message.multi_signature ?? '', 'multi_signature', MAX_CERTIFICATE_MESSAGE_BYTES);
  const genesisSignatureText = string(message.genesis_signature ?? '', 'genesis_signature', 1024);
  if ((multiSignatureText === '') === (genesisSignatureText === '')) {
    throw invalid('exactly one of multi_signature and genesis_signature must be set');
  }
  const protocolMessage = new ProtocolMessage();
  const parts = object(object(message.protocol_message, 'protocol_message').message_parts, 'protocol_message.message_parts');
  for (const [key, part] of Object.entries(parts)) protocolMessage.set(key, string(part, `message part ${key}`, 64 * 1024));
  const head: CertificateHead = {
    hash: hex64(message.hash, 'hash'),
    previousHash: string(message.previous_hash, 'previous_hash', 64),
    epoch: u64(message.epoch, 'epoch'),
    signedEntityType: certifiedEntityTypeFromJson(message.signed_entity_type),
    metadata: {
      network: string(metadata.network, 'metadata.network', 64),
      protocolVersion: string(metadata.version, 'metadata.version', 64),
      parameters: { k: u64(parameters.k, 'parameters.k'), m: u64(parameters.m, 'parameters.m'), phiF: number(parameters.phi_f, 'parameters.phi_f') },
      initiatedAt: timestamp(metadata.initiated_at, 'metadata.initiated_at'),
      sealedAt: timestamp(metadata.sealed_at, 'metadata.sealed_at'),
      signers: array(metadata.signers, 'metadata.signers', MAX_SIGNERS).map((entry, i): StakedSigner => {
        const signer = object(entry, `metadata.signers[${i}]`);
        return { partyId: string(signer.party_id, `metadata.signers[${i}].party_id`, 256), stake: u64(signer.stake, `metadata.signers[${i}].stake`) };
      }),
    },
    protocolMessage,
    signedMessage: hex64(message.signed_message, 'signed_message'),
    aggregateVerificationKey: decodeAvk(string(message.aggregate_verification_key, 'aggregate_verification_key', 64 * 1024)),
  };
  return { head, multiSignatureText, genesisSignatureText };
}

/**
 * The head of a certificate message (JSON text) whose hash is the hash of its content, as given:
 * the multi-signature's json-hex is hashed as it stands (a canonical one, as every aggregator
 * writes it, is what the hash covers), no point decoded. A relay's guard against serving a
 * stored certificate under a hash that is not its own, at the cost of one SHA-256 over the text
 * (`hash`: noble's by default; a service passes node:crypto's). INVALID_CERTIFICATE otherwise.
 */
export function checkCertificateJson(text: string, hash?: Sha256): CertificateHead {
  const { head, multiSignatureText, genesisSignatureText } = decodeHead(parseCertificateJson(text));
  const signature: SignatureText =
    multiSignatureText !== ''
      ? { kind: 'multi-signature', text: multiSignatureText }
      : { kind: 'genesis', text: toHex(decodeGenesisSignature(genesisSignatureText)) };
  const { hash: given, ...draft } = head;
  checkCertificateHash(head, given, certificateHashOfText(draft, signature, hash));
  return head;
}

/** Decodes a certificate message from its JSON text (bounded, bigint-safe). */
export function certificateFromJson(text: string): Certificate {
  return certificateFromMessage(parseCertificateJson(text));
}

/** {@link encodedCertificateFromMessage} of a JSON text (bounded, bigint-safe). */
export function encodedCertificateFromJson(text: string): EncodedCertificate {
  return encodedCertificateFromMessage(parseCertificateJson(text));
}

/** The certificate of a JSON message without decoding its signature (see certificateHeadFromMessage). */
export function certificateHeadFromJson(text: string): CertificateHead {
  return certificateHeadFromMessage(parseCertificateJson(text));
}

function parseCertificateJson(text: string): unknown {
  if (typeof text !== 'string' || text.length > MAX_CERTIFICATE_MESSAGE_BYTES) throw invalid('certificate message too large');
  try {
    return parseJson(text);
  } catch (cause) {
    throw invalid(`certificate message is not JSON (${(cause as Error).message})`, cause);
  }
}

/** json-hex (what the reference writes) or bytes hex of the STM byte format (which it also reads). */
function decodeAvk(text: string): AggregateVerificationKey {
  return decodeStm(text, 'aggregate_verification_key', avkFromJson, avkFromBytes);
}

function decodeMultiSignature(text: string): EncodedAggregateSignature {
  return decodeStm(text, 'multi_signature', encodedAggregateSignatureFromJson, encodedAggregateSignatureFromBytes);
}

function decodeStm<T>(text: string, field: string, fromJson: (v: unknown) => T, fromBytes: (b: Uint8Array) => T): T {
  try {
    const decoded = decodeJsonHexOrBytesHex(text.trim(), { maxBytes: MAX_CERTIFICATE_MESSAGE_BYTES });
    return decoded.kind === 'json' ? fromJson(decoded.value) : fromBytes(decoded.bytes);
  } catch (cause) {
    throw invalid(`${field}: ${(cause as Error).message}`, cause);
  }
}

function decodeGenesisSignature(text: string): Uint8Array {
  try {
    const decoded = decodeBytesHexOrJsonHex(text.trim(), { maxBytes: 1024 });
    const bytes = decoded.kind === 'bytes' ? decoded.bytes : Uint8Array.from(array(decoded.value, 'genesis_signature', 64) as number[]);
    if (bytes.length !== GENESIS_SIGNATURE_BYTES) throw new Error(`expected ${GENESIS_SIGNATURE_BYTES} bytes, got ${bytes.length}`);
    return bytes;
  } catch (cause) {
    throw invalid(`genesis_signature: ${(cause as Error).message}`, cause);
  }
}

function invalid(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError('INVALID_CERTIFICATE', message, cause === undefined ? undefined : { cause });
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${what}: expected an object`);
  return value as Record<string, unknown>;
}

function array(value: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw invalid(`${what}: expected an array`);
  if (value.length > max) throw invalid(`${what}: more than ${max} entries`);
  return value;
}

function string(value: unknown, what: string, maxLength: number): string {
  if (typeof value !== 'string') throw invalid(`${what}: expected a string`);
  if (value.length > maxLength) throw invalid(`${what}: longer than ${maxLength} characters`);
  return value;
}

function hex64(value: unknown, what: string): string {
  const text = string(value, what, 64);
  if (!/^[0-9a-f]{64}$/.test(text)) throw invalid(`${what}: expected 64 lowercase hex characters`);
  fromHex(text);
  return text;
}

function u64(value: unknown, what: string): bigint {
  const n = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof n !== 'bigint' || n < 0n || n >= 1n << 64n) throw invalid(`${what}: expected an unsigned 64-bit integer`);
  return n;
}

function number(value: unknown, what: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw invalid(`${what}: expected a number`);
  return n;
}

function timestamp(value: unknown, what: string): bigint {
  try {
    return parseTimestamp(string(value, what, 64));
  } catch (cause) {
    if (cause instanceof ProtocolError && cause.code === 'INVALID_CERTIFICATE') throw cause;
    throw invalid(`${what}: ${(cause as Error).message}`, cause);
  }
}
