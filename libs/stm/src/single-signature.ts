/**
 * A single signature: sigma = sk·H(msg ‖ root), the lottery indices it won, and the signer's
 * index in the closed registration (the Merkle path is supplied at aggregation, not here).
 */
import { concatBytes } from '@noble/hashes/utils.js';
import { LotteryThreshold } from './eligibility.js';
import { StmError } from './errors.js';
import type { Signature, VerificationKey } from './keys.js';
import { LotteryEvaluator } from './lottery.js';
import type { Parameters } from './parameters.js';
import type { AggregateVerificationKey } from './registration.js';

export class SingleSignature {
  constructor(
    readonly sigma: Signature,
    /** Won lottery indices, strictly increasing, each < m. */
    readonly indexes: readonly number[],
    readonly signerIndex: number,
  ) {}

  /**
   * Everything but the pairing: index bounds and order, and that every index is won for this
   * signer's stake. The BLS equation is checked separately, alone or batched.
   */
  checkIndices(params: Parameters, stake: bigint, msgp: Uint8Array, totalStake: bigint, threshold?: LotteryThreshold): void {
    if (this.indexes.length === 0) throw new StmError('LOTTERY_LOST', 'the signature claims no lottery index');
    const lottery = threshold ?? new LotteryThreshold(params.phiF, stake, totalStake);
    const evaluator = new LotteryEvaluator(msgp, this.sigma.toBytes());
    let previous = -1;
    for (const index of this.indexes) {
      if (!Number.isSafeInteger(index) || BigInt(index) >= params.m || index < 0) {
        throw new StmError('INDEX_OUT_OF_RANGE', `lottery index ${index} is not below m = ${params.m}`);
      }
      if (index <= previous) throw new StmError('DUPLICATE_INDEX', 'lottery indices must be strictly increasing');
      previous = index;
      if (!evaluator.wins(index, lottery)) throw new StmError('LOTTERY_LOST', `lottery index ${index} was not won by this signer`);
    }
  }

  /** Full verification against the signer's key and stake and the AVK it was produced under. */
  verify(params: Parameters, vk: VerificationKey, stake: bigint, avk: AggregateVerificationKey, msg: Uint8Array): void {
    const msgp = signedMessage(msg, avk);
    if (!this.sigma.verify(msgp, vk)) throw new StmError('INVALID_SIGNATURE', 'the BLS signature does not verify');
    this.checkIndices(params, stake, msgp, avk.totalStake);
  }
}

/** What signers actually sign: the message followed by the Merkle root of the registration. */
export function signedMessage(msg: Uint8Array, avk: AggregateVerificationKey): Uint8Array {
  return concatBytes(msg, avk.commitment.root);
}
