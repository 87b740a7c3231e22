/**
 * The aggregator's epoch runtime, the runner of its state machine (state-machine.ts): it follows
 * the chain (one `tick` per run interval), gathers the observations the machine needs, applies
 * each transition and performs its commands, each concern in a module of its own: entering an epoch
 * (epoch-entry.ts), the genesis bootstrap (genesis-bootstrap.ts), opening messages
 * (message-opening.ts), the registration and signature intakes (registration-intake.ts,
 * signature-intake.ts) and the aggregations (aggregation.ts). Everything durable goes through the
 * store first, so a restart resumes the round it left.
 */
import { EventEmitter } from 'node:events';
import type { ChainObserver, ImmutableDigester } from '@mithril-ts/cardano';
import {
  EpochKeyCache,
  ProtocolError,
  timestampFromDate,
  type Epoch,
  type EraState,
  type Certificate,
  type GenesisPayload,
  type GenesisSigner,
  type ProtocolParametersSchedule,
  type SignedEntityKind,
  type Timestamp,
} from '@mithril-ts/protocol';
import { BootstrapEraReader, EraChecker, type Logger } from '@mithril-ts/service-kit';
import { certificateRecordOf, type AggregatorStore, type OpenMessageRecord, type SignerRegistrationRecord } from '../store/index.js';
import { Aggregations } from './aggregation.js';
import { observeChain } from './chain-observation.js';
import type { EpochContext, SignerSetCache } from './epoch-context.js';
import { enterEpoch, pruneEpochs } from './epoch-entry.js';
import { AggregatorError } from './errors.js';
import { bootstrapGenesisCertificate, genesisPayloadOf } from './genesis-bootstrap.js';
import { openMessages } from './message-opening.js';
import { RegistrationIntake, type RegisterSignerInput } from './registration-intake.js';
import { Rounds } from './rounds.js';
import { DEFAULT_SIGNATURE_BUFFER_LIMITS, SignatureBuffer, type SignatureBufferLimits } from './signature-buffer.js';
import { SignatureIntake, type RegisterSignatureInput, type RegisterSignatureOutcome, type SignatureAccepted } from './signature-intake.js';
import { describeState, type AggregatorState } from './state.js';
import { transition, type Command, type Observation } from './state-machine.js';

/** Which Mithril era is active at an epoch (service-kit's EraChecker); throws UNSUPPORTED_ERA, or why the markers cannot be read. */
export interface EraCheck {
  check(epoch: Epoch): Promise<EraState>;
  readonly source: string;
}

export interface AggregatorRuntimeOptions {
  readonly store: AggregatorStore;
  readonly chain: ChainObserver;
  /** Slots per KES period of the network: registrations' KES evidence is checked at the chain's tip. */
  readonly slotsPerKesPeriod: bigint;
  /** The immutable database of the aggregator's own node. */
  readonly immutableDatabase: ImmutableDigester;
  readonly schedule: ProtocolParametersSchedule;
  readonly network: string;
  readonly signedEntityKinds: readonly SignedEntityKind[];
  /** Epochs of per-epoch state kept (registrations, stake, messages, signatures); certificates stay. */
  readonly retentionEpochs: bigint;
  /** Consecutive failed ticks after which the runtime stops in the `broken` state. */
  readonly maxConsecutiveErrors: number;
  /** Bounds of the signatures held for messages not open yet (signature-buffer.ts); DEFAULT_SIGNATURE_BUFFER_LIMITS by default. */
  readonly signatureBuffer?: SignatureBufferLimits;
  /** Which Mithril era is active; default: this binary's era since epoch 0 (the bootstrap reader). */
  readonly era?: EraCheck;
  /** Devnet only: sign a genesis certificate automatically when the chain has none (or has a gap). */
  readonly bootstrapGenesisSigner?: GenesisSigner;
  readonly logger: Logger;
  /** Nanoseconds since 1970 (certificates carry nanosecond timestamps). */
  readonly now?: () => Timestamp;
}

export interface AggregatorRuntimeEvents {
  state: [AggregatorState];
  epoch: [EpochContext];
  registration: [SignerRegistrationRecord];
  signature: [SignatureAccepted];
  'message-opened': [OpenMessageRecord];
  certificate: [Certificate];
  error: [unknown];
}

export class AggregatorRuntime extends EventEmitter<AggregatorRuntimeEvents> {
  #state: AggregatorState = { kind: 'idle' };
  #context: EpochContext | undefined;
  #cardanoEra: string | undefined;
  readonly #signerSets: SignerSetCache = new Map();
  readonly #keys = new EpochKeyCache();
  #consecutiveErrors = 0;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  readonly #now: () => Timestamp;
  readonly #rounds: Rounds;
  readonly #registrations: RegistrationIntake;
  readonly #signatures: SignatureIntake;
  readonly #aggregations: Aggregations;
  readonly #era: EraCheck;
  readonly #buffer: SignatureBuffer;
  /** Registrations being checked and recorded, each against the context of the epoch it began in. */
  readonly #registering = new Set<Promise<SignerRegistrationRecord>>();
  #enteringEpoch = false;

