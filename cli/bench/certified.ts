/**
 * A certificate chain certifying a Cardano database Merkle root, built the way the network builds
 * it (the minimum of cli/test/support/fixture.ts, for any root): signers with real STM keys
 * recorded per epoch, a genesis certificate signed by a genesis key, then in the next epoch a
 * Mithril stake distribution certificate and the `CardanoDatabase(epoch, immutable file number)`
 * certificate whose multi-signature covers the root. The client verifies all of it, as in
 * production.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  GenesisSigner,
  ProtocolParametersSchedule,
  cardanoDatabase,
  createGenesisPayload,
  createStandardCertificate,
  encodeGenesisVerificationKey,
  epochProtocolMessage,
  epochSettings,
  genesisPayloadBytes,
  importGenesisSignature,
  mithrilStakeDistribution,
  previousCertificateFor,
  signedMessageBytes,
  type Certificate,
  type Epoch,
  type EpochSettings,
  type SignedEntityType,
  type SignerRecord,
} from '@mithril-ts/protocol';
import { Clerk, Initializer, type SingleSignature } from '@mithril-ts/stm';

const POOLS = ['pool-a', 'pool-b', 'pool-c', 'pool-d'];
const schedule = new ProtocolParametersSchedule([{ fromEpoch: 0n, parameters: { k: 5n, m: 30n, phiF: 0.65 } }]);
const bytesOf = (text: string) => new TextEncoder().encode(text);

export interface CertifiedRoot {
  /** The genesis verification key as the client takes it. */
  readonly genesisKey: string;
  readonly genesis: Certificate;
  /** Every certificate, genesis first. */
  readonly certificates: readonly Certificate[];
  /** The certificate of the Merkle root. */
  readonly certificate: Certificate;
}

interface Recording {
  readonly records: SignerRecord[];
  readonly initializers: Initializer[];
}

function record(epoch: Epoch): Recording {
  const parameters = schedule.at(epoch + 1n);
  const initializers = POOLS.map((_, pool) => Initializer.generate(parameters, BigInt(2_000_000 + pool * 700_000), sha256(bytesOf(`bench signer ${pool} ${epoch}`))));
  return { initializers, records: initializers.map((init, pool) => ({ partyId: POOLS[pool] as string, verificationKey: init.verificationKeyPoP.toBytes(), stake: init.stake })) };
}

/** Certifies `merkleRoot` as the Cardano database of `network` at `epoch`/`immutableFileNumber` (genesis one epoch before). */
export function certifyMerkleRoot(network: string, epoch: Epoch, immutableFileNumber: bigint, merkleRoot: string): CertifiedRoot {
  const genesisEpoch = epoch - 1n;
  const recordings = new Map<Epoch, Recording>();
  for (let e = genesisEpoch - 1n; e <= epoch; e += 1n) recordings.set(e, record(e));
  const settingsCache = new Map<Epoch, EpochSettings>();
  const settings = (e: Epoch): EpochSettings => {
    let cached = settingsCache.get(e);
    if (cached === undefined) {
      cached = epochSettings(e, schedule, (recorded) => recordings.get(recorded)?.records ?? []);
      settingsCache.set(e, cached);
    }
    return cached;
  };
  const genesisSigner = GenesisSigner.fromSecretKey(sha256(bytesOf('bench genesis key')));
  const payload = createGenesisPayload({
    network,
    epoch: genesisEpoch,
    parameters: schedule.at(genesisEpoch),
    nextParameters: schedule.at(epoch),
    avk: settings(genesisEpoch).nextSigners!.avk,
    timestamp: 1_700_000_000_000_000_000n,
  });
  const genesis = importGenesisSignature(payload, genesisSigner.sign(genesisPayloadBytes(payload)), genesisSigner.verificationKey());
  const certificates: Certificate[] = [genesis];
  const certify = (signedEntityType: SignedEntityType, parts: Record<string, string>, sealedAt: bigint): Certificate => {
    const message = epochProtocolMessage(settings(epoch));
    for (const [key, value] of Object.entries(parts)) message.set(key, value);
    const signerSet = settings(epoch).currentSigners!;
    const bytes = signedMessageBytes(message.signedMessage());
    const signatures = recordings
      .get(epoch - 1n)!
      .initializers.map((init) => init.newSigner(signerSet.closed).sign(bytes))
      .filter((signature): signature is SingleSignature => signature !== null);
    const multiSignature = new Clerk(signerSet.closed, schedule.at(epoch)).aggregate(signatures, bytes);
    const certificate = createStandardCertificate({
      previousHash: previousCertificateFor(certificates, epoch)!,
      epoch,
      signedEntityType,
      metadata: {
        network,
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
    certificates.push(certificate);
    return certificate;
  };
  const base = 1_700_000_000_000_000_000n + epoch * 432_000_000_000_000n;
  certify(mithrilStakeDistribution(epoch), {}, base + 60_000_000_000n);
  const certificate = certify(cardanoDatabase(epoch, immutableFileNumber), { cardano_database_merkle_root: merkleRoot }, base + 120_000_000_000n);
  return { genesisKey: encodeGenesisVerificationKey(genesisSigner.verificationKey()), genesis, certificates, certificate };
}
