/**
 * What the AggregatorService handlers share: the aggregator's table of errors to typed gRPC errors
 * (the kit's mapping), the unary wrapper, page tokens and the hash format.
 */
import type { handleUnaryCall } from '@grpc/grpc-js';
import { ErrorCode, WireError } from '@mithril-ts/proto';
import { ProtocolError } from '@mithril-ts/protocol';
import { mapError, unaryHandler, type Logger, type ServiceErrorOptions } from '@mithril-ts/service-kit';
import type { Certificate } from '@mithril-ts/protocol';
import { AggregatorStoreError, type SignerRegistrationRecord } from '../store/index.js';
import type { EpochContext } from '../runtime/epoch-context.js';
import type { RegisterSignerInput } from '../runtime/registration-intake.js';
import type { RegisterSignatureInput, RegisterSignatureOutcome } from '../runtime/signature-intake.js';
import { AggregatorError, type AggregatorErrorCode } from '../runtime/errors.js';

const ERROR_CODES: Record<AggregatorErrorCode, ErrorCode> = {
  MALFORMED_REQUEST: ErrorCode.ERROR_CODE_MALFORMED_REQUEST,
  NOT_READY: ErrorCode.ERROR_CODE_NOT_READY,
  REGISTRATION_ROUND_NOT_OPEN: ErrorCode.ERROR_CODE_REGISTRATION_ROUND_NOT_OPEN,
  UNKNOWN_SIGNER: ErrorCode.ERROR_CODE_UNKNOWN_SIGNER,
  VERIFICATION_KEY_INVALID: ErrorCode.ERROR_CODE_VERIFICATION_KEY_INVALID,
  CERTIFICATION_MISMATCH: ErrorCode.ERROR_CODE_CERTIFICATION_DENIED,
  OPERATIONAL_CERTIFICATE_INVALID: ErrorCode.ERROR_CODE_OPERATIONAL_CERTIFICATE_INVALID,
  KES_SIGNATURE_INVALID: ErrorCode.ERROR_CODE_KES_SIGNATURE_INVALID,
  KES_PERIOD_OUT_OF_WINDOW: ErrorCode.ERROR_CODE_KES_PERIOD_OUT_OF_WINDOW,
  // Both are certification checks that failed (the detail's "reason" names which).
  STALE_REGISTRATION: ErrorCode.ERROR_CODE_CERTIFICATION_DENIED,
  KEY_REUSED: ErrorCode.ERROR_CODE_CERTIFICATION_DENIED,
  NO_OPEN_MESSAGE: ErrorCode.ERROR_CODE_NO_OPEN_MESSAGE,
  SIGNATURE_TOO_LATE: ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE,
  SIGNATURE_INVALID: ErrorCode.ERROR_CODE_SIGNATURE_INVALID,
  UNKNOWN_EPOCH: ErrorCode.ERROR_CODE_UNKNOWN_EPOCH,
  CERTIFICATE_NOT_FOUND: ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND,
  ARTIFACT_NOT_FOUND: ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND,
  INVALID_PAGE_TOKEN: ErrorCode.ERROR_CODE_INVALID_PAGE_TOKEN,
  GENESIS: ErrorCode.ERROR_CODE_NOT_READY,
  // UNAVAILABLE with reason NOT_LEADER: retryable, and the gateway passes it through to the signer unchanged.
  NOT_LEADER: ErrorCode.ERROR_CODE_NOT_READY,
};

/** What the handlers ask beyond the store: the AggregatorRuntime itself, or the Replica that routes to it while it leads. */
export interface ServingNode {
  /** The current epoch's context; NOT_READY before the first epoch is read. */
  readonly context: EpochContext;
  /** The Cardano era of the last tip read ("Conway"); undefined before a read or when the node reports none. */
  readonly cardanoEra: string | undefined;
  registerSigner(input: RegisterSignerInput): Promise<SignerRegistrationRecord>;
  registerSignature(input: RegisterSignatureInput): Promise<RegisterSignatureOutcome>;
  on(event: 'certificate', listener: (certificate: Certificate) => void): unknown;
  off(event: 'certificate', listener: (certificate: Certificate) => void): unknown;
}

const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 200;
export const HASH = /^[0-9a-f]{64}$/;

/** The aggregator's error table; anything else is logged and answered UNSPECIFIED "internal error" (the kit's default). */
const ERROR_RULES = [
  mapError(AggregatorError, (error) => ({ code: ERROR_CODES[error.code], message: error.message, metadata: { reason: error.code } })),
  mapError(WireError, ErrorCode.ERROR_CODE_MALFORMED_REQUEST),
  mapError(ProtocolError, ErrorCode.ERROR_CODE_MALFORMED_REQUEST),
  mapError(AggregatorStoreError, (error) => (error.code === 'INVALID_ARGUMENT' ? ErrorCode.ERROR_CODE_MALFORMED_REQUEST : undefined)),
];

export function errorOptions(logger: Logger): ServiceErrorOptions {
  return { rules: ERROR_RULES, logger, logMessage: 'aggregator request failed' };
}

/** A unary handler from its body, refusals mapped by the aggregator's error table (spans and version checks wrap the whole service). */
export type Unary = <Req, Res>(name: string, body: (request: Req) => Promise<Res>) => handleUnaryCall<Req, Res>;

export function unaryWrapper(errors: ServiceErrorOptions): Unary {
  return <Req, Res>(name: string, body: (request: Req) => Promise<Res>) => unaryHandler<Req, Res>(name, errors, body);
}

/** The page a request asks for; page tokens are `o<offset>`, issued by nextPageToken. */
export function pageOf(request: { pageSize: number; pageToken: string }): { limit: number; offset: number } {
  const limit = Math.min(request.pageSize === 0 ? DEFAULT_PAGE_SIZE : request.pageSize, MAX_PAGE_SIZE);
  if (request.pageToken === '') return { limit, offset: 0 };
  const match = /^o([0-9]{1,9})$/.exec(request.pageToken);
  if (match === null) throw new AggregatorError('INVALID_PAGE_TOKEN', 'the page token is not one this aggregator issued');
  return { limit, offset: Number(match[1]) };
}

/** The token of the page after `page`, given `fetched` records read with one more than its limit; empty on the last page. */
export function nextPageToken(page: { limit: number; offset: number }, fetched: number): string {
  return fetched > page.limit ? `o${page.offset + page.limit}` : '';
}
