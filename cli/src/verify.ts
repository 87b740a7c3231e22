/**
 * What the client checks before it believes anything: the certificate chain back to the genesis
 * key, that the certificate signs this very artifact, and that the digests list is the one
 * whose Merkle root was signed. Everything here is a pure decision over fetched data.
 */
import { cardanoDatabaseMerkleRoot } from '@mithril-ts/cardano';
import {
  CertificateChainVerifier,
  avkJsonHex,
  cardanoDatabase,
  cardanoDatabaseSnapshotHash,
  closeSignerSet,
  legacyMithrilStakeDistributionHash,
  mithrilStakeDistribution,
  mithrilStakeDistributionHash,
  protocolParametersHash,
  ProtocolError,
  type Certificate,
  type ChainVerificationResult,
} from '@mithril-ts/protocol';
import type { AggregatorClient, CardanoDatabaseSnapshot, ImmutableFileDigest, StakeDistribution } from './aggregator/port.js';
import { immutableFileNumberOf } from './aggregator/decode.js';
import { verificationFailed } from './errors.js';

export interface VerifiedChain {
  /** The certificate asked for, verified. */
  readonly certificate: Certificate;
  readonly chain: ChainVerificationResult;
}

export async function verifyCertificateChain(client: AggregatorClient, genesisVerificationKey: Uint8Array, hash: string): Promise<VerifiedChain> {
  const chain = await new CertificateChainVerifier(genesisVerificationKey).verifyChain(hash, client);
  return { certificate: chain.verified[0]!, chain };
}

/** The snapshot's hash is its own (epoch, root), and a verified certificate signs exactly that root at that beacon. */
export async function verifyCertifiedSnapshot(
  client: AggregatorClient,
  genesisVerificationKey: Uint8Array,
  snapshot: CardanoDatabaseSnapshot,
): Promise<VerifiedChain> {
  let expectedHash: string;
  try {
    expectedHash = cardanoDatabaseSnapshotHash(snapshot.beacon.epoch, snapshot.merkleRoot);
  } catch (cause) {
    throw verificationFailed('SNAPSHOT_HASH_MISMATCH', `snapshot ${snapshot.hash}: ${(cause as Error).message}`, cause);
  }
  if (expectedHash !== snapshot.hash) {
    throw verificationFailed('SNAPSHOT_HASH_MISMATCH', `snapshot ${snapshot.hash} is not the hash of its epoch and Merkle root (expected ${expectedHash})`);
  }
  const verifier = new CertificateChainVerifier(genesisVerificationKey);
  const chain = await verifier.verifyChain(snapshot.certificateHash, client);
  const certificate = chain.verified[0]!;
  try {
    verifier.assertCertifies(certificate, {
      signedEntityType: cardanoDatabase(snapshot.beacon.epoch, snapshot.beacon.immutableFileNumber),
      parts: { cardano_database_merkle_root: snapshot.merkleRoot },
    });
  } catch (cause) {
    if (cause instanceof ProtocolError)
      throw verificationFailed('CERTIFICATE_DOES_NOT_CERTIFY_SNAPSHOT', `the certificate does not certify snapshot ${snapshot.hash}: ${cause.message}`, cause);
    throw cause;
  }
  return { certificate, chain };
}

/**
 * The digests list is the certified one (its Merkle root, over the list in its order, is the
 * signed root) and names only files up to the beacon. Returns the entries by immutable file number.
 */
export function verifyDigestsList(digests: readonly ImmutableFileDigest[], snapshot: CardanoDatabaseSnapshot): Map<bigint, ImmutableFileDigest[]> {
  if (digests.length === 0) throw verificationFailed('MERKLE_ROOT_MISMATCH', 'the digests list is empty');
  const root = cardanoDatabaseMerkleRoot(digests.map((entry) => entry.digest));
  if (root !== snapshot.merkleRoot) {
    throw verificationFailed(
      'MERKLE_ROOT_MISMATCH',
      `the digests list does not match the certified Merkle root (computed ${root}, certified ${snapshot.merkleRoot})`,
    );
  }
  const byNumber = new Map<bigint, ImmutableFileDigest[]>();
  for (const entry of digests) {
    const number = immutableFileNumberOf(entry.name);
    if (number > snapshot.beacon.immutableFileNumber) {
      throw verificationFailed(
        'DIGESTS_BEYOND_BEACON',
        `the digests list names ${entry.name}, beyond the certified immutable file number ${snapshot.beacon.immutableFileNumber}`,
      );
    }
    const group = byNumber.get(number);
    if (group === undefined) byNumber.set(number, [entry]);
    else group.push(entry);
  }
  return byNumber;
}

/**
 * A Mithril stake distribution is certified by the MithrilStakeDistribution certificate of its
 * epoch: its signers' AVK is the certificate's announced next AVK, its parameters the announced
 * next parameters, and its hash is its own.
 */
export async function verifyStakeDistribution(
  client: AggregatorClient,
  genesisVerificationKey: Uint8Array,
  distribution: StakeDistribution,
): Promise<VerifiedChain> {
  // The hash only names the artifact (the certificate check below is what verifies its content),
  // so the name this implementation's aggregators gave before they matched the reference is
  // accepted too: both are over every signer's party id, key and stake.
  const expectedHash = mithrilStakeDistributionHash(distribution.epoch, distribution.hashParts);
  if (
    expectedHash !== distribution.hash &&
    legacyMithrilStakeDistributionHash(distribution.epoch, distribution.signers, distribution.parameters) !== distribution.hash
  ) {
    throw verificationFailed(
      'STAKE_DISTRIBUTION_HASH_MISMATCH',
      `stake distribution ${distribution.hash} is not the hash of its epoch and signers (expected ${expectedHash})`,
    );
  }
  const verifier = new CertificateChainVerifier(genesisVerificationKey);
  const chain = await verifier.verifyChain(distribution.certificateHash, client);
  const certificate = chain.verified[0]!;
  let avk: string;
  try {
    avk = avkJsonHex(closeSignerSet(distribution.signers).avk);
  } catch (cause) {
    throw verificationFailed('INVALID_SIGNER', `stake distribution ${distribution.hash}: ${(cause as Error).message}`, cause);
  }
  try {
    verifier.assertCertifies(certificate, {
      signedEntityType: mithrilStakeDistribution(distribution.epoch),
      parts: { next_aggregate_verification_key: avk, next_protocol_parameters: protocolParametersHash(distribution.parameters) },
    });
  } catch (cause) {
    if (cause instanceof ProtocolError)
      throw verificationFailed(
        'CERTIFICATE_DOES_NOT_CERTIFY_STAKE_DISTRIBUTION',
        `the certificate does not certify stake distribution ${distribution.hash}: ${cause.message}`,
        cause,
      );
    throw cause;
  }
  return { certificate, chain };
}
