/**
 * Requests that do not decode. grpc-js ends a call whose request its deserializer cannot decode with
 * INTERNAL ("Error deserializing request") before any handler runs: a caller's bad bytes would read as
 * a fault of this node, and would be answered before the version check. Here the deserializer never
 * throws: an undecodable request becomes an {@link UndecodableRequest}, which the handler wrappers
 * answer with a typed MALFORMED_REQUEST (INVALID_ARGUMENT), after the version check like any other
 * bad request. The bytes are bounded by the server's receive limit before they reach the decoder.
 */
import type { MethodDefinition, ServerErrorResponse, ServerUnaryCall, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ErrorCode, createServiceError } from '@mithril-ts/proto';
import { errorMessage } from './error-message.js';

/** What an undecodable request is replaced with; it reaches no handler of a service. */
class UndecodableRequest {
  constructor(readonly reason: string) {}
}

/** The decoder's own words are short (wire type, offset), but a message is not a place for an unbounded text. */
const MAX_REASON_CHARACTERS = 200;

/** `definition` with deserializers that never throw: what does not decode becomes an UndecodableRequest. */
export function withTolerantDecoding(definition: ServiceDefinition): ServiceDefinition {
  const tolerant: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition)) {
    tolerant[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes);
        } catch (error) {
          return new UndecodableRequest(errorMessage(error).slice(0, MAX_REASON_CHARACTERS));
        }
      },
    };
  }
  return tolerant;
}

/** What the wrappers read of a call, unary or server stream. */
type Call = Omit<ServerUnaryCall<unknown, unknown>, 'emit'> & { emit(event: 'error', error: ServerErrorResponse): boolean };
type Callback = (error: ServerErrorResponse | null) => void;

/**
 * `implementation` whose handlers answer an {@link UndecodableRequest} with MALFORMED_REQUEST instead of
 * running. `refuseStream` runs first on a server stream's undecodable request (a stream handler checks the
 * caller's versions itself, and is not run here): its refusal, if any, is the answer.
 */
export function answeringUndecodable(
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  refuseStream: (call: Call) => ServerErrorResponse | undefined = () => undefined,
): UntypedServiceImplementation {
  const wrapped: UntypedServiceImplementation = { ...implementation };
  // Implementations are keyed as grpc-js looks them up: by a method's originalName when it has one
  // (proto-loader definitions, as the health service's: "Check" is implemented as "check").
  const methods = new Map(Object.entries(definition).map(([key, method]) => [method.originalName ?? key, method]));
  for (const [name, handler] of Object.entries(implementation)) {
    const method = methods.get(name);
    if (method === undefined || method.requestStream) continue;
    const run = handler as (call: Call, callback?: Callback) => void;
    const malformed = (call: Call) =>
      createServiceError({
        code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST,
        message: `the request does not decode: ${(call.request as UndecodableRequest).reason}`,
      });
    wrapped[name] = (
      method.responseStream
        ? (call: Call) => (call.request instanceof UndecodableRequest ? call.emit('error', refuseStream(call) ?? malformed(call)) : run(call))
        : (call: Call, callback: Callback) => (call.request instanceof UndecodableRequest ? callback(malformed(call)) : run(call, callback))
    ) as UntypedServiceImplementation[string];
  }
  return wrapped;
}
