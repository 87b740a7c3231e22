/**
 * What the aggregator knows about one epoch, computed once when it enters the epoch: the
 * parameters in force and announced (persisted the first time they are published, so a later
 * configuration change cannot rewrite what signers were told), the signer sets closed from the
 * registrations recorded for E−1 and E, and the stake distribution registrations of E are checked
 * against.
 */
import { KES_SIGNATURE_BYTES, operationalCertificateFromCbor, parsePoolId, type ChainObserver } from '@mithril-ts/cardano';
import { VerificationKeyPoP, findInvalidProofsOfPossession } from '@mithril-ts/stm';
import {
  ProtocolError,
  closeSignerSet,
  nextSignersEpoch,
  registrationStakeEpoch,
  signingSignersEpoch,
  type DecodedKeys,
  type Epoch,
  type EpochSettings,
  type ProtocolParameters,
  type ProtocolParametersSchedule,
  type SignerSet,
} from '@mithril-ts/protocol';
import type { AggregatorStore, SignerRegistrationRecord } from '../store/index.js';
import { AggregatorError } from './errors.js';

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
  /** Stored registrations left out of the signer sets (and of the epoch settings) because they cannot be used, with why. */
  readonly leftOut: readonly { readonly epoch: Epoch; readonly partyId: string; readonly reason: string }[];
}

/** Parameters published for `epoch`: the stored ones, else the schedule's (then stored; read-only: NOT_READY). */
async function publishedParameters(store: AggregatorStore, schedule: ProtocolParametersSchedule, epoch: Epoch, readOnly: boolean): Promise<ProtocolParameters> {
  const stored = await store.epochSettings.get(epoch);
  if (stored !== null) return stored.protocolParameters;
  // A follower serves what the leader published, never its own configuration's idea of it.
  if (readOnly) throw new AggregatorError('NOT_READY', `the parameters of epoch ${epoch} are not published yet`);
  const parameters = schedule.at(epoch);
  await store.epochSettings.save({ epoch, protocolParameters: parameters });
  return parameters;
}

