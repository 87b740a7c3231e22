/**
 * POST bodies in the reference's shapes (`RegisterSignerMessage`, `RegisterSingleSignatureMessage`)
 * to the signer gateway's requests. Keys and signatures come as json-hex (what the reference
 * writes) or bytes hex (which it also reads); every field is checked and decoded here, so that a
 * malformed request is a 400 naming the field, before anything goes upstream.
 */
import { signedEntityTypeToProto } from '@mithril-ts/proto';
import { z } from 'zod';
import { decodeJsonHexOrBytesHex } from '@mithril-ts/codec';
import {
  KES_SIGNATURE_BYTES,
  kesSignatureFromJson,
  operationalCertificateFromCbor,
  operationalCertificateFromJson,
  operationalCertificateToCbor,
} from '@mithril-ts/cardano';
import type { SignerRegistration, SingleSignature as SingleSignatureMessage } from '@mithril-ts/proto';
import { signedEntityTypeFromJson } from '@mithril-ts/protocol';
import { VerificationKeyPoP, singleSignatureFromBytes, singleSignatureFromJson, singleSignatureToBytes, verificationKeyPoPFromJson } from '@mithril-ts/stm';
import { badRequest } from './errors.js';

/** json-hex of the largest field (a single signature winning thousands of indexes) stays well below. */
const MAX_HEX_CHARS = 256 * 1024;
const MAX_INDEXES = 1 << 16;

const u64 = z
  .union([z.number().int().nonnegative(), z.bigint().nonnegative()])
  .transform((value) => BigInt(value))
  .refine((value) => value < 1n << 64n, 'must fit in 64 bits');
const hexText = z.string().min(1).max(MAX_HEX_CHARS);
const partyId = z.string().min(1).max(256);

const registerSignerSchema = z.looseObject({
  epoch: u64,
  party_id: partyId,
  verification_key: hexText,
  verification_key_signature: hexText.nullish(),
  operational_certificate: hexText.nullish(),
  kes_period: z.number().int().min(0).max(0xffff_ffff).nullish(),
});

const registerSignatureSchema = z.looseObject({
  entity_type: z.unknown(),
  party_id: partyId,
  signature: hexText,
  indexes: z.array(u64).max(MAX_INDEXES),
  signed_message: z.string().max(128).nullish(),
});

function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
  throw badRequest(`invalid ${what} message: ${problems.join('; ')}`);
}

const isJsonContainer = (value: unknown) => typeof value === 'object' && value !== null;

/** The reference's reading of a key field: json-hex, else bytes hex; any failure is a 400 naming the field. */
function decodeField(text: string, field: string, fromJson: (value: unknown) => Uint8Array, fromBytes: (bytes: Uint8Array) => Uint8Array): Buffer {
  try {
    const decoded = decodeJsonHexOrBytesHex(text.trim(), { maxBytes: MAX_HEX_CHARS / 2, acceptJson: isJsonContainer });
    return Buffer.from(decoded.kind === 'json' ? fromJson(decoded.value) : fromBytes(decoded.bytes));
  } catch (error) {
    throw badRequest(`${field} is not valid: ${(error as Error).message}`, error);
  }
}

export function signerRegistrationFromMessage(body: unknown): SignerRegistration {
  const message = parse(registerSignerSchema, body, 'register signer');
  return {
    epoch: message.epoch,
    partyId: message.party_id,
    verificationKey: decodeField(
      message.verification_key,
      'verification_key',
      (value) => verificationKeyPoPFromJson(value).toBytes(),
      (bytes) => VerificationKeyPoP.fromBytes(bytes).toBytes(),
    ),
    ...(message.verification_key_signature != null
      ? {
          verificationKeySignature: decodeField(message.verification_key_signature, 'verification_key_signature', kesSignatureFromJson, (bytes) => {
            if (bytes.length !== KES_SIGNATURE_BYTES) throw new Error(`a KES signature is ${KES_SIGNATURE_BYTES} bytes, got ${bytes.length}`);
            return bytes;
          }),
        }
      : {}),
    ...(message.operational_certificate != null
      ? {
          operationalCertificate: decodeField(
            message.operational_certificate,
            'operational_certificate',
            (value) => operationalCertificateToCbor(operationalCertificateFromJson(value)),
            (bytes) => operationalCertificateToCbor(operationalCertificateFromCbor(bytes)),
          ),
        }
      : {}),
    ...(message.kes_period != null ? { kesEvolutions: message.kes_period } : {}),
  };
}

export function singleSignatureFromMessage(body: unknown): SingleSignatureMessage {
  const message = parse(registerSignatureSchema, body, 'register single signature');
  let signedEntityType;
  try {
    signedEntityType = signedEntityTypeFromJson(message.entity_type);
  } catch (error) {
    throw badRequest(`entity_type is not valid: ${(error as Error).message}`, error);
  }
  return {
    signedEntityType: signedEntityTypeToProto(signedEntityType),
    partyId: message.party_id,
    signature: decodeField(
      message.signature,
      'signature',
      (value) => singleSignatureToBytes(singleSignatureFromJson(value)),
      (bytes) => singleSignatureToBytes(singleSignatureFromBytes(bytes)),
    ),
    wonIndexes: message.indexes,
    signedMessage: message.signed_message ?? '',
  };
}
