/**
 * The gateway's one error type: a typed rejection (an ErrorCode, a message for the caller, optional
 * machine-readable context) that the gRPC handlers send as is (its `detail`). Rejections decided here and those
 * passed through from the certifier or the aggregator travel the same way.
 */
import { ErrorCode, errorCodeToJSON, type ErrorDetailInit } from '@mithril-ts/proto';

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly detailMetadata: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, metadata: Readonly<Record<string, string>> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GatewayError';
    this.code = code;
    this.detailMetadata = metadata;
  }

  /** Short name of the code for logs and metric labels, e.g. "signature_invalid". */
  get reason(): string {
    return reasonOf(this.code);
  }

  get detail(): ErrorDetailInit {
    return { code: this.code, message: this.message, metadata: this.detailMetadata };
  }
}

export function reasonOf(code: ErrorCode): string {
  return errorCodeToJSON(code)
    .replace(/^ERROR_CODE_/, '')
    .toLowerCase();
}

export const malformed = (message: string) => new GatewayError(ErrorCode.ERROR_CODE_MALFORMED_REQUEST, message);
export const notReady = (message: string, options?: ErrorOptions) => new GatewayError(ErrorCode.ERROR_CODE_NOT_READY, message, {}, options);
