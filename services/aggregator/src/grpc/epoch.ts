/** The epoch's settings as signers poll them, the parameters published per epoch, and the signers registered per epoch. */
import type * as proto from '@mithril-ts/proto';
import { protocolParametersToProto } from '@mithril-ts/proto';
import { epoch as toEpoch } from '@mithril-ts/protocol';
import type { AggregatorStore, SignerRegistrationRecord } from '../store/index.js';
import { AggregatorError } from '../runtime/errors.js';
import type { ServingNode, Unary } from './shared.js';

export function signerToProto(record: SignerRegistrationRecord): proto.Signer {
  return {
    partyId: record.partyId,
    verificationKey: Buffer.from(record.verificationKey),
    ...(record.kesSignature !== null ? { verificationKeySignature: Buffer.from(record.kesSignature) } : {}),
    ...(record.operationalCertificate !== null ? { operationalCertificate: Buffer.from(record.operationalCertificate) } : {}),
    ...(record.kesEvolutions !== null ? { kesEvolutions: record.kesEvolutions } : {}),
    stake: record.stake,
  };
}

export function epochHandlers(node: ServingNode, store: AggregatorStore, unary: Unary) {
  const epochSettingsAnswers = new WeakMap<object, proto.GetEpochSettingsResponse>();
  return {
    getEpochSettings: unary<proto.GetEpochSettingsRequest, proto.GetEpochSettingsResponse>('GetEpochSettings', async () => {
      const context = node.context;
      // Every signer polls this; with thousands of signers the answer is megabytes: built once per epoch.
      const cached = epochSettingsAnswers.get(context);
      if (cached !== undefined) return cached;
      const { settings } = context;
      const answer: proto.GetEpochSettingsResponse = {
        epochSettings: {
          epoch: context.epoch,
          currentProtocolParameters: protocolParametersToProto(settings.currentParameters),
          nextProtocolParameters: protocolParametersToProto(settings.nextParameters),
          currentSigners: context.currentRecords.map(signerToProto),
          nextSigners: context.nextRecords.map(signerToProto),
          signerRegistrationProtocolParameters: protocolParametersToProto(context.registrationParameters),
        },
      };
      epochSettingsAnswers.set(context, answer);
      return answer;
    }),

    getProtocolParameters: unary<proto.GetProtocolParametersRequest, proto.GetProtocolParametersResponse>('GetProtocolParameters', async (request) => {
      const stored = await store.epochSettings.get(toEpoch(request.epoch));
      if (stored === null) throw new AggregatorError('UNKNOWN_EPOCH', `no protocol parameters are published for epoch ${request.epoch}`);
      return { protocolParameters: protocolParametersToProto(stored.protocolParameters) };
    }),

    listRegisteredSigners: unary<proto.ListRegisteredSignersRequest, proto.ListRegisteredSignersResponse>('ListRegisteredSigners', async (request) => {
      const epoch = toEpoch(request.epoch);
      return { epoch, signers: (await store.signerRegistrations.list(epoch)).map(signerToProto) };
    }),
  };
}
