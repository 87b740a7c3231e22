/**
 * The aggregator's epoch runtime: it follows the chain (one `tick` per run interval), enters each
 * new epoch (stake, parameters, signer sets, chain check), opens a message for what there is to
 * sign, takes single signatures, and seals a certificate when a message reaches its quorum.
 * Everything durable goes through the store first, so a restart resumes the round it left.
 */
import { EventEmitter } from 'node:events';
import type { ChainObserver, ImmutableDigester } from '@mithril-ts/cardano';
import {
  ProtocolMessage,
  cardanoDatabase,
  createGenesisPayload,
  genesisPayloadBytes,
  importGenesisSignature,
  mithrilStakeDistribution,
  registrationRecordingEpoch,
  signedEntityProtocolMessage,
  timestampFromDate,
  type Certificate,
  type Epoch,
  type GenesisSigner,
  type ProtocolParametersSchedule,
  type SignedEntityKind,
  type SignedEntityType,
  type Timestamp,
} from '@mithril-ts/protocol';
import { StmError, VerificationKeyPoP, findInvalidProofsOfPossession, singleSignatureFromBytes, type SingleSignature } from '@mithril-ts/stm';
import { MicroBatcher, type Logger } from '@mithril-ts/service-kit';
import { certificateRecordOf, type AddSingleSignatureResult, type AggregatorStore, type NewSingleSignature, type OpenMessageRecord, type SignerRegistrationRecord } from '../store/index.js';
import { certifyRound, claimedIndexes } from './certification.js';
import { loadEpochContext, type EpochContext, type SignerSetCache } from './epoch-context.js';
import { AggregatorError } from './errors.js';
import { describeState, type AggregatorState } from './state.js';

export interface AggregatorRuntimeOptions {
  readonly store: AggregatorStore;
  readonly chain: ChainObserver;
  /** The immutable database of the aggregator's own node. */
  readonly immutableDatabase: ImmutableDigester;
  readonly schedule: ProtocolParametersSchedule;
  readonly network: string;
  readonly signedEntityKinds: readonly SignedEntityKind[];
  /** Epochs of per-epoch state kept (registrations, stake, messages, signatures); certificates stay. */
  readonly retentionEpochs: bigint;
  /** Consecutive failed ticks after which the runtime stops in the `broken` state. */
  readonly maxConsecutiveErrors: number;
  /** Devnet only: sign a genesis certificate automatically when the chain has none (or has a gap). */
  readonly bootstrapGenesisSigner?: GenesisSigner;
  readonly logger: Logger;
  /** Nanoseconds since 1970 (certificates carry nanosecond timestamps). */
  readonly now?: () => Timestamp;
}

export interface RegisterSignerInput {
  readonly epoch: Epoch;
  readonly partyId: string;
  readonly verificationKey: Uint8Array;
  readonly kesSignature: Uint8Array | null;
  readonly operationalCertificate: Uint8Array | null;
  readonly kesEvolutions: number | null;
  /** What the certifier vouched for. */
  readonly certified: { readonly partyId: string; readonly stake: bigint; readonly epoch: Epoch };
}

export interface RegisterSignatureInput {
  readonly signedEntityType: SignedEntityType;
  readonly partyId: string;
  readonly signature: Uint8Array;
  /** The message the signer says it signed (64 hex); empty when not given. */
  readonly signedMessage: string;
}

export type RegisterSignatureOutcome = 'accepted' | 'already-registered';

export interface AggregatorRuntimeEvents {
  state: [AggregatorState];
  epoch: [EpochContext];
  registration: [SignerRegistrationRecord];
  signature: [{ readonly signedEntityType: SignedEntityType; readonly partyId: string; readonly indexes: number }];
  'message-opened': [OpenMessageRecord];
  certificate: [Certificate];
  error: [unknown];
}

const MAX_SIGNATURE_BYTES = 64 * 1024;

