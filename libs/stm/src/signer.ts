/**
 * A signer's life for one epoch: an initializer holds the fresh key and stake; once the
 * registration is closed it becomes a signer that plays the lottery and signs.
 */
import { LotteryThreshold } from './eligibility.js';
import { StmError } from './errors.js';
import { SigningKey, type VerificationKeyPoP } from './keys.js';
import { LotteryEvaluator } from './lottery.js';
import { validateParameters, type Parameters } from './parameters.js';
import type { AggregateVerificationKey, ClosedRegistration } from './registration.js';
import { SingleSignature, signedMessage } from './single-signature.js';

export class Initializer {
  readonly verificationKeyPoP: VerificationKeyPoP;

  constructor(
    readonly params: Parameters,
    readonly stake: bigint,
    readonly signingKey: SigningKey,
  ) {
    validateParameters(params);
    this.verificationKeyPoP = signingKey.verificationKeyPoP();
  }

  /** A new key from 32 bytes of secret randomness. */
  static generate(params: Parameters, stake: bigint, ikm: Uint8Array): Initializer {
    return new Initializer(params, stake, SigningKey.generate(ikm));
  }

  /** The signer for a closed registration that includes this key with this stake. */
  newSigner(closed: ClosedRegistration): Signer {
    const index = closed.signerIndexOf(this.verificationKeyPoP.vk);
    if (index === undefined) throw new StmError('UNKNOWN_SIGNER', 'this key is not in the closed registration');
    const party = closed.party(index);
    if (party.stake !== this.stake) {
      throw new StmError('INVALID_STAKE', `registered stake ${party.stake} differs from the initializer's ${this.stake}`);
    }
    return new Signer(index, this.params, this.stake, this.signingKey, closed.aggregateVerificationKey());
  }
}

export class Signer {
  private readonly threshold: LotteryThreshold;

  constructor(
    readonly signerIndex: number,
    readonly params: Parameters,
    readonly stake: bigint,
    private readonly signingKey: SigningKey,
    readonly avk: AggregateVerificationKey,
  ) {
    this.threshold = new LotteryThreshold(params.phiF, stake, avk.totalStake);
  }

  /** Signs and plays all m lotteries; null when no index is won. */
  sign(msg: Uint8Array): SingleSignature | null {
    const msgp = signedMessage(msg, this.avk);
    const sigma = this.signingKey.sign(msgp);
    const evaluator = new LotteryEvaluator(msgp, sigma.toBytes());
    const won: number[] = [];
    const m = Number(this.params.m);
    for (let index = 0; index < m; index += 1) {
      if (evaluator.wins(index, this.threshold)) won.push(index);
    }
    return won.length === 0 ? null : new SingleSignature(sigma, won, this.signerIndex);
  }
}
