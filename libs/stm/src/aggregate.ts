/**
 * Aggregation (the clerk) and verification of multi-signatures (the reference's concatenation
 * proof): a set of single signatures covering at least `k` distinct won indices, the registered
 * parties that made them, and a Merkle batch proof that those parties are in the AVK.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { NEG_G2, hashToG1, msmG1, msmG2, pairingProductIsOne, type G1Point, type G2Point } from './bls.js';
import { u64be } from './bytes.js';
import { LotteryThreshold } from './eligibility.js';
import { StmError } from './errors.js';
import { compareBytes, randomScalars, type VerificationKey } from './keys.js';
import { verifyBatchPath, type MerkleBatchPath } from './merkle.js';
import { validateParameters, type Parameters } from './parameters.js';
import {
  partyLeaf,
  type AggregateVerificationKey,
  type ClosedRegistration,
  type RegisteredParty,
} from './registration.js';
import { SingleSignature, signedMessage } from './single-signature.js';

export interface SignatureWithParty {
  readonly signature: SingleSignature;
  readonly party: RegisteredParty;
}

export class AggregateSignature {
  constructor(
    /** Ordered by signer index; indices are distinct across signatures. */
    readonly signatures: readonly SignatureWithParty[],
    readonly batchProof: MerkleBatchPath,
  ) {}

  /** Everything but the pairing check; returns what the pairing check needs. */
  private preliminaryVerify(msg: Uint8Array, avk: AggregateVerificationKey, params: Parameters): AggregatedPair {
    validateParameters(params);
    if (this.signatures.length === 0) throw new StmError('NOT_ENOUGH_SIGNATURES', 'the multi-signature holds no signature');
    const msgp = signedMessage(msg, avk);
    const claimed = new Set<number>();
    for (const { signature, party } of this.signatures) {
      signature.checkIndices(params, party.stake, msgp, avk.totalStake, thresholdFor(params.phiF, party.stake, avk.totalStake));
      for (const index of signature.indexes) {
        if (claimed.has(index)) throw new StmError('DUPLICATE_INDEX', `lottery index ${index} is claimed twice`);
        claimed.add(index);
      }
    }
    if (BigInt(claimed.size) < params.k) {
      throw new StmError('NOT_ENOUGH_SIGNATURES', `${claimed.size} distinct indices, fewer than k = ${params.k}`);
    }
    const leaves = this.signatures.map(({ party }) => partyLeaf(party));
    if (!verifyBatchPath(avk.commitment, leaves, this.batchProof)) {
      throw new StmError('INVALID_MERKLE_PROOF', 'the signers are not all in the aggregate verification key');
    }
    return { msgp, ...aggregateWithDeterministicScalars(this.signatures.map(({ signature, party }) => ({ sigma: signature.sigma.point, sigmaBytes: signature.sigma.toBytes(), vk: party.vk }))) };
  }

  /** Throws a typed StmError saying which check failed. */
  verify(msg: Uint8Array, avk: AggregateVerificationKey, params: Parameters): void {
    const { msgp, sigma, vk } = this.preliminaryVerify(msg, avk, params);
    if (!pairingProductIsOne([{ g1: sigma, g2: NEG_G2 }, { g1: hashToG1(msgp), g2: vk }])) {
      throw new StmError('INVALID_SIGNATURE', 'the aggregate BLS signature does not verify');
    }
  }

  /**
   * Verifies several multi-signatures with one pairing product: every structural check runs per
   * signature, then Σρ_j·sigma_j against Π e(H(msgp_j), ρ_j·vk_j) with fresh 128-bit ρ_j. On failure
   * each one is checked alone so the caller learns which failed (null where valid).
   */
  static batchVerify(
    items: readonly { signature: AggregateSignature; msg: Uint8Array; avk: AggregateVerificationKey; params: Parameters }[],
    randomness: (n: number) => Uint8Array = randomBytes,
  ): (StmError | null)[] {
    const results: (StmError | null)[] = items.map(() => null);
    const pending: { position: number; pair: AggregatedPair }[] = [];
    items.forEach((item, position) => {
      try {
        pending.push({ position, pair: item.signature.preliminaryVerify(item.msg, item.avk, item.params) });
      } catch (error) {
        if (!(error instanceof StmError)) throw error;
        results[position] = error;
      }
    });
    if (pending.length === 0) return results;
    const rho = randomScalars(pending.length, randomness);
    const sigma = msmG1(pending.map(({ pair }) => pair.sigma), rho);
    const ok = pairingProductIsOne([
      { g1: sigma, g2: NEG_G2 },
      ...pending.map(({ pair }, j) => ({ g1: hashToG1(pair.msgp), g2: pair.vk.multiply(rho[j]!) })),
    ]);
    if (!ok) {
      for (const { position, pair } of pending) {
        if (!pairingProductIsOne([{ g1: pair.sigma, g2: NEG_G2 }, { g1: hashToG1(pair.msgp), g2: pair.vk }])) {
          results[position] = new StmError('INVALID_SIGNATURE', 'the aggregate BLS signature does not verify');
        }
      }
    }
    return results;
  }
}

