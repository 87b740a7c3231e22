/**
 * A certificate chain produced the way the network produces it, for tests: pools with stake
 * that moves between epochs, fresh STM keys every epoch recorded one epoch ahead, a parameter
 * change taking effect mid-chain, a genesis certificate, then Mithril stake distribution and
 * Cardano database certificates every epoch, each linked to the epoch's master certificate.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { AggregateSignature } from '@mithril-ts/stm';
import {
  ProtocolParametersSchedule,
  cardanoDatabase,
  mithrilStakeDistribution,
  type Certificate,
  type CertificateSource,
  type Epoch,
  type EpochSettings,
  type GenesisSigner,
  type ProtocolMessage,
} from '@mithril-ts/protocol';
import { certifiedChain, type Recording } from './certified-chain.js';

export const NETWORK = 'devnet';
const POOLS = ['pool-a', 'pool-b', 'pool-c', 'pool-d', 'pool-e', 'pool-f'];

export const schedule = new ProtocolParametersSchedule([
  { fromEpoch: 0n, parameters: { k: 8n, m: 40n, phiF: 0.6 } },
  { fromEpoch: 8n, parameters: { k: 10n, m: 50n, phiF: 0.65 } },
]);

/** Stake of each pool read at `epoch`: delegation moves a little every epoch. */
export function stakeAt(epoch: Epoch, pool: number): bigint {
  return BigInt(1_000_000 + pool * 400_000) + BigInt(((Number(epoch) * 7 + pool * 13) % 11) * 150_000);
}

export interface ChainFixture {
  readonly genesisSigner: GenesisSigner;
  readonly certificates: Certificate[];
  readonly byHash: Map<string, Certificate>;
  readonly recordings: Map<Epoch, Recording>;
  /** The epoch settings every node derives (cached per epoch). */
  readonly settings: (epoch: Epoch) => EpochSettings;
  readonly source: CertificateSource;
  readonly latest: Certificate;
  /** Signs a protocol message with the signers of `epoch` and returns the multi-signature. */
  readonly multiSign: (epoch: Epoch, message: ProtocolMessage) => AggregateSignature;
}

export function buildChain(options: { genesisEpoch?: Epoch; lastEpoch?: Epoch; databaseCertificatesPerEpoch?: number } = {}): ChainFixture {
  const genesisEpoch = options.genesisEpoch ?? 2n;
  const lastEpoch = options.lastEpoch ?? 13n;
  const perEpoch = options.databaseCertificatesPerEpoch ?? 1;
  const chain = certifiedChain({
    network: NETWORK,
    partyIds: POOLS,
    schedule,
    stakeAt,
    keyLabel: (pool, epoch) => `chain fixture ${pool} ${epoch}`,
    genesisKeyLabel: 'chain fixture genesis key',
    genesisEpoch,
    genesisTimestamp: 1_700_000_000_123_456_789n,
    lastEpoch,
  });

  let immutableFileNumber = 100n;
  for (let e = genesisEpoch + 1n; e <= lastEpoch; e += 1n) {
    const base = 1_700_000_000_000_000_000n + e * 432_000_000_000_000n;
    chain.certify(e, mithrilStakeDistribution(e), {}, base + 60_000_000_000n);
    for (let i = 0; i < perEpoch; i += 1) {
      immutableFileNumber += 3n;
      const root = bytesToHex(sha256(new TextEncoder().encode(`immutable db up to ${immutableFileNumber}`)));
      chain.certify(e, cardanoDatabase(e, immutableFileNumber), { cardano_database_merkle_root: root }, base + BigInt(120 + i * 60) * 1_000_000_000n + 7n);
    }
  }
  const { certificates } = chain;
  const byHash = new Map(certificates.map((c) => [c.hash, c]));
  return {
    genesisSigner: chain.genesisSigner,
    certificates,
    byHash,
    recordings: chain.recordings,
    settings: chain.settings,
    source: { getCertificate: async (hash) => byHash.get(hash) },
    latest: certificates[certificates.length - 1]!,
    multiSign: chain.multiSign,
  };
}
