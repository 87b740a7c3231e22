/**
 * Aggregation (the clerk) and verification of multi-signatures (the reference's concatenation
 * proof): a set of single signatures covering at least `k` distinct won indices, the registered
 * parties that made them, and a Merkle batch proof that those parties are in the AVK.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { blsBackend, pairingEngine, type G1Point, type G2Point } from './bls.js';
import { LotteryThreshold } from './eligibility.js';
import { StmError } from './errors.js';
import { findFailing, type Randomness } from './batch.js';
import { compareBytes } from './bytes.js';
import type { VerificationKey } from './keys.js';
import { verifyBatchPath, type MerkleBatchPath } from './merkle.js';
import { validateParameters, type Parameters } from './parameters.js';
import { partyLeaf, type AggregateVerificationKey, type ClosedRegistration, type RegisteredParty } from './registration.js';
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

  /** Everything but the pairing check; returns the signed message and the signers' points. */
  private preliminaryVerify(msg: Uint8Array, avk: AggregateVerificationKey, params: Parameters): PairingTerms {
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
    return {
      msgp,
      sigmas: this.signatures.map(({ signature }) => signature.sigma.point),
      vks: this.signatures.map(({ party }) => party.vk.point),
    };
  }

  /**
   * Throws a typed StmError saying which check failed.
   *
   * The pairing check is e(Σ r_i·sigma_i, g2) == e(H(msgp), Σ r_i·vk_i) with fresh random r_i:
   * the coefficients keep invalid single signatures from cancelling out in the sum (which would
   * let a coalition grind its sigmas to win lotteries). The reference derives them by hashing the
   * sigmas instead; both accept exactly the valid multi-signatures, except with probability
   * about 2^-63 for an invalid one here, and fresh coefficients cannot be ground against.
   */
  verify(msg: Uint8Array, avk: AggregateVerificationKey, params: Parameters, randomness: Randomness = randomBytes): void {
    const terms = this.preliminaryVerify(msg, avk, params);
    if (!pairingTermsHold([terms], randomness)) {
      throw new StmError('INVALID_SIGNATURE', 'the aggregate BLS signature does not verify');
    }
  }

  /**
   * Verifies several multi-signatures with one pairing product (one G1 multi-scalar
   * multiplication over every sigma, one G2 per signed message). Every structural check runs per
   * signature; when the joint pairing check fails, each is checked alone so the caller learns
   * which failed. Returns one entry per item: null when valid, else the error.
   */
  static batchVerify(
    items: readonly { signature: AggregateSignature; msg: Uint8Array; avk: AggregateVerificationKey; params: Parameters }[],
    randomness: Randomness = randomBytes,
  ): (StmError | null)[] {
    const results: (StmError | null)[] = items.map(() => null);
    const pending: { position: number; terms: PairingTerms }[] = [];
    items.forEach((item, position) => {
      try {
        pending.push({ position, terms: item.signature.preliminaryVerify(item.msg, item.avk, item.params) });
      } catch (error) {
        if (!(error instanceof StmError)) throw error;
        results[position] = error;
      }
    });
    if (
      pending.length > 0 &&
      !pairingTermsHold(
        pending.map(({ terms }) => terms),
        randomness,
      )
    ) {
      for (const { position, terms } of pending) {
        if (!pairingTermsHold([terms], randomness)) {
          results[position] = new StmError('INVALID_SIGNATURE', 'the aggregate BLS signature does not verify');
        }
      }
    }
    return results;
  }
}

/** The signed message and the points of the signatures over it. */
interface PairingTerms {
  msgp: Uint8Array;
  sigmas: G1Point[];
  vks: G2Point[];
}

/**
 * e(Σ_j Σ_i r_ji·sigma_ji, -g2) · Π_j e(H(msgp_j), Σ_i r_ji·vk_ji) == 1 with fresh 64-bit r_ji.
 * The randomized sums come from the selected BLS backend, hashing and pairings from the selected
 * pairing engine.
 */