interface AggregatedPair {
  msgp: Uint8Array;
  sigma: G1Point;
  vk: G2Point;
}

/**
 * Σ t_i·sigma_i and Σ t_i·vk_i with t_i = Blake2b-128(sigma_0 ‖ … ‖ sigma_{n-1} ‖ i as u64 BE),
 * read little-endian (as the reference). The coefficients bind every signature to the whole set,
 * so invalid single signatures cannot cancel out in the sum (which would let a coalition grind
 * its sigmas to win lotteries). A lone signature is used as is.
 */
function aggregateWithDeterministicScalars(
  entries: readonly { sigma: G1Point; sigmaBytes: Uint8Array; vk: VerificationKey }[],
): { sigma: G1Point; vk: G2Point } {
  if (entries.length === 1) return { sigma: entries[0]!.sigma, vk: entries[0]!.vk.point };
  const base = blake2b.create({ dkLen: 16 });
  for (const entry of entries) base.update(entry.sigmaBytes);
  const scalars = entries.map((_, i) => {
    const digest = base.clone().update(u64be(i)).digest();
    let t = 0n;
    for (let j = 15; j >= 0; j -= 1) t = (t << 8n) | BigInt(digest[j]!);
    return t;
  });
  return {
    sigma: msmG1(entries.map((entry) => entry.sigma), scalars),
    vk: msmG2(entries.map((entry) => entry.vk.point), scalars),
  };
}

/** Lottery thresholds are pure functions of (phi_f, stake, total stake); verifiers see the same ones every round. */
const thresholdCache = new Map<string, LotteryThreshold>();
const THRESHOLD_CACHE_LIMIT = 100_000;

function thresholdFor(phiF: number, stake: bigint, totalStake: bigint): LotteryThreshold {
  const key = `${phiF}:${stake}:${totalStake}`;
  let threshold = thresholdCache.get(key);
  if (threshold === undefined) {
    threshold = new LotteryThreshold(phiF, stake, totalStake);
    if (thresholdCache.size >= THRESHOLD_CACHE_LIMIT) thresholdCache.clear();
    thresholdCache.set(key, threshold);
  }
  return threshold;
}

/**
 * Checks many single signatures on the same message at once: with fresh 128-bit r_i,
 * e(Σ r_i·sigma_i, -g2)·e(H(msgp), Σ r_i·vk_i) == 1. Returns the positions of invalid ones,
 * found by bisection when the batch fails.
 */
