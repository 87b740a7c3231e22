/**
 * One unary gRPC call the way every call of the signer is made: version metadata on the request,
 * a deadline, the server's protocol version read from its response metadata, and failures
 * classified for the runtime (RemoteCallError); a client span when the client was given a tracer.
 */
import { type Metadata, status, type CallOptions, type ClientOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { Tracer } from '@opentelemetry/api';
import { ErrorCode, errorCodeToJSON, readErrorDetail, readVersionMetadata, setVersionMetadata, type VersionMetadata } from '@mithril-ts/proto';
import { clientTracingInterceptor, describeConnectionFailure } from '@mithril-ts/service-kit';
import { RemoteCallError, type RemoteFailure } from '../errors.js';
import type { Answer } from '../ports.js';

export type UnaryMethod<Request, Response> = (
  request: Request,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Response) => void,
) => ClientUnaryCall;

/** Messages are bounded: an epoch's settings with thousands of signers stay well below this. */
export const MAX_RECEIVE_MESSAGE_BYTES = 32 * 1024 * 1024;

/** Options of the signer's clients: bounded answers and, given a tracer, a client span per call (child of the active span, e.g. the signer's cycle). */
export function clientOptions(tracer: Tracer | undefined): Partial<ClientOptions> {
  return {
    'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES,
    ...(tracer === undefined ? {} : { interceptors: [clientTracingInterceptor(tracer)] }),
  };
}

/** Transport trouble worth retrying later; anything else is the server's considered refusal. */
const TRANSIENT = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED, status.CANCELLED, status.ABORTED]);

export function classify(call: string, error: ServiceError): RemoteCallError {
  const detail = readErrorDetail(error);
  const code = detail?.code;
  let failure: RemoteFailure;
  if (code === ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION) failure = 'incompatible-version';
  else if (code === ErrorCode.ERROR_CODE_NOT_READY) failure = 'not-ready';
  else if (code === ErrorCode.ERROR_CODE_RATE_LIMITED || (code === undefined && TRANSIENT.has(error.code))) failure = 'unavailable';
  else failure = 'rejected';
  const what = code === undefined ? `gRPC status ${status[error.code] ?? error.code}` : errorCodeToJSON(code);
  const reason = detail?.message ?? describeConnectionFailure(error) ?? error.details ?? error.message;
  return new RemoteCallError(call, failure, `${what}: ${reason}`, code, error.code, { cause: error });
}

export function unaryCall<Request, Response>(
  call: string,
  method: UnaryMethod<Request, Response>,
  request: Request,
  versions: VersionMetadata,
  deadlineMs: number,
): Promise<Answer<Response>> {
  return new Promise((resolve, reject) => {
    let serverProtocolVersion: string | undefined;
    const pending = method(request, setVersionMetadata(versions), { deadline: Date.now() + deadlineMs }, (error, response) => {
      if (error) reject(classify(call, error));
      else resolve({ value: response, serverProtocolVersion });
    });
    pending.on('metadata', (metadata: Metadata) => {
      serverProtocolVersion = readVersionMetadata(metadata).protocolVersion;
    });
  });
}
