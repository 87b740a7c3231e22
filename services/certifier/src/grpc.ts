/** The CertifierService gRPC handlers: decode, certify, map outcomes to typed gRPC errors. */
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { CertifierServiceService, ErrorCode, createServiceError, type CertifierServiceCertifyRequest, type CertifierServiceCertifyResponse, withVersionCheck } from '@mithril-ts/proto';
import { context as otelContext } from '@opentelemetry/api';
import { extractTraceContext, type HostedService, type Logger } from '@mithril-ts/service-kit';
import { CertificationError } from './certification.js';
import type { Certifier } from './service.js';

export function certifierGrpcService(certifier: Certifier, nodeVersion: string, logger: Logger): HostedService {
  const implementation = {
    certify(call: ServerUnaryCall<CertifierServiceCertifyRequest, CertifierServiceCertifyResponse>, callback: sendUnaryData<CertifierServiceCertifyResponse>) {
      const registration = call.request.registration;
      if (registration === undefined) {
        callback(createServiceError({ code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST, message: 'registration is missing' }));
        return;
      }
      // The caller's trace (the signer gateway's span) is the parent of the certification span.
      otelContext
        .with(extractTraceContext(call.metadata), () =>
          certifier.certify({
            epoch: registration.epoch,
            partyId: registration.partyId,
            verificationKey: registration.verificationKey,
            verificationKeySignature: registration.verificationKeySignature,
            operationalCertificate: registration.operationalCertificate,
            kesEvolutions: registration.kesEvolutions,
          }),
        )
        .then(
          (certification) => callback(null, { certification: { partyId: certification.partyId, stake: certification.stake, epoch: certification.epoch } }),
          (error: unknown) => callback(toServiceError(error, logger)),
        );
    },
  };
  return {
    name: 'mithril.v1.CertifierService',
    definition: CertifierServiceService,
    implementation: withVersionCheck(implementation as unknown as UntypedServiceImplementation, nodeVersion),
  };
}

function toServiceError(error: unknown, logger: Logger) {
  if (error instanceof CertificationError) {
    const code =
      error.kind === 'malformed'
        ? ErrorCode.ERROR_CODE_MALFORMED_REQUEST
        : error.kind === 'unavailable'
          ? ErrorCode.ERROR_CODE_UNKNOWN_EPOCH
          : ErrorCode.ERROR_CODE_CERTIFICATION_DENIED;
    return createServiceError({ code, message: `${error.check}: ${error.message}`, metadata: { check: error.check } });
  }
  logger.error({ err: error }, 'certification failed unexpectedly');
  return createServiceError({ code: ErrorCode.ERROR_CODE_NOT_READY, message: 'the certifier could not complete the check, retry later' });
}
