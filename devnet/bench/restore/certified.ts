/**
 * A certificate chain certifying a Cardano database Merkle root, built the way the network builds
 * it (the testkit's `certifiedChain`, for any root): signers with real STM keys recorded per
 * epoch, a genesis certificate signed by a genesis key, then in the next epoch a Mithril stake
 * distribution certificate and the `CardanoDatabase(epoch, immutable file number)` certificate
 * whose multi-signature covers the root. The client verifies all of it, as in production.
 */
import {
  ProtocolParametersSchedule,
  cardanoDatabase,
  encodeGenesisVerificationKey,
  mithrilStakeDistribution,
  type Certificate,
  type Epoch,
} from '@mithril-ts/protocol';
import { certifiedChain } from '@mithril-ts/testkit';

const POOLS = ['pool-a', 'pool-b', 'pool-c', 'pool-d'];
const schedule = new ProtocolParametersSchedule([{ fromEpoch: 0n, parameters: { k: 5n, m: 30n, phiF: 0.65 } }]);

export interface CertifiedRoot {
  /** The genesis verification key as the client takes it. */
  readonly genesisKey: string;
  readonly genesis: Certificate;
  /** Every certificate, genesis first. */
  readonly certificates: readonly Certificate[];
  /** The certificate of the Merkle root. */
  readonly certificate: Certificate;
}

/** Certifies `merkleRoot` as the Cardano database of `network` at `epoch`/`immutableFileNumber` (genesis one epoch before). */
export function certifyMerkleRoot(network: string, epoch: Epoch, immutableFileNumber: bigint, merkleRoot: string): CertifiedRoot {
  const chain = certifiedChain({
    network,
    partyIds: POOLS,
    schedule,
    stakeAt: (_epoch, pool) => BigInt(2_000_000 + pool * 700_000),
    keyLabel: (pool, recorded) => `bench signer ${pool} ${recorded}`,
    genesisKeyLabel: 'bench genesis key',
    genesisEpoch: epoch - 1n,
    genesisTimestamp: 1_700_000_000_000_000_000n,
    lastEpoch: epoch,
  });
  const base = 1_700_000_000_000_000_000n + epoch * 432_000_000_000_000n;
  chain.certify(epoch, mithrilStakeDistribution(epoch), {}, base + 60_000_000_000n);
  const certificate = chain.certify(epoch, cardanoDatabase(epoch, immutableFileNumber), { cardano_database_merkle_root: merkleRoot }, base + 120_000_000_000n);
  return {
    genesisKey: encodeGenesisVerificationKey(chain.genesisSigner.verificationKey()),
    genesis: chain.genesis,
    certificates: chain.certificates,
    certificate,
  };
}
