/** Artifacts the aggregator derives from its certificates and store. */
import { protocolParametersToProto, timestampToProto } from '@mithril-ts/proto';
import type * as proto from '@mithril-ts/proto';
import {
  byPartyId,
  legacyMithrilStakeDistributionHash,
  mithrilStakeDistributionHash,
  stakeDistributionSignerPart,
  type CertificateHead,
} from '@mithril-ts/protocol';
import type { AggregatorStore } from './store/index.js';

/**
 * The stake distribution a MithrilStakeDistribution certificate of epoch E certifies: the signers
 * recorded for E (they sign from E+1) with the parameters of E+1. Null once the registrations of
 * that epoch were pruned.
 */
export async function mithrilStakeDistributionArtifact(store: AggregatorStore, certificate: CertificateHead): Promise<proto.MithrilStakeDistribution | null> {
  return (await mithrilStakeDistributionWithLegacyHash(store, certificate))?.artifact ?? null;
}

/**
 * The artifact and the hash this aggregator gave it before its hash matched the reference's. The
 * artifact is derived from the store on every read (its hash is stored nowhere), so nothing needs
 * migrating; a lookup by the old hash still finds it (a dual check), for links made before.
 */
export async function mithrilStakeDistributionWithLegacyHash(
  store: AggregatorStore,
  certificate: CertificateHead,
): Promise<{ artifact: proto.MithrilStakeDistribution; legacyHash: string } | null> {
  const epoch = certificate.epoch;
  const [registered, parameters] = await Promise.all([store.signerRegistrations.list(epoch), store.epochSettings.get(epoch + 1n)]);
  if (registered.length === 0 || parameters === null) return null;
  // Served and hashed in one order, so that the reference's in-order hash is reproducible from the artifact.
  const signers = byPartyId(registered);
  const artifact = {
    epoch,
    hash: mithrilStakeDistributionHash(epoch, signers.map(stakeDistributionSignerPart)),
    signers: signers.map((s) => ({ partyId: s.partyId, verificationKey: Buffer.from(s.verificationKey), stake: s.stake })),
    protocolParameters: protocolParametersToProto(parameters.protocolParameters),
    certificateHash: certificate.hash,
    createdAt: timestampToProto(certificate.metadata.sealedAt),
  };
  return { artifact, legacyHash: legacyMithrilStakeDistributionHash(epoch, signers, parameters.protocolParameters) };
}
