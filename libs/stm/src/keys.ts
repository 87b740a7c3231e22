/**
 * Mithril signer keys: the BLS signing key, its verification key, and the proof of possession
 * (PoP) that every registered key must carry so that aggregate keys cannot be forged by
 * rogue-key attacks.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, randomBytes } from '@noble/hashes/utils.js';
import {
  FR_ORDER,
  G1,
  G2,
  NEG_G2,
  blsBackend,
  decodeG1,
  decodeG2,
  decodeScalar,
  encodeG1,
  encodeG2,
  encodeScalar,
  hashToG1,
  msmG1,
  msmG2,
  pairingProductIsOne,
  type G1Point,
  type G2Point,
} from './bls.js';
import { findFailing, randomScalars, type Randomness } from './batch.js';
import { compareBytes } from './bytes.js';
import { StmError } from './errors.js';

/** The PoP's first element signs these 3 ASCII bytes (the reference does not mix the key in). */
const POP_MESSAGE = new TextEncoder().encode('PoP');
let popHashCache: G1Point | undefined;
/** H_G1("PoP") is the same point for every key, which is what makes batched PoP checks cheap. */
export function popHash(): G1Point {
  return (popHashCache ??= hashToG1(POP_MESSAGE));
}

export const VERIFICATION_KEY_POP_BYTES = 192;
export const PROOF_OF_POSSESSION_BYTES = 96;

/**
 * IETF draft-irtf-cfrg-bls-signature-04 KeyGen, as blst's `SecretKey::key_gen(ikm, [])` which the
 * reference uses: the salt is hashed before first use, and re-hashed until the scalar is non-zero.
 */
export function keyGen(ikm: Uint8Array, info: Uint8Array = new Uint8Array(0)): bigint {
  if (ikm.length < 32) throw new StmError('INVALID_ENCODING', 'key generation needs at least 32 bytes of key material');
  let salt = sha256(new TextEncoder().encode('BLS-SIG-KEYGEN-SALT-'));
  for (;;) {
    const okm = hkdf(sha256, concatBytes(ikm, Uint8Array.of(0)), salt, concatBytes(info, Uint8Array.of(0, 48)), 48);
    let n = 0n;
    for (const byte of okm) n = (n << 8n) | BigInt(byte);
    const sk = n % FR_ORDER;
    if (sk !== 0n) return sk;
    salt = sha256(salt);
  }
}

export class SigningKey {
  private constructor(readonly scalar: bigint) {}

  /** A key from at least 32 bytes of secret randomness (the reference draws exactly 32). */
  static generate(ikm: Uint8Array): SigningKey {
    return new SigningKey(keyGen(ikm));
  }

  static fromBytes(bytes: Uint8Array): SigningKey {
    return new SigningKey(decodeScalar(bytes));
  }

  toBytes(): Uint8Array {
    return encodeScalar(this.scalar);
  }

  verificationKey(): VerificationKey {
    return VerificationKey.fromPoint(G2.BASE.multiply(this.scalar));
  }

  proofOfPossession(): ProofOfPossession {
    return new ProofOfPossession(popHash().multiply(this.scalar), G1.BASE.multiply(this.scalar));
  }

  verificationKeyPoP(): VerificationKeyPoP {
    return new VerificationKeyPoP(this.verificationKey(), this.proofOfPossession());
  }

  /** sigma = sk * H_G1(msg), hashed with the reference's empty DST. */
  sign(msg: Uint8Array): Signature {
    return new Signature(hashToG1(msg).multiply(this.scalar));
  }
}

/**
 * Keys decoded by `fromCommittedBytes`, by their bytes. Decoding is a pure function of the bytes
 * (a failed decode throws and stores nothing) and a key is immutable, so a remembered key is
 * exactly what decoding again would give, under either backend (held equal by the differential
 * test). Bounded: about two epochs of mainnet signers, the oldest forgotten first.
 */
