/**
 * What the AggregatorService handlers share: the mapping of errors to typed gRPC errors, the unary
 * wrapper (a span per call that continues the caller's trace), page tokens and the hash format.
 * `toServiceError` and `unary` are the aggregator's own for now: services/kit is getting the
 * shared ones (error mapping, an interceptor-style tracing wrapper); they replace these here.
 */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { context as otelContext, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { ErrorCode, createServiceError, WireError } from '@mithril-ts/proto';
import { ProtocolError } from '@mithril-ts/protocol';
import { extractTraceContext, type Logger } from '@mithril-ts/service-kit';
import { AggregatorStoreError } from '../store/index.js';
import { AggregatorError, type AggregatorErrorCode } from '../runtime/errors.js';

const ERROR_CODES: Record<AggregatorErrorCode, ErrorCode> = {
  MALFORMED_REQUEST: ErrorCode.ERROR_CODE_MALFORMED_REQUEST,
  NOT_READY: ErrorCode.ERROR_CODE_NOT_READY,
  REGISTRATION_ROUND_NOT_OPEN: ErrorCode.ERROR_CODE_REGISTRATION_ROUND_NOT_OPEN,
  UNKNOWN_SIGNER: ErrorCode.ERROR_CODE_UNKNOWN_SIGNER,
  VERIFICATION_KEY_INVALID: ErrorCode.ERROR_CODE_VERIFICATION_KEY_INVALID,
  CERTIFICATION_MISMATCH: ErrorCode.ERROR_CODE_CERTIFICATION_DENIED,
  NO_OPEN_MESSAGE: ErrorCode.ERROR_CODE_NO_OPEN_MESSAGE,
  SIGNATURE_TOO_LATE: ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE,
  SIGNATURE_INVALID: ErrorCode.ERROR_CODE_SIGNATURE_INVALID,
  UNKNOWN_EPOCH: ErrorCode.ERROR_CODE_UNKNOWN_EPOCH,
  CERTIFICATE_NOT_FOUND: ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND,
  ARTIFACT_NOT_FOUND: ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND,
  INVALID_PAGE_TOKEN: ErrorCode.ERROR_CODE_INVALID_PAGE_TOKEN,
  GENESIS: ErrorCode.ERROR_CODE_NOT_READY,
};

const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 200;
export const HASH = /^[0-9a-f]{64}$/;

export function toServiceError(error: unknown, logger: Logger) {
  if (error instanceof AggregatorError) return createServiceError({ code: ERROR_CODES[error.code], message: error.message, metadata: { reason: error.code } });
  if (error instanceof WireError || error instanceof ProtocolError) return createServiceError({ code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST, message: error.message });
  if (error instanceof AggregatorStoreError && error.code === 'INVALID_ARGUMENT') return createServiceError({ code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST, message: error.message });
  logger.error({ err: error }, 'aggregator request failed');
  return createServiceError({ code: ErrorCode.ERROR_CODE_UNSPECIFIED, message: 'internal error' });
}

/** A unary handler from its body: `onOutcome` is told 'accepted' or the refusal's code (for counters). */
export type Unary = <Req, Res>(
  name: string,
  body: (request: Req) => Promise<Res>,
  onOutcome?: (outcome: string) => void,
) => (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

export function unaryWrapper(tracer: Tracer, logger: Logger): Unary {
  /** Runs a unary handler in a span that continues the caller's trace. */
  return function unary<Req, Res>(name: string, body: (request: Req) => Promise<Res>, onOutcome?: (outcome: string) => void) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      const parent = extractTraceContext(call.metadata, otelContext.active());
      tracer.startActiveSpan(`AggregatorService/${name}`, {}, parent, (span) => {
        body(call.request).then(
          (response) => {
            onOutcome?.('accepted');
            span.end();
            callback(null, response);
          },
          (error: unknown) => {
            onOutcome?.(error instanceof AggregatorError ? error.code : 'error');
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
            span.end();
            callback(toServiceError(error, logger));
          },
        );
      });
    };
  };
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
