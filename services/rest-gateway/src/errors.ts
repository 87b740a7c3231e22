/**
 * Errors as the reference's REST API reports them: an HTTP status and its `Error` JSON
 * (`{"label", "message"}`, message required). Typed gRPC errors of the aggregator and the signer
 * gateway (their ErrorDetail code) become the reference's statuses, including its custom 550
 * for a registration round that is not open.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { ErrorCode, errorCodeToJSON, readErrorDetail } from '@mithril-ts/proto';
import { stringifyJson } from '@mithril-ts/codec';

export class RestError extends Error {
  constructor(
    readonly status: number,
    /** Short machine-readable reason (snake case). */
    readonly label: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RestError';
  }

  /** The reference's Error JSON. */
  body(): string {
    return stringifyJson({ label: this.label, message: this.message });
  }
}

/** HTTP status of each domain error code an upstream service may answer with. */
export const HTTP_STATUS_OF_ERROR_CODE: Readonly<Record<Exclude<ErrorCode, ErrorCode.UNRECOGNIZED>, number>> = {
  [ErrorCode.ERROR_CODE_UNSPECIFIED]: 502,
  // About the gateway's own calls, not the client's: the operator must align the versions.
  [ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION]: 502,
  [ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA]: 502,
  [ErrorCode.ERROR_CODE_MALFORMED_REQUEST]: 400,
  [ErrorCode.ERROR_CODE_UNKNOWN_EPOCH]: 404,
  // The reference's custom code for "signer registration round not opened yet".
  [ErrorCode.ERROR_CODE_REGISTRATION_ROUND_NOT_OPEN]: 550,
  // The reference refuses registrations and signatures it cannot accept with 400.
  [ErrorCode.ERROR_CODE_UNKNOWN_SIGNER]: 400,
  [ErrorCode.ERROR_CODE_OPERATIONAL_CERTIFICATE_INVALID]: 400,
  [ErrorCode.ERROR_CODE_KES_SIGNATURE_INVALID]: 400,
  [ErrorCode.ERROR_CODE_KES_PERIOD_OUT_OF_WINDOW]: 400,
  [ErrorCode.ERROR_CODE_VERIFICATION_KEY_INVALID]: 400,
  [ErrorCode.ERROR_CODE_NO_OPEN_MESSAGE]: 404,
  [ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE]: 410,
  [ErrorCode.ERROR_CODE_SIGNATURE_INVALID]: 400,
  [ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND]: 404,
  [ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND]: 404,
  [ErrorCode.ERROR_CODE_INVALID_PAGE_TOKEN]: 400,
  [ErrorCode.ERROR_CODE_NOT_READY]: 503,
  [ErrorCode.ERROR_CODE_RATE_LIMITED]: 429,
  [ErrorCode.ERROR_CODE_DIGEST_MISMATCH]: 409,
  [ErrorCode.ERROR_CODE_CERTIFICATION_DENIED]: 400,
  // Snapshotter refusals, not expected from the gateway's upstreams: a conflict with the state, and a chain point that does not exist yet.
  [ErrorCode.ERROR_CODE_CERTIFICATE_MISMATCH]: 409,
  [ErrorCode.ERROR_CODE_BEYOND_CHAIN_TIP]: 404,
};

/** HTTP status of a failed call that carries no ErrorDetail, by gRPC status. */
function statusOfBareGrpcFailure(code: status): { status: number; label: string } {
  switch (code) {
    case status.UNIMPLEMENTED:
      return { status: 501, label: 'not_implemented' };
    case status.UNAVAILABLE:
      return { status: 503, label: 'upstream_unavailable' };
    case status.DEADLINE_EXCEEDED:
      return { status: 504, label: 'upstream_timeout' };
    default:
      return { status: 502, label: 'upstream_error' };
  }
}

/** `ERROR_CODE_CERTIFICATE_NOT_FOUND` → `certificate_not_found`. */
function labelOf(code: ErrorCode): string {
  return errorCodeToJSON(code)
    .replace(/^ERROR_CODE_/, '')
    .toLowerCase();
}

/** The REST error of a failed gRPC call to `peer` ("aggregator", "signer gateway"). */
export function restErrorFromGrpc(error: ServiceError, peer: string): RestError {
  const detail = readErrorDetail(error);
  if (detail !== undefined) {
    // A code this version does not know is treated as UNSPECIFIED (errors.proto asks receivers to).
    const httpStatus = (HTTP_STATUS_OF_ERROR_CODE as Partial<Record<number, number>>)[detail.code] ?? 502;
    const label = httpStatus === 502 ? 'upstream_error' : labelOf(detail.code);
    const message = httpStatus === 502 ? `the ${peer} refused the request: ${detail.message}` : detail.message;
    return new RestError(httpStatus, label, message, { cause: error });
  }
  const { status: httpStatus, label } = statusOfBareGrpcFailure(error.code);
  const what = error.code === status.UNIMPLEMENTED ? `the ${peer} does not serve this yet` : `the ${peer} failed`;
  return new RestError(httpStatus, label, `${what} (gRPC ${status[error.code] ?? error.code}: ${error.details})`, { cause: error });
}

/** An upstream answer the gateway cannot turn into the reference's shape. */
export function invalidUpstreamAnswer(peer: string, cause: unknown): RestError {
  return new RestError(502, 'invalid_upstream_answer', `the ${peer} sent an answer that cannot be served: ${(cause as Error).message}`, { cause });
}

export function badRequest(message: string, cause?: unknown): RestError {
  return new RestError(400, 'bad_request', message, cause === undefined ? undefined : { cause });
}
