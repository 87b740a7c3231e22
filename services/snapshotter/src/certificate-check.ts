/**
 * What `CreateSnapshot` publishes must be what a certificate certifies. A snapshot record names a
 * certificate; clients find the snapshot through it and trust the archive because of it. Without
 * this check any caller could have the snapshotter build and publish an archive under a made-up
 * certificate hash (or a real one that certifies other files).
 *
 * The certificate comes from the aggregator, the authority that seals them, by hash; its content
 * is checked to hash to that hash (the adapter's job), then here to certify exactly the request:
 * a Cardano database on this network, at the request's epoch and immutable file number, with the
 * request's Merkle root. The multi-signature and the chain are not verified: the snapshotter trusts
 * its own aggregator (configured address; who may call CreateSnapshot at all is the transport's
 * business), and that aggregator verified the signatures when it sealed the certificate. So this
 * check stops a caller lying about which certificate certifies which files, not a lying aggregator.
 */
import type { CertificateHead } from '@mithril-ts/protocol';
import { SnapshotterError } from './errors.js';

/** Where certificates are found by hash (the aggregator). */
export interface CertificateLookup {
  /** The certificate whose content hashes to `hash`; undefined when there is none. Fails with CERTIFICATE_UNAVAILABLE when it cannot be asked. */
  certificate(hash: string): Promise<CertificateHead | undefined>;
  close?(): void;
}

export interface CertifiedDatabase {
  readonly certificateHash: string;
  readonly network: string;
  readonly epoch: bigint;
  readonly immutableFileNumber: bigint;
  /** The `cardano_database_merkle_root` the request says was certified. */
  readonly merkleRoot: string;
}

/** CERTIFICATE_MISMATCH unless the certificate `claim.certificateHash` certifies exactly `claim`; the metadata's "check" names what differs. */
export async function checkCertifiedDatabase(certificates: CertificateLookup, claim: CertifiedDatabase): Promise<void> {
  const certificate = await certificates.certificate(claim.certificateHash);
  const refuse = (check: string, message: string): never => {
    throw new SnapshotterError('CERTIFICATE_MISMATCH', message, { metadata: { check, certificate_hash: claim.certificateHash } });
  };
  if (certificate === undefined) return refuse('certificate', `no certificate has hash ${claim.certificateHash}`);
  if (certificate.hash !== claim.certificateHash)
    return refuse('certificate', `the aggregator answered certificate ${certificate.hash} for ${claim.certificateHash}`);
  const type = certificate.signedEntityType;
  if (type.kind !== 'CardanoDatabase')
    return refuse('signed_entity_type', `certificate ${claim.certificateHash} certifies a ${type.kind}, not a Cardano database`);
  if (certificate.metadata.network !== claim.network)
    return refuse('network', `certificate ${claim.certificateHash} is of network ${JSON.stringify(certificate.metadata.network.slice(0, 64))}`);
  if (type.epoch !== claim.epoch || type.immutableFileNumber !== claim.immutableFileNumber) {
    return refuse(
      'beacon',
      `certificate ${claim.certificateHash} certifies epoch ${type.epoch} immutable file ${type.immutableFileNumber}, not epoch ${claim.epoch} immutable file ${claim.immutableFileNumber}`,
    );
  }
  const root = certificate.protocolMessage.get('cardano_database_merkle_root');
  if (root !== claim.merkleRoot)
    return refuse(
      'cardano_database_merkle_root',
      `certificate ${claim.certificateHash} certifies another cardano_database_merkle_root than ${claim.merkleRoot}`,
    );
}