/** The stake of the registration round of `epoch`, read from the chain once and kept in the store (read-only: the stored one, if any). */
async function registrationStakeOf(store: AggregatorStore, chain: ChainObserver, epoch: Epoch, readOnly: boolean): Promise<Map<string, bigint>> {
  const stakeEpoch = registrationStakeEpoch(epoch);
  const stored = await store.stakeDistributions.get(stakeEpoch);
  if (stored.length > 0 || readOnly) return new Map(stored.map(({ partyId, stake }) => [partyId, stake]));
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
export type SignerSetCache = Map<Epoch, { readonly records: number; readonly signers: UsableSigners }>;

/** The records of a recording epoch the signer set is closed from, the set, and what was left out. */
interface UsableSigners {
  readonly records: readonly SignerRegistrationRecord[];
  readonly set: SignerSet | undefined;
  readonly leftOut: readonly { readonly partyId: string; readonly reason: string }[];
}

/** Why a record cannot be served or signed with, or undefined when its evidence decodes (its key is checked when the set closes). */
function unusableEvidence(record: SignerRegistrationRecord): string | undefined {
  if (record.kesSignature !== null && record.kesSignature.length !== KES_SIGNATURE_BYTES) return 'the KES signature has the wrong size';
  if (record.operationalCertificate === null) return undefined;
  try {
    operationalCertificateFromCbor(record.operationalCertificate);
    return undefined;
  } catch (error) {
    return `the operational certificate does not decode: ${(error as Error).message}`;
  }
}

/**
 * Defence in depth: registrations are verified on arrival, but one stored row that does not decode
 * (written by an older version, or by hand) must not make the whole epoch unusable — no signer set,
 * and epoch settings nobody can read. Such rows are left out and reported; the others close.
 */
function usableSigners(records: readonly SignerRegistrationRecord[], keys: DecodedKeys | undefined): UsableSigners {
  const leftOut: { partyId: string; reason: string }[] = [];
  let usable = records.filter((record) => {
    const reason = unusableEvidence(record);
    if (reason !== undefined) leftOut.push({ partyId: record.partyId, reason });
    return reason === undefined;
  });
  const close = (signers: readonly SignerRegistrationRecord[]) =>
    signers.length === 0
      ? undefined
      : closeSignerSet(
          signers.map(({ partyId, verificationKey, stake }) => ({ partyId, verificationKey, stake })),
          keys,
        );
  try {
    return { records: usable, set: close(usable), leftOut };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
  }
  // Some key does not decode, is shared, or has a bad proof of possession: find every such one (the slow path).
  const seen = new Set<string>();
  const decoded: { record: SignerRegistrationRecord; key: VerificationKeyPoP }[] = [];
  for (const record of usable) {
    const hex = Buffer.from(record.verificationKey).toString('hex');
    let key: VerificationKeyPoP;
    try {
      key = VerificationKeyPoP.fromBytes(record.verificationKey);
    } catch (error) {
      leftOut.push({ partyId: record.partyId, reason: `the Mithril key does not decode: ${(error as Error).message}` });
      continue;
    }
    if (seen.has(hex)) {
      leftOut.push({ partyId: record.partyId, reason: 'the Mithril key is also registered by another party' });
      continue;
    }
    seen.add(hex);
    decoded.push({ record, key });
  }
  const invalid = new Set(findInvalidProofsOfPossession(decoded.map(({ key }) => key)));
  usable = decoded
    .filter(({ record }, i) => {
      if (invalid.has(i)) leftOut.push({ partyId: record.partyId, reason: 'the proof of possession does not verify' });
      return !invalid.has(i);
    })
    .map(({ record }) => record);
  return { records: usable, set: close(usable), leftOut };
}

function signerSetOf(
  recordingEpoch: Epoch,
  records: readonly SignerRegistrationRecord[],
  cache: SignerSetCache | undefined,
  keys: DecodedKeys | undefined,
): UsableSigners {
  const cached = cache?.get(recordingEpoch);
  if (cached !== undefined && cached.records === records.length) return cached.signers;
  const signers = usableSigners(records, keys);
  if (cache !== undefined) {
    cache.set(recordingEpoch, { records: records.length, signers });
    for (const epoch of cache.keys()) if (epoch < recordingEpoch - 2n) cache.delete(epoch);
  }
  return signers;
}

export async function loadEpochContext(
  store: AggregatorStore,
  chain: ChainObserver,
  schedule: ProtocolParametersSchedule,
  epoch: Epoch,
  cache?: SignerSetCache,
  /** A follower's view: nothing is written; what the leader has not published yet is NOT_READY. */
  options: { readonly readOnly?: boolean; readonly keys?: DecodedKeys } = {},
): Promise<EpochContext> {
  const readOnly = options.readOnly ?? false;
  const currentParameters = await publishedParameters(store, schedule, epoch, readOnly);
  const nextParameters = await publishedParameters(store, schedule, epoch + 1n, readOnly);
  const registrationParameters = await publishedParameters(store, schedule, epoch + 2n, readOnly);
  const signingEpoch = signingSignersEpoch(epoch);
  const current = signingEpoch === null ? undefined : signerSetOf(signingEpoch, await store.signerRegistrations.list(signingEpoch), cache, options.keys);
  const nextEpoch = nextSignersEpoch(epoch);
  const next = signerSetOf(nextEpoch, await store.signerRegistrations.list(nextEpoch), cache, options.keys);
  return {
    epoch,
    settings: {
      epoch,
      currentParameters,
      nextParameters,
      currentSigners: current?.set,
      nextSigners: next.set,
    },
    registrationParameters,
    currentRecords: current?.records ?? [],
    nextRecords: next.records,
    registrationStake: await registrationStakeOf(store, chain, epoch, readOnly),
    leftOut: [
      ...(current?.leftOut ?? []).map((entry) => ({ epoch: signingEpoch!, ...entry })),
      ...next.leftOut.map((entry) => ({ epoch: nextEpoch, ...entry })),
    ],
  };
}
