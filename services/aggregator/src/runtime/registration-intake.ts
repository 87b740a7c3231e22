/**
 * Signer registrations in: checked by the acceptance rules of libs/protocol against what this
 * aggregator knows of the epoch, the proof of possession of the Mithril key verified (batched:
 * registrations come in bursts), then recorded for the next epoch.
 */
import { checkSignerRegistration, type Epoch, type RegistrationRefusalCode } from '@mithril-ts/protocol';
import { type VerificationKeyPoP, findInvalidProofsOfPossession } from '@mithril-ts/stm';
import { MicroBatcher } from '@mithril-ts/service-kit';
import type { AggregatorStore, SignerRegistrationRecord } from '../store/index.js';
import type { EpochContext } from './epoch-context.js';
import { AggregatorError, type AggregatorErrorCode } from './errors.js';

export interface RegisterSignerInput {
  readonly epoch: Epoch;
  readonly partyId: string;
  readonly verificationKey: Uint8Array;
  readonly kesSignature: Uint8Array | null;
  readonly operationalCertificate: Uint8Array | null;
  readonly kesEvolutions: number | null;
  /** What the certifier vouched for. */
  readonly certified: { readonly partyId: string; readonly stake: bigint; readonly epoch: Epoch };
}

/** The protocol's refusals as the aggregator reports them (the gRPC layer maps these to ErrorCodes). */
const REFUSALS: Record<RegistrationRefusalCode, AggregatorErrorCode> = {
  REGISTRATION_ROUND_NOT_OPEN: 'REGISTRATION_ROUND_NOT_OPEN',
  CERTIFICATION_MISMATCH: 'CERTIFICATION_MISMATCH',
  UNKNOWN_SIGNER: 'UNKNOWN_SIGNER',
  VERIFICATION_KEY_INVALID: 'VERIFICATION_KEY_INVALID',
};

export class RegistrationIntake {
  /** A proof of possession costs two pairings alone; registrations come in bursts, so they are checked in batches. */
  readonly #proofsOfPossession = new MicroBatcher<VerificationKeyPoP, boolean>({
    windowMs: 5,
    maxBatch: 512,
    process: (keys) => {
      const invalid = new Set(findInvalidProofsOfPossession(keys));
      return keys.map((_, i) => !invalid.has(i));
    },
  });

  constructor(private readonly store: AggregatorStore) {}

  /** Records a registration for the next epoch, after checking it against the context of the current one. */
  async register(context: EpochContext, input: RegisterSignerInput): Promise<SignerRegistrationRecord> {
    const decision = checkSignerRegistration({ epoch: context.epoch, stake: context.registrationStake }, input);
    if (!decision.accepted)
      throw new AggregatorError(REFUSALS[decision.code], decision.message, decision.cause === undefined ? undefined : { cause: decision.cause });
    if (!(await this.#proofsOfPossession.submit(decision.verificationKey)))
      throw new AggregatorError('VERIFICATION_KEY_INVALID', 'the proof of possession of the Mithril key does not verify');
    return this.store.signerRegistrations.save({
      epoch: decision.recordingEpoch,
      partyId: input.partyId,
      verificationKey: input.verificationKey,
      kesSignature: input.kesSignature,
      operationalCertificate: input.operationalCertificate,
      kesEvolutions: input.kesEvolutions,
      stake: decision.stake,
    });
  }
}