const committedKeys = new Map<string, VerificationKey>();
const COMMITTED_KEYS_LIMIT = 8192;

export class VerificationKey {
  private encoded: Uint8Array | undefined;
  private constructor(readonly point: G2Point) {}

  static fromPoint(point: G2Point): VerificationKey {
    return new VerificationKey(point);
  }

  static fromBytes(bytes: Uint8Array): VerificationKey {
    const key = new VerificationKey(decodeG2(bytes, 'verification key'));
    key.encoded = bytes.slice();
    return key;
  }

  /**
   * A key read from a multi-signature, decompressed (canonical, on the curve, not infinity) but
   * not checked for subgroup membership: such a key is only used by `AggregateSignature.verify`,
   * after the Merkle proof has shown it to be a leaf of the certified AVK, whose keys passed
   * every check (PoP included) when they were registered. SECURITY.md states the argument.
   */
  static fromCommittedBytes(bytes: Uint8Array): VerificationKey {
    // Every certificate of an epoch carries the same signers' keys: a chain walk decodes each once.
    const id = bytesToHex(bytes);
    const known = committedKeys.get(id);
    if (known !== undefined) return known;
    const key = new VerificationKey(decodeG2(bytes, 'verification key', { subgroupCheck: false }));
    key.encoded = bytes.slice();
    if (committedKeys.size >= COMMITTED_KEYS_LIMIT) committedKeys.delete(committedKeys.keys().next().value!);
    committedKeys.set(id, key);
    return key;
  }

  toBytes(): Uint8Array {
    return (this.encoded ??= encodeG2(this.point));
  }

  equals(other: VerificationKey): boolean {
    return compareBytes(this.toBytes(), other.toBytes()) === 0;
  }
}

export class Signature {
  private encoded: Uint8Array | undefined;
  constructor(readonly point: G1Point) {}

  static fromBytes(bytes: Uint8Array): Signature {
    const sig = new Signature(decodeG1(bytes, 'signature'));
    sig.encoded = bytes.slice();
    return sig;
  }

  toBytes(): Uint8Array {
    return (this.encoded ??= encodeG1(this.point));
  }

  /** e(sigma, g2) == e(H(msg), vk). */
  verify(msg: Uint8Array, vk: VerificationKey): boolean {
    return pairingProductIsOne([
      { g1: this.point, g2: NEG_G2 },
      { g1: hashToG1(msg), g2: vk.point },
    ]);
  }
}

export class ProofOfPossession {
  constructor(
    readonly k1: G1Point,
    readonly k2: G1Point,
  ) {}

  static fromBytes(bytes: Uint8Array): ProofOfPossession {
    if (bytes.length !== PROOF_OF_POSSESSION_BYTES) {
      throw new StmError('INVALID_ENCODING', `proof of possession: expected 96 bytes, got ${bytes.length}`);
    }
    return new ProofOfPossession(decodeG1(bytes.subarray(0, 48), 'PoP k1'), decodeG1(bytes.subarray(48), 'PoP k2'));
  }

  toBytes(): Uint8Array {
    return concatBytes(encodeG1(this.k1), encodeG1(this.k2));
  }
}

/** A verification key with its proof of possession: what a signer registers. */
export class VerificationKeyPoP {
  constructor(
    readonly vk: VerificationKey,
    readonly pop: ProofOfPossession,
  ) {}

  static fromBytes(bytes: Uint8Array): VerificationKeyPoP {
    if (!(bytes instanceof Uint8Array) || bytes.length !== VERIFICATION_KEY_POP_BYTES) {
      throw new StmError('INVALID_ENCODING', `verification key with PoP: expected 192 bytes, got ${bytes?.length}`);
    }
    return new VerificationKeyPoP(VerificationKey.fromBytes(bytes.subarray(0, 96)), ProofOfPossession.fromBytes(bytes.subarray(96)));
  }

  toBytes(): Uint8Array {
    return concatBytes(this.vk.toBytes(), this.pop.toBytes());
  }

