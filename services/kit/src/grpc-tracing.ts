/**
 * Spans around gRPC calls, interceptor style, so that no handler or client opens them by hand.
 * Both sides name a span after the RPC as the OpenTelemetry conventions do
 * (`mithril.v1.SignerGatewayService/RegisterSigner`) and record the gRPC status code.
 *
 * - Server: {@link withServerTracing} wraps each unary handler of an implementation (as libs/proto's
 *   withVersionCheck does) in a SERVER span that continues the caller's trace (the trace context of
 *   the request metadata, see trace-context.ts), marks it failed with the error behind a failed
 *   call, and can report each outcome (e.g. to count calls by outcome).
 * - Client: {@link clientTracingInterceptor} opens a CLIENT span per call and writes its context
 *   into the outgoing metadata, so that the callee's span is its child.
 *
 * The parent of a span is the active context, which follows async calls only when a context
 * manager is registered (startTelemetry's tracer provider registers one). Code that carries its
 * trace context explicitly reads a call's with {@link callTraceContext} and hands it to a client
 * call with {@link withTraceParent}, and needs no context manager.
 */
import {
  InterceptingCall,
  status,
  type CallOptions,
  type Interceptor,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, context as otelContext, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { errorBehind } from './grpc-errors.js';
import { extractTraceContext, injectTraceContext } from './trace-context.js';

/** How one traced call ended, told before its span ends (so that the span can be annotated). */
export interface CallOutcome {
  /** The RPC's method name, e.g. "RegisterSigner". */
  readonly method: string;
  /** Undefined when the call succeeded; else what it failed with (the service's own error behind a mapped one). */
  readonly error: unknown;
  readonly span: Span;
}

export interface ServerTracingOptions {
  readonly tracer: Tracer;
  readonly onOutcome?: (outcome: CallOutcome) => void;
}

/** The service and method of a gRPC path (`/mithril.v1.AggregatorService/GetEpochSettings`). */
function rpcOf(path: string): { service: string; method: string } {
  const [, service = '', method = ''] = path.split('/');
  return { service, method };
}

function rpcAttributes(rpc: { service: string; method: string }) {
  return { 'rpc.system': 'grpc', 'rpc.service': rpc.service, 'rpc.method': rpc.method };
}

/** Trace context of each call served in a span, for the handlers that pass it on explicitly. */
const callContexts = new WeakMap<object, Context>();

/** The trace context of `call`'s server span (see {@link withServerTracing}); the active context for a call served without one. */
export function callTraceContext(call: object): Context {
  return callContexts.get(call) ?? otelContext.active();
}

/**
 * Wraps each unary handler of `implementation` in a SERVER span, child of the caller's span named
 * in the request metadata. The handler runs in the span's context; streaming handlers are left as
 * they are. A failed call's span records the error behind the answer (see grpc-errors.ts) and the
 * ERROR status; `onOutcome` is told how each call ended.
 */
export function withServerTracing(
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  options: ServerTracingOptions,
): UntypedServiceImplementation {
  const wrapped: UntypedServiceImplementation = { ...implementation };
  for (const [name, handler] of Object.entries(implementation)) {
    const method = definition[name];
    if (method === undefined || method.requestStream || method.responseStream) continue;
    const rpc = rpcOf(method.path);
    const unary = handler as (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;
    wrapped[name] = ((call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const parent = extractTraceContext(call.metadata);
      const span = options.tracer.startSpan(`${rpc.service}/${rpc.method}`, { kind: SpanKind.SERVER, attributes: rpcAttributes(rpc) }, parent);
      const traced = trace.setSpan(parent, span);
      callContexts.set(call, traced);
      const answer: sendUnaryData<unknown> = (error, value, trailer, flags) => {
        const failure = error ? errorBehind(error) : undefined;
        span.setAttribute('rpc.grpc.status_code', error ? (error.code ?? status.UNKNOWN) : status.OK);
        if (error) {
          span.recordException(failure instanceof Error ? failure : String(failure));
          span.setStatus({ code: SpanStatusCode.ERROR, message: failure instanceof Error ? failure.message : String(failure) });
        }
        options.onOutcome?.({ method: rpc.method, error: failure, span });
        span.end();
        callback(error, value, trailer, flags);
      };
      otelContext.with(traced, () => unary(call, answer));
    }) as UntypedServiceImplementation[string];
  }
  return wrapped;
}

const TRACE_PARENT = Symbol('mithril.traceParent');

/** Call options whose client span (see {@link clientTracingInterceptor}) is a child of `parent` rather than of the active context. */
export function withTraceParent<Options extends Partial<CallOptions>>(options: Options, parent: Context): Options {
  return { ...options, [TRACE_PARENT]: parent };
}

/**
 * A grpc-js client interceptor (pass it in the client's `interceptors` option): each call gets a
 * CLIENT span, child of the parent named in its call options or of the active context, whose
 * context goes out in the request metadata; the span ends with the call's status.
 */
export function clientTracingInterceptor(tracer: Tracer): Interceptor {
  return (options, nextCall) => {
    const rpc = rpcOf(options.method_definition.path);
    const parent = (options as { [TRACE_PARENT]?: Context })[TRACE_PARENT] ?? otelContext.active();
    return new InterceptingCall(nextCall(options), {
      start(metadata, _listener, next) {
        const span = tracer.startSpan(`${rpc.service}/${rpc.method}`, { kind: SpanKind.CLIENT, attributes: rpcAttributes(rpc) }, parent);
        next(injectTraceContext(metadata, trace.setSpan(parent, span)), {
          onReceiveStatus(received, nextStatus) {
            span.setAttribute('rpc.grpc.status_code', received.code);
            if (received.code !== status.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: received.details });
            span.end();
            nextStatus(received);
          },
        });
      },
    });
  };
}
