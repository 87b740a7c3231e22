import { credentials, Metadata, status, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  AggregatorServiceService,
  CertifierServiceClient,
  CertifierServiceService,
  ErrorCode,
  WireError,
  readErrorDetail,
  readVersionMetadata,
  setVersionMetadata,
  type CertifierServiceCertifyResponse,
  type CertifierServiceServer,
} from '@mithril-ts/proto';
import { PROTOCOL_VERSION } from '@mithril-ts/protocol';
import {
  callTraceContext,
  clientTracingInterceptor,
  hostedService,
  mapError,
  serverTls,
  startGrpcServer,
  unaryHandler,
  withTraceParent,
  type CallOutcome,
  type Logger,
  type RunningServer,
} from '../src/index.js';

class Refusal extends Error {}

const spans = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer('test');
const logged: { fields: unknown; message: string }[] = [];
const logger = { error: (fields: unknown, message: string) => logged.push({ fields, message }) } as unknown as Logger;
const outcomes: CallOutcome[] = [];
/** What the handler saw of each call it ran: its request metadata and its trace context. */
const served: { metadata: Metadata; trace: Context }[] = [];

let server: RunningServer;
let client: CertifierServiceClient;

beforeAll(async () => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const implementation: CertifierServiceServer = {
    certify: unaryHandler(
      'Certify',
      { rules: [mapError(Refusal, ErrorCode.ERROR_CODE_CERTIFICATION_DENIED), mapError(WireError, ErrorCode.ERROR_CODE_MALFORMED_REQUEST)], logger },
      async (request, call) => {
        served.push({ metadata: call.metadata, trace: callTraceContext(call) });
        switch (request.registration?.partyId) {
          case 'refused':
            throw new Refusal('not this pool');
          case 'broken':
            throw new Error('the disk is on fire');
          default:
            return { certification: { partyId: 'pool1', stake: 7n, epoch: 3n } };
        }
      },
    ),
  };
  const service = hostedService({
    definition: CertifierServiceService,
    implementation,
    nodeVersion: '9.9.9',
    tracing: { tracer, onOutcome: (outcome) => outcomes.push(outcome) },
  });
  server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [service], tls: serverTls({ insecure: true }, 'none') });
  client = new CertifierServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure(), { interceptors: [clientTracingInterceptor(tracer)] });
});

afterAll(async () => {
  client.close();
  await server.close();
  propagation.disable();
});

beforeEach(() => {
  spans.reset();
  logged.length = 0;
  outcomes.length = 0;
  served.length = 0;
});

const versions = () => setVersionMetadata({ nodeVersion: '1.0.0', protocolVersion: PROTOCOL_VERSION });

function certify(
  partyId: string,
  metadata: Metadata,
  parent?: Context,
): Promise<{ response?: CertifierServiceCertifyResponse; error?: ServiceError; serverVersions?: Metadata }> {
  const registration = { epoch: 3n, partyId, verificationKey: Buffer.alloc(0) };
  return new Promise((resolve) => {
    let serverVersions: Metadata | undefined;
    const options = parent === undefined ? {} : withTraceParent({}, parent);
    const call = client.certify({ registration }, metadata, options, (error, response) =>
      resolve(error ? { error, serverVersions } : { response, serverVersions }),
    );
    call.on('metadata', (received: Metadata) => {
      serverVersions = received;
    });
  });
}

