/**
 * Signer registrations in: checked by the acceptance rules of libs/protocol against what this
 * aggregator knows of the epoch, the key certification verified by the aggregator itself at its
 * own chain tip (key-certification.ts says why), the re-registration rules applied, the proof of
 * possession of the Mithril key verified (batched: registrations come in bursts), then recorded
 * for the next epoch. A refusal stores nothing and leaves the pool's registered key untouched.
 */
import { operationalCertificateFromCbor, type ChainObserver, type ChainTip } from '@mithril-ts/cardano';
import { checkSignerRegistration, type Epoch, type EpochKeyCache, type RegistrationRefusalCode } from '@mithril-ts/protocol';
import { type VerificationKeyPoP, findInvalidProofsOfPossession } from '@mithril-ts/stm';
import { MicroBatcher, singleFlight } from '@mithril-ts/service-kit';
import type { AcceptedRegistration, AggregatorStore, SignerRegistrationRecord } from '../store/index.js';
import type { EpochContext } from './epoch-context.js';
import { AggregatorError, type AggregatorErrorCode } from './errors.js';
import { certifyEvidence, checkCounter, type CertifiedEvidence } from './key-certification.js';

export interface RegisterSignerInput {
  readonly epoch: Epoch;
  readonly partyId: string;
  readonly verificationKey: Uint8Array;
  readonly kesSignature: Uint8Array | null;
  readonly operationalCertificate: Uint8Array | null;
  readonly kesEvolutions: number | null;
  /** What the certifier vouched for: only compared with what the aggregator finds itself. */
  readonly certified: { readonly partyId: string; readonly stake: bigint; readonly epoch: Epoch };
}

export interface RegistrationIntakeOptions {
  readonly store: AggregatorStore;
  /** The aggregator's own node: the tip the KES window is computed at. */
  readonly chain: ChainObserver;
  readonly slotsPerKesPeriod: bigint;
  /** Keys decoded here, kept for the signer-set close of their epoch (and for a signer retrying). */
  readonly keys?: EpochKeyCache;
}

/** The protocol's refusals as the aggregator reports them (the gRPC layer maps these to ErrorCodes). */
const REFUSALS: Record<RegistrationRefusalCode, AggregatorErrorCode> = {
  REGISTRATION_ROUND_NOT_OPEN: 'REGISTRATION_ROUND_NOT_OPEN',
  CERTIFICATION_MISMATCH: 'CERTIFICATION_MISMATCH',
  UNKNOWN_SIGNER: 'UNKNOWN_SIGNER',
  VERIFICATION_KEY_INVALID: 'VERIFICATION_KEY_INVALID',
};

/** How new a registration's evidence is: the opcert issue number first, then the KES period the key was signed at. */
interface Freshness {
  readonly issueNumber: bigint;
  readonly kesPeriod: bigint;
}

const newer = (a: Freshness, b: Freshness) => a.issueNumber > b.issueNumber || (a.issueNumber === b.issueNumber && a.kesPeriod > b.kesPeriod);

/** The freshness of a stored registration; undefined when it carries no decodable evidence (then any verified one supersedes it). */
function freshnessOf(record: SignerRegistrationRecord): Freshness | undefined {
  if (record.operationalCertificate === null || record.kesEvolutions === null) return undefined;
  try {
    const opcert = operationalCertificateFromCbor(record.operationalCertificate);
    return { issueNumber: opcert.issueNumber, kesPeriod: opcert.startKesPeriod + BigInt(record.kesEvolutions) };
  } catch {
    return undefined;
  }
}

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * What the re-registration rules read, for one recording epoch, loaded from the store once (two
 * queries) instead of three queries per registration. It stays true because this runtime is the
 * only writer of registrations while it holds the runtime lease (one per store; the state is
 * dropped when it gains the lease again, `forgetStoreState`), every change goes through
 * `#register` and is applied here once committed, and registrations of one party are decided one
 * after the other (`#queues`), so a party's state is never read while its own write is pending.
 */
interface RecordingEpochState {
  readonly epoch: Epoch;
  /** The registration recorded per party for this epoch. */
  readonly records: Map<string, SignerRegistrationRecord>;
  /** Key hex → the party holding it for this epoch, reserved from the decision on (see #register). */
  readonly owners: Map<string, string>;
  /** Party → the hex of the key it held for the epoch before (a key is fresh every epoch). */
  readonly previous: ReadonlyMap<string, string>;
}

