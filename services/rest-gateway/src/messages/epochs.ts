/** Epoch-scoped answers: `/epoch-settings`, `/protocol-configuration/{epoch}`, `/signers/registered/{epoch}`. */
import type * as proto from '@mithril-ts/proto';
import type { SignedEntityKind } from '@mithril-ts/protocol';
import { protocolParametersMessage, required } from './common.js';
import { signerMessage } from './signers.js';

/** The reference's EpochSettingsMessage (its deprecated transactions signing config is not ours to give). */
export function epochSettingsMessage(response: proto.GetEpochSettingsResponse): Record<string, unknown> {
  const settings = required(response.epochSettings, 'epoch_settings');
  return {
    epoch: settings.epoch,
    // Deprecated in the reference, still read by signers of its older versions.
    signer_registration_protocol: protocolParametersMessage(
      settings.signerRegistrationProtocolParameters,
      'epoch_settings.signer_registration_protocol_parameters',
    ),
    current_signers: settings.currentSigners.map(signerMessage),
    next_signers: settings.nextSigners.map(signerMessage),
  };
}

export function protocolConfigurationMessage(
  response: proto.GetProtocolParametersResponse,
  signedEntityTypes: readonly SignedEntityKind[],
): Record<string, unknown> {
  return {
    protocol_parameters: protocolParametersMessage(response.protocolParameters, 'protocol_parameters'),
    available_signed_entity_types: [...signedEntityTypes],
  };
}

/**
 * The reference names registrations by the epoch they were made in (`registered_at`); they are
 * recorded for the next epoch and sign in the one after (`signing_at`).
 */
export function registeredSignersMessage(registeredAt: bigint, response: proto.ListRegisteredSignersResponse): Record<string, unknown> {
  return {
    registered_at: registeredAt,
    signing_at: registeredAt + 2n,
    registrations: response.signers.map((signer) => ({ party_id: signer.partyId, stake: signer.stake })),
  };
}
