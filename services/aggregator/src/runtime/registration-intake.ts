/**
 * Signer registrations in: checked against what this aggregator knows of the epoch, the proof of
 * possession of the Mithril key verified (batched: registrations come in bursts), then recorded
 * for the next epoch.
 */
import { registrationRecordingEpoch, type Epoch } from '@mithril-ts/protocol';
import { VerificationKeyPoP, findInvalidProofsOfPossession } from '@mithril-ts/stm';
import { MicroBatcher } from '@mithril-ts/service-kit';
import type { AggregatorStore, SignerRegistrationRecord } from '../store/index.js';
import type { EpochContext } from './epoch-context.js';
import { AggregatorError } from './errors.js';

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
    if (input.epoch !== context.epoch) {
      throw new AggregatorError('REGISTRATION_ROUND_NOT_OPEN', `registrations are open for epoch ${context.epoch}, not ${input.epoch}`);
    }
    const { certified } = input;
    if (certified.partyId !== input.partyId || certified.epoch !== input.epoch) {
      throw new AggregatorError('CERTIFICATION_MISMATCH', `the certification (${certified.partyId}, epoch ${certified.epoch}) is not the one of this registration`);
    }
    const stake = context.registrationStake.get(input.partyId);
    if (stake === undefined) throw new AggregatorError('UNKNOWN_SIGNER', `${input.partyId} has no stake in the distribution of epoch ${context.epoch}`);
    if (stake !== certified.stake) {
      throw new AggregatorError('CERTIFICATION_MISMATCH', `the certified stake ${certified.stake} of ${input.partyId} differs from this aggregator's ${stake}`);
    }
    let key: VerificationKeyPoP;
    try {
      key = VerificationKeyPoP.fromBytes(input.verificationKey);
    } catch (cause) {
      throw new AggregatorError('VERIFICATION_KEY_INVALID', `the Mithril key does not decode: ${(cause as Error).message}`, { cause });
    }
    if (!(await this.#proofsOfPossession.submit(key))) throw new AggregatorError('VERIFICATION_KEY_INVALID', 'the proof of possession of the Mithril key does not verify');
    return this.store.signerRegistrations.save({
      epoch: registrationRecordingEpoch(context.epoch),
      partyId: input.partyId,
      verificationKey: input.verificationKey,
      kesSignature: input.kesSignature,
      operationalCertificate: input.operationalCertificate,
      kesEvolutions: input.kesEvolutions,
      stake,
    });
  }
}
