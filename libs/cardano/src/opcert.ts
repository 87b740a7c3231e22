/**
 * Operational certificates: the cold key's signature binding a KES verification key, an issue
 * number (the pool's counter) and the KES period the key starts at.
 *
 * CBOR, as `cardano-cli node issue-op-cert` writes `node.cert` and Mithril's `OpCert` serialises:
 *
 *     [ [ kes_vk : bytes .size 32, issue_number : uint, start_kes_period : uint, sigma : bytes .size 64 ],
 *       cold_vk : bytes .size 32 ]
 *
 * sigma = Ed25519 by the cold key over kes_vk ‖ issue_number u64BE ‖ start_kes_period u64BE.
 */
import { decodeCbor, encodeCbor, writeTextEnvelope } from '@mithril-ts/codec';
import { CardanoError, describe, fromCodecError, requireBytes } from './errors.js';
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES, ed25519Verify } from './ed25519.js';
import { type ColdSigningKey } from './cold-key.js';
import { readEnvelopeCbor, type EnvelopeReadOptions } from './envelope.js';
import { bytesEqual, copyBytes } from './hash.js';
import { KES_VERIFICATION_KEY_BYTES } from './kes.js';

export interface OperationalCertificate {
  readonly kesVerificationKey: Uint8Array;
  readonly issueNumber: bigint;
  readonly startKesPeriod: bigint;
  readonly coldSignature: Uint8Array;
  readonly coldVerificationKey: Uint8Array;
}

export const OPERATIONAL_CERTIFICATE_ENVELOPE_TYPE = 'NodeOperationalCertificate';
/** cardano-cli writes an empty description for `node.cert`. */
export const OPERATIONAL_CERTIFICATE_ENVELOPE_DESCRIPTION = '';
export const OPERATIONAL_CERTIFICATE_SIGNED_BYTES = 48;
/**
 * A canonical certificate is at most 155 bytes (two 9-byte integers); the default limit leaves
 * room for nothing else.
 */
export const DEFAULT_OPCERT_MAX_BYTES = 256;

const U64_MAX = (1n << 64n) - 1n;

function requireU64(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint') {
    throw new CardanoError('INVALID_OPCERT', `${what} must be a bigint, got ${describe(value)}`);
  }
  if (value < 0n || value > U64_MAX) {
    throw new CardanoError('INVALID_OPCERT', `${what} must fit in a u64 (0..2^64-1), got ${value}`);
  }
  return value;
}

/** Check every field's type and range; returns the fields, the byte arrays copied. */
function validated(opcert: OperationalCertificate): OperationalCertificate {
  if (typeof opcert !== 'object' || opcert === null) {
    throw new CardanoError('INVALID_OPCERT', `an operational certificate must be an object, got ${describe(opcert)}`);
  }
  return Object.freeze({
    kesVerificationKey: bytesField(opcert.kesVerificationKey, KES_VERIFICATION_KEY_BYTES, 'KES verification key'),
    issueNumber: requireU64(opcert.issueNumber, 'operational certificate issue number'),
    startKesPeriod: requireU64(opcert.startKesPeriod, 'operational certificate start KES period'),
    coldSignature: bytesField(opcert.coldSignature, ED25519_SIGNATURE_BYTES, 'cold signature'),
    coldVerificationKey: bytesField(opcert.coldVerificationKey, ED25519_PUBLIC_KEY_BYTES, 'cold verification key'),
  });
}

function bytesField(value: unknown, length: number, what: string): Uint8Array {
  return copyBytes(requireBytes(value, length, `operational certificate ${what}`, 'INVALID_OPCERT'));
}

function signedBytes(kesVerificationKey: Uint8Array, issueNumber: bigint, startKesPeriod: bigint): Uint8Array {
  const bytes = new Uint8Array(OPERATIONAL_CERTIFICATE_SIGNED_BYTES);
  bytes.set(kesVerificationKey, 0);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(32, issueNumber, false);
  view.setBigUint64(40, startKesPeriod, false);
  return bytes;
}

/** `cardano-cli node issue-op-cert`: the cold key certifies `kesVerificationKey` from `startKesPeriod`. */
export function issueOperationalCertificate(
  cold: ColdSigningKey,
  kesVerificationKey: Uint8Array,
  issueNumber: bigint,
  startKesPeriod: bigint,
): OperationalCertificate {
  requireBytes(kesVerificationKey, KES_VERIFICATION_KEY_BYTES, 'KES verification key', 'INVALID_KEY');
  requireU64(issueNumber, 'issue number');
  requireU64(startKesPeriod, 'start KES period');
  const coldSignature = cold.sign(signedBytes(kesVerificationKey, issueNumber, startKesPeriod));
  return Object.freeze({
    kesVerificationKey: copyBytes(kesVerificationKey),
    issueNumber,
    startKesPeriod,
    coldSignature,
    coldVerificationKey: cold.verificationKey(),
  });
}

