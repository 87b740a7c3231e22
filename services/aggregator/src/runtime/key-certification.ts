/**
 * The aggregator verifies every registration's key certification itself, with the checks of
 * libs/cardano the certifier runs (one implementation): the operational certificate is signed by
 * the pool's cold key, the pool id is the hash of that cold key, the KES key of the certificate
 * signed the Mithril key at an evolution in the accepted window at THIS aggregator's chain tip.
 *
 * Why here and not only in the certifier: the aggregator's port is reachable without going
 * through the signer gateway, and a certification in the request is only bytes its sender chose.
 * Re-running the checks costs one Ed25519 and one Sum6 KES verification per registration
 * (~8,000 KES verifications/s with node:crypto, far above any registration rate), needs no new key
 * and no trust in the certifier or the gateway. The request's `certification` is still compared
 * (libs/protocol's rules): a mismatch is refused, it never decides anything.
 */
import { CertificationError, checkOpcertCounter, parseRegistration, verifyRegistration, type OperationalCertificate, type PoolId } from '@mithril-ts/cardano';
import { AggregatorError, type AggregatorErrorCode } from './errors.js';

/** The evidence a registration carries, as it arrives (null: not given). */
export interface KesEvidence {
  readonly epoch: bigint;
  readonly partyId: string;
  readonly verificationKey: Uint8Array;
  readonly kesSignature: Uint8Array | null;
  readonly operationalCertificate: Uint8Array | null;
  readonly kesEvolutions: number | null;
}

export interface CertifiedEvidence {
  readonly pool: PoolId;
  readonly opcert: OperationalCertificate;
  /** The absolute KES period the Mithril key was signed at (start period + evolutions). */
  readonly kesPeriod: bigint;
}

const CHECK_CODES: Record<CertificationError['check'], AggregatorErrorCode> = {
  request: 'MALFORMED_REQUEST',
  'operational-certificate-signature': 'OPERATIONAL_CERTIFICATE_INVALID',
  'pool-id': 'OPERATIONAL_CERTIFICATE_INVALID',
  'kes-period': 'KES_PERIOD_OUT_OF_WINDOW',
  'kes-signature': 'KES_SIGNATURE_INVALID',
  'operational-certificate-counter': 'STALE_REGISTRATION',
  'stake-distribution': 'UNKNOWN_SIGNER',
};

/** The certification error as the aggregator reports it (the check named in the message). */
export function refusalOf(error: CertificationError): AggregatorError {
  return new AggregatorError(CHECK_CODES[error.check], `${error.check}: ${error.message}`, { cause: error });
}

/**
 * Parses (every field bounded before it is decoded) and verifies the evidence at `slot`.
 * Registrations without KES evidence are refused: every pool of a Cardano network has a KES key,
 * and a registration nobody can tie to a pool would let anyone replace any pool's key.
 */
export function certifyEvidence(evidence: KesEvidence, slot: bigint, slotsPerKesPeriod: bigint): CertifiedEvidence {
  try {
    const parsed = parseRegistration({
      epoch: evidence.epoch,
      partyId: evidence.partyId,
      verificationKey: evidence.verificationKey,
      verificationKeySignature: evidence.kesSignature ?? undefined,
      operationalCertificate: evidence.operationalCertificate ?? undefined,
      kesEvolutions: evidence.kesEvolutions ?? undefined,
    });
    const pool = verifyRegistration(parsed, slot, slotsPerKesPeriod);
    return { pool, opcert: parsed.opcert, kesPeriod: parsed.opcert.startKesPeriod + BigInt(parsed.kesEvolution) };
  } catch (error) {
    if (error instanceof CertificationError) throw refusalOf(error);
    throw error;
  }
}

/** An operational certificate older than the highest seen for the pool is a retired hot key (STALE_REGISTRATION). */
export function checkCounter(highestSeen: bigint | undefined, opcert: OperationalCertificate): void {
  try {
    checkOpcertCounter(highestSeen, opcert);
  } catch (error) {
    if (error instanceof CertificationError) throw refusalOf(error);
    throw error;
  }
}