export class RegistrationIntake {
  /** A proof of possession costs two pairings alone; registrations come in bursts, so they are checked in batches. */
  readonly #proofsOfPossession = new MicroBatcher<VerificationKeyPoP, boolean>({
    windowMs: 5,
    maxBatch: 512,
    process: (keys) => {
      const invalid = new Set(findInvalidProofsOfPossession(keys));
      return keys.map((_, i) => !invalid.has(i));
    },
  });
  /** Accepted registrations and their opcert counters, written in one transaction per batch. */
  readonly #writes: MicroBatcher<AcceptedRegistration, SignerRegistrationRecord>;
  /** Registrations of one party are decided one after the other: two racing ones cannot both pass the freshness rule. */
  readonly #queues = new Map<string, Promise<unknown>>();
  #state: Promise<RecordingEpochState> | undefined;
  /** The highest opcert issue number per pool (this runtime raises them; loaded once). */
  #counters: Promise<Map<string, bigint>> | undefined;
  /** One tip read shared by the registrations that need it at the same time (a file read or a node query each). */
  readonly #currentTip: () => Promise<ChainTip>;

  constructor(private readonly options: RegistrationIntakeOptions) {
    this.#currentTip = singleFlight(() => options.chain.currentTip());
    this.#writes = new MicroBatcher({ windowMs: 5, maxBatch: 512, process: (batch) => options.store.signerRegistrations.saveAccepted(batch) });
  }

  /** Records a registration for the next epoch, after checking it against the context of the current one. */
  register(context: EpochContext, input: RegisterSignerInput): Promise<SignerRegistrationRecord> {
    const previous = this.#queues.get(input.partyId) ?? Promise.resolve();
    const decided = previous.catch(() => undefined).then(() => this.#register(context, input));
    this.#queues.set(input.partyId, decided);
    void decided
      .catch(() => undefined)
      .finally(() => {
        if (this.#queues.get(input.partyId) === decided) this.#queues.delete(input.partyId);
      });
    return decided;
  }

  async #register(context: EpochContext, input: RegisterSignerInput): Promise<SignerRegistrationRecord> {
    const decision = checkSignerRegistration({ epoch: context.epoch, stake: context.registrationStake }, input, this.options.keys);
    if (!decision.accepted)
      throw new AggregatorError(REFUSALS[decision.code], decision.message, decision.cause === undefined ? undefined : { cause: decision.cause });
    const tip = await this.#currentTip();
    const evidence = certifyEvidence(input, tip.slot, this.options.slotsPerKesPeriod);
    const counters = await this.#loadCounters();
    checkCounter(counters.get(evidence.pool.hex), evidence.opcert);
    const state = await this.#stateOf(decision.recordingEpoch);
    const key = hexOf(input.verificationKey);
    const existing = state.records.get(input.partyId);
    if (existing !== undefined && hexOf(existing.verificationKey) === key) return existing;
    refuseReusedKey(state, input.partyId, key);
    if (existing !== undefined) refuseStale(existing, evidence);
    // Reserved now, before the awaits below: two parties offering one key at the same time cannot both pass the rule.
    state.owners.set(key, input.partyId);
    let record: SignerRegistrationRecord;
    try {
      if (!decision.popVerified && !(await this.#proofsOfPossession.submit(decision.verificationKey)))
        throw new AggregatorError('VERIFICATION_KEY_INVALID', 'the proof of possession of the Mithril key does not verify');
      record = await this.#writes.submit({
        registration: {
          epoch: decision.recordingEpoch,
          partyId: input.partyId,
          verificationKey: input.verificationKey,
          kesSignature: input.kesSignature,
          operationalCertificate: input.operationalCertificate,
          kesEvolutions: input.kesEvolutions,
          stake: decision.stake,
        },
        opcert: { poolIdHex: evidence.pool.hex, issueNumber: evidence.opcert.issueNumber },
      });
    } catch (error) {
      if (state.owners.get(key) === input.partyId) state.owners.delete(key);
      throw error;
    }
    // Committed: what the next decisions read.
    state.records.set(input.partyId, record);
    if (existing !== undefined && state.owners.get(hexOf(existing.verificationKey)) === input.partyId) state.owners.delete(hexOf(existing.verificationKey));
    const highest = counters.get(evidence.pool.hex);
    if (highest === undefined || evidence.opcert.issueNumber > highest) counters.set(evidence.pool.hex, evidence.opcert.issueNumber);
    // Recorded only once accepted and stored: the cache holds at most one key per party with stake and epoch.
    this.options.keys?.remember(decision.recordingEpoch, input.partyId, input.verificationKey, decision.verificationKey, true);
    return record;
  }

  /**
   * Drops the state loaded from the store, read again by the next registration. Called when this
   * runtime (re)gains the lease: the single-writer argument above holds only while it leads.
   */
  forgetStoreState(): void {
    this.#state = undefined;
    this.#counters = undefined;
  }

  #loadCounters(): Promise<Map<string, bigint>> {
    if (this.#counters === undefined) {
      const loading = this.options.store.opcertCounters.all();
      this.#counters = loading;
      // A failed read is tried again by the next registration.
      loading.catch(() => {
        if (this.#counters === loading) this.#counters = undefined;
      });
    }
    return this.#counters;
  }

  async #stateOf(recordingEpoch: Epoch): Promise<RecordingEpochState> {
    const current = this.#state;
    if (current !== undefined) {
      const state = await current.catch(() => undefined);
      if (state?.epoch === recordingEpoch) return state;
      if (this.#state !== current) return this.#stateOf(recordingEpoch);
    }
    const loading = this.#loadState(recordingEpoch);
    this.#state = loading;
    loading.catch(() => {
      if (this.#state === loading) this.#state = undefined;
    });
    return loading;
  }

  async #loadState(recordingEpoch: Epoch): Promise<RecordingEpochState> {
    const { signerRegistrations } = this.options.store;
    const [records, before] = await Promise.all([
      signerRegistrations.list(recordingEpoch),
      recordingEpoch > 0n ? signerRegistrations.list(recordingEpoch - 1n) : Promise.resolve([]),
    ]);
    return {
      epoch: recordingEpoch,
      records: new Map(records.map((record) => [record.partyId, record])),
      owners: new Map(records.map((record) => [hexOf(record.verificationKey), record.partyId])),
      previous: new Map(before.map((record) => [record.partyId, hexOf(record.verificationKey)])),
    };
  }
}

