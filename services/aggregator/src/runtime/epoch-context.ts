/**
 * What the aggregator knows about one epoch, computed once when it enters the epoch: the
 * parameters in force and announced (persisted the first time they are published, so a later
 * configuration change cannot rewrite what signers were told), the signer sets closed from the
 * registrations recorded for E−1 and E, and the stake distribution registrations of E are checked
 * against.
 */
import { parsePoolId, type ChainObserver } from '@mithril-ts/cardano';
import {
  closeSignerSet,
  nextSignersEpoch,
  registrationStakeEpoch,
  signingSignersEpoch,
  type Epoch,
  type EpochSettings,
  type ProtocolParameters,
  type ProtocolParametersSchedule,
  type SignerSet,
} from '@mithril-ts/protocol';
import type { AggregatorStore, SignerRegistrationRecord } from '../store/index.js';

export interface EpochContext {
  readonly epoch: Epoch;
  readonly settings: EpochSettings;
  /** Parameters a key registered during this epoch will sign with (those of epoch + 2). */
  readonly registrationParameters: ProtocolParameters;
  /** Registrations recorded for E−1 (they sign now) and for E (announced as next). */
  readonly currentRecords: readonly SignerRegistrationRecord[];
  readonly nextRecords: readonly SignerRegistrationRecord[];
  /** Stake per party (bech32) that registrations made during this epoch are checked against. */
  readonly registrationStake: ReadonlyMap<string, bigint>;
}

/** Parameters published for `epoch`: the stored ones, else the schedule's (then stored). */
async function publishedParameters(store: AggregatorStore, schedule: ProtocolParametersSchedule, epoch: Epoch): Promise<ProtocolParameters> {
  const stored = await store.epochSettings.get(epoch);
  if (stored !== null) return stored.protocolParameters;
  const parameters = schedule.at(epoch);
  await store.epochSettings.save({ epoch, protocolParameters: parameters });
  return parameters;
}

/** The stake of the registration round of `epoch`, read from the chain once and kept in the store. */
async function registrationStakeOf(store: AggregatorStore, chain: ChainObserver, epoch: Epoch): Promise<Map<string, bigint>> {
  const stakeEpoch = registrationStakeEpoch(epoch);
  const stored = await store.stakeDistributions.get(stakeEpoch);
  if (stored.length > 0) return new Map(stored.map(({ partyId, stake }) => [partyId, stake]));
  const observed = await chain.stakeDistribution(stakeEpoch);
  if (observed === undefined) return new Map();
  const entries = [...observed].filter(([, stake]) => stake > 0n).map(([hex, stake]) => ({ partyId: parsePoolId(hex).bech32, stake }));
  await store.stakeDistributions.save(stakeEpoch, entries);
  return new Map(entries.map(({ partyId, stake }) => [partyId, stake]));
}

/**
 * Closed signer sets by recording epoch. The signers recorded for E are final once E starts, and
 * the set announced as next during E is the current one during E+1: closing it once (a batched
 * PoP check, ~1 s for 3000 signers) serves both epochs.
 */
export type SignerSetCache = Map<Epoch, { readonly records: number; readonly set: SignerSet | undefined }>;

function signerSetOf(recordingEpoch: Epoch, records: readonly SignerRegistrationRecord[], cache: SignerSetCache | undefined): SignerSet | undefined {
  const cached = cache?.get(recordingEpoch);
  if (cached !== undefined && cached.records === records.length) return cached.set;
  const set = records.length === 0 ? undefined : closeSignerSet(records.map(({ partyId, verificationKey, stake }) => ({ partyId, verificationKey, stake })));
  if (cache !== undefined) {
    cache.set(recordingEpoch, { records: records.length, set });
    for (const epoch of cache.keys()) if (epoch < recordingEpoch - 2n) cache.delete(epoch);
  }
  return set;
}

export async function loadEpochContext(
  store: AggregatorStore,
  chain: ChainObserver,
  schedule: ProtocolParametersSchedule,
  epoch: Epoch,
  cache?: SignerSetCache,
): Promise<EpochContext> {
  const currentParameters = await publishedParameters(store, schedule, epoch);
  const nextParameters = await publishedParameters(store, schedule, epoch + 1n);
  const registrationParameters = await publishedParameters(store, schedule, epoch + 2n);
  const signingEpoch = signingSignersEpoch(epoch);
  const currentRecords = signingEpoch === null ? [] : await store.signerRegistrations.list(signingEpoch);
  const nextRecords = await store.signerRegistrations.list(nextSignersEpoch(epoch));
  return {
    epoch,
    settings: {
      epoch,
      currentParameters,
      nextParameters,
      currentSigners: signingEpoch === null ? undefined : signerSetOf(signingEpoch, currentRecords, cache),
      nextSigners: signerSetOf(nextSignersEpoch(epoch), nextRecords, cache),
    },
    registrationParameters,
    currentRecords,
    nextRecords,
    registrationStake: await registrationStakeOf(store, chain, epoch),
  };
}
