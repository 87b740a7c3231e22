/** The CertifierService gRPC handlers: decode, certify, map outcomes to typed gRPC errors. */
import type { Tracer } from '@opentelemetry/api';
import { CertifierServiceService, ErrorCode, WireError, type CertifierServiceServer } from '@mithril-ts/proto';
import {
  hostedService,
  mapError,
  unaryHandler,
  type ClientAuthorization,
  type HostedService,
  type Logger,
  type ServiceErrorOptions,
} from '@mithril-ts/service-kit';
import { CertificationError } from './certification.js';
import type { Certifier } from './service.js';

/** `authorization`: who may call (every RPC is internal); undefined when the certifier runs insecure. */
export function certifierGrpcService(
  certifier: Certifier,
  nodeVersion: string,
  logger: Logger,
  tracer: Tracer,
  authorization?: ClientAuthorization,
): HostedService {
  const errors: ServiceErrorOptions = {
    rules: [
      mapError(WireError, ErrorCode.ERROR_CODE_MALFORMED_REQUEST),
      mapError(CertificationError, (error) => ({
        code:
          error.kind === 'malformed'
            ? ErrorCode.ERROR_CODE_MALFORMED_REQUEST
            : error.kind === 'unavailable'
              ? ErrorCode.ERROR_CODE_UNKNOWN_EPOCH
              : ErrorCode.ERROR_CODE_CERTIFICATION_DENIED,
        message: `${error.check}: ${error.message}`,
        metadata: { check: error.check },
      })),
    ],
    logger,
    logMessage: 'certification failed unexpectedly',
    unexpected: () => ({ code: ErrorCode.ERROR_CODE_NOT_READY, message: 'the certifier could not complete the check, retry later' }),
  };
  const implementation: CertifierServiceServer = {
    // The server span (the caller's trace continued) is the parent of the certification span.
    certify: unaryHandler('Certify', errors, async (request) => {
      const registration = request.registration;
      if (registration === undefined) throw new WireError('registration is missing');
      const certification = await certifier.certify({
        epoch: registration.epoch,
        partyId: registration.partyId,
        verificationKey: registration.verificationKey,
        verificationKeySignature: registration.verificationKeySignature,
        operationalCertificate: registration.operationalCertificate,
        kesEvolutions: registration.kesEvolutions,
      });
      return { certification: { partyId: certification.partyId, stake: certification.stake, epoch: certification.epoch } };
    }),
  };
  return hostedService({ definition: CertifierServiceService, implementation, nodeVersion, tracing: { tracer }, authorization });
}