function finished(kind: SpanKind): ReadableSpan {
  const found = spans.getFinishedSpans().filter((span) => span.kind === kind);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('gRPC tracing across a loopback call', () => {
  it("continues the caller's trace: caller span → client span → server span, the handler running in the server span", async () => {
    const caller = tracer.startSpan('caller');
    const { response, serverVersions } = await certify('pool1', versions(), trace.setSpan(ROOT_CONTEXT, caller));
    caller.end();
    expect(response?.certification).toEqual({ partyId: 'pool1', stake: 7n, epoch: 3n });
    expect(readVersionMetadata(serverVersions!).nodeVersion).toBe('9.9.9');

    const clientSpan = finished(SpanKind.CLIENT);
    const serverSpan = finished(SpanKind.SERVER);
    for (const span of [clientSpan, serverSpan]) {
      expect(span.name).toBe('mithril.v1.CertifierService/Certify');
      expect(span.attributes).toMatchObject({
        'rpc.system': 'grpc',
        'rpc.service': 'mithril.v1.CertifierService',
        'rpc.method': 'Certify',
        'rpc.grpc.status_code': status.OK,
      });
      expect(span.spanContext().traceId).toBe(caller.spanContext().traceId);
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    }
    expect(clientSpan.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(serverSpan.parentSpanContext).toMatchObject({ spanId: clientSpan.spanContext().spanId, isRemote: true });
    // On the wire: the client span's context beside the version metadata; in the handler: the server span's.
    const [seen] = served;
    expect(seen!.metadata.get('traceparent')).toEqual([`00-${clientSpan.spanContext().traceId}-${clientSpan.spanContext().spanId}-01`]);
    expect(readVersionMetadata(seen!.metadata)).toEqual({ nodeVersion: '1.0.0', protocolVersion: PROTOCOL_VERSION });
    expect(trace.getSpanContext(seen!.trace)?.spanId).toBe(serverSpan.spanContext().spanId);
    expect(outcomes.map(({ method, error }) => ({ method, error }))).toEqual([{ method: 'Certify', error: undefined }]);
  });

  it('starts a trace of its own when the caller has none', async () => {
    await certify('pool1', versions());
    const clientSpan = finished(SpanKind.CLIENT);
    expect(clientSpan.parentSpanContext).toBeUndefined();
    expect(finished(SpanKind.SERVER).parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
  });

  it('marks both spans failed and reports the error behind the typed answer', async () => {
    const { error } = await certify('refused', versions());
    expect(error?.code).toBe(status.PERMISSION_DENIED);
    expect(readErrorDetail(error!)).toMatchObject({ code: ErrorCode.ERROR_CODE_CERTIFICATION_DENIED, message: 'not this pool' });

    const serverSpan = finished(SpanKind.SERVER);
    expect(serverSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: 'not this pool' });
    expect(serverSpan.attributes['rpc.grpc.status_code']).toBe(status.PERMISSION_DENIED);
    expect(serverSpan.events.map((event) => event.name)).toEqual(['exception']);
    expect(serverSpan.events[0]!.attributes?.['exception.message']).toBe('not this pool');
    expect(finished(SpanKind.CLIENT).status).toEqual({ code: SpanStatusCode.ERROR, message: 'not this pool' });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.error).toBeInstanceOf(Refusal);
    expect(logged).toEqual([]);
  });

  it('logs an unexpected error, answers it without its details, and keeps them in the span', async () => {
    const { error } = await certify('broken', versions());
    expect(error?.code).toBe(status.UNKNOWN);
    expect(readErrorDetail(error!)).toMatchObject({ code: ErrorCode.ERROR_CODE_UNSPECIFIED, message: 'internal error' });
    expect(error?.details).toBe('internal error');
    expect(logged).toEqual([
      { fields: { err: expect.objectContaining({ message: 'the disk is on fire' }), rpc: 'Certify' }, message: 'request failed unexpectedly' },
    ]);
    expect(finished(SpanKind.SERVER).status).toEqual({ code: SpanStatusCode.ERROR, message: 'the disk is on fire' });
    expect((outcomes[0]!.error as Error).message).toBe('the disk is on fire');
  });

  it('checks the versions first: a refused call runs no handler and opens no server span', async () => {
    const { error } = await certify('pool1', new Metadata());
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(readErrorDetail(error!)?.code).toBe(ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA);
    expect(served).toEqual([]);
    expect(outcomes).toEqual([]);
    expect(spans.getFinishedSpans().map((span) => span.kind)).toEqual([SpanKind.CLIENT]);
    expect(finished(SpanKind.CLIENT).attributes['rpc.grpc.status_code']).toBe(status.INVALID_ARGUMENT);
  });
});

describe('hostedService', () => {
  it('is named after its definition and leaves streaming handlers to check the versions of a request that decodes', () => {
    const watched: unknown[] = [];
    const watchCertificates = (call: unknown) => watched.push(call);
    const getEpochSettings = () => {};
    const service = hostedService({
      definition: AggregatorServiceService,
      implementation: { watchCertificates, getEpochSettings } as UntypedServiceImplementation,
      nodeVersion: '1.0.0',
      tracing: { tracer },
    });
    expect(service.name).toBe('mithril.v1.AggregatorService');
    const call = { request: { signedEntityKinds: [] }, metadata: new Metadata() };
    (service.implementation.watchCertificates as (call: unknown) => void)(call);
    expect(watched).toEqual([call]);
    expect(service.implementation.getEpochSettings).not.toBe(getEpochSettings);
  });
});
