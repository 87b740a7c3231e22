/** What the aggregator refuses, by reason; the gRPC layer maps each code to its ErrorCode. */
export type AggregatorErrorCode =
  | 'MALFORMED_REQUEST'
  | 'NOT_READY'
  | 'REGISTRATION_ROUND_NOT_OPEN'
  | 'UNKNOWN_SIGNER'
  | 'VERIFICATION_KEY_INVALID'
  | 'CERTIFICATION_MISMATCH'
  | 'NO_OPEN_MESSAGE'
  | 'SIGNATURE_TOO_LATE'
  | 'SIGNATURE_INVALID'
  | 'UNKNOWN_EPOCH'
  | 'CERTIFICATE_NOT_FOUND'
  | 'ARTIFACT_NOT_FOUND'
  | 'INVALID_PAGE_TOKEN'
  | 'GENESIS';

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
