/**
 * Sum6 KES: the key-evolving signature of Cardano's Praos hot keys, byte-compatible with
 * kes-summed-ed25519 0.2.x (`Sum6Kes`, `Sum6KesSig`) and cardano-base's
 * `Sum6KES Ed25519DSIGN Blake2b_256`.
 *
 * A SumN key is a binary tree of 2^N Ed25519 leaves; only the path to the current leaf is held.
 *
 * Secret key of depth d (S_d = 32 + 96·d bytes; S_6 = 608):
 *
 *     sk_d = sk_{d-1} ‖ seed_d ‖ lhs_vk_d ‖ rhs_vk_d        sk_0 = Ed25519 seed of the current leaf
 *
 * `seed_d` (32 bytes) regenerates the right subtree when the key crosses into it, and is then
 * zeroed. So in the 608 bytes, the fields of level d (1..6) start at b_d = 32 + 96·(d-1):
 * seed at b_d, lhs at b_d+32, rhs at b_d+64. Mithril appends the current period as a u32
 * big-endian (612 bytes, `Sum6KesBytes`); cardano-cli files hold the bare 608 bytes, period 0.
 *
 * Key generation from a 32-byte seed: depth 0 takes the seed as the Ed25519 seed; depth d splits
 * it into Blake2b-256(0x01 ‖ seed) for the left subtree and Blake2b-256(0x02 ‖ seed) for the right.
 * vk_d = Blake2b-256(lhs_vk_d ‖ rhs_vk_d).
 *
 * Signature (448 bytes) = Ed25519 signature (64) ‖ lhs_vk_1 ‖ rhs_vk_1 ‖ … ‖ lhs_vk_6 ‖ rhs_vk_6:
 * the innermost level first, each level the pair of its two children's keys.
 */
import { getRandomValues } from 'node:crypto';
import { CardanoError, describe, requireBytes } from './errors.js';
import { ed25519PublicKey, ed25519Sign, ed25519VerifyStrict } from './ed25519.js';
import { readBytesEnvelope, writeBytesEnvelope, type EnvelopeReadOptions } from './envelope.js';
import { blake2b256, bytesEqual, bytesEqualAt, copyBytes } from './hash.js';

export const KES_DEPTH = 6;
export const KES_TOTAL_PERIODS = 64;
export const KES_SIGNATURE_BYTES = 448;
/** The bare secret key, as cardano-cli and kes-summed-ed25519's key body hold it. */
export const KES_SECRET_KEY_BYTES = 608;
/** The secret key followed by its period (u32 big-endian), as Mithril stores it. */
export const KES_SECRET_KEY_WITH_PERIOD_BYTES = 612;
export const KES_VERIFICATION_KEY_BYTES = 32;
export const KES_SEED_BYTES = 32;

export const KES_SIGNING_KEY_ENVELOPE_TYPE = 'KesSigningKey_ed25519_kes_2^6';
export const KES_SIGNING_KEY_ENVELOPE_DESCRIPTION = 'KES Signing Key';
export const KES_VERIFICATION_KEY_ENVELOPE_TYPE = 'KesVerificationKey_ed25519_kes_2^6';
export const KES_VERIFICATION_KEY_ENVELOPE_DESCRIPTION = 'KES Verification Key';

const LAST_PERIOD = KES_TOTAL_PERIODS - 1;
const SIGMA_BYTES = 64;

/** Size of a secret key of depth d. */
function secretSize(depth: number): number {
  return 32 + 96 * depth;
}

/** Offset of level d's fields (seed, lhs, rhs) in a secret key; d in 1..6. */
function levelOffset(depth: number): number {
  return secretSize(depth - 1);
}

/** Blake2b-256(prefix ‖ seed) for the two halves of a seed split; the seed is not modified. */
function splitSeed(seed: Uint8Array): [Uint8Array, Uint8Array] {
  const buffer = new Uint8Array(1 + KES_SEED_BYTES);
  buffer.set(seed, 1);
  buffer[0] = 1;
  const left = blake2b256(buffer);
  buffer[0] = 2;
  const right = blake2b256(buffer);
  buffer.fill(0);
  return [left, right];
}