export function findInvalidSingleSignatures(
  msgp: Uint8Array,
  entries: readonly { sigma: G1Point; vk: VerificationKey }[],
  randomness: (n: number) => Uint8Array = randomBytes,
): number[] {
  const h = hashToG1(msgp);
  const check = (from: number, to: number): boolean => {
    const slice = entries.slice(from, to);
    const r = randomScalars(slice.length, randomness);
    return pairingProductIsOne([
      { g1: msmG1(slice.map((entry) => entry.sigma), r), g2: NEG_G2 },
      { g1: h, g2: msmG2(slice.map((entry) => entry.vk.point), r) },
    ]);
  };
  const bad: number[] = [];
  const visit = (from: number, to: number): void => {
    if (from >= to || check(from, to)) return;
    if (to - from === 1) {
      bad.push(from);
      return;
    }
    const mid = (from + to) >> 1;
    visit(from, mid);
    visit(mid, to);
  };
  visit(0, entries.length);
  return bad;
}

/** The clerk aggregates single signatures made under one closed registration. */
export class Clerk {
  constructor(
    readonly registration: ClosedRegistration,
    readonly params: Parameters,
  ) {
    validateParameters(params);
  }

  get aggregateVerificationKey(): AggregateVerificationKey {
    return this.registration.aggregateVerificationKey();
  }

  /** Verifies one single signature (lottery and BLS) against the registration. */
  verifySingleSignature(signature: SingleSignature, msg: Uint8Array): void {
    const party = this.registration.party(signature.signerIndex);
    signature.verify(this.params, party.vk, party.stake, this.aggregateVerificationKey, msg);
  }

  /**
   * Keeps the valid signatures (lottery checks one by one, BLS checks batched), assigns each
   * contested index to the signature with the smallest sigma bytes, takes signatures in order of
   * the indices they hold until `k` indices are covered, and seals them with a batch proof.
   */
  aggregate(signatures: readonly SingleSignature[], msg: Uint8Array): AggregateSignature {
    const avk = this.aggregateVerificationKey;
    const msgp = signedMessage(msg, avk);
    const candidates: SignatureWithParty[] = [];
    const seenSigners = new Set<number>();
    for (const signature of signatures) {
      if (seenSigners.has(signature.signerIndex)) continue; // one signature per signer and message
      try {
        const party = this.registration.party(signature.signerIndex);
        signature.checkIndices(this.params, party.stake, msgp, avk.totalStake, thresholdFor(this.params.phiF, party.stake, avk.totalStake));
        candidates.push({ signature, party });
        seenSigners.add(signature.signerIndex);
      } catch (error) {
        if (!(error instanceof StmError)) throw error;
      }
    }
    const invalid = new Set(
      findInvalidSingleSignatures(msgp, candidates.map(({ signature, party }) => ({ sigma: signature.sigma.point, vk: party.vk }))),
    );
    const valid = candidates.filter((_, i) => !invalid.has(i));

    const winner = new Map<number, number>(); // lottery index -> position in `valid`
    valid.forEach(({ signature }, position) => {
      for (const index of signature.indexes) {
        const holder = winner.get(index);
        if (holder === undefined || compareBytes(signature.sigma.toBytes(), valid[holder]!.signature.sigma.toBytes()) < 0) {
          winner.set(index, position);
        }
      }
    });
    const selected: SignatureWithParty[] = [];
    const taken = new Set<number>();
    let count = 0n;
    for (const index of [...winner.keys()].sort((a, b) => a - b)) {
      const position = winner.get(index)!;
      if (taken.has(position)) continue;
      taken.add(position);
      const { signature, party } = valid[position]!;
      const kept = signature.indexes.filter((i) => winner.get(i) === position);
      selected.push({ signature: new SingleSignature(signature.sigma, kept, signature.signerIndex), party });
      count += BigInt(kept.length);
      if (count >= this.params.k) break;
    }
    if (count < this.params.k) {
      throw new StmError('NOT_ENOUGH_SIGNATURES', `${count} distinct valid indices, fewer than k = ${this.params.k}`);
    }
    selected.sort((a, b) => a.signature.signerIndex - b.signature.signerIndex);
    const batchProof = this.registration.tree.batchPath(selected.map(({ signature }) => signature.signerIndex));
    return new AggregateSignature(selected, batchProof);
  }
}


