/** Epoch-scoped answers: `/epoch-settings`, `/protocol-configuration/{epoch}`, `/signers/registered/{epoch}`. */
import type * as proto from '@mithril-ts/proto';
import type { SignedEntityKind } from '@mithril-ts/protocol';
import { protocolParametersMessage, required } from './common.js';
import { signerMessage } from './signers.js';

/** A signer entry that could not be rendered, and why. */
export type SkippedSigner = (partyId: string, error: unknown) => void;

/**
 * Defence in depth: one undecodable entry (a stored registration the aggregator should never have
 * accepted) is skipped and reported, never turned into an error for the whole epoch's settings.
 */
function renderableSigners(signers: readonly proto.Signer[], skipped: SkippedSigner): Record<string, unknown>[] {
  const messages: Record<string, unknown>[] = [];
  for (const signer of signers) {
    try {
      messages.push(signerMessage(signer));
    } catch (error) {
      skipped(signer.partyId.slice(0, 64), error);
    }
  }
  return messages;
}

/** The reference's EpochSettingsMessage (its deprecated transactions signing config is not ours to give). */
export function epochSettingsMessage(response: proto.GetEpochSettingsResponse, skipped: SkippedSigner = () => {}): Record<string, unknown> {
  const settings = required(response.epochSettings, 'epoch_settings');
  return {
    epoch: settings.epoch,
    // Deprecated in the reference, still read by signers of its older versions.
    signer_registration_protocol: protocolParametersMessage(
      settings.signerRegistrationProtocolParameters,
      'epoch_settings.signer_registration_protocol_parameters',
    ),
    current_signers: renderableSigners(settings.currentSigners, skipped),
    next_signers: renderableSigners(settings.nextSigners, skipped),
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
