/** Why an STM operation failed; stable strings that callers map to gRPC/HTTP statuses. */
export type StmErrorCode =
  | 'INVALID_PARAMETERS'
  | 'INVALID_STAKE'
  | 'INVALID_LOTTERY_VALUE'
  | 'INVALID_ENCODING'
  | 'INVALID_POINT'
  | 'INVALID_PROOF_OF_POSSESSION'
  | 'DUPLICATE_KEY'
  | 'REGISTRATION_CLOSED'
  | 'EMPTY_REGISTRATION'
  | 'UNKNOWN_SIGNER'
  | 'INDEX_OUT_OF_RANGE'
  | 'LOTTERY_LOST'
  | 'INVALID_SIGNATURE'
  | 'NOT_ENOUGH_SIGNATURES'
  | 'INVALID_MERKLE_PROOF'
  | 'DUPLICATE_INDEX'
  | 'AGGREGATE_KEY_MISMATCH';

export class StmError extends Error {
  constructor(
    readonly code: StmErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StmError';
  }
}
