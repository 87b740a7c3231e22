/**
 * The SignerGatewayService gRPC handlers: a server span per call (child of the caller's trace
 * context when the metadata carries one), the use case, and typed errors.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context as otelContext, trace, type Tracer } from '@opentelemetry/api';
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ErrorCode, SignerGatewayServiceService, createServiceError, type SignerGatewayServiceRegisterSignatureRequest, type SignerGatewayServiceRegisterSignatureResponse, type SignerGatewayServiceRegisterSignerRequest, type SignerGatewayServiceRegisterSignerResponse, withVersionCheck } from '@mithril-ts/proto';
import { extractTraceContext, type HostedService } from '@mithril-ts/service-kit';
import { GatewayError } from './errors.js';
import type { SignerGateway } from './gateway.js';
import type { CallContext } from './ports.js';

const SERVICE = 'mithril.v1.SignerGatewayService';

export function signerGatewayGrpcService(gateway: SignerGateway, nodeVersion: string, tracer: Tracer): HostedService {
  function serve<Request, Response>(method: string, call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>, run: (context: CallContext) => Promise<Response>) {
    const parent = extractTraceContext(call.metadata, ROOT_CONTEXT);
    const span = tracer.startSpan(`${SERVICE}/${method}`, { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'grpc', 'rpc.service': SERVICE, 'rpc.method': method } }, parent);
    const traced = trace.setSpan(parent, span);
    const deadline = Number(call.getDeadline());
    const context: CallContext = { trace: traced, deadline: Number.isFinite(deadline) ? deadline : undefined };
    otelContext.with(traced, () => run(context)).then(
      (response) => {
        span.setStatus({ code: SpanStatusCode.OK });
        span.end();
        callback(null, response);
      },
      (error: unknown) => {
        const known = error instanceof GatewayError;
        span.setAttribute('mithril.rejection', known ? error.reason : 'internal');
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.end();
        callback(known ? error.toServiceError() : createServiceError({ code: ErrorCode.ERROR_CODE_UNSPECIFIED, message: 'the signer gateway failed unexpectedly' }));
      },
    );
  }

  const implementation = {
    registerSigner(
      call: ServerUnaryCall<SignerGatewayServiceRegisterSignerRequest, SignerGatewayServiceRegisterSignerResponse>,
      callback: sendUnaryData<SignerGatewayServiceRegisterSignerResponse>,
    ) {
      serve('RegisterSigner', call, callback, async (context) => ({ signer: await gateway.registerSigner(call.request.registration, context) }));
    },
    registerSignature(
      call: ServerUnaryCall<SignerGatewayServiceRegisterSignatureRequest, SignerGatewayServiceRegisterSignatureResponse>,
      callback: sendUnaryData<SignerGatewayServiceRegisterSignatureResponse>,
    ) {
      serve('RegisterSignature', call, callback, async (context) => ({ status: await gateway.registerSignature(call.request.signature, context) }));
    },
  };
  return {
    name: SERVICE,
    definition: SignerGatewayServiceService,
    implementation: withVersionCheck(implementation as unknown as UntypedServiceImplementation, nodeVersion),
  };
}
