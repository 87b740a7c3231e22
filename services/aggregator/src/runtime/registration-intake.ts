/**
 * Signer registrations in: checked by the acceptance rules of libs/protocol against what this
 * aggregator knows of the epoch, the key certification verified by the aggregator itself at its
 * own chain tip (key-certification.ts says why), the re-registration rules applied, the proof of
 * possession of the Mithril key verified (batched: registrations come in bursts), then recorded
 * for the next epoch. A refusal stores nothing and leaves the pool's registered key untouched.
 */
import { operationalCertificateFromCbor, type ChainObserver } from '@mithril-ts/cardano';
import { checkSignerRegistration, type Epoch, type EpochKeyCache, type RegistrationRefusalCode } from '@mithril-ts/protocol';
import { type VerificationKeyPoP, findInvalidProofsOfPossession } from '@mithril-ts/stm';
import { MicroBatcher } from '@mithril-ts/service-kit';
import type { AggregatorStore, SignerRegistrationRecord } from '../store/index.js';
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
  /** Registrations of one party are decided one after the other: two racing ones cannot both pass the freshness rule. */
  readonly #queues = new Map<string, Promise<unknown>>();
  /** The Mithril keys recorded for the open recording epoch (hex → party), seeded from the store once per epoch. */
  #keys: { readonly epoch: Epoch; readonly owners: Map<string, string> } | undefined;

  constructor(private readonly options: RegistrationIntakeOptions) {}

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
    const { store } = this.options;
    const decision = checkSignerRegistration({ epoch: context.epoch, stake: context.registrationStake }, input, this.options.keys);
    if (!decision.accepted)
      throw new AggregatorError(REFUSALS[decision.code], decision.message, decision.cause === undefined ? undefined : { cause: decision.cause });
    const tip = await this.options.chain.currentTip();
    const evidence = certifyEvidence(input, tip.slot, this.options.slotsPerKesPeriod);
    checkCounter(await store.opcertCounters.highest(evidence.pool.hex), evidence.opcert);
    const existing = await store.signerRegistrations.get(decision.recordingEpoch, input.partyId);
    if (existing !== null && hexOf(existing.verificationKey) === hexOf(input.verificationKey)) return existing;
    await this.#refuseReusedKey(decision.recordingEpoch, input);
    if (existing !== null) refuseStale(existing, evidence);
    if (!decision.popVerified && !(await this.#proofsOfPossession.submit(decision.verificationKey)))
      throw new AggregatorError('VERIFICATION_KEY_INVALID', 'the proof of possession of the Mithril key does not verify');
    const record = await store.signerRegistrations.save({
      epoch: decision.recordingEpoch,
      partyId: input.partyId,
      verificationKey: input.verificationKey,
      kesSignature: input.kesSignature,
      operationalCertificate: input.operationalCertificate,
      kesEvolutions: input.kesEvolutions,
      stake: decision.stake,
    });
    await store.opcertCounters.record(evidence.pool.hex, evidence.opcert.issueNumber);
    const owners = await this.#ownersOf(decision.recordingEpoch);
    if (existing !== null) owners.delete(hexOf(existing.verificationKey));
    owners.set(hexOf(input.verificationKey), input.partyId);
    // Recorded only once accepted and stored: the cache holds at most one key per party with stake and epoch.
    this.options.keys?.remember(decision.recordingEpoch, input.partyId, input.verificationKey, decision.verificationKey, true);
    return record;
  }

  /**
   * A Mithril key is fresh per pool and epoch. The KES signature covers the key only, not the
   * epoch: without this rule the registration a pool made for the previous epoch could be replayed
   * for this one (the signer has erased that key's secret, so the pool could not sign). And two
   * pools with one key would make the epoch's signer set impossible to close.
   */
  async #refuseReusedKey(recordingEpoch: Epoch, input: RegisterSignerInput): Promise<void> {
    const key = hexOf(input.verificationKey);
    const owner = (await this.#ownersOf(recordingEpoch)).get(key);
    if (owner !== undefined && owner !== input.partyId) throw new AggregatorError('KEY_REUSED', `this Mithril key is already registered by ${owner}`);
    const before = recordingEpoch > 0n ? await this.options.store.signerRegistrations.get(recordingEpoch - 1n, input.partyId) : null;
    if (before !== null && hexOf(before.verificationKey) === key) {
      throw new AggregatorError('KEY_REUSED', `${input.partyId} already registered this Mithril key for epoch ${before.epoch}: a key is fresh every epoch`);
    }
  }

  async #ownersOf(recordingEpoch: Epoch): Promise<Map<string, string>> {
    if (this.#keys?.epoch !== recordingEpoch) {
      const records = await this.options.store.signerRegistrations.list(recordingEpoch);
      this.#keys = { epoch: recordingEpoch, owners: new Map(records.map((record) => [hexOf(record.verificationKey), record.partyId])) };
    }
    return this.#keys.owners;
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