function hashPair(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(2 * KES_VERIFICATION_KEY_BYTES);
  buffer.set(left, 0);
  buffer.set(right, KES_VERIFICATION_KEY_BYTES);
  return blake2b256(buffer);
}

/** The verification key of the depth-d tree grown from `seed`. Zeroes `seed`. */
function verificationKeyFromSeed(depth: number, seed: Uint8Array): Uint8Array {
  if (depth === 0) {
    const vk = ed25519PublicKey(seed);
    seed.fill(0);
    return vk;
  }
  const [left, right] = splitSeed(seed);
  seed.fill(0);
  return hashPair(verificationKeyFromSeed(depth - 1, left), verificationKeyFromSeed(depth - 1, right));
}

/**
 * Write the period-0 secret key of depth d grown from `seed` into `sk[0 .. S_d]`, overwriting
 * every byte of that range, and return its verification key. Zeroes `seed`.
 */
function generateInto(sk: Uint8Array, depth: number, seed: Uint8Array): Uint8Array {
  if (depth === 0) {
    sk.set(seed, 0);
    const vk = ed25519PublicKey(seed);
    seed.fill(0);
    return vk;
  }
  const [left, right] = splitSeed(seed);
  seed.fill(0);
  const base = levelOffset(depth);
  sk.set(right, base);
  const lhs = generateInto(sk, depth - 1, left);
  const rhs = verificationKeyFromSeed(depth - 1, right);
  sk.set(lhs, base + 32);
  sk.set(rhs, base + 64);
  return hashPair(lhs, rhs);
}

/**
 * Move the depth-d key in `sk[0 .. S_d]` from `period` to `period + 1` (kes-summed-ed25519's
 * `update_slice`). Crossing into a right subtree regenerates it from the stored seed, which
 * overwrites the whole left subtree (its leaf seed and any seeds under it) and zeroes the seed.
 */
function updateInPlace(sk: Uint8Array, depth: number, period: number): void {
  const half = 1 << (depth - 1);
  if (period + 1 < half) {
    updateInPlace(sk, depth - 1, period);
  } else if (period + 1 === half) {
    const base = levelOffset(depth);
    const seed = sk.slice(base, base + KES_SEED_BYTES);
    sk.fill(0, base, base + KES_SEED_BYTES);
    generateInto(sk, depth - 1, seed);
  } else {
    updateInPlace(sk, depth - 1, period - half);
  }
}

/**
 * The verification key of a Sum6 secret key at `period`, or undefined when the stored keys do
 * not form the path to that period's leaf (corrupt bytes, or a period that is not the key's).
 */
function pathVerificationKey(sk: Uint8Array, period: number): Uint8Array | undefined {
  let vk = ed25519PublicKey(sk.subarray(0, KES_SEED_BYTES));
  for (let depth = 1; depth <= KES_DEPTH; depth += 1) {
    const base = levelOffset(depth);
    const inRight = ((period >> (depth - 1)) & 1) === 1;
    if (!bytesEqualAt(sk, inRight ? base + 64 : base + 32, vk)) return undefined;
    vk = blake2b256(sk.subarray(base + 32, base + 96));
  }
  return vk;
}

function isPeriod(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= LAST_PERIOD;
}

/**
 * A Sum6 KES signing key and its current period (0..63, counted from the key's creation, which is
 * the operational certificate's start KES period).
 *
 * Zeroing is best effort, as anywhere in JavaScript: the key's own buffer and the temporaries of
 * this module are overwritten, but OpenSSL and the garbage collector may have held copies.
 */
export class KesSigningKey {
  readonly #sk: Uint8Array;
  #period: number;
  #vk: Uint8Array;
  #destroyed = false;

