/**
 * How much a certificate is worth: the share of the total stake that signed it, and the STM
 * security level of its parameters, i.e. how likely an adversary holding a given share of the
 * stake could have produced the multi-signature alone.
 *
 * The signers and their stake are read from the multi-signature itself (each signature carries
 * its party, proven to be in the AVK by the batch Merkle path the verification checks), not from
 * the certificate's metadata list, which no signature covers.
 */
import type { Certificate } from '@mithril-ts/protocol';
import { securityLevel } from '@mithril-ts/stm';

/** Adversarial stake shares the security level is reported for. */
export const ADVERSARIAL_SHARES = [0.25, 1 / 3, 0.5] as const;

export interface CertificateStrength {
  readonly signers: number;
  readonly signedStake: bigint;
  readonly totalStake: bigint;
  /** signedStake / totalStake, in [0, 1]. */
  readonly signedStakeShare: number;
  readonly parameters: { readonly k: bigint; readonly m: bigint; readonly phiF: number };
  readonly securityLevels: readonly { readonly adversarialStakeShare: number; readonly securityBits: number; readonly forgeryProbability: number }[];
}

export function certificateStrength(certificate: Certificate): CertificateStrength {
  const stakeBySigner = new Map<number, bigint>();
  if (certificate.signature.kind === 'multi-signature') {
    for (const { signature, party } of certificate.signature.multiSignature.signatures) stakeBySigner.set(signature.signerIndex, party.stake);
  }
  const signedStake = [...stakeBySigner.values()].reduce((sum, stake) => sum + stake, 0n);
  const totalStake = certificate.aggregateVerificationKey.totalStake;
  // Parts per billion keep the ratio exact enough whatever the magnitude of the stakes.
  const signedStakeShare = totalStake > 0n ? Number((signedStake * 1_000_000_000n) / totalStake) / 1e9 : 0;
  const parameters = certificate.metadata.parameters;
  return {
    signers: stakeBySigner.size,
    signedStake,
    totalStake,
    signedStakeShare,
    parameters: { k: parameters.k, m: parameters.m, phiF: parameters.phiF },
    securityLevels: ADVERSARIAL_SHARES.map((share) => {
      const level = securityLevel(parameters, share);
      return { adversarialStakeShare: share, securityBits: level.securityBits, forgeryProbability: level.forgeryProbability };
    }),
  };
}
