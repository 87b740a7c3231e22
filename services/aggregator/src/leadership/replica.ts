/**
 * One aggregator replica among several on a shared store: the one holding the lease (lease.ts) is
 * the leader and runs the epoch runtime; the others are followers that serve the reads from the
 * store (the epoch settings from FollowerView) and try the lease every retry interval.
 *
 * The intake (RegisterSigner, RegisterSignatures) is the leader's alone: a follower refuses it
 * with NOT_LEADER (gRPC UNAVAILABLE, ErrorCode NOT_READY, reason NOT_LEADER), which the signer
 * gateway passes through and the signer retries on its next cycle (the gateway's channel also
 * retries it on another replica, see the signer gateway's upstream.ts). Why not let followers
 * verify and store what they receive for the leader to pick up: the leader's rounds keep the
 * claimed lottery indexes in memory, seeded once from the store, and trigger an aggregation when a
 * signature arrives; signatures written behind its back would not be counted until a restart. A
 * refusal is simple and loses nothing: a signature is acknowledged only once the leader has
 * committed it to the shared store, so whatever the signer was told "accepted" survives a
 * failover and is aggregated by the next leader (its rounds are seeded from the store).
 *
 * Losing the lease fences the replica: its role becomes `fenced` at once (the intake is refused
 * from that instant), then its runtime is stopped. A fenced replica never leads again in this
 * process (its runtime's in-memory rounds may be stale); `main` exits so that the supervisor starts
 * a fresh follower.
 */
import { EventEmitter } from 'node:events';
import type { Certificate } from '@mithril-ts/protocol';
import type { Logger } from '@mithril-ts/service-kit';
import type { SignerRegistrationRecord } from '../store/index.js';
import type { AggregatorRuntime } from '../runtime/aggregator-runtime.js';
import type { EpochContext } from '../runtime/epoch-context.js';
import { AggregatorError } from '../runtime/errors.js';
import type { RegisterSignerInput } from '../runtime/registration-intake.js';
import type { RegisterSignatureInput, RegisterSignatureOutcome } from '../runtime/signature-intake.js';
import type { FollowerView } from './follower-view.js';
import type { Lease } from './lease.js';

export type ReplicaRole = 'leader' | 'follower' | 'fenced';

export interface ReplicaOptions {
  readonly lease: Lease;
  readonly runtime: AggregatorRuntime;
  readonly view: FollowerView;
  /** Starts the leader's work (the runtime, the snapshot production). */
  readonly lead: () => Promise<void>;
  /** Stops it (waiting for the cycle in progress). */
  readonly abdicate: () => Promise<void>;
  /** How often a follower refreshes its view and tries the lease. */
  readonly retryIntervalMs: number;
  readonly logger: Logger;
}

export interface ReplicaEvents {
  role: [ReplicaRole];
  certificate: [Certificate];
}

export class Replica extends EventEmitter<ReplicaEvents> {
  #role: ReplicaRole = 'follower';
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #abdication: Promise<void> | undefined;

  constructor(private readonly options: ReplicaOptions) {
    super();
    const { runtime, view, lease } = options;
    // Watchers see the leader's certificates as it seals them, a follower's as it polls them.
    runtime.on('certificate', (certificate) => {
      if (this.#role === 'leader') this.emit('certificate', certificate);
    });
    view.on('certificate', (certificate) => {
      if (this.#role !== 'leader') this.emit('certificate', certificate);
    });
    lease.on('lost', (error) => this.#fence(error));
  }

  get role(): ReplicaRole {
    return this.#role;
  }

  /** The current epoch's context: the runtime's on the leader, the store's on a follower. */
  get context(): EpochContext {
    return this.#role === 'leader' ? this.options.runtime.context : this.options.view.context;
  }

  /** The era of the last tip read: the runtime's on the leader, the view's on a follower. */
  get cardanoEra(): string | undefined {
    return this.#role === 'leader' ? this.options.runtime.cardanoEra : this.options.view.cardanoEra;
  }

  async registerSigner(input: RegisterSignerInput): Promise<SignerRegistrationRecord> {
    this.#requireLeader();
    return this.options.runtime.registerSigner(input);
  }

  async registerSignature(input: RegisterSignatureInput): Promise<RegisterSignatureOutcome> {
    this.#requireLeader();
    return this.options.runtime.registerSignature(input);
  }

  #requireLeader(): void {
    if (this.#role !== 'leader') {
      throw new AggregatorError(
        'NOT_LEADER',
        `this aggregator replica is ${this.#role === 'fenced' ? 'fenced' : 'a follower'}: the leader takes registrations and signatures, retry`,
      );
    }
  }

  /** Tries the lease at once: leads if it is free, else follows and tries again every retry interval. */
  async start(): Promise<void> {
    await this.#campaign();
  }

  async #campaign(): Promise<void> {
    if (this.#stopped || this.#role !== 'follower') return;
    await this.options.view.refresh();
    if (this.#stopped) return;
    if (await this.options.lease.tryAcquire()) {
      if (this.#stopped) {
        await this.options.lease.release();
        return;
      }
      this.#role = 'leader';
      this.options.logger.info({ lease: this.options.lease.kind }, 'aggregator replica is the leader: starting the epoch runtime');
      this.emit('role', 'leader');
      try {
        await this.options.lead();
      } catch (error) {
        // A leader that cannot start its work steps down (and gives the lease up, see #fence).
        this.#fence(error instanceof Error ? error : new Error(String(error)));
      }
      return;
    }
    if (this.#timer === undefined)
      this.options.logger.info({ lease: this.options.lease.kind }, 'aggregator replica is a follower: serving reads, waiting for the lease');
    this.#scheduleCampaign();
  }

  #scheduleCampaign(): void {
    this.#timer = setTimeout(
      () =>
        void this.#campaign().catch((error: unknown) => {
          this.options.logger.error({ err: error }, 'aggregator replica: the lease could not be tried');
          if (!this.#stopped && this.#role === 'follower') this.#scheduleCampaign();
        }),
      this.options.retryIntervalMs,
    );
  }

  /** The lease is gone (or leading failed): refuse the intake now, then stop the runtime. Safe even if the runtime is mid-step (the store's guards). */
  #fence(error: Error): void {
    if (this.#role !== 'leader') return;
    this.#role = 'fenced';
    this.options.logger.error({ err: error }, 'aggregator replica lost the lease: fencing (the epoch runtime stops)');
    // Once the runtime has stopped, the lease is given up if this session still holds it (a leader that failed to start).
    this.#abdication = this.options
      .abdicate()
      .catch((failure: unknown) => this.options.logger.error({ err: failure }, 'aggregator replica: stopping the runtime failed'))
      .then(() => this.options.lease.release());
    this.emit('role', 'fenced');
    // A fenced replica keeps serving reads from the store.
    const follow = () => {
      if (this.#stopped) return;
      void this.options.view.refresh().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(follow, this.options.retryIntervalMs);
      });
    };
    follow();
  }

  /** Stops following or leading, then gives the lease up. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (this.#role === 'leader') await this.options.abdicate();
    await this.#abdication;
    await this.options.lease.release();
  }
}
