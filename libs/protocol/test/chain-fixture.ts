/**
 * A certificate chain produced the way the network produces it, for tests: pools with stake
 * that moves between epochs, fresh STM keys every epoch recorded one epoch ahead, a parameter
 * change taking effect mid-chain, a genesis certificate, then Mithril stake distribution and
 * Cardano database certificates every epoch, each linked to the epoch's master certificate.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { Clerk, Initializer, type AggregateSignature, type SingleSignature } from '@mithril-ts/stm';
import {
  GenesisSigner,
  ProtocolParametersSchedule,
  epochProtocolMessage,
  epochSettings,
  cardanoDatabase,
  createGenesisPayload,
  createStandardCertificate,
  genesisPayloadBytes,
  importGenesisSignature,
  mithrilStakeDistribution,
  previousCertificateFor,
  signedMessageBytes,
  type Certificate,
  type CertificateSource,
  type Epoch,
  type EpochSettings,
  type ProtocolMessage,
  type SignerRecord,
  type SignedEntityType,
} from '../src/index.js';

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

function ikm(pool: number, epoch: Epoch): Uint8Array {
  return sha256(new TextEncoder().encode(`chain fixture ${pool} ${epoch}`));
}

interface Recording {
  readonly records: SignerRecord[];
  readonly initializers: { readonly partyId: string; readonly init: Initializer }[];
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

/** Keys recorded for `recordingEpoch` (registered during the epoch before, with its stake), signing at `recordingEpoch + 1`. */
function record(recordingEpoch: Epoch): Recording {
  const params = schedule.at(recordingEpoch + 1n);
  const initializers = POOLS.map((partyId, pool) => ({
    partyId,
    init: Initializer.generate(params, stakeAt(recordingEpoch - 1n, pool), ikm(pool, recordingEpoch)),
  }));
  return {
    initializers,
    records: initializers.map(({ partyId, init }) => ({ partyId, verificationKey: init.verificationKeyPoP.toBytes(), stake: init.stake })),
  };
}

export function buildChain(options: { genesisEpoch?: Epoch; lastEpoch?: Epoch; databaseCertificatesPerEpoch?: number } = {}): ChainFixture {
  const genesisEpoch = options.genesisEpoch ?? 2n;
  const lastEpoch = options.lastEpoch ?? 13n;
  const perEpoch = options.databaseCertificatesPerEpoch ?? 1;
  const recordings = new Map<Epoch, Recording>();
  for (let e = genesisEpoch - 1n; e <= lastEpoch; e += 1n) recordings.set(e, record(e));

  const settingsCache = new Map<Epoch, EpochSettings>();
  const settings = (epoch: Epoch): EpochSettings => {
    let cached = settingsCache.get(epoch);
    if (cached === undefined) {
      cached = epochSettings(epoch, schedule, (e) => recordings.get(e)?.records ?? []);
      settingsCache.set(epoch, cached);
    }
    return cached;
  };
  const genesisSigner = GenesisSigner.fromSecretKey(sha256(new TextEncoder().encode('chain fixture genesis key')));
  const payload = createGenesisPayload({
    network: NETWORK,
    epoch: genesisEpoch,
    parameters: schedule.at(genesisEpoch),
    nextParameters: schedule.at(genesisEpoch + 1n),
    avk: settings(genesisEpoch).nextSigners!.avk,
    timestamp: 1_700_000_000_123_456_789n,
  });
  const genesis = importGenesisSignature(payload, genesisSigner.sign(genesisPayloadBytes(payload)), genesisSigner.verificationKey());
  const certificates: Certificate[] = [genesis];

  const multiSign = (epoch: Epoch, message: ProtocolMessage): AggregateSignature => {
    const signerSet = settings(epoch).currentSigners!;
    const bytes = signedMessageBytes(message.signedMessage());
    const signatures = recordings
      .get(epoch - 1n)!
      .initializers.map(({ init }) => init.newSigner(signerSet.closed).sign(bytes))
      .filter((s): s is SingleSignature => s !== null);
    return new Clerk(signerSet.closed, schedule.at(epoch)).aggregate(signatures, bytes);
  };

  const certify = (epoch: Epoch, signedEntityType: SignedEntityType, extraParts: Record<string, string>, sealedAt: bigint): Certificate => {
    const message = epochProtocolMessage(settings(epoch));
    for (const [key, value] of Object.entries(extraParts)) message.set(key, value);
    const multiSignature = multiSign(epoch, message);
    const signerSet = settings(epoch).currentSigners!;
    const previousHash = previousCertificateFor(certificates, epoch);
    if (previousHash === null) throw new Error('chain gap');
    return createStandardCertificate({
      previousHash,
      epoch,
      signedEntityType,
      metadata: {
        network: NETWORK,
        protocolVersion: '0.1.0',
        parameters: settings(epoch).currentParameters,
        initiatedAt: sealedAt - 5_000_000_000n,
        sealedAt,
        signers: multiSignature.signatures.map(({ signature, party }) => ({ partyId: signerSet.partyIdOf(signature.signerIndex), stake: party.stake })),
      },
      protocolMessage: message,
      aggregateVerificationKey: signerSet.avk,
      multiSignature,
    });
  };

  let immutableFileNumber = 100n;
  for (let e = genesisEpoch + 1n; e <= lastEpoch; e += 1n) {
    const base = 1_700_000_000_000_000_000n + e * 432_000_000_000_000n;
    certificates.push(certify(e, mithrilStakeDistribution(e), {}, base + 60_000_000_000n));
    for (let i = 0; i < perEpoch; i += 1) {
      immutableFileNumber += 3n;
      const root = bytesToHex(sha256(new TextEncoder().encode(`immutable db up to ${immutableFileNumber}`)));
      certificates.push(certify(e, cardanoDatabase(e, immutableFileNumber), { cardano_database_merkle_root: root }, base + BigInt(120 + i * 60) * 1_000_000_000n + 7n));
    }
  }
  const byHash = new Map(certificates.map((c) => [c.hash, c]));
  return {
    genesisSigner,
    certificates,
    byHash,
    recordings,
    settings,
    source: { getCertificate: async (hash) => byHash.get(hash) },
    latest: certificates[certificates.length - 1]!,
    multiSign,
  };
}
