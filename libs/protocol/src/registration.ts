/**
 * Signer registration acceptance rules: what a registration made during epoch E must satisfy
 * before an aggregator records it for E+1 (the epoch offsets of epoch.ts). The certification is
 * what the certifier vouched for after checking the operational certificate and the KES signature
 * of the Mithril key; these rules tie it to the registration and to the stake distribution the
 * aggregator itself read from the chain, so neither the signer nor the certifier alone decides a
 * signer's stake. The proof of possession of the Mithril key is checked after these rules, by the
 * aggregator (two pairings per key: it batches them across registrations).
 */
import { VerificationKeyPoP } from '@mithril-ts/stm';
import { registrationRecordingEpoch, type Epoch } from './epoch.js';
import type { DecodedKeys } from './epoch-settings.js';

/** The registration round an aggregator has open: its epoch and the stake registrations are checked against. */
export interface RegistrationRound {
  readonly epoch: Epoch;
  /** Stake per party (bech32 pool id) in the distribution of the round (registrationStakeEpoch). */
  readonly stake: ReadonlyMap<string, bigint>;
}

/** A signer's registration as it reaches the aggregator: its claim and the certifier's word on it. */
export interface SignerRegistrationClaim {
  readonly epoch: Epoch;
  readonly partyId: string;
  /** The Mithril key: verification key ‖ proof of possession. */
  readonly verificationKey: Uint8Array;
  /** What the certifier vouched for. */
  readonly certified: { readonly partyId: string; readonly stake: bigint; readonly epoch: Epoch };
}

export type RegistrationRefusalCode =
  /** The registration is for another epoch than the open round's. */
  | 'REGISTRATION_ROUND_NOT_OPEN'
  /** The certification names another party or epoch, or another stake than the round's. */
  | 'CERTIFICATION_MISMATCH'
  /** The party has no stake in the round's distribution. */
  | 'UNKNOWN_SIGNER'
  /** The Mithril key does not decode. */
  | 'VERIFICATION_KEY_INVALID';

export interface RegistrationRefusal {
  readonly accepted: false;
  readonly code: RegistrationRefusalCode;
  readonly message: string;
  readonly cause?: unknown;
}

export interface RegistrationAcceptance {
  readonly accepted: true;
  /** The epoch the registration is recorded for (it signs the epoch after). */
  readonly recordingEpoch: Epoch;
  /** The party's stake in the round's distribution (equal to the certified one). */
  readonly stake: bigint;
  /** The decoded key, whose proof of possession remains to be checked unless `popVerified`. */
  readonly verificationKey: VerificationKeyPoP;
  /** The key came from `known` with its proof of possession verified by this process. */
  readonly popVerified: boolean;
}

export type RegistrationDecision = RegistrationAcceptance | RegistrationRefusal;

const refuse = (code: RegistrationRefusalCode, message: string, cause?: unknown): RegistrationRefusal =>
  cause === undefined ? { accepted: false, code, message } : { accepted: false, code, message, cause };

/**
 * Applies the rules in order; the first broken one is the refusal. `known`: keys this process
 * already decoded (a signer retrying its registration sends the same bytes), not decoded again.
 */
export function checkSignerRegistration(round: RegistrationRound, claim: SignerRegistrationClaim, known?: DecodedKeys): RegistrationDecision {
  if (claim.epoch !== round.epoch) return refuse('REGISTRATION_ROUND_NOT_OPEN', `registrations are open for epoch ${round.epoch}, not ${claim.epoch}`);
  const { certified } = claim;
  if (certified.partyId !== claim.partyId || certified.epoch !== claim.epoch) {
    return refuse('CERTIFICATION_MISMATCH', `the certification (${certified.partyId}, epoch ${certified.epoch}) is not the one of this registration`);
  }
  const stake = round.stake.get(claim.partyId);
  if (stake === undefined) return refuse('UNKNOWN_SIGNER', `${claim.partyId} has no stake in the distribution of epoch ${round.epoch}`);
  if (stake !== certified.stake)
    return refuse('CERTIFICATION_MISMATCH', `the certified stake ${certified.stake} of ${claim.partyId} differs from this aggregator's ${stake}`);
  const cached = known?.lookup(claim.verificationKey);
  if (cached !== undefined) {
    return { accepted: true, recordingEpoch: registrationRecordingEpoch(round.epoch), stake, verificationKey: cached.key, popVerified: cached.popVerified };
  }
  let verificationKey: VerificationKeyPoP;
  try {
    verificationKey = VerificationKeyPoP.fromBytes(claim.verificationKey);
  } catch (cause) {
    return refuse('VERIFICATION_KEY_INVALID', `the Mithril key does not decode: ${(cause as Error).message}`, cause);
  }
  return { accepted: true, recordingEpoch: registrationRecordingEpoch(round.epoch), stake, verificationKey, popVerified: false };
}
