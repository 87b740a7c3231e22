/**
 * The signer's side of key certification: the pool's KES key, evolved to the evolution the chain
 * is at, signs the Mithril verification key (vk ‖ PoP bytes), and the registration carries the
 * signature, the operational certificate and that evolution — exactly what a certifier checks.
 */
import { CardanoError } from './errors.js';
import { bytesEqual } from './hash.js';
import { kesEvolutionAt } from './kes-period.js';
import type { KesSigningKey } from './kes.js';
import { operationalCertificateToCbor, type OperationalCertificate } from './opcert.js';

export interface KesCertification {
  /** Sum6 KES signature of the Mithril key bytes. */
  readonly verificationKeySignature: Uint8Array;
  /** The operational certificate as cardano-cli writes `node.cert` (CBOR). */
  readonly operationalCertificate: Uint8Array;
  /** KES evolutions since the certificate's start period (the reference's `kes_period`). */
  readonly kesEvolutions: number;
}

/**
 * Evolves `kesKey` (forward only, erasing what it leaves behind) to the evolution of `slot` and
 * signs `mithrilKey`. Throws KES_PERIOD_OUT_OF_RANGE when the certificate is not valid at that
 * slot or the key has already evolved past it, INVALID_KEY when the key is not the certificate's.
 */
export function certifyMithrilKey(options: {
  readonly kesKey: KesSigningKey;
  readonly opcert: OperationalCertificate;
  readonly mithrilKey: Uint8Array;
  readonly slot: bigint;
  readonly slotsPerKesPeriod: bigint;
}): KesCertification {
  const { kesKey, opcert } = options;
  if (!bytesEqual(kesKey.verificationKey(), opcert.kesVerificationKey)) {
    throw new CardanoError('INVALID_KEY', 'the KES key is not the one of the operational certificate');
  }
  const evolution = kesEvolutionAt(options.slot, options.slotsPerKesPeriod, opcert.startKesPeriod);
  if (kesKey.period > evolution) {
    throw new CardanoError('KES_PERIOD_OUT_OF_RANGE', `the KES key is already at evolution ${kesKey.period}, past the chain's ${evolution}: it cannot go back`);
  }
  kesKey.evolveTo(evolution);
  return {
    verificationKeySignature: kesKey.sign(options.mithrilKey),
    operationalCertificate: operationalCertificateToCbor(opcert),
    kesEvolutions: evolution,
  };
}