  /** e(k1, g2) == e(H("PoP"), vk) and e(g1, vk) == e(k2, g2), in one pairing product. */
  verify(): boolean {
    return verifyProofsOfPossession([this]);
  }
}

/**
 * Checks many PoPs with one pairing product. Each PoP must satisfy
 * (a) e(k1, g2) == e(H("PoP"), vk) and (b) e(k2, g2) == e(g1, vk).
 *
 * With the noble backend: a random ρ folds both into e(k1 + ρ·k2, g2) == e(H("PoP") + ρ·g1, vk),
 * and random r_i fold all keys into
 * e(Σ r_i·k1_i + ρ·Σ r_i·k2_i, -g2) · e(H("PoP") + ρ·g1, Σ r_i·vk_i) == 1:
 * two G1 and one G2 multi-scalar multiplications and two pairings for the whole batch.
 *
 * With a native backend the sums come from its `randomizedSums` (what single-signature batches
 * use), which pairs each G1 point with a G2 point under one fresh r: (a) is the group (k1_i, vk_i)
 * with r_i and (b) the group (k2_i, vk_i) with independent s_i, and the check is
 * e(Σ r_i·k1_i + Σ s_i·k2_i, -g2) · e(H("PoP"), Σ r_i·vk_i) · e(g1, Σ s_i·vk_i) == 1
 * (three pairings, the native sums ~40× cheaper than noble's multi-scalar multiplications).
 * Why it is as sound as the ρ form: every point is in its prime-order subgroup (decoded with the
 * subgroup check), so in GT each broken equation i contributes a nonzero exponent δ_i (for (a)) or
 * ε_i (for (b)) and the product is one only if Σ r_i·δ_i + Σ s_i·ε_i ≡ 0 (mod q). For any fixed
 * nonzero δ, ε that holds for at most one value of a randomizer whose coefficient is nonzero once
 * the others are fixed, so with 64-bit randomizers a batch holding a bad PoP passes with
 * probability at most 2^-64, the bound of the ρ form too. A failing batch is bisected as before.
 */
export function verifyProofsOfPossession(keys: readonly VerificationKeyPoP[], randomness: Randomness = randomBytes): boolean {
  if (keys.length === 0) return true;
  const backend = blsBackend();
  if (backend.name !== 'noble') {
    const vks = keys.map((key) => key.vk.point);
    const sums = backend.randomizedSums(
      [
        { sigmas: keys.map((key) => key.pop.k1), vks },
        { sigmas: keys.map((key) => key.pop.k2), vks },
      ],
      randomness,
    );
    // The backend refuses a point it checks again (it never does for points decoded here).
    if (sums === undefined) return false;
    return pairingProductIsOne([
      { g1: sums.sigmaSum, g2: NEG_G2 },
      { g1: popHash(), g2: sums.vkSums[0]! },
      { g1: G1.BASE, g2: sums.vkSums[1]! },
    ]);
  }
  const [rho] = randomScalars(1, randomness) as [bigint];
  const r = randomScalars(keys.length, randomness);
  const sumK1 = msmG1(
    keys.map((key) => key.pop.k1),
    r,
  );
  const sumK2 = msmG1(
    keys.map((key) => key.pop.k2),
    r,
  );
  return pairingProductIsOne([
    { g1: sumK1.add(sumK2.multiply(rho)), g2: NEG_G2 },
    {
      g1: popHash().add(G1.BASE.multiply(rho)),
      g2: msmG2(
        keys.map((key) => key.vk.point),
        r,
      ),
    },
  ]);
}

/** Positions of the keys whose PoP is invalid, isolated by bisection over batch checks. */
export function findInvalidProofsOfPossession(keys: readonly VerificationKeyPoP[], randomness: Randomness = randomBytes): number[] {
  return findFailing(keys.length, (from, to) => verifyProofsOfPossession(keys.slice(from, to), randomness));
}