  constructor(private readonly options: AggregatorRuntimeOptions) {
    super();
    this.#era = options.era ?? new EraChecker(new BootstrapEraReader());
    this.#now = options.now ?? (() => timestampFromDate(new Date()));
    const { store, logger } = options;
    this.#rounds = new Rounds(store);
    this.#registrations = new RegistrationIntake({ store, chain: options.chain, slotsPerKesPeriod: options.slotsPerKesPeriod, keys: this.#keys });
    this.#aggregations = new Aggregations({
      store,
      rounds: this.#rounds,
      network: options.network,
      logger,
      now: this.#now,
      context: () => this.#context,
      sealed: (certificate) => this.emit('certificate', certificate),
      left: (epoch, open) => this.#observeNow({ kind: 'certificate-sealed', epoch, openMessages: open }),
      failed: (error) => this.#reportError(error),
    });
    this.#buffer = new SignatureBuffer(options.signatureBuffer ?? DEFAULT_SIGNATURE_BUFFER_LIMITS);
    this.#signatures = new SignatureIntake({
      store,
      rounds: this.#rounds,
      buffer: this.#buffer,
      context: () => this.context,
      accepted: (signature, openMessageId) => {
        this.emit('signature', signature);
        void this.#aggregations.request(openMessageId);
      },
    });
  }

  get state(): AggregatorState {
    return this.#state;
  }

  /** The Cardano era of the last tip read ("Conway"); undefined before the first read or when the node reports none. */
  get cardanoEra(): string | undefined {
    return this.#cardanoEra;
  }

  /** The context of the current epoch; NOT_READY before the first epoch is entered. */
  get context(): EpochContext {
    if (this.#context === undefined) throw new AggregatorError('NOT_READY', 'the aggregator has not read the chain yet');
    return this.#context;
  }

  start(intervalMs: number): void {
    if (this.#timer !== undefined) return;
    // Another replica may have led since this one last did: what the intake kept from the store is stale.
    this.#registrations.forgetStoreState();
    // tick() never rejects: a failed cycle is counted and reported as an `error` event.
    const loop = () =>
      void this.tick().then(() => {
        if (this.#timer !== undefined && this.#state.kind !== 'broken') this.#timer = setTimeout(loop, intervalMs);
      });
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#tick;
    await this.#signatures.drain();
    await this.#aggregations.settled();
  }

  /** One cycle; never throws (failures count towards the breaker and are reported as `error` events). */
  tick(): Promise<void> {
    this.#tick ??= this.#cycle().finally(() => {
      this.#tick = undefined;
    });
    return this.#tick;
  }

  async #cycle(): Promise<void> {
    try {
      await this.#observe({ kind: 'cycle-due' });
      this.#consecutiveErrors = 0;
    } catch (error) {
      this.#consecutiveErrors += 1;
      this.options.logger.error({ err: error, consecutive: this.#consecutiveErrors }, 'aggregator cycle failed');
      this.#reportError(error);
      this.#observeNow({
        kind: 'cycle-failed',
        consecutiveFailures: this.#consecutiveErrors,
        maxConsecutiveFailures: this.options.maxConsecutiveErrors,
        error: (error as Error).message,
      });
    }
  }

  /** Applies the transition of `observation`, then performs its commands in order (some observe again). */
  async #observe(observation: Observation): Promise<void> {
    const { state, commands } = transition(this.#state, observation);
    this.#state = state;
    for (const command of commands) await this.#perform(command);
  }

  /** An observation whose transition commands nothing but reports (outside the cycle, or the breaker). */
  #observeNow(observation: Observation): void {
    const { state, commands } = transition(this.#state, observation);
    this.#state = state;
    for (const command of commands) {
      if (command.kind !== 'report-state') throw new Error(`${observation.kind} cannot command ${command.kind}`);
      this.#reportState(command.state);
    }
  }

  async #perform(command: Command): Promise<void> {
    const { store, logger } = this.options;
    switch (command.kind) {
      case 'report-state':
        return this.#reportState(command.state);
      case 'read-tip': {
        const tip = await this.options.chain.currentTip();
        this.#cardanoEra = tip.era;
        const eraRefusal = await this.#eraRefusal(tip.epoch);
        return this.#observe({ kind: 'tip', epoch: tip.epoch, enteredEpoch: this.#context?.epoch, ...(eraRefusal ? { eraRefusal } : {}) });
      }
      case 'enter-epoch':
        this.#rounds.clear();
        this.#buffer.dropBefore(command.epoch);
        // Entering closes the signer set of the epoch being left (announced as the next AVK by the
        // certificates that follow): a registration of that epoch still in flight, recorded after
        // the close, would make the set closed again later differ from the announced one, and the
        // chain would break there (CERTIFICATE_CHAIN_AVK_MISMATCH). So none starts meanwhile
        // (NOT_READY, the signer retries) and those in flight finish first.
        this.#enteringEpoch = true;
        try {
          await Promise.allSettled([...this.#registering]);
          this.#context = await enterEpoch(
            { store, chain: this.options.chain, schedule: this.options.schedule, signerSets: this.#signerSets, keys: this.#keys },
            command.epoch,
          );
        } finally {
          this.#enteringEpoch = false;
        }
        for (const entry of this.#context.leftOut)
          logger.warn({ epoch: String(entry.epoch), partyId: entry.partyId, reason: entry.reason }, 'stored registration left out');
        return;
      case 'prune':
        return pruneEpochs(store, command.epoch, this.options.retentionEpochs, logger);
      case 'announce-epoch': {
        const context = this.context;
        logger.info(
          {
            epoch: String(context.epoch),
            currentSigners: context.currentRecords.length,
            nextSigners: context.nextRecords.length,
            parameters: String(context.settings.currentParameters.k),
          },
          'entered epoch',
        );
        this.emit('epoch', context);
        return;
      }
      case 'observe-chain':
        return this.#observe(await observeChain(store, this.context, this.options.bootstrapGenesisSigner !== undefined));
      case 'bootstrap-genesis': {
        const certificate = bootstrapGenesisCertificate(this.genesisPayload(), this.options.bootstrapGenesisSigner!);
        await this.saveGenesisCertificate(certificate);
        logger.warn({ epoch: String(certificate.epoch), hash: certificate.hash }, 'bootstrapped a genesis certificate (devnet mode)');
        return;
      }
      case 'open-messages': {
        const open = await openMessages(
          {
            store,
            immutableDatabase: this.options.immutableDatabase,
            signedEntityKinds: this.options.signedEntityKinds,
            rounds: this.#rounds,
            logger,
            opened: (message) => {
              this.emit('message-opened', message);
              this.#applyBuffered(message);
            },
          },
          this.context,
        );
        return this.#observe({ kind: 'messages-opened', epoch: command.epoch, openMessages: open });
      }
      case 'retry-aggregations':
        return this.#aggregations.retry(command.epoch);
    }
  }

  /** The signatures held for a message that just opened go through the intake now (verified there like any other). */
  #applyBuffered(message: OpenMessageRecord): void {
    const held = this.#buffer.take(message.signedEntityType);
    if (held.length === 0) return;
    const { logger } = this.options;
    logger.debug({ openMessageId: message.id, signatures: held.length }, 'registering signatures held for this message');
    for (const input of held) {
      this.#signatures.register(input).catch((error: unknown) => {
        // Refused now that its message is known (another message signed, too late, invalid): dropped, as it would have been on arrival.
        logger.debug({ partyId: input.partyId, err: error }, 'a held signature was refused when its message opened');
      });
    }
  }

  /** Why the era at `epoch` cannot be run, if it cannot (an unreadable marker source blocks too: an unknown era is not a supported one). */
  async #eraRefusal(epoch: Epoch): Promise<{ reason: 'unsupported-era' | 'unknown-era'; message: string } | undefined> {
    try {
      await this.#era.check(epoch);
      return undefined;
    } catch (error) {
      if (error instanceof ProtocolError && error.code === 'UNSUPPORTED_ERA') return { reason: 'unsupported-era', message: error.message };
      return { reason: 'unknown-era', message: `the era markers cannot be read (${this.#era.source}): ${(error as Error).message}` };
    }
  }

  /** Registrations and signatures wait while the era is not one this binary runs. */
  #refuseOutsideEra(): void {
    const state = this.#state;
    if (state.kind === 'blocked' && (state.reason === 'unsupported-era' || state.reason === 'unknown-era')) {
      throw new AggregatorError('NOT_READY', `the aggregator is blocked: ${state.detail ?? state.reason}`);
    }
  }

  #reportState(state: AggregatorState): void {
    this.options.logger.info({ state: describeState(state) }, 'aggregator state');
    this.emit('state', state);
  }

  #reportError(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** The genesis payload of the current epoch: the AVK of the signers recorded for it. */
  genesisPayload(): GenesisPayload {
    return genesisPayloadOf(this.context, this.options.network, this.#now());
  }

  async saveGenesisCertificate(certificate: Certificate): Promise<void> {
    await this.options.store.certificates.save(certificateRecordOf(certificate));
    this.emit('certificate', certificate);
  }

  /** Records a registration for the next epoch, after checking it against what this aggregator knows. */
  async registerSigner(input: RegisterSignerInput): Promise<SignerRegistrationRecord> {
    this.#refuseOutsideEra();
    if (this.#enteringEpoch) throw new AggregatorError('NOT_READY', 'the aggregator is entering a new epoch: retry in a moment');
    const registering = this.#registrations.register(this.context, input);
    this.#registering.add(registering);
    try {
      const record = await registering;
      this.emit('registration', record);
      return record;
    } finally {
      this.#registering.delete(registering);
    }
  }

  /** Takes a single signature for an open message (see signature-intake.ts). */
  async registerSignature(input: RegisterSignatureInput): Promise<RegisterSignatureOutcome> {
    this.#refuseOutsideEra();
    return this.#signatures.register(input);
  }
}