function pairingTermsHold(groups: readonly PairingTerms[], randomness: Randomness): boolean {
  const sums = blsBackend().randomizedSums(groups, randomness);
  if (sums === undefined) return false;
  return pairingEngine().hashedPairingCheck(
    sums.sigmaSum,
    groups.map(({ msgp }, j) => ({ msg: msgp, vk: sums.vkSums[j]! })),
  );
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
 * Checks many single signatures on the same message at once (one pairing product, see
 * `pairingTermsHold`) and returns the positions of the invalid ones, isolated by bisection when
 * the batch fails.
 */
export function findInvalidSingleSignatures(
  msgp: Uint8Array,
  entries: readonly { sigma: G1Point; vk: VerificationKey }[],
  randomness: Randomness = randomBytes,
): number[] {
  return findFailing(entries.length, (from, to) => {
    const slice = entries.slice(from, to);
    return pairingTermsHold([{ msgp, sigmas: slice.map((e) => e.sigma), vks: slice.map((e) => e.vk.point) }], randomness);
  });
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
   * Verifies many single signatures on one message, as `verifySingleSignature` would one by one,
   * but with the BLS equations of all well-formed ones checked in a single pairing product
   * (bisection isolates the bad ones when it fails): a gateway receiving a round's burst of
   * signatures pays two pairings per batch instead of two per signature. Returns one entry per
   * input, in order: `undefined` when valid, else the StmError saying why not.
   */
  verifySingleSignatures(signatures: readonly SingleSignature[], msg: Uint8Array, randomness: Randomness = randomBytes): (StmError | undefined)[] {
    const avk = this.aggregateVerificationKey;
    const msgp = signedMessage(msg, avk);
    const results: (StmError | undefined)[] = signatures.map(() => undefined);
    const candidates: { position: number; sigma: G1Point; vk: VerificationKey }[] = [];
    signatures.forEach((signature, position) => {
      try {
        const party = this.registration.party(signature.signerIndex);
        signature.checkIndices(this.params, party.stake, msgp, avk.totalStake, thresholdFor(this.params.phiF, party.stake, avk.totalStake));
        candidates.push({ position, sigma: signature.sigma.point, vk: party.vk });
      } catch (error) {
        if (!(error instanceof StmError)) throw error;
        results[position] = error;
      }
    });
    for (const failing of findInvalidSingleSignatures(msgp, candidates, randomness)) {
      results[candidates[failing]!.position] = new StmError('INVALID_SIGNATURE', 'the BLS signature does not verify');
    }
    return results;
  }

  /**
   * Keeps the valid signatures (lottery checks one by one, BLS checks batched), assigns each
   * contested index to the signature with the smallest sigma bytes, takes signatures in order of
   * the indices they hold until `k` indices are covered, and seals them with a batch proof.
   *
   * `verified`: signatures the caller itself verified with `verifySingleSignatures` of a clerk of
   * the same registration and parameters, on the same message (an aggregator verifies each one on
   * receipt): they are not checked again. Every other one is.
   */
  aggregate(signatures: readonly SingleSignature[], msg: Uint8Array, verified?: ReadonlySet<SingleSignature>): AggregateSignature {
    const avk = this.aggregateVerificationKey;
    const msgp = signedMessage(msg, avk);
    const candidates: SignatureWithParty[] = [];
    const unchecked: number[] = [];
    for (const signature of signatures) {
      try {
        const party = this.registration.party(signature.signerIndex);
        if (verified?.has(signature) !== true) {
          signature.checkIndices(this.params, party.stake, msgp, avk.totalStake, thresholdFor(this.params.phiF, party.stake, avk.totalStake));
          unchecked.push(candidates.length);
        }
        candidates.push({ signature, party });
      } catch (error) {
        if (!(error instanceof StmError)) throw error;
      }
    }
    const failing = findInvalidSingleSignatures(
      msgp,
      unchecked.map((i) => ({ sigma: candidates[i]!.signature.sigma.point, vk: candidates[i]!.party.vk })),
    );
    const invalid = new Set(failing.map((j) => unchecked[j]!));
    // One signature per signer: the first valid one, so a forged entry under someone's index
    // cannot crowd out their real signature.
    const seenSigners = new Set<number>();
    const valid = candidates.filter(({ signature }, i) => {
      if (invalid.has(i) || seenSigners.has(signature.signerIndex)) return false;
      seenSigners.add(signature.signerIndex);
      return true;
    });

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
