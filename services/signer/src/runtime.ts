/**
 * The signer's runtime: one `cycle()` reads the chain and the aggregator, moves the state machine
 * (see state.ts), registers a fresh key once per epoch and signs what its own node says is new.
 * It trusts nobody with what it signs: the protocol message is computed here, from the verified
 * epoch settings, its own chain's epoch and its own node's immutable files.
 *
 * Cycles must not overlap (the daemon runs them one after the other). A cycle never throws:
 * anything that goes wrong is reported (status, events) and retried on a later cycle.
 */
import { EventEmitter } from 'node:events';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import type { Tracer } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import { CardanoError, certifyMithrilKey, poolIdFromColdVerificationKey, type ChainTip } from '@mithril-ts/cardano';
import { ErrorCode } from '@mithril-ts/proto';
import {
  ProtocolError,
  assertCompatibleProtocolVersion,
  cardanoDatabase,
  mithrilStakeDistribution,
  registrationRecordingEpoch,
  registrationStakeEpoch,
  sameProtocolParameters,
  signedEntityProtocolMessage,
  signedMessageBytes,
  signingSignersEpoch,
  type Epoch,
  type EpochSettings,
  type ProtocolParameters,
  type SignedEntityData,
  type SignedEntityType,
  type SignerSet,
} from '@mithril-ts/protocol';
import { Initializer, SigningKey, singleSignatureToBytes, type Signer, type SingleSignature } from '@mithril-ts/stm';
import { EpochSettingsVerifier } from './epoch-settings.js';
import { PoolKeysError, RemoteCallError } from './errors.js';
import { BootstrapEraReader, EraChecker } from '@mithril-ts/service-kit';
import type { AggregatorPort, AnnouncedEpochSettings, Answer, ChainObserver, EraCheck, ImmutableDigester, PoolKeySource, SignerGatewayPort } from './ports.js';
import { describeState, type SignerEvent, type SignerState, type SignerStatus, type WaitReason, type Waiting } from './state.js';
import { beaconText, type HandledStatus, type SignerStore, type StoredInitializer } from './store/index.js';

export interface SignerRuntimeDependencies {
  readonly chain: ChainObserver;
  readonly aggregator: AggregatorPort;
  readonly gateway: SignerGatewayPort;
  readonly digester: ImmutableDigester;
  readonly poolKeys: PoolKeySource;
  readonly store: SignerStore;
  /** Which Mithril era is active; default: this binary's era since epoch 0 (the bootstrap reader). */
  readonly era?: EraCheck;
  /** Slots per KES period of the network (Shelley genesis `slotsPerKESPeriod`). */
  readonly slotsPerKesPeriod: bigint;
  /** The node counts as synced from this sync progress (percent) on; default 100. */
  readonly minSyncProgress?: number;
  /** Handled signed entities are forgotten after this many epochs; default 5. */
  readonly handledRetentionEpochs?: number;
  readonly randomBytes?: (length: number) => Uint8Array;
  readonly now?: () => Date;
  readonly tracer?: Tracer;
}

/** A key registered for E−1 signs during E; one more epoch is kept in case an epoch was skipped. */
export const INITIALIZER_RETENTION_EPOCHS = 2n;

/** Stops the current step: the cycle reports `waiting` and tries again next time. */
class Wait extends Error {
  constructor(
    readonly reason: WaitReason,
    message: string,
  ) {
    super(message);
  }
}

/** The STM signer of an epoch, kept while the verified set of current signers is the same. */
interface EpochSigner {
  readonly epoch: Epoch;
  readonly set: SignerSet;
  readonly partyId: string;
  readonly signer: Signer;
}

export class SignerRuntime {
  readonly events = new EventEmitter<{ event: [SignerEvent] }>();
  #state: SignerState = { kind: 'Init' };
  #waiting: Waiting | undefined;
  #lastCycleAt: Date | undefined;
  #prunedAt: Epoch | undefined;
  #signerCache: EpochSigner | undefined;
  /**
   * Per kind, the latest signature computed but not delivered yet (no open message, gateway
   * down): sent again, without signing again, while it is still the latest thing to sign.
   */
  readonly #deferred = new Map<SignedEntityType['kind'], { readonly key: string; readonly signature: SingleSignature }>();
  readonly #verifier = new EpochSettingsVerifier();
  readonly #era: EraCheck;
  readonly #minSyncProgress: number;
  readonly #handledRetention: bigint;
  readonly #randomBytes: (length: number) => Uint8Array;
  readonly #now: () => Date;