  private constructor(sk: Uint8Array, period: number, vk: Uint8Array) {
    this.#sk = sk;
    this.#period = period;
    this.#vk = vk;
  }

  /** kes-summed-ed25519's `Sum6Kes::keygen` / cardano-base's `genKeyKES`, at period 0. */
  static fromSeed(seed: Uint8Array): KesSigningKey {
    requireBytes(seed, KES_SEED_BYTES, 'KES seed', 'INVALID_KEY');
    const sk = new Uint8Array(KES_SECRET_KEY_BYTES);
    const vk = generateInto(sk, KES_DEPTH, copyBytes(seed));
    return new KesSigningKey(sk, 0, vk);
  }

  static generate(): KesSigningKey {
    const seed = getRandomValues(new Uint8Array(KES_SEED_BYTES));
    try {
      return KesSigningKey.fromSeed(seed);
    } finally {
      seed.fill(0);
    }
  }

  /** Current period, relative to the key's creation (= KES evolutions since the opcert start). */
  get period(): number {
    return this.#period;
  }

  verificationKey(): Uint8Array {
    return this.#vk.slice();
  }

  /** Sign at the current period; the 448-byte Sum6KesSig. */
  sign(message: Uint8Array): Uint8Array {
    this.#assertUsable();
    if (!(message instanceof Uint8Array)) {
      throw new CardanoError('INVALID_ARGUMENT', `the message to sign must be a Uint8Array, got ${describe(message)}`);
    }
    const signature = new Uint8Array(KES_SIGNATURE_BYTES);
    signature.set(ed25519Sign(this.#sk.subarray(0, KES_SEED_BYTES), message), 0);
    for (let depth = 1; depth <= KES_DEPTH; depth += 1) {
      const base = levelOffset(depth);
      signature.set(this.#sk.subarray(base + 32, base + 96), SIGMA_BYTES + 64 * (depth - 1));
    }
    return signature;
  }

  /**
   * Move to the next period, overwriting the secret material of the periods left behind.
   * At the last period (63) the key cannot evolve: KES_KEY_EXPIRED, and the key is unchanged.
   */
  evolve(): void {
    this.#assertUsable();
    if (this.#period >= LAST_PERIOD) {
      throw new CardanoError('KES_KEY_EXPIRED', `KES key is at its last period ${LAST_PERIOD} and cannot evolve further`);
    }
    updateInPlace(this.#sk, KES_DEPTH, this.#period);
    this.#period += 1;
  }

  /** Evolve up to `period` (no-op when already there); a key never evolves backwards. */
  evolveTo(period: number): void {
    this.#assertUsable();
    if (typeof period !== 'number' || !Number.isInteger(period) || period < 0) {
      throw new CardanoError('INVALID_ARGUMENT', `KES period must be a non-negative integer, got ${String(period)}`);
    }
    if (period > LAST_PERIOD) {
      throw new CardanoError('KES_KEY_EXPIRED', `KES period ${period} is beyond the key's last period ${LAST_PERIOD}`);
    }
    if (period < this.#period) {
      throw new CardanoError('KES_PERIOD_OUT_OF_RANGE', `KES key is at period ${this.#period}, it cannot go back to period ${period}`);
    }
    while (this.#period < period) this.evolve();
  }

  /**
   * 612 bytes: the 608-byte secret key, then the period as u32 big-endian, exactly Mithril's
   * `Sum6KesBytes` (kes-summed-ed25519 0.2's in-memory key). The first 608 bytes are the raw
   * key of cardano-base (`rawSerialiseSignKeyKES`).
   */
  toBytes(): Uint8Array {
    this.#assertUsable();
    const bytes = new Uint8Array(KES_SECRET_KEY_WITH_PERIOD_BYTES);
    bytes.set(this.#sk, 0);
    new DataView(bytes.buffer).setUint32(KES_SECRET_KEY_BYTES, this.#period, false);
    return bytes;
  }

  /**
   * Reads 612 bytes (Mithril: key ‖ period u32 BE) or 608 bytes (cardano-cli / cardano-base raw
   * key, which carries no period: read as period 0). The stored keys must form the path to the
   * period's leaf, which catches corrupt bytes and a wrong period.
   */
  static fromBytes(bytes: Uint8Array): KesSigningKey {
    if (!(bytes instanceof Uint8Array)) {
      throw new CardanoError('INVALID_KEY', `KES secret key must be a Uint8Array, got ${describe(bytes)}`);
    }
    if (bytes.length !== KES_SECRET_KEY_BYTES && bytes.length !== KES_SECRET_KEY_WITH_PERIOD_BYTES) {
      throw new CardanoError('INVALID_KEY', `KES secret key must be ${KES_SECRET_KEY_BYTES} or ${KES_SECRET_KEY_WITH_PERIOD_BYTES} bytes, got ${bytes.length}`);
    }
    const period =
      bytes.length === KES_SECRET_KEY_WITH_PERIOD_BYTES
        ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(KES_SECRET_KEY_BYTES, false)
        : 0;
    if (period > LAST_PERIOD) {
      throw new CardanoError('KES_PERIOD_OUT_OF_RANGE', `KES secret key period is ${period}, a Sum6 key has periods 0..${LAST_PERIOD}`);
    }
    const sk = copyBytes(bytes, 0, KES_SECRET_KEY_BYTES);
    const vk = pathVerificationKey(sk, period);
    if (vk === undefined) {
      sk.fill(0);
      const hint =
        bytes.length === KES_SECRET_KEY_BYTES ? ' (a 608-byte key carries no period and is read as period 0: an evolved key needs its period suffix)' : '';
      throw new CardanoError('INVALID_KEY', `KES secret key is inconsistent: its verification keys do not lead to the leaf of period ${period}${hint}`);
    }
    return new KesSigningKey(sk, period, vk);
  }

  /**
   * cardano-cli's `kes.skey`. At period 0 the payload is the bare 608-byte key, byte-identical to
   * `cardano-cli node key-gen-KES`; an evolved key is written with its period suffix (612 bytes,
   * as Mithril writes `Sum6KesBytes`), since the bare form would lose the period.
   */
  toTextEnvelope(): string {
    this.#assertUsable();
    const full = this.toBytes();
    const payload = this.#period === 0 ? full.subarray(0, KES_SECRET_KEY_BYTES) : full;
    try {
      return writeBytesEnvelope(KES_SIGNING_KEY_ENVELOPE_TYPE, KES_SIGNING_KEY_ENVELOPE_DESCRIPTION, payload);
    } finally {
      full.fill(0);
    }
  }

  /** Reads cardano-cli's (608 bytes, period 0) and Mithril's (612 bytes, with period) KES key files. */
  static fromTextEnvelope(text: string, options: EnvelopeReadOptions = {}): KesSigningKey {
    const bytes = readBytesEnvelope(
      text,
      KES_SIGNING_KEY_ENVELOPE_TYPE,
      [KES_SECRET_KEY_BYTES, KES_SECRET_KEY_WITH_PERIOD_BYTES],
      'KES signing key envelope',
      options,
    );
    try {
      return KesSigningKey.fromBytes(bytes);
    } finally {
      bytes.fill(0);
    }
  }

  /** Zero the secret key; any later use throws INVALID_KEY. */
  destroy(): void {
    this.#sk.fill(0);
    this.#destroyed = true;
  }

  #assertUsable(): void {
    if (this.#destroyed) throw new CardanoError('INVALID_KEY', 'KES signing key was destroyed');
  }
}

export type LeafVerifier = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

/**
 * Verify a Sum6 signature against each candidate period, returning the first that verifies.
 * The six pair hashes do not depend on the period, and the period only picks which child key
 * each level must equal, so all candidates cost one set of hashes and (normally) one Ed25519
 * verification. `leafVerify` is exposed for the benchmark's backend comparison.
 */
export function verifyKesSignatureWith(
  leafVerify: LeafVerifier,
  verificationKey: Uint8Array,
  periods: readonly number[],
  message: Uint8Array,
  signature: Uint8Array,
): number | undefined {
  if (
    !(verificationKey instanceof Uint8Array) ||
    !(signature instanceof Uint8Array) ||
    !(message instanceof Uint8Array) ||
    verificationKey.length !== KES_VERIFICATION_KEY_BYTES ||
    signature.length !== KES_SIGNATURE_BYTES
  ) {
    return undefined;
  }
  // levelHash[d] = Blake2b-256(lhs_d ‖ rhs_d): the key level d stands for.
  const levelHash: Uint8Array[] = [];
  for (let depth = 1; depth <= KES_DEPTH; depth += 1) {
    const offset = SIGMA_BYTES + 64 * (depth - 1);
    levelHash[depth] = blake2b256(signature.subarray(offset, offset + 64));
  }
  if (!bytesEqual(levelHash[KES_DEPTH] as Uint8Array, verificationKey)) return undefined;

  const sigma = signature.subarray(0, SIGMA_BYTES);
  const checkedLeaves: { offset: number; valid: boolean }[] = [];
  for (const period of periods) {
    if (!isPeriod(period)) continue;
    let onPath = true;
    for (let depth = KES_DEPTH; depth >= 2 && onPath; depth -= 1) {
      const inRight = ((period >> (depth - 1)) & 1) === 1;
      const child = SIGMA_BYTES + 64 * (depth - 1) + (inRight ? 32 : 0);
      onPath = bytesEqualAt(signature, child, levelHash[depth - 1] as Uint8Array);
    }
    if (!onPath) continue;
    const leafOffset = SIGMA_BYTES + ((period & 1) === 1 ? 32 : 0);
    let checked = checkedLeaves.find((leaf) => leaf.offset === leafOffset);
    if (checked === undefined) {
      const leaf = signature.subarray(leafOffset, leafOffset + 32);
      checked = { offset: leafOffset, valid: leafVerify(leaf, message, sigma) };
      checkedLeaves.push(checked);
    }
    if (checked.valid) return period;
  }
  return undefined;
}

/**
 * kes-summed-ed25519's `Sum6KesSig::verify(period, vk, msg)`. False for any malformed input and
 * for a period outside 0..63 (the Rust code, given a larger period, would verify it as 63).
 */
export function verifyKesSignature(verificationKey: Uint8Array, period: number, message: Uint8Array, signature: Uint8Array): boolean {
  return verifyKesSignatureWith(ed25519VerifyStrict, verificationKey, [period], message, signature) !== undefined;
}

/**
 * The first of `periods` at which the signature verifies, or undefined. For the registration
 * window: `verifyKesSignatureInWindow(vk, acceptedKesEvolutions(e), msg, sig)`.
 */
export function verifyKesSignatureInWindow(
  verificationKey: Uint8Array,
  periods: readonly number[],
  message: Uint8Array,
  signature: Uint8Array,
): number | undefined {
  return verifyKesSignatureWith(ed25519VerifyStrict, verificationKey, periods, message, signature);
}

export function kesVerificationKeyToTextEnvelope(verificationKey: Uint8Array): string {
  requireBytes(verificationKey, KES_VERIFICATION_KEY_BYTES, 'KES verification key', 'INVALID_KEY');
  return writeBytesEnvelope(KES_VERIFICATION_KEY_ENVELOPE_TYPE, KES_VERIFICATION_KEY_ENVELOPE_DESCRIPTION, verificationKey);
}

export function kesVerificationKeyFromTextEnvelope(text: string, options: EnvelopeReadOptions = {}): Uint8Array {
  return readBytesEnvelope(text, KES_VERIFICATION_KEY_ENVELOPE_TYPE, [KES_VERIFICATION_KEY_BYTES], 'KES verification key envelope', options);
}
