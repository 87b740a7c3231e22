/**
 * The machinery of a certificate chain produced the way the network produces it: pools with
 * stake, fresh STM keys every epoch recorded one epoch ahead, a genesis certificate signed by a
 * genesis key announcing the first signers, then standard certificates sealed with real
 * multi-signatures, each linked to the epoch's master certificate. What a fixture changes (the
 * pools, their stake, the parameter schedule, the seeds, the genesis time) is its `ChainSetup`;
 * which certificates follow the genesis one is up to the fixture (`certify`).
 */
import { Clerk, Initializer, type AggregateSignature, type SingleSignature } from '@mithril-ts/stm';
import {
  GenesisSigner,
  createGenesisPayload,
  createStandardCertificate,
  epochProtocolMessage,
  epochSettings,
  genesisPayloadBytes,
  importGenesisSignature,
  previousCertificateFor,
  signedMessageBytes,
  type Certificate,
  type Epoch,
  type EpochSettings,
  type ProtocolMessage,
  type ProtocolParametersSchedule,
  type CertifiedEntityType,
  type SignerRecord,
} from '@mithril-ts/protocol';
import { seedOf } from './seed.js';

export interface ChainSetup {
  readonly network: string;
  /** The party id of each pool, in pool order. */
  readonly partyIds: readonly string[];
  readonly schedule: ProtocolParametersSchedule;
  /** Stake of pool `pool` read at `epoch` (a key recorded at epoch e carries the stake read at e - 1). */
  readonly stakeAt: (epoch: Epoch, pool: number) => bigint;
  /** The label whose hash seeds pool `pool`'s STM key recorded at `epoch`. */
  readonly keyLabel: (pool: number, epoch: Epoch) => string;
  /** The label whose hash is the genesis secret key. */
  readonly genesisKeyLabel: string;
  readonly genesisEpoch: Epoch;
  /** The genesis payload's timestamp (nanoseconds). */
  readonly genesisTimestamp: bigint;
  /** The last epoch whose signers are recorded (keys are recorded from `genesisEpoch - 1`). */
  readonly lastEpoch: Epoch;
}

export interface Recording {
  readonly records: SignerRecord[];
  readonly initializers: { readonly partyId: string; readonly init: Initializer }[];
}

export interface CertifiedChain {
  readonly genesisSigner: GenesisSigner;
  readonly genesis: Certificate;
  /** Every certificate sealed so far, genesis first (`certify` appends). */
  readonly certificates: Certificate[];
  readonly recordings: Map<Epoch, Recording>;
  /** The epoch settings every node derives (cached per epoch). */
  readonly settings: (epoch: Epoch) => EpochSettings;
  /** Signs a protocol message with the signers of `epoch` and returns the multi-signature. */
  readonly multiSign: (epoch: Epoch, message: ProtocolMessage) => AggregateSignature;
  /** Seals the certificate of `signedEntityType` at `epoch` (the epoch's protocol message plus `extraParts`) and appends it. */
  readonly certify: (epoch: Epoch, signedEntityType: CertifiedEntityType, extraParts: Record<string, string>, sealedAt: bigint) => Certificate;
}

/** Keys recorded for `recordingEpoch` (registered during the epoch before, with its stake), signing at `recordingEpoch + 1`. */
function record(setup: ChainSetup, recordingEpoch: Epoch): Recording {
  const params = setup.schedule.at(recordingEpoch + 1n);
  const initializers = setup.partyIds.map((partyId, pool) => ({
    partyId,
    init: Initializer.generate(params, setup.stakeAt(recordingEpoch - 1n, pool), seedOf(setup.keyLabel(pool, recordingEpoch))),
  }));
  return {
    initializers,
    records: initializers.map(({ partyId, init }) => ({ partyId, verificationKey: init.verificationKeyPoP.toBytes(), stake: init.stake })),
  };
}

/** The genesis certificate of `setup` and what seals the certificates after it. */
export function certifiedChain(setup: ChainSetup): CertifiedChain {
  const { network, schedule, genesisEpoch } = setup;
  const recordings = new Map<Epoch, Recording>();
  for (let e = genesisEpoch - 1n; e <= setup.lastEpoch; e += 1n) recordings.set(e, record(setup, e));

  const settingsCache = new Map<Epoch, EpochSettings>();
  const settings = (epoch: Epoch): EpochSettings => {
    let cached = settingsCache.get(epoch);
    if (cached === undefined) {
      cached = epochSettings(epoch, schedule, (e) => recordings.get(e)?.records ?? []);
      settingsCache.set(epoch, cached);
    }
    return cached;
  };
  const genesisSigner = GenesisSigner.fromSecretKey(seedOf(setup.genesisKeyLabel));
  const payload = createGenesisPayload({
    network,
    epoch: genesisEpoch,
    parameters: schedule.at(genesisEpoch),
    nextParameters: schedule.at(genesisEpoch + 1n),
    avk: settings(genesisEpoch).nextSigners!.avk,
    timestamp: setup.genesisTimestamp,
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

  const certify = (epoch: Epoch, signedEntityType: CertifiedEntityType, extraParts: Record<string, string>, sealedAt: bigint): Certificate => {
    const message = epochProtocolMessage(settings(epoch));
    for (const [key, value] of Object.entries(extraParts)) message.set(key, value);
    const multiSignature = multiSign(epoch, message);
    const signerSet = settings(epoch).currentSigners!;
    const previousHash = previousCertificateFor(certificates, epoch);
    if (previousHash === null) throw new Error('chain gap');
    const certificate = createStandardCertificate({
      previousHash,
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

  return { genesisSigner, genesis, certificates, recordings, settings, multiSign, certify };
}
