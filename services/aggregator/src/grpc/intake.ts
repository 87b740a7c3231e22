/** The internal intake: signer registrations and single signatures, both through the signer gateway, counted by outcome. */
import type { Counter, Meter } from '@opentelemetry/api';
import type { CallOutcome } from '@mithril-ts/service-kit';
import * as proto from '@mithril-ts/proto';
import { signedEntityTypeFromProto } from '@mithril-ts/proto';
import { AggregatorError } from '../runtime/errors.js';
import type { ServingNode, Unary } from './shared.js';

/** Counts registrations and signatures by outcome: accepted, the AggregatorError's code, or "error" (the tracing wrapper reports every call's outcome). */
export function intakeOutcomeCounter(meter: Meter): (outcome: CallOutcome) => void {
  const counted: Partial<Record<string, Counter>> = {
    RegisterSigner: meter.createCounter('mithril_aggregator_registrations_total', { description: 'signer registrations by outcome' }),
    RegisterSignatures: meter.createCounter('mithril_aggregator_signatures_total', { description: 'single signatures by outcome' }),
  };
  return ({ method, error }) =>
    counted[method]?.add(1, { outcome: error === undefined ? 'accepted' : error instanceof AggregatorError ? error.code : 'error' });
}

export function intakeHandlers(node: ServingNode, unary: Unary) {
  return {
    registerSigner: unary<proto.RegisterSignerRequest, proto.RegisterSignerResponse>('RegisterSigner', async (request) => {
      const { registration, certification } = request;
      if (registration === undefined) throw new AggregatorError('MALFORMED_REQUEST', 'registration is missing');
      if (certification === undefined)
        throw new AggregatorError('MALFORMED_REQUEST', 'certification is missing: registrations come through the signer gateway');
      const record = await node.registerSigner({
        epoch: registration.epoch,
        partyId: registration.partyId,
        verificationKey: new Uint8Array(registration.verificationKey),
        kesSignature: registration.verificationKeySignature === undefined ? null : new Uint8Array(registration.verificationKeySignature),
        operationalCertificate: registration.operationalCertificate === undefined ? null : new Uint8Array(registration.operationalCertificate),
        kesEvolutions: registration.kesEvolutions ?? null,
        certified: { partyId: certification.partyId, stake: certification.stake, epoch: certification.epoch },
      });
      return { signer: { partyId: record.partyId, stake: record.stake, epoch: registration.epoch } };
    }),

    registerSignatures: unary<proto.RegisterSignaturesRequest, proto.RegisterSignaturesResponse>('RegisterSignatures', async (request) => {
      const signature = request.signature;
      if (signature === undefined) throw new AggregatorError('MALFORMED_REQUEST', 'signature is missing');
      const outcome = await node.registerSignature({
        signedEntityType: signedEntityTypeFromProto(signature.signedEntityType, 'signature.signed_entity_type'),
        partyId: signature.partyId,
        signature: new Uint8Array(signature.signature),
        signedMessage: signature.signedMessage,
      });
      // Held until its message opens: the signer need not send it again (it is verified when the message opens).
      if (outcome === 'buffered') return { status: proto.SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_BUFFERED };
      return { status: proto.SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_ACCEPTED };
    }),
  };
}
