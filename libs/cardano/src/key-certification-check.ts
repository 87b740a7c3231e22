/**
 * The verifier's side of key certification, free of I/O: what the certifier and the aggregator
 * both check (ONE implementation) before they believe that a pool stands behind a Mithril key.
 * A registration is well formed; its operational certificate is signed by the cold key it names;
 * that cold key is the pool it claims; the KES key of the certificate signed the Mithril
 * verification key at an evolution within one of the current one (the tip's, from the verifier's
 * own node, never from the request); the certificate is not older than one already seen for the
 * pool. Each failed check is reported by name.
 */
import { CardanoError } from './errors.js';
import { acceptedKesEvolutions, kesEvolutionAt } from './kes-period.js';
import { KES_SIGNATURE_BYTES, KES_TOTAL_PERIODS, verifyKesSignature } from './kes.js';
import { operationalCertificateFromCbor, verifyOperationalCertificate, type OperationalCertificate } from './opcert.js';
import { parsePoolId, poolIdFromColdVerificationKey, type PoolId } from './pool-id.js';

/** A Mithril verification key with its proof of possession, as libs/stm writes it. */
export const MITHRIL_KEY_BYTES = 192;
const MAX_OPCERT_BYTES = 1024;
/**
 * The highest issue number a verifier accepts: its counter store keeps it in a signed 64-bit
 * column. A node's counter starts at 0 and rises by one per KES key rotation, so only a crafted
 * certificate reaches this; it is refused as malformed rather than failing in the store.
 */
const MAX_ISSUE_NUMBER = (1n << 63n) - 1n;

export type CertificationCheck =
  'request' | 'operational-certificate-signature' | 'pool-id' | 'kes-period' | 'kes-signature' | 'operational-certificate-counter' | 'stake-distribution';

export class CertificationError extends Error {
  constructor(
    /** malformed: the request cannot be understood; denied: a check failed; unavailable: the epoch's data is not known. */
    readonly kind: 'malformed' | 'denied' | 'unavailable',
    readonly check: CertificationCheck,
    message: string,
  ) {
    super(message);
    this.name = 'CertificationError';
  }
}

export interface RegistrationRequest {
  readonly epoch: bigint;
  readonly partyId: string;
  readonly verificationKey: Uint8Array;
  readonly verificationKeySignature?: Uint8Array | undefined;
  readonly operationalCertificate?: Uint8Array | undefined;
  readonly kesEvolutions?: number | undefined;
}

export interface ParsedRegistration {
  readonly epoch: bigint;
  readonly claimedPool: PoolId;
  readonly verificationKey: Uint8Array;
  readonly kesSignature: Uint8Array;
  readonly opcert: OperationalCertificate;
  readonly kesEvolution: number;
}

const malformed = (message: string) => new CertificationError('malformed', 'request', message);
const denied = (check: CertificationCheck, message: string) => new CertificationError('denied', check, message);

/** Bounds and decodes every untrusted field (the opcert is size-checked before it is decoded). */
export function parseRegistration(request: RegistrationRequest): ParsedRegistration {
  let claimedPool: PoolId;
  try {
    claimedPool = parsePoolId(request.partyId);
  } catch (error) {
    throw malformed(`party_id is not a pool id: ${(error as Error).message}`);
  }
  if (request.verificationKey.length !== MITHRIL_KEY_BYTES) {
    throw malformed(`verification_key must be ${MITHRIL_KEY_BYTES} bytes (key and proof of possession), got ${request.verificationKey.length}`);
  }
  if (request.verificationKeySignature === undefined || request.operationalCertificate === undefined || request.kesEvolutions === undefined) {
    throw malformed('verification_key_signature, operational_certificate and kes_evolutions are all required');
  }
  if (request.verificationKeySignature.length !== KES_SIGNATURE_BYTES) {
    throw malformed(`verification_key_signature must be a ${KES_SIGNATURE_BYTES}-byte KES signature, got ${request.verificationKeySignature.length}`);
  }
  if (!Number.isInteger(request.kesEvolutions) || request.kesEvolutions < 0 || request.kesEvolutions >= KES_TOTAL_PERIODS) {
    throw malformed(`kes_evolutions must be in [0, ${KES_TOTAL_PERIODS - 1}], got ${request.kesEvolutions}`);
  }
  if (request.operationalCertificate.length > MAX_OPCERT_BYTES) throw malformed('operational_certificate is too large');
  let opcert: OperationalCertificate;
  try {
    opcert = operationalCertificateFromCbor(request.operationalCertificate, { maxBytes: MAX_OPCERT_BYTES });
  } catch (error) {
    if (!(error instanceof CardanoError)) throw error;
    throw malformed(`operational_certificate is not a valid node.cert CBOR: ${error.message}`);
  }
  if (opcert.issueNumber > MAX_ISSUE_NUMBER) throw malformed(`the operational certificate issue number must be at most ${MAX_ISSUE_NUMBER}`);
  return {
    epoch: request.epoch,
    claimedPool,
    verificationKey: request.verificationKey,
    kesSignature: request.verificationKeySignature,
    opcert,
    kesEvolution: request.kesEvolutions,
  };
}

/**
 * The cryptographic checks; returns the certified pool. `currentSlot` and `slotsPerKesPeriod`
 * come from the verifier's own node, never from the request. The cheap checks come first (one
 * Ed25519 verification, a hash), the KES verification (the costly one) last.
 */
export function verifyRegistration(registration: ParsedRegistration, currentSlot: bigint, slotsPerKesPeriod: bigint): PoolId {
  const { opcert } = registration;
  if (!verifyOperationalCertificate(opcert)) {
    throw denied('operational-certificate-signature', 'the operational certificate is not signed by its cold key');
  }
  const pool = poolIdFromColdVerificationKey(opcert.coldVerificationKey);
  if (pool.hex !== registration.claimedPool.hex) {
    throw denied('pool-id', `the operational certificate belongs to ${pool.bech32}, not to ${registration.claimedPool.bech32}`);
  }
  let current: number;
  try {
    current = kesEvolutionAt(currentSlot, slotsPerKesPeriod, opcert.startKesPeriod);
  } catch (error) {
    if (!(error instanceof CardanoError)) throw error;
    throw denied('kes-period', `the operational certificate is not valid at slot ${currentSlot}: ${error.message}`);
  }
  if (!acceptedKesEvolutions(current).includes(registration.kesEvolution)) {
    throw denied('kes-period', `KES evolution ${registration.kesEvolution} is outside the accepted window around the current evolution ${current}`);
  }
  if (!verifyKesSignature(opcert.kesVerificationKey, registration.kesEvolution, registration.verificationKey, registration.kesSignature)) {
    throw denied(
      'kes-signature',
      `the KES signature of the verification key does not verify at evolution ${registration.kesEvolution} under the certificate's KES key`,
    );
  }
  return pool;
}

/** An operational certificate older (lower issue number) than the highest seen for the pool is a replay of a retired hot key. */
export function checkOpcertCounter(highestSeen: bigint | undefined, opcert: OperationalCertificate): void {
  if (highestSeen !== undefined && opcert.issueNumber < highestSeen) {
    throw denied(
      'operational-certificate-counter',
      `operational certificate issue number ${opcert.issueNumber} is older than ${highestSeen}, already seen for this pool`,
    );
  }
}
