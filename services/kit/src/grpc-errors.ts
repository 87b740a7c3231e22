/**
 * How a service answers a failed RPC. Its own errors become typed gRPC errors (an ErrorDetail in
 * the trailers, see libs/proto's createServiceError) by a table the service supplies, one row per
 * error class; an error no row answers is a fault of this node, not of the caller: it is logged
 * here with its details and answered without them (UNSPECIFIED "internal error" unless the
 * service says otherwise), so nothing internal leaks to a caller.
 */
import type { handleUnaryCall, ServerErrorResponse, ServerUnaryCall } from '@grpc/grpc-js';
import { ErrorCode, createServiceError, type ErrorDetailInit } from '@mithril-ts/proto';
import type { Logger } from './logger.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ErrorClass<E> = abstract new (...args: any[]) => E;

/** One row of a service's error table. */
export interface ErrorRule {
  /** The answer to `error`, or undefined when this row does not answer it. */
  answer(error: unknown): ErrorDetailInit | undefined;
}

/**
 * The row of `type`: a fixed ErrorCode (the message is the error's), or a function giving the code
 * or the whole detail. A function that gives undefined leaves the error to the next rows, and at
 * last to the unexpected-error answer.
 */
export function mapError<E extends Error>(type: ErrorClass<E>, answer: ErrorCode | ((error: E) => ErrorCode | ErrorDetailInit | undefined)): ErrorRule {
  return {
    answer(error) {
      if (!(error instanceof type)) return undefined;
      const given = typeof answer === 'function' ? answer(error) : answer;
      return typeof given === 'number' ? { code: given, message: error.message } : given;
    },
  };
}

export interface ServiceErrorOptions {
  /** The service's table, read in order: the first row that answers wins. */
  readonly rules: readonly ErrorRule[];
  /** Where an error no row answers is logged (with the RPC); omit when the use case logs it already. */
  readonly logger?: Logger | undefined;
  /** The log line of such an error. */
  readonly logMessage?: string;
  /** What the caller is told of such an error (nothing internal); UNSPECIFIED "internal error" by default. */
  readonly unexpected?: (error: unknown, rpc: string) => ErrorDetailInit;
}

const INTERNAL_ERROR: ErrorDetailInit = { code: ErrorCode.ERROR_CODE_UNSPECIFIED, message: 'internal error' };

/** The error each service error answers, for the tracing wrapper and outcome counters (never sent). */
const answeredErrors = new WeakMap<object, unknown>();

/** The typed gRPC error that answers `error`, thrown while serving `rpc` (a method name, e.g. "GetSnapshot"). */
export function serviceErrorOf(error: unknown, rpc: string, options: ServiceErrorOptions): ServerErrorResponse {
  let detail: ErrorDetailInit | undefined;
  for (const rule of options.rules) {
    detail = rule.answer(error);
    if (detail !== undefined) break;
  }
  if (detail === undefined) {
    options.logger?.error({ err: error, rpc }, options.logMessage ?? 'request failed unexpectedly');
    detail = options.unexpected?.(error, rpc) ?? INTERNAL_ERROR;
  }
  const serviceError = createServiceError(detail);
  answeredErrors.set(serviceError, error);
  return serviceError;
}

/** The error a service error made by {@link serviceErrorOf} answers; `error` itself for any other. */
export function errorBehind(error: unknown): unknown {
  return typeof error === 'object' && error !== null && answeredErrors.has(error) ? answeredErrors.get(error) : error;
}

/**
 * A grpc-js unary handler that runs `body`: its result is the answer, and what it throws (or
 * rejects with) is answered as `options` map it.
 */
export function unaryHandler<Request, Response>(
  rpc: string,
  options: ServiceErrorOptions,
  body: (request: Request, call: ServerUnaryCall<Request, Response>) => Promise<Response>,
): handleUnaryCall<Request, Response> {
  return (call, callback) => {
    new Promise<Response>((resolve) => resolve(body(call.request, call))).then(
      (response) => callback(null, response),
      (error: unknown) => callback(serviceErrorOf(error, rpc, options)),
    );
  };
}
