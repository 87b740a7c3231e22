/** What the aggregator refuses, by reason; the gRPC layer maps each code to its ErrorCode. */
export type AggregatorErrorCode =
  | 'MALFORMED_REQUEST'
  | 'NOT_READY'
  | 'REGISTRATION_ROUND_NOT_OPEN'
  | 'UNKNOWN_SIGNER'
  | 'VERIFICATION_KEY_INVALID'
  | 'CERTIFICATION_MISMATCH'
  /** The operational certificate is not signed by its cold key, or that key is another pool's. */
  | 'OPERATIONAL_CERTIFICATE_INVALID'
  /** The KES signature of the Mithril key does not verify under the certificate's KES key. */
  | 'KES_SIGNATURE_INVALID'
  /** The KES evolution is outside the window accepted at the aggregator's tip, or the certificate has expired. */
  | 'KES_PERIOD_OUT_OF_WINDOW'
  /** An older operational certificate than one seen for the pool, or evidence not newer than the stored registration's. */
  | 'STALE_REGISTRATION'
  /** The Mithril key was already registered (by this pool for an earlier epoch, or by another pool). */
  | 'KEY_REUSED'
  | 'NO_OPEN_MESSAGE'
  | 'SIGNATURE_TOO_LATE'
  | 'SIGNATURE_INVALID'
  | 'UNKNOWN_EPOCH'
  | 'CERTIFICATE_NOT_FOUND'
  | 'ARTIFACT_NOT_FOUND'
  | 'INVALID_PAGE_TOKEN'
  | 'GENESIS'
  /** This replica does not hold the runtime lease: the intake is the leader's (retry: another replica, or this one after a takeover). */
  | 'NOT_LEADER';

export class AggregatorError extends Error {
  constructor(
    readonly code: AggregatorErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AggregatorError';
  }
}
