/** Why a protocol rule rejected something; stable codes that services map to gRPC/HTTP statuses. */
export type ProtocolErrorCode =
  | 'INVALID_EPOCH'
  | 'INVALID_PARAMETERS'
  | 'INVALID_SIGNED_ENTITY_TYPE'
  | 'INVALID_PROTOCOL_MESSAGE'
  | 'INVALID_CERTIFICATE'
  | 'INVALID_TIMESTAMP'
  | 'INVALID_VERSION'
  | 'INCOMPATIBLE_VERSION'
  | 'UNSUPPORTED_ERA'
  | 'INVALID_ERA_MARKERS'
  | 'INVALID_GENESIS_KEY'
  | 'INVALID_GENESIS_SIGNATURE'
  | 'INVALID_GENESIS_PAYLOAD'
  | 'INVALID_SIGNER'
  | 'INVALID_STATUS'
  // Certificate chain verification, one code per broken rule.
  | 'CERTIFICATE_HASH_MISMATCH'
  | 'CERTIFICATE_PROTOCOL_MESSAGE_MISMATCH'
  | 'CERTIFICATE_EPOCH_MISMATCH'
  | 'CERTIFICATE_MULTI_SIGNATURE_INVALID'
  | 'CERTIFICATE_CHAIN_PREVIOUS_HASH_MISMATCH'
  | 'CERTIFICATE_CHAIN_MISSING_EPOCH'
  | 'CERTIFICATE_CHAIN_AVK_MISMATCH'
  | 'CERTIFICATE_CHAIN_PROTOCOL_PARAMETERS_MISMATCH'
  | 'CERTIFICATE_CHAIN_INFINITE_LOOP'
  | 'CERTIFICATE_REPLAYED'
  | 'CERTIFICATE_NOT_FOUND'
  | 'CERTIFICATE_CHAIN_TOO_LONG';

export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProtocolError';
  }
}