  constructor(private readonly deps: SignerRuntimeDependencies) {
    this.#minSyncProgress = deps.minSyncProgress ?? 100;
    this.#handledRetention = BigInt(deps.handledRetentionEpochs ?? 5);
    this.#randomBytes = deps.randomBytes ?? ((length) => new Uint8Array(nodeRandomBytes(length)));
    this.#now = deps.now ?? (() => new Date());
    this.#era = deps.era ?? new EraChecker(new BootstrapEraReader());
  }

  get state(): SignerState {
    return this.#state;
  }

  status(): SignerStatus {
    return { state: this.#state, waiting: this.#waiting, lastCycleAt: this.#lastCycleAt };
  }

  onEvent(listener: (event: SignerEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  /** One pass of the state machine. Never throws. */
  async cycle(): Promise<void> {
    const run = async () => {
      let waiting: Waiting | undefined;
      try {
        await this.#steps();
      } catch (error) {
        if (error instanceof Wait) {
          waiting = { reason: error.reason, message: error.message };
        } else {
          const message = (error as Error)?.message ?? String(error);
          waiting = { reason: 'unexpected-error', message };
          this.#emit({ type: 'error', stage: `cycle in ${describeState(this.#state)}`, message, error });
        }
      }
      this.#setWaiting(waiting);
      this.#lastCycleAt = this.#now();
    };
    const tracer = this.deps.tracer;
    if (tracer === undefined) return run();
    return tracer.startActiveSpan('signer.cycle', async (span) => {
      try {
        await run();
        span.setAttribute('signer.state', describeState(this.#state));
        if (this.#waiting) {
          span.setAttribute('signer.waiting', this.#waiting.reason);
          span.setStatus({ code: SpanStatusCode.ERROR, message: this.#waiting.message });
        }
      } finally {
        span.end();
      }
    });
  }

  async #steps(): Promise<void> {
    const tip = await this.deps.chain.currentTip();
    if (tip.syncProgress !== undefined && tip.syncProgress < this.#minSyncProgress) {
      throw new Wait('node-not-synced', `the Cardano node is not synced (${tip.syncProgress}% < ${this.#minSyncProgress}%): nothing is registered or signed`);
    }
    await this.#checkEra(tip.epoch);
    // A cycle follows the transitions it can make now (Init → Unregistered → ReadyToSign → sign).
    for (let step = 0; step < 4; step += 1) {
      const before = this.#state;
      await this.#step(tip);
      if (this.#state === before) return;
    }
  }

  async #step(tip: ChainTip): Promise<void> {
    const state = this.#state;
    if (state.kind === 'Init') return this.#transition({ kind: 'Unregistered', epoch: tip.epoch });
    if (tip.epoch !== state.epoch) return this.#transition({ kind: 'Unregistered', epoch: tip.epoch });
    switch (state.kind) {
      case 'Unregistered':
        return this.#unregistered(state.epoch, tip);
      case 'ReadyToSign':
        return this.#readyToSign(state.epoch);
      case 'RegisteredNotAbleToSign':
        return; // until the next epoch
    }
  }

  async #unregistered(epoch: Epoch, tip: ChainTip): Promise<void> {
    await this.#prune(epoch);
    const announced = await this.#announcedSettings(epoch);
    await this.#ensureRegistered(epoch, tip, announced.registrationParameters);
    const settings = this.#verify(announced);
    const able = await this.#epochSigner(epoch, settings);
    this.#transition(typeof able === 'string' ? { kind: 'RegisteredNotAbleToSign', epoch, reason: able } : { kind: 'ReadyToSign', epoch });
  }

  async #readyToSign(epoch: Epoch): Promise<void> {
    const settings = this.#verify(await this.#announcedSettings(epoch));
    const able = await this.#epochSigner(epoch, settings);
    if (typeof able === 'string') return this.#transition({ kind: 'RegisteredNotAbleToSign', epoch, reason: able });
    await this.#signOnce(mithrilStakeDistribution(epoch), settings, able);
    let latest: bigint | undefined;
    try {
      latest = await this.deps.digester.latestImmutableFileNumber();
    } catch (error) {
      throw new Wait('immutable-db-unreadable', `cannot list the immutable files: ${(error as Error).message}`);
    }
    if (latest !== undefined) {
      await this.#signOnce(cardanoDatabase(epoch, latest), settings, able, async () => {
        try {
          return { cardanoDatabaseMerkleRoot: await this.deps.digester.cardanoDatabaseMerkleRoot(latest) };
        } catch (error) {
          throw new Wait('immutable-db-unreadable', `cannot digest the immutable files up to ${latest}: ${(error as Error).message}`);
        }
      });
    }
  }

  /**
   * Before anything is registered or signed in an epoch: the era active at our node's epoch must
   * be one this binary runs (a switch scheduled at epoch N applies from N on). Keys and signatures
   * of an era the binary does not know could be refused by every up-to-date peer, or worse,
   * accepted with rules that changed; so the signer stops until it is upgraded (or the markers
   * change), and says so each time the reason changes.
   */
  async #checkEra(epoch: Epoch): Promise<void> {
    try {
      await this.#era.check(epoch);
    } catch (error) {
      this.#deferred.clear();
      if (error instanceof ProtocolError && error.code === 'UNSUPPORTED_ERA') {
        throw new Wait('unsupported-era', `${error.message}; the signer stopped signing: run a signer that supports this era`);
      }
      throw new Wait(
        'era-unknown',
        `the Mithril era at epoch ${epoch} is unknown (${this.#era.source}): ${(error as Error).message}; nothing is signed until it is known`,
      );
    }
  }

  /** The aggregator's settings, only from a compatible aggregator at the same epoch as our chain. */
  async #announcedSettings(epoch: Epoch): Promise<AnnouncedEpochSettings> {
    let answer: Answer<AnnouncedEpochSettings>;
    try {
      answer = await this.deps.aggregator.epochSettings();
    } catch (error) {
      throw this.#remoteWait(error, 'aggregator');
    }
    this.#checkVersion(answer, 'aggregator');
    const announced = answer.value;
    if (announced.epoch !== epoch) {
      throw new Wait('aggregator-epoch-mismatch', `the aggregator is at epoch ${announced.epoch}, our node at ${epoch}: waiting for them to agree`);
    }
    return announced;
  }

  #verify(announced: AnnouncedEpochSettings): EpochSettings {
    try {
      return this.#verifier.verify(announced);
    } catch (error) {
      if (error instanceof ProtocolError)
        throw new Wait('invalid-epoch-settings', `the aggregator's epoch settings of epoch ${announced.epoch} are invalid: ${error.message}`);
      throw error;
    }
  }

