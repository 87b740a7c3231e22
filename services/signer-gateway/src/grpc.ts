/**
 * The SignerGatewayService gRPC handlers: a server span per call (child of the caller's trace
 * context when the metadata carries one, see the kit's grpc-tracing), the use case, and typed errors.
 */
import type { Tracer } from '@opentelemetry/api';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { ErrorCode, SignerGatewayServiceService, type SignerGatewayServiceServer } from '@mithril-ts/proto';
import { callTraceContext, hostedService, mapError, unaryHandler, type HostedService, type ServiceErrorOptions } from '@mithril-ts/service-kit';
import { GatewayError } from './errors.js';
import type { SignerGateway } from './gateway.js';
import type { CallContext } from './ports.js';

/** The gateway's errors travel as they are; an unexpected one is logged by the use case (gateway.ts). */
const ERRORS: ServiceErrorOptions = {
  rules: [mapError(GatewayError, (error) => error.detail)],
  unexpected: () => ({ code: ErrorCode.ERROR_CODE_UNSPECIFIED, message: 'the signer gateway failed unexpectedly' }),
};

/** The call's trace (its server span) and deadline, which the upstream calls inherit. */
function callContextOf(call: ServerUnaryCall<unknown, unknown>): CallContext {
  const deadline = Number(call.getDeadline());
  return { trace: callTraceContext(call), deadline: Number.isFinite(deadline) ? deadline : undefined };
}

export function signerGatewayGrpcService(gateway: SignerGateway, nodeVersion: string, tracer: Tracer): HostedService {
  const implementation: SignerGatewayServiceServer = {
    registerSigner: unaryHandler('RegisterSigner', ERRORS, async (request, call) => ({
      signer: await gateway.registerSigner(request.registration, callContextOf(call)),
    })),
    registerSignature: unaryHandler('RegisterSignature', ERRORS, async (request, call) => ({
      status: await gateway.registerSignature(request.signature, callContextOf(call)),
    })),
  };
  return hostedService({
    definition: SignerGatewayServiceService,
    implementation,
    nodeVersion,
    tracing: {
      tracer,
      onOutcome: ({ error, span }) => {
        if (error !== undefined) span.setAttribute('mithril.rejection', error instanceof GatewayError ? error.reason : 'internal');
      },
    },
  });
}
