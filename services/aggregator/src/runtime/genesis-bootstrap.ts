/**
 * Genesis: the payload of the current epoch (what the offline ceremony signs, see
 * genesis-commands.ts), and the devnet's bootstrap that signs it on the spot when the chain has no
 * certificate (or a gap) and a genesis secret key was configured.
 */
import {
  createGenesisPayload,
  genesisPayloadBytes,
  importGenesisSignature,
  type Certificate,
  type GenesisPayload,
  type GenesisSigner,
  type Timestamp,
} from '@mithril-ts/protocol';
import type { EpochContext } from './epoch-context.js';
import { AggregatorError } from './errors.js';

/** The genesis payload of the context's epoch: the AVK of the signers recorded for it. */
export function genesisPayloadOf(context: EpochContext, network: string, timestamp: Timestamp): GenesisPayload {
  const { epoch, settings } = context;
  if (settings.nextSigners === undefined) {
    throw new AggregatorError('GENESIS', `no signer is recorded for epoch ${epoch}: a genesis certificate needs the AVK of the next signers`);
  }
  return createGenesisPayload({
    network,
    epoch,
    parameters: settings.currentParameters,
    nextParameters: settings.nextParameters,
    avk: settings.nextSigners.avk,
    timestamp,
  });
}

/** Devnet only: the genesis certificate of `payload`, signed with the configured genesis key. */
export function bootstrapGenesisCertificate(payload: GenesisPayload, signer: GenesisSigner): Certificate {
  return importGenesisSignature(payload, signer.sign(genesisPayloadBytes(payload)), signer.verificationKey());
}
