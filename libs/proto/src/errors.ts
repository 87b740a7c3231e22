/**
 * Typed errors on the wire (see proto/mithril/v1/errors.proto): a failed RPC ends with a gRPC status
 * whose code follows from its ErrorCode, and whose "grpc-status-details-bin" trailer holds an RpcStatus
 * (wire-compatible with google.rpc.Status) carrying one ErrorDetail packed in a google.protobuf.Any.
 */
import { Metadata, status, type ServerErrorResponse } from '@grpc/grpc-js';
import type { Any } from './gen/google/protobuf/any.js';
import { ErrorCode, ErrorDetail, RpcStatus, errorCodeToJSON } from './gen/mithril/v1/errors.js';

/** Type URL of an ErrorDetail packed in a google.protobuf.Any. */
export const ERROR_DETAIL_TYPE_URL = 'type.googleapis.com/mithril.v1.ErrorDetail';
/** The standard gRPC trailer of rich error details (a serialized google.rpc.Status). */
export const STATUS_DETAILS_METADATA_KEY = 'grpc-status-details-bin';

/** The gRPC status code each ErrorCode travels with (as documented in errors.proto). */
const GRPC_STATUS: Readonly<Record<Exclude<ErrorCode, ErrorCode.UNRECOGNIZED>, status>> = {
  [ErrorCode.ERROR_CODE_UNSPECIFIED]: status.UNKNOWN,
  [ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION]: status.FAILED_PRECONDITION,
  [ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA]: status.INVALID_ARGUMENT,
  [ErrorCode.ERROR_CODE_MALFORMED_REQUEST]: status.INVALID_ARGUMENT,
  [ErrorCode.ERROR_CODE_UNKNOWN_EPOCH]: status.NOT_FOUND,
  [ErrorCode.ERROR_CODE_REGISTRATION_ROUND_NOT_OPEN]: status.FAILED_PRECONDITION,
  [ErrorCode.ERROR_CODE_UNKNOWN_SIGNER]: status.NOT_FOUND,
  [ErrorCode.ERROR_CODE_OPERATIONAL_CERTIFICATE_INVALID]: status.INVALID_ARGUMENT,
  [ErrorCode.ERROR_CODE_KES_SIGNATURE_INVALID]: status.INVALID_ARGUMENT,
  [ErrorCode.ERROR_CODE_KES_PERIOD_OUT_OF_WINDOW]: status.FAILED_PRECONDITION,
  [ErrorCode.ERROR_CODE_VERIFICATION_KEY_INVALID]: status.INVALID_ARGUMENT,
  [ErrorCode.ERROR_CODE_NO_OPEN_MESSAGE]: status.NOT_FOUND,
  [ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE]: status.FAILED_PRECONDITION,
  [ErrorCode.ERROR_CODE_SIGNATURE_INVALID]: status.INVALID_ARGUMENT,
  [ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND]: status.NOT_FOUND,
  [ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND]: status.NOT_FOUND,
  [ErrorCode.ERROR_CODE_INVALID_PAGE_TOKEN]: status.INVALID_ARGUMENT,
  [ErrorCode.ERROR_CODE_NOT_READY]: status.UNAVAILABLE,
  [ErrorCode.ERROR_CODE_RATE_LIMITED]: status.RESOURCE_EXHAUSTED,
  [ErrorCode.ERROR_CODE_DIGEST_MISMATCH]: status.FAILED_PRECONDITION,
  [ErrorCode.ERROR_CODE_CERTIFICATION_DENIED]: status.PERMISSION_DENIED,
  [ErrorCode.ERROR_CODE_CERTIFICATE_MISMATCH]: status.FAILED_PRECONDITION,
  [ErrorCode.ERROR_CODE_BEYOND_CHAIN_TIP]: status.OUT_OF_RANGE,
};

/** The gRPC status code an ErrorCode travels with; UNKNOWN for a value this version does not know. */
export function grpcStatusOf(code: ErrorCode): status {
  return (GRPC_STATUS as Partial<Record<number, status>>)[code] ?? status.UNKNOWN;
}

/** What a handler reports: the domain code, a message, and optional machine-readable context. */
export interface ErrorDetailInit {
  readonly code: ErrorCode;
  readonly message: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * An error to hand to a grpc-js unary handler's callback, or to `call.emit('error', …)` of a server stream:
 * its gRPC code follows from `detail.code`, its details string is the message, and its trailers carry
 * the ErrorDetail in "grpc-status-details-bin". `trailers` may carry more metadata (e.g. versions).
 */
export function createServiceError(detail: ErrorDetailInit, trailers: Metadata = new Metadata()): ServerErrorResponse {
  const errorDetail: ErrorDetail = { code: detail.code, message: detail.message, metadata: { ...detail.metadata } };
  const code = grpcStatusOf(detail.code);
  const rpcStatus: RpcStatus = {
    code,
    message: detail.message,
    details: [{ typeUrl: ERROR_DETAIL_TYPE_URL, value: Buffer.from(ErrorDetail.encode(errorDetail).finish()) }],
  };
  trailers.set(STATUS_DETAILS_METADATA_KEY, Buffer.from(RpcStatus.encode(rpcStatus).finish()));
  const error = new Error(`${errorCodeToJSON(detail.code)}: ${detail.message}`);
  return Object.assign(error, { code, details: detail.message, metadata: trailers });
}

/**
 * The ErrorDetail of a failed call (a grpc-js ServiceError, or anything with trailing `metadata`), or
 * `undefined` if the peer attached none or attached undecodable bytes.
 */
export function readErrorDetail(error: { readonly metadata?: Metadata | undefined }): ErrorDetail | undefined {
  const [raw] = error.metadata?.get(STATUS_DETAILS_METADATA_KEY) ?? [];
  if (!(raw instanceof Uint8Array)) return undefined;
  try {
    const any: Any | undefined = RpcStatus.decode(raw).details.find((item) => item.typeUrl === ERROR_DETAIL_TYPE_URL);
    return any === undefined ? undefined : ErrorDetail.decode(any.value);
  } catch {
    return undefined;
  }
}