/** The 48 bytes the cold key signs: kes_vk ‖ issue_number u64BE ‖ start_kes_period u64BE. */
export function operationalCertificateSignedBytes(opcert: OperationalCertificate): Uint8Array {
  const checked = validated(opcert);
  return signedBytes(checked.kesVerificationKey, checked.issueNumber, checked.startKesPeriod);
}

/** Whether the cold signature is valid; false (never a throw) for a malformed certificate. */
export function verifyOperationalCertificate(opcert: OperationalCertificate): boolean {
  let checked: OperationalCertificate;
  try {
    checked = validated(opcert);
  } catch {
    return false;
  }
  return ed25519Verify(
    checked.coldVerificationKey,
    signedBytes(checked.kesVerificationKey, checked.issueNumber, checked.startKesPeriod),
    checked.coldSignature,
  );
}

export function operationalCertificateToCbor(opcert: OperationalCertificate): Uint8Array {
  const checked = validated(opcert);
  return encodeCbor([[checked.kesVerificationKey, checked.issueNumber, checked.startKesPeriod, checked.coldSignature], checked.coldVerificationKey]);
}

function cborUint(value: unknown, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  throw new CardanoError('INVALID_CBOR', `operational certificate ${what} must be an unsigned integer, got ${describe(value)}`);
}

function cborBytesOf(value: unknown, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CardanoError('INVALID_CBOR', `operational certificate ${what} must be a CBOR byte string, got ${describe(value)}`);
  }
  if (value.length !== length) {
    throw new CardanoError('INVALID_OPCERT', `operational certificate ${what} must be ${length} bytes, got ${value.length}`);
  }
  return copyBytes(value);
}

/**
 * Strict: exactly the canonical encoding of the shape above (definite lengths, smallest integer
 * forms, no floats, no tags, no trailing bytes), which is what cardano-cli and Mithril write.
 * The signature is not checked here: see verifyOperationalCertificate.
 */
export function operationalCertificateFromCbor(bytes: Uint8Array, options: { maxBytes?: number } = {}): OperationalCertificate {
  let value: unknown;
  try {
    value = decodeCbor(bytes, { maxBytes: options.maxBytes ?? DEFAULT_OPCERT_MAX_BYTES });
  } catch (error) {
    throw fromCodecError(error, 'operational certificate CBOR', 'INVALID_CBOR');
  }
  if (!Array.isArray(value) || value.length !== 2) {
    throw new CardanoError(
      'INVALID_CBOR',
      `operational certificate must be a CBOR array [body, cold_vk] of 2 items, got ${Array.isArray(value) ? `${value.length} items` : describe(value)}`,
    );
  }
  const [body, coldVk] = value as [unknown, unknown];
  if (!Array.isArray(body) || body.length !== 4) {
    throw new CardanoError(
      'INVALID_CBOR',
      `operational certificate body must be a CBOR array [kes_vk, issue_number, start_kes_period, sigma] of 4 items, got ${Array.isArray(body) ? `${body.length} items` : describe(body)}`,
    );
  }
  const [kesVk, issue, start, sigma] = body as [unknown, unknown, unknown, unknown];
  const opcert: OperationalCertificate = Object.freeze({
    kesVerificationKey: cborBytesOf(kesVk, KES_VERIFICATION_KEY_BYTES, 'KES verification key'),
    issueNumber: cborUint(issue, 'issue number'),
    startKesPeriod: cborUint(start, 'start KES period'),
    coldSignature: cborBytesOf(sigma, ED25519_SIGNATURE_BYTES, 'cold signature'),
    coldVerificationKey: cborBytesOf(coldVk, ED25519_PUBLIC_KEY_BYTES, 'cold verification key'),
  });
  if (opcert.issueNumber < 0n || opcert.startKesPeriod < 0n) {
    throw new CardanoError('INVALID_CBOR', 'operational certificate integers must be unsigned');
  }
  // Everything decoded fits the shape; the bytes must also be its one canonical encoding
  // (this is what catches a float 1.0 standing for the integer 1, for instance).
  if (!bytesEqual(operationalCertificateToCbor(opcert), bytes)) {
    throw new CardanoError(
      'INVALID_CBOR',
      'operational certificate CBOR is not in canonical form (expected definite lengths, unsigned integers in their shortest form)',
    );
  }
  return opcert;
}

/** `node.cert` exactly as cardano-cli writes it (type NodeOperationalCertificate, empty description). */
export function operationalCertificateToTextEnvelope(opcert: OperationalCertificate): string {
  return writeTextEnvelope({
    type: OPERATIONAL_CERTIFICATE_ENVELOPE_TYPE,
    description: OPERATIONAL_CERTIFICATE_ENVELOPE_DESCRIPTION,
    cbor: operationalCertificateToCbor(opcert),
  });
}

export function operationalCertificateFromTextEnvelope(text: string, options: EnvelopeReadOptions = {}): OperationalCertificate {
  const cbor = readEnvelopeCbor(text, OPERATIONAL_CERTIFICATE_ENVELOPE_TYPE, 'operational certificate envelope', options);
  return operationalCertificateFromCbor(cbor);
}
