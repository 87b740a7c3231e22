/**
 * Stake pool cold keys: plain Ed25519 (RFC 8032), a 32-byte seed as secret key, as
 * `cardano-cli node key-gen` writes them (`cold.skey` / `cold.vkey`).
 */
import { getRandomValues, type KeyObject } from 'node:crypto';
import { CardanoError, describe, requireBytes } from './errors.js';
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SEED_BYTES, ed25519PrivateKeyObject, ed25519PublicKeyOf, ed25519SignWith, ed25519Verify } from './ed25519.js';
import { copyBytes } from './hash.js';
import { readBytesEnvelope, writeBytesEnvelope, type EnvelopeReadOptions } from './envelope.js';

export const COLD_SIGNING_KEY_ENVELOPE_TYPE = 'StakePoolSigningKey_ed25519';
export const COLD_SIGNING_KEY_ENVELOPE_DESCRIPTION = 'Stake Pool Operator Signing Key';
export const COLD_VERIFICATION_KEY_ENVELOPE_TYPE = 'StakePoolVerificationKey_ed25519';
export const COLD_VERIFICATION_KEY_ENVELOPE_DESCRIPTION = 'Stake Pool Operator Verification Key';

export class ColdSigningKey {
  readonly #seed: Uint8Array;
  readonly #verificationKey: Uint8Array;
  readonly #privateKey: KeyObject;

  private constructor(seed: Uint8Array) {
    this.#seed = copyBytes(seed);
    this.#privateKey = ed25519PrivateKeyObject(this.#seed);
    this.#verificationKey = ed25519PublicKeyOf(this.#privateKey);
  }

  /** The key whose RFC 8032 secret is `seed` (ed25519-dalek `SigningKey::from_bytes`). */
  static fromSeed(seed: Uint8Array): ColdSigningKey {
    requireBytes(seed, ED25519_SEED_BYTES, 'cold signing key seed', 'INVALID_KEY');
    return new ColdSigningKey(seed);
  }

  static generate(): ColdSigningKey {
    const seed = getRandomValues(new Uint8Array(ED25519_SEED_BYTES));
    try {
      return new ColdSigningKey(seed);
    } finally {
      seed.fill(0);
    }
  }

  /** A copy of the 32-byte secret seed. */
  seed(): Uint8Array {
    return this.#seed.slice();
  }

  verificationKey(): Uint8Array {
    return this.#verificationKey.slice();
  }

  sign(message: Uint8Array): Uint8Array {
    if (!(message instanceof Uint8Array)) {
      throw new CardanoError('INVALID_ARGUMENT', `the message to sign must be a Uint8Array, got ${describe(message)}`);
    }
    return ed25519SignWith(this.#privateKey, message);
  }

  /** `cold.skey` exactly as cardano-cli writes it. */
  toTextEnvelope(): string {
    return writeBytesEnvelope(COLD_SIGNING_KEY_ENVELOPE_TYPE, COLD_SIGNING_KEY_ENVELOPE_DESCRIPTION, this.#seed);
  }

  static fromTextEnvelope(text: string, options: EnvelopeReadOptions = {}): ColdSigningKey {
    const seed = readBytesEnvelope(text, COLD_SIGNING_KEY_ENVELOPE_TYPE, [ED25519_SEED_BYTES], 'cold signing key envelope', options);
    try {
      return new ColdSigningKey(seed);
    } finally {
      seed.fill(0);
    }
  }
}

/** `cold.vkey` exactly as cardano-cli writes it. */
export function coldVerificationKeyToTextEnvelope(verificationKey: Uint8Array): string {
  requireBytes(verificationKey, ED25519_PUBLIC_KEY_BYTES, 'cold verification key', 'INVALID_KEY');
  return writeBytesEnvelope(COLD_VERIFICATION_KEY_ENVELOPE_TYPE, COLD_VERIFICATION_KEY_ENVELOPE_DESCRIPTION, verificationKey);
}

export function coldVerificationKeyFromTextEnvelope(text: string, options: EnvelopeReadOptions = {}): Uint8Array {
  return readBytesEnvelope(text, COLD_VERIFICATION_KEY_ENVELOPE_TYPE, [ED25519_PUBLIC_KEY_BYTES], 'cold verification key envelope', options);
}

/**
 * RFC 8032 Ed25519 verification (ed25519-dalek 2 `verify`, which Mithril uses for opcerts):
 * false for a bad signature and for malformed input of any kind.
 */
export function verifyEd25519(verificationKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return ed25519Verify(verificationKey, message, signature);
}
