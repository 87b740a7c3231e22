/** The internal intake: signer registrations and single signatures, both through the signer gateway, counted by outcome. */
import type { Meter } from '@opentelemetry/api';
import * as proto from '@mithril-ts/proto';
import { signedEntityTypeFromProto } from '@mithril-ts/proto';
import type { AggregatorRuntime } from '../runtime/aggregator-runtime.js';
import { AggregatorError } from '../runtime/errors.js';
import type { Unary } from './shared.js';

export function intakeHandlers(runtime: AggregatorRuntime, meter: Meter, unary: Unary) {
  const registrations = meter.createCounter('mithril_aggregator_registrations_total', { description: 'signer registrations by outcome' });
  const signatures = meter.createCounter('mithril_aggregator_signatures_total', { description: 'single signatures by outcome' });
  return {
    registerSigner: unary<proto.RegisterSignerRequest, proto.RegisterSignerResponse>(
      'RegisterSigner',
      async (request) => {
        const { registration, certification } = request;
        if (registration === undefined) throw new AggregatorError('MALFORMED_REQUEST', 'registration is missing');
        if (certification === undefined) throw new AggregatorError('MALFORMED_REQUEST', 'certification is missing: registrations come through the signer gateway');
        const record = await runtime.registerSigner({
          epoch: registration.epoch,
          partyId: registration.partyId,
          verificationKey: new Uint8Array(registration.verificationKey),
          kesSignature: registration.verificationKeySignature === undefined ? null : new Uint8Array(registration.verificationKeySignature),
          operationalCertificate: registration.operationalCertificate === undefined ? null : new Uint8Array(registration.operationalCertificate),
          kesEvolutions: registration.kesEvolutions ?? null,
          certified: { partyId: certification.partyId, stake: certification.stake, epoch: certification.epoch },
        });
        return { signer: { partyId: record.partyId, stake: record.stake, epoch: registration.epoch } };
      },
      (outcome) => registrations.add(1, { outcome }),
    ),

    registerSignatures: unary<proto.RegisterSignaturesRequest, proto.RegisterSignaturesResponse>(
      'RegisterSignatures',
      async (request) => {
        const signature = request.signature;
        if (signature === undefined) throw new AggregatorError('MALFORMED_REQUEST', 'signature is missing');
        await runtime.registerSignature({
          signedEntityType: signedEntityTypeFromProto(signature.signedEntityType, 'signature.signed_entity_type'),
          partyId: signature.partyId,
          signature: new Uint8Array(signature.signature),
          signedMessage: signature.signedMessage,
        });
        return { status: proto.SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_ACCEPTED };
      },
      (outcome) => signatures.add(1, { outcome }),
    ),
  };
}