/**
 * What the runtime keeps in memory about an open message while its round runs, so that a
 * signature costs one decode and a share of a batched write, not a re-read of the round:
 * the lottery indexes claimed so far (seeded once from the store, e.g. after a restart, and
 * merged with what arrives) and the signatures decoded on receipt (reused by the aggregation).
 */
interface RoundState {
  readonly claimed: Set<bigint>;
  readonly decoded: Map<string, SingleSignature>;
  seeded: Promise<void> | undefined;
}

/** An open message as signatures are checked against it: its protocol message parsed once. */
interface OpenRound {
  readonly message: OpenMessageRecord;
  readonly signedMessage: string;
}

export class AggregatorRuntime extends EventEmitter<AggregatorRuntimeEvents> {
  #state: AggregatorState = { kind: 'idle' };
  #context: EpochContext | undefined;
  readonly #signerSets: SignerSetCache = new Map();
  #consecutiveErrors = 0;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  /** One aggregation at a time per open message; a request during one runs once more after it. */
  readonly #aggregations = new Map<string, { running: Promise<void>; again: boolean }>();
  readonly #now: () => Timestamp;
  /** A proof of possession costs two pairings alone; registrations come in bursts, so they are checked in batches. */
  readonly #proofsOfPossession = new MicroBatcher<VerificationKeyPoP, boolean>({
    windowMs: 5,
    maxBatch: 512,
    process: (keys) => {
      const invalid = new Set(findInvalidProofsOfPossession(keys));
      return keys.map((_, i) => !invalid.has(i));
    },
  });

  /** Signatures come in bursts of thousands: they are written in batches, one transaction each. */
  readonly #signatureWrites = new MicroBatcher<NewSingleSignature, AddSingleSignatureResult>({
    windowMs: 5,
    maxBatch: 512,
    process: (signatures) => this.options.store.openMessages.addSingleSignatures(signatures),
  });
  readonly #rounds = new Map<string, RoundState>();
  /** Open messages by signed entity type; an entry is dropped when its message is certified or expires. */
  readonly #openRounds = new Map<string, OpenRound>();

  constructor(private readonly options: AggregatorRuntimeOptions) {
    super();
    this.#now = options.now ?? (() => timestampFromDate(new Date()));
  }

  get state(): AggregatorState {
    return this.#state;
  }

  /** The context of the current epoch; NOT_READY before the first epoch is entered. */
  get context(): EpochContext {
    if (this.#context === undefined) throw new AggregatorError('NOT_READY', 'the aggregator has not read the chain yet');
    return this.#context;
  }

  start(intervalMs: number): void {
    if (this.#timer !== undefined) return;
    const loop = async () => {
      await this.tick();
      if (this.#timer !== undefined && this.#state.kind !== 'broken') this.#timer = setTimeout(loop, intervalMs);
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#tick;
    await this.#signatureWrites.drain();
    await Promise.all([...this.#aggregations.values()].map(({ running }) => running));
  }

  /** One cycle; never throws (failures count towards the breaker and are reported as `error` events). */
  tick(): Promise<void> {
    this.#tick ??= this.#cycle().finally(() => {
      this.#tick = undefined;
    });
    return this.#tick;
  }

  async #cycle(): Promise<void> {
    if (this.#state.kind === 'broken') return;
    try {
      const tip = await this.options.chain.currentTip();
      if (this.#context === undefined || tip.epoch > this.#context.epoch) await this.#enterEpoch(tip.epoch);
      await this.#checkChain();
      if (this.#state.kind === 'ready' || this.#state.kind === 'signing') {
        await this.#openMessages();
        await this.#retryAggregations();
      }
      this.#consecutiveErrors = 0;
    } catch (error) {
      this.#consecutiveErrors += 1;
      this.options.logger.error({ err: error, consecutive: this.#consecutiveErrors }, 'aggregator cycle failed');
      if (this.listenerCount('error') > 0) this.emit('error', error);
      if (this.#consecutiveErrors >= this.options.maxConsecutiveErrors) {
        this.#setState({ kind: 'broken', error: `${this.#consecutiveErrors} consecutive failures, last: ${(error as Error).message}` });
      }
    }
  }

  #setState(state: AggregatorState): void {
    const changed = describeState(state) !== describeState(this.#state);
    this.#state = state;
    if (changed) {
      this.options.logger.info({ state: describeState(state) }, 'aggregator state');
      this.emit('state', state);
    }
  }

  async #enterEpoch(epoch: Epoch): Promise<void> {
    const { store, logger } = this.options;
    this.#setState({ kind: 'idle' });
    this.#openRounds.clear();
    this.#rounds.clear();
    // Messages of past epochs can no longer be certified (their signers have changed).
    for (const message of await store.openMessages.list()) {
      if (message.epoch < epoch) await store.openMessages.markExpired(message.id);
    }
    const context = await loadEpochContext(store, this.options.chain, this.options.schedule, epoch, this.#signerSets);
    this.#context = context;
    if (epoch >= this.options.retentionEpochs) {
      const pruned = await store.prune({ currentEpoch: epoch, epochsToKeep: this.options.retentionEpochs });
      logger.debug({ pruned }, 'pruned old epochs');
    }
    logger.info(
      { epoch: String(epoch), currentSigners: context.currentRecords.length, nextSigners: context.nextRecords.length, parameters: String(context.settings.currentParameters.k) },
      'entered epoch',
    );
    this.emit('epoch', context);
  }

  /** Ready when the chain can be continued in this epoch; blocked (with the reason) otherwise. */
  async #checkChain(): Promise<void> {
    const context = this.context;
    const { epoch, settings } = context;
    const { store } = this.options;
    const [latest] = await store.certificates.latest({ limit: 1 });
    if (latest === undefined || latest.epoch + 1n < epoch) {
      const reason = latest === undefined ? 'no-genesis' : 'epoch-gap';
      if (this.options.bootstrapGenesisSigner !== undefined && settings.nextSigners !== undefined) {
        await this.#bootstrapGenesis(this.options.bootstrapGenesisSigner);
        return this.#checkChain();
      }
      return this.#setState({ kind: 'blocked', epoch, reason });
    }
    const master = (await store.certificates.firstOfEpoch(epoch)) ?? (await store.certificates.firstOfEpoch(epoch - 1n));
    if (master === null) return this.#setState({ kind: 'blocked', epoch, reason: 'epoch-gap' });
    if (master.epoch === epoch && master.previousHash === '') return this.#setState({ kind: 'blocked', epoch, reason: 'genesis-epoch' });
    if (settings.currentSigners === undefined || settings.nextSigners === undefined) return this.#setState({ kind: 'blocked', epoch, reason: 'no-signers' });
    const open = await store.openMessages.list({ epoch });
    this.#setState(open.length > 0 ? { kind: 'signing', epoch, openMessages: open.length } : { kind: 'ready', epoch });
  }

  async #bootstrapGenesis(signer: GenesisSigner): Promise<void> {
    const payload = this.genesisPayload();
    const certificate = importGenesisSignature(payload, signer.sign(genesisPayloadBytes(payload)), signer.verificationKey());
    await this.saveGenesisCertificate(certificate);
    this.options.logger.warn({ epoch: String(certificate.epoch), hash: certificate.hash }, 'bootstrapped a genesis certificate (devnet mode)');
  }

  /** The genesis payload of the current epoch: the AVK of the signers recorded for it. */
  genesisPayload() {
    const { epoch, settings } = this.context;
    if (settings.nextSigners === undefined) {
      throw new AggregatorError('GENESIS', `no signer is recorded for epoch ${epoch}: a genesis certificate needs the AVK of the next signers`);
    }
    return createGenesisPayload({
      network: this.options.network,
      epoch,
      parameters: settings.currentParameters,
      nextParameters: settings.nextParameters,
      avk: settings.nextSigners.avk,
      timestamp: this.#now(),
    });
  }

  async saveGenesisCertificate(certificate: Certificate): Promise<void> {
    await this.options.store.certificates.save(certificateRecordOf(certificate));
    this.emit('certificate', certificate);
  }

  /** What should be signed now, per configured kind. */
  async #wanted(): Promise<{ type: SignedEntityType; root?: string }[]> {
    const { epoch } = this.context;
    const wanted: { type: SignedEntityType; root?: string }[] = [];
    for (const kind of this.options.signedEntityKinds) {
      if (kind === 'MithrilStakeDistribution') wanted.push({ type: mithrilStakeDistribution(epoch) });
      else {
        const latest = await this.options.immutableDatabase.latestImmutableFileNumber();
        if (latest !== undefined) wanted.push({ type: cardanoDatabase(epoch, latest) });
      }
    }
    return wanted;
  }

  async #openMessages(): Promise<void> {
    const { store } = this.options;
    const context = this.context;
    for (const { type } of await this.#wanted()) {
      if ((await store.certificates.ofSignedEntity(type)) !== null) continue;
      if ((await store.openMessages.get(type)) !== null) continue;
      // A newer beacon of the same kind makes an uncertified older one pointless (signers move on).
      for (const older of await store.openMessages.list({ epoch: context.epoch, kind: type.kind })) {
        await store.openMessages.markExpired(older.id);
        this.#forgetRound(older);
      }
      const data = type.kind === 'CardanoDatabase' ? { cardanoDatabaseMerkleRoot: await this.options.immutableDatabase.cardanoDatabaseMerkleRoot(type.immutableFileNumber) } : {};
      const message = signedEntityProtocolMessage(context.settings, type, data);
      const opened = await store.openMessages.create({ epoch: context.epoch, signedEntityType: type, protocolMessage: JSON.stringify(message.toRecord()) });
      this.options.logger.info({ signedEntityType: describeType(type), signedMessage: message.signedMessage() }, 'opened a message');
      this.emit('message-opened', opened);
    }
    const open = await store.openMessages.list({ epoch: context.epoch });
    if (open.length > 0) this.#setState({ kind: 'signing', epoch: context.epoch, openMessages: open.length });
  }

  async #retryAggregations(): Promise<void> {
    for (const message of await this.options.store.openMessages.list({ epoch: this.context.epoch })) {
      await this.#aggregate(message.id);
    }
  }

  /** Records a registration for the next epoch, after checking it against what this aggregator knows. */
  async registerSigner(input: RegisterSignerInput): Promise<SignerRegistrationRecord> {
    const context = this.context;
    if (input.epoch !== context.epoch) {
      throw new AggregatorError('REGISTRATION_ROUND_NOT_OPEN', `registrations are open for epoch ${context.epoch}, not ${input.epoch}`);
    }
    const { certified } = input;
    if (certified.partyId !== input.partyId || certified.epoch !== input.epoch) {
      throw new AggregatorError('CERTIFICATION_MISMATCH', `the certification (${certified.partyId}, epoch ${certified.epoch}) is not the one of this registration`);
    }
    const stake = context.registrationStake.get(input.partyId);
    if (stake === undefined) throw new AggregatorError('UNKNOWN_SIGNER', `${input.partyId} has no stake in the distribution of epoch ${context.epoch}`);
    if (stake !== certified.stake) {
      throw new AggregatorError('CERTIFICATION_MISMATCH', `the certified stake ${certified.stake} of ${input.partyId} differs from this aggregator's ${stake}`);
    }
    let key: VerificationKeyPoP;
    try {
      key = VerificationKeyPoP.fromBytes(input.verificationKey);
    } catch (cause) {
      throw new AggregatorError('VERIFICATION_KEY_INVALID', `the Mithril key does not decode: ${(cause as Error).message}`, { cause });
    }
    if (!(await this.#proofsOfPossession.submit(key))) throw new AggregatorError('VERIFICATION_KEY_INVALID', 'the proof of possession of the Mithril key does not verify');
    const record = await this.options.store.signerRegistrations.save({
      epoch: registrationRecordingEpoch(context.epoch),
      partyId: input.partyId,
      verificationKey: input.verificationKey,
      kesSignature: input.kesSignature,
      operationalCertificate: input.operationalCertificate,
      kesEvolutions: input.kesEvolutions,
      stake,
    });
    this.emit('registration', record);
    return record;
  }

  /**
   * Takes a single signature for an open message. The full check (lottery and BLS) happens in the
   * signer gateway before, and again, batched, when the clerk aggregates: here only what decides
   * where the signature goes.
   */
  async registerSignature(input: RegisterSignatureInput): Promise<RegisterSignatureOutcome> {
    const { message, signedMessage } = await this.#openRound(input.signedEntityType);
    if (input.signedMessage !== '' && input.signedMessage !== signedMessage) {
      throw new AggregatorError('SIGNATURE_INVALID', `the signature is over ${input.signedMessage}, the open message is ${signedMessage}`);
    }
    if (input.signature.length > MAX_SIGNATURE_BYTES) throw new AggregatorError('MALFORMED_REQUEST', 'the single signature is too large');
    let signature;
    try {
      signature = singleSignatureFromBytes(input.signature);
    } catch (cause) {
      if (!(cause instanceof StmError)) throw cause;
      throw new AggregatorError('MALFORMED_REQUEST', `the single signature does not decode: ${cause.message}`, { cause });
    }
    const signers = this.context.epoch === message.epoch ? this.context.settings.currentSigners : undefined;
    if (signers === undefined) throw new AggregatorError('SIGNATURE_TOO_LATE', `the message of epoch ${message.epoch} is not of the current epoch`);
    let owner: string;
    try {
      owner = signers.partyIdOf(signature.signerIndex);
    } catch {
      throw new AggregatorError('UNKNOWN_SIGNER', `no signer has index ${signature.signerIndex} in epoch ${message.epoch}`);
    }
    if (owner !== input.partyId) throw new AggregatorError('SIGNATURE_INVALID', `signer index ${signature.signerIndex} is ${owner}'s, not ${input.partyId}'s`);
    const result = await this.#signatureWrites.submit({
      openMessageId: message.id,
      partyId: input.partyId,
      signature: input.signature,
      wonIndexes: signature.indexes.map(BigInt),
    });
    if (result.status === 'message-closed') {
      this.#forgetRound(message);
      throw new AggregatorError('SIGNATURE_TOO_LATE', `the message for ${describeType(input.signedEntityType)} is already ${result.reason}`);
    }
    if (result.status === 'already-registered') return 'already-registered';
    const round = this.#roundOf(message.id);
    for (const index of result.signature.wonIndexes) round.claimed.add(index);
    round.decoded.set(input.partyId, signature);
    this.emit('signature', { signedEntityType: input.signedEntityType, partyId: input.partyId, indexes: signature.indexes.length });
    void this.#aggregate(message.id);
    return 'accepted';
  }

  /** The open message of `type` (cached while it stays open); NO_OPEN_MESSAGE or SIGNATURE_TOO_LATE otherwise. */
  async #openRound(type: SignedEntityType): Promise<OpenRound> {
    const key = describeType(type);
    const cached = this.#openRounds.get(key);
    if (cached !== undefined) return cached;
    const message = await this.options.store.openMessages.get(type);
    if (message === null) throw new AggregatorError('NO_OPEN_MESSAGE', `no message is open for ${key}`);
    if (message.isCertified || message.isExpired) {
      throw new AggregatorError('SIGNATURE_TOO_LATE', `the message for ${key} is already ${message.isCertified ? 'certified' : 'expired'}`);
    }
    const round = { message, signedMessage: protocolMessageOf(message).signedMessage() };
    this.#openRounds.set(key, round);
    return round;
  }

  #roundOf(openMessageId: string): RoundState {
    let round = this.#rounds.get(openMessageId);
    if (round === undefined) {
      round = { claimed: new Set(), decoded: new Map(), seeded: undefined };
      this.#rounds.set(openMessageId, round);
    }
    return round;
  }

  /** The round with every signature the store holds merged in (read once per round and process). */
  async #seededRound(openMessageId: string): Promise<RoundState> {
    const round = this.#roundOf(openMessageId);
    round.seeded ??= this.options.store.openMessages.listSingleSignatures(openMessageId).then(
      (records) => {
        for (const record of records) for (const index of record.wonIndexes) round.claimed.add(index);
      },
      (error: unknown) => {
        round.seeded = undefined;
        throw error;
      },
    );
    await round.seeded;
    return round;
  }

  #forgetRound(message: OpenMessageRecord): void {
    this.#openRounds.delete(describeType(message.signedEntityType));
    this.#rounds.delete(message.id);
  }

  #aggregate(openMessageId: string): Promise<void> {
    const current = this.#aggregations.get(openMessageId);
    if (current !== undefined) {
      current.again = true;
      return current.running;
    }
    const entry = { running: Promise.resolve(), again: false };
    entry.running = (async () => {
      do {
        entry.again = false;
        try {
          await this.#tryCertify(openMessageId);
        } catch (error) {
          this.options.logger.error({ err: error, openMessageId }, 'aggregation failed');
          if (this.listenerCount('error') > 0) this.emit('error', error);
        }
      } while (entry.again);
      this.#aggregations.delete(openMessageId);
    })();
    this.#aggregations.set(openMessageId, entry);
    return entry.running;
  }

  async #tryCertify(openMessageId: string): Promise<void> {
    const { store } = this.options;
    const message = await store.openMessages.getById(openMessageId);
    const context = this.#context;
    if (message === null || message.isCertified || message.isExpired || context === undefined || message.epoch !== context.epoch) {
      if (message !== null) this.#forgetRound(message);
      return;
    }
    const round = await this.#seededRound(openMessageId);
    if (BigInt(round.claimed.size) < context.settings.currentParameters.k) return;
    // Enough indexes are claimed: the stored signatures are the round (decoded ones reused).
    const signatures = await store.openMessages.listSingleSignatures(openMessageId);
    if (BigInt(claimedIndexes(signatures)) < context.settings.currentParameters.k) return;
    const master = (await store.certificates.firstOfEpoch(context.epoch)) ?? (await store.certificates.firstOfEpoch(context.epoch - 1n));
    if (master === null) return;
    const certificate = certifyRound({
      network: this.options.network,
      settings: context.settings,
      signedEntityType: message.signedEntityType,
      protocolMessage: protocolMessageOf(message),
      signatures,
      previousHash: master.hash,
      initiatedAt: timestampFromDate(message.createdAt),
      sealedAt: this.#now(),
      decoded: (record) => round.decoded.get(record.partyId),
    });
    if (certificate === undefined) return;
    await store.certificates.save(certificateRecordOf(certificate), { certifiesOpenMessage: openMessageId });
    this.#forgetRound(message);
    this.options.logger.info(
      { hash: certificate.hash, signedEntityType: describeType(certificate.signedEntityType), signers: certificate.metadata.signers.length, signatures: signatures.length },
      'sealed a certificate',
    );
    this.emit('certificate', certificate);
    const open = await store.openMessages.list({ epoch: context.epoch });
    if (this.#state.kind === 'signing' || this.#state.kind === 'ready') {
      this.#setState(open.length > 0 ? { kind: 'signing', epoch: context.epoch, openMessages: open.length } : { kind: 'ready', epoch: context.epoch });
    }
  }
}

function protocolMessageOf(message: OpenMessageRecord): ProtocolMessage {
  return new ProtocolMessage(JSON.parse(message.protocolMessage) as Record<string, string>);
}

export function describeType(type: SignedEntityType): string {
  return type.kind === 'CardanoDatabase' ? `CardanoDatabase(epoch ${type.epoch}, immutable ${type.immutableFileNumber})` : `MithrilStakeDistribution(epoch ${type.epoch})`;
}