  #checkVersion(answer: Answer<unknown>, peer: string): void {
    if (answer.serverProtocolVersion === undefined) {
      throw new Wait('incompatible-protocol-version', `the ${peer} did not say which protocol version it speaks: refusing to act on its answer`);
    }
    try {
      assertCompatibleProtocolVersion(answer.serverProtocolVersion);
    } catch (error) {
      throw new Wait('incompatible-protocol-version', `the ${peer}: ${(error as Error).message}; refusing to act on its answer`);
    }
  }

  #remoteWait(error: unknown, peer: 'aggregator' | 'gateway'): unknown {
    if (!(error instanceof RemoteCallError)) return error;
    switch (error.failure) {
      case 'incompatible-version':
        return new Wait('incompatible-protocol-version', error.message);
      case 'not-ready':
        return new Wait(peer === 'aggregator' ? 'aggregator-not-ready' : 'gateway-unavailable', error.message);
      case 'unavailable':
      case 'malformed-response':
        return new Wait(peer === 'aggregator' ? 'aggregator-unavailable' : 'gateway-unavailable', error.message);
      case 'rejected':
        return new Wait(peer === 'aggregator' ? 'aggregator-unavailable' : 'registration-refused', error.message);
    }
  }

  /**
   * Registers a key for E+1 unless the gateway already accepted one. The key is stored before it
   * is sent, so that a key the aggregator may have recorded is never lost; a stored key not yet
   * accepted is sent again (after a restart) as long as it fits the stake and parameters.
   */
  async #ensureRegistered(epoch: Epoch, tip: ChainTip, parameters: ProtocolParameters): Promise<void> {
    const recordingEpoch = registrationRecordingEpoch(epoch);
    const stored = await this.deps.store.getInitializer(recordingEpoch);
    if (stored?.registeredAt) return;

    let keys;
    try {
      keys = await this.deps.poolKeys.read();
    } catch (error) {
      if (error instanceof PoolKeysError) throw new Wait('pool-keys-unusable', error.message);
      throw error;
    }
    let request;
    let initializer: StoredInitializer;
    try {
      const poolId = poolIdFromColdVerificationKey(keys.opcert.coldVerificationKey);
      const stakeEpoch = registrationStakeEpoch(epoch);
      const distribution = await this.deps.chain.stakeDistribution(stakeEpoch);
      if (distribution === undefined)
        throw new Wait('stake-distribution-unknown', `the stake distribution of epoch ${stakeEpoch} is not known to our node yet`);
      const stake = distribution.get(poolId.hex) ?? 0n;
      if (stake <= 0n) throw new Wait('no-stake', `pool ${poolId.bech32} has no stake in the distribution of epoch ${stakeEpoch}: it cannot register`);

      if (stored !== null && stored.partyId === poolId.bech32 && stored.stake === stake && sameProtocolParameters(stored.parameters, parameters)) {
        initializer = stored;
      } else {
        const fresh = Initializer.generate(parameters, stake, this.#randomBytes(32));
        initializer = {
          recordingEpoch,
          partyId: poolId.bech32,
          signingKey: fresh.signingKey.toBytes(),
          verificationKey: fresh.verificationKeyPoP.toBytes(),
          stake,
          parameters,
          createdAt: this.#now(),
          registeredAt: null,
        };
        await this.deps.store.saveInitializer(initializer);
      }
      const certification = certifyMithrilKey({
        kesKey: keys.kesKey,
        opcert: keys.opcert,
        mithrilKey: initializer.verificationKey,
        slot: tip.slot,
        slotsPerKesPeriod: this.deps.slotsPerKesPeriod,
      });
      request = { epoch, partyId: poolId.bech32, verificationKey: initializer.verificationKey, ...certification };
    } catch (error) {
      if (error instanceof CardanoError)
        throw new Wait('pool-keys-unusable', `the pool's keys cannot certify a Mithril key at slot ${tip.slot}: ${error.message}`);
      throw error;
    } finally {
      keys.kesKey.destroy();
    }

    let answer;
    try {
      answer = await this.deps.gateway.registerSigner(request);
    } catch (error) {
      throw this.#remoteWait(error, 'gateway');
    }
    this.#checkVersion(answer, 'signer gateway');
    const recorded = answer.value;
    if (recorded.partyId !== initializer.partyId || recorded.stake !== initializer.stake || recorded.epoch !== epoch) {
      // Our own node's stake is what the lottery is played with; a mismatch will show as
      // RegisteredNotAbleToSign in two epochs. Reported, not adopted.
      this.#emit({
        type: 'error',
        stage: 'registration',
        message: `the gateway recorded ${recorded.partyId} with stake ${recorded.stake} at epoch ${recorded.epoch}, we registered ${initializer.partyId} with stake ${initializer.stake} at epoch ${epoch}`,
        error: undefined,
      });
    }
    await this.deps.store.markRegistered(recordingEpoch, this.#now());
    this.#emit({ type: 'registered', epoch, recordingEpoch, partyId: initializer.partyId, stake: initializer.stake, kesEvolutions: request.kesEvolutions });
  }

  /**
   * The STM signer for epoch E: the key registered for E−1, with the stake it was registered
   * with, must be among E's verified signers. Otherwise, why not (a string).
   */
  async #epochSigner(epoch: Epoch, settings: EpochSettings): Promise<EpochSigner | string> {
    const set = settings.currentSigners;
    const cached = this.#signerCache;
    if (cached !== undefined && cached.epoch === epoch && cached.set === set) return cached;
    this.#signerCache = undefined;
    const recordingEpoch = signingSignersEpoch(epoch);
    const stored = recordingEpoch === null ? null : await this.deps.store.getInitializer(recordingEpoch);
    if (stored === null)
      return `no key of ours was registered for epoch ${recordingEpoch ?? '-'} (registered during ${recordingEpoch === null ? '-' : recordingEpoch - 1n})`;
    if (set === undefined) return `the aggregator lists no signer for epoch ${epoch}`;
    const own = set.signers.find((signer) => signer.partyId === stored.partyId);
    if (own === undefined) return `${stored.partyId} is not among the signers of epoch ${epoch}`;
    if (!Buffer.from(own.verificationKey).equals(Buffer.from(stored.verificationKey)))
      return `the key listed for ${stored.partyId} in epoch ${epoch} is not ours`;
    if (own.stake !== stored.stake) return `${stored.partyId} is listed with stake ${own.stake} in epoch ${epoch}, it registered with ${stored.stake}`;
    if (!sameProtocolParameters(stored.parameters, settings.currentParameters)) {
      this.#emit({
        type: 'error',
        stage: 'signing',
        message: `the key of epoch ${epoch} was made for parameters ${JSON.stringify(stored.parameters, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}; signing with the epoch's current parameters`,
        error: undefined,
      });
    }
    const initializer = new Initializer(settings.currentParameters, stored.stake, SigningKey.fromBytes(stored.signingKey));
    const epochSigner = { epoch, set, partyId: stored.partyId, signer: initializer.newSigner(set.closed) };
    this.#signerCache = epochSigner;
    return epochSigner;
  }

  /** Signs a signed entity unless it was dealt with already; its message is computed here. */
  async #signOnce(
    type: SignedEntityType,
    settings: EpochSettings,
    signer: EpochSigner,
    data: () => Promise<SignedEntityData> = async () => ({}),
  ): Promise<void> {
    if ((await this.deps.store.getHandled(type)) !== null) return;
    let signedMessage: string;
    try {
      signedMessage = signedEntityProtocolMessage(settings, type, await data()).signedMessage();
    } catch (error) {
      if (error instanceof ProtocolError && error.code === 'INVALID_SIGNER') throw new Wait('no-next-signers', error.message);
      throw error;
    }
    const key = `${beaconText(type)}|${signedMessage}`;
    const deferred = this.#deferred.get(type.kind);
    let signature = deferred?.key === key ? deferred.signature : undefined;
    // Anything older of this kind is no longer the latest: it is not sent again.
    this.#deferred.delete(type.kind);
    if (signature === undefined) {
      const signed = signer.signer.sign(signedMessageBytes(signedMessage));
      if (signed === null) {
        await this.#handled(type, signedMessage, 'lottery-lost', 0);
        this.#emit({ type: 'lottery-lost', signedEntityType: type, signedMessage });
        return;
      }
      signature = signed;
    }
    try {
      const answer = await this.deps.gateway.registerSignature({
        signedEntityType: type,
        partyId: signer.partyId,
        signature: singleSignatureToBytes(signature),
        wonIndexes: signature.indexes,
        signedMessage,
      });
      this.#checkVersion(answer, 'signer gateway');
      await this.#handled(type, signedMessage, answer.value, signature.indexes.length);
      this.#emit({ type: 'signed', signedEntityType: type, signedMessage, wonIndexes: signature.indexes.length, status: answer.value });
    } catch (error) {
      if (error instanceof Wait) {
        this.#deferred.set(type.kind, { key, signature });
        throw error;
      }
      if (!(error instanceof RemoteCallError)) throw error;
      if (error.errorCode === ErrorCode.ERROR_CODE_NO_OPEN_MESSAGE || error.failure !== 'rejected') {
        this.#deferred.set(type.kind, { key, signature });
        this.#emit({ type: 'signature-deferred', signedEntityType: type, message: error.message });
        if (error.failure === 'incompatible-version') throw this.#remoteWait(error, 'gateway');
        return;
      }
      const status = error.errorCode === ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE ? 'too-late' : 'rejected';
      await this.#handled(type, signedMessage, status, signature.indexes.length);
      this.#emit({ type: 'signature-dropped', signedEntityType: type, status, message: error.message });
    }
  }

  #handled(type: SignedEntityType, signedMessage: string, status: HandledStatus, wonIndexes: number): Promise<void> {
    return this.deps.store.recordHandled({ signedEntityType: type, signedMessage, status, wonIndexes, handledAt: this.#now() });
  }

  /** Once per epoch: delete the secret keys no longer needed, and old handled entities. */
  async #prune(epoch: Epoch): Promise<void> {
    if (this.#prunedAt === epoch) return;
    const keepKeysFrom = epoch > INITIALIZER_RETENTION_EPOCHS ? epoch - INITIALIZER_RETENTION_EPOCHS : 0n;
    const keepHandledFrom = epoch > this.#handledRetention ? epoch - this.#handledRetention : 0n;
    const initializers = await this.deps.store.pruneInitializers(keepKeysFrom);
    const handledEntities = await this.deps.store.pruneHandled(keepHandledFrom);
    this.#prunedAt = epoch;
    this.#deferred.clear();
    if (initializers > 0 || handledEntities > 0) this.#emit({ type: 'pruned', epoch, initializers, handledEntities });
  }

  #transition(to: SignerState): void {
    const from = this.#state;
    this.#state = to;
    this.#emit({ type: 'state-changed', from, to });
  }

  #setWaiting(waiting: Waiting | undefined): void {
    const before = this.#waiting;
    this.#waiting = waiting;
    if (waiting !== undefined && (before?.reason !== waiting.reason || before.message !== waiting.message)) {
      this.#emit({ type: 'waiting', reason: waiting.reason, message: waiting.message });
    } else if (waiting === undefined && before !== undefined) {
      this.#emit({ type: 'resumed' });
    }
  }

  #emit(event: SignerEvent): void {
    try {
      this.events.emit('event', event);
    } catch {
      // A listener's failure must not stop the signer.
    }
  }
}
