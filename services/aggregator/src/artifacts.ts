/** Artifacts the aggregator derives from its certificates and store. */
import { protocolParametersToProto, timestampToProto } from '@mithril-ts/proto';
import type * as proto from '@mithril-ts/proto';
import { mithrilStakeDistributionHash, type CertificateHead } from '@mithril-ts/protocol';
import type { AggregatorStore } from './store/index.js';

/**
 * The stake distribution a MithrilStakeDistribution certificate of epoch E certifies: the signers
 * recorded for E (they sign from E+1) with the parameters of E+1. Null once the registrations of
 * that epoch were pruned.
 */
export async function mithrilStakeDistributionArtifact(store: AggregatorStore, certificate: CertificateHead): Promise<proto.MithrilStakeDistribution | null> {
  const epoch = certificate.epoch;
  const [signers, parameters] = await Promise.all([store.signerRegistrations.list(epoch), store.epochSettings.get(epoch + 1n)]);
  if (signers.length === 0 || parameters === null) return null;
  return {
    epoch,
    hash: mithrilStakeDistributionHash(epoch, signers, parameters.protocolParameters),
    signers: signers.map((s) => ({ partyId: s.partyId, verificationKey: Buffer.from(s.verificationKey), stake: s.stake })),
    protocolParameters: protocolParametersToProto(parameters.protocolParameters),
    certificateHash: certificate.hash,
    createdAt: timestampToProto(certificate.metadata.sealedAt),
  };
}