/**
 * A Mithril key is fresh per pool and epoch. The KES signature covers the key only, not the
 * epoch: without this rule the registration a pool made for the previous epoch could be replayed
 * for this one (the signer has erased that key's secret, so the pool could not sign). And two
 * pools with one key would make the epoch's signer set impossible to close.
 */
function refuseReusedKey(state: RecordingEpochState, partyId: string, key: string): void {
  const owner = state.owners.get(key);
  if (owner !== undefined && owner !== partyId) throw new AggregatorError('KEY_REUSED', `this Mithril key is already registered by ${owner}`);
  if (state.previous.get(partyId) === key) {
    throw new AggregatorError('KEY_REUSED', `${partyId} already registered this Mithril key for epoch ${state.epoch - 1n}: a key is fresh every epoch`);
  }
}

/**
 * A second registration of a pool for the same epoch replaces the first while the epoch's signer
 * set is open (registrations are only taken for the next epoch) when its evidence is strictly
 * newer: a higher opcert issue number, or the same certificate and a later KES period. A replay of
 * an old registration after the pool rotated its Mithril key is not newer, so it cannot bring the
 * old key back. (The price: a pool that changes its key twice within one KES period keeps the
 * first until the next period; signers make one key per epoch.)
 */
function refuseStale(existing: SignerRegistrationRecord, evidence: CertifiedEvidence): void {
  const stored = freshnessOf(existing);
  const offered = { issueNumber: evidence.opcert.issueNumber, kesPeriod: evidence.kesPeriod };
  if (stored !== undefined && !newer(offered, stored)) {
    throw new AggregatorError(
      'STALE_REGISTRATION',
      `${existing.partyId} is registered with evidence of opcert ${stored.issueNumber} at KES period ${stored.kesPeriod}; ` +
        `opcert ${offered.issueNumber} at KES period ${offered.kesPeriod} is not newer`,
    );
  }
}
