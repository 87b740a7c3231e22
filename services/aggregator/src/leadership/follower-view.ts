/**
 * What a follower serves besides the store's reads: the current epoch's context (the epoch
 * settings signers poll), loaded read-only from what the leader published, and the certificates
 * the leader seals, found by polling the store (for WatchCertificates). A follower writes nothing.
 */
import { EventEmitter } from 'node:events';
import type { ChainObserver } from '@mithril-ts/cardano';
import { certificateFromJson, type Certificate, type ProtocolParametersSchedule } from '@mithril-ts/protocol';
import type { Logger } from '@mithril-ts/service-kit';
import type { AggregatorStore } from '../store/index.js';
import { loadEpochContext, type EpochContext, type SignerSetCache } from '../runtime/epoch-context.js';
import { AggregatorError } from '../runtime/errors.js';

/** Certificates looked at per poll: more sealed between two polls are not streamed by a follower (they are in the store). */
const POLLED_CERTIFICATES = 50;

export interface FollowerViewOptions {
  readonly store: AggregatorStore;
  readonly chain: ChainObserver;
  readonly schedule: ProtocolParametersSchedule;
  readonly logger: Logger;
}

export class FollowerView extends EventEmitter<{ certificate: [Certificate] }> {
  #context: EpochContext | undefined;
  #cardanoEra: string | undefined;
  readonly #signerSets: SignerSetCache = new Map();
  /** Hashes of the certificates of the last poll; undefined before the first (which only records them). */
  #seen: Set<string> | undefined;

  constructor(private readonly options: FollowerViewOptions) {
    super();
  }

  /** The epoch context read from the store; NOT_READY until the leader has published the epoch. */
  get context(): EpochContext {
    if (this.#context === undefined) throw new AggregatorError('NOT_READY', 'this replica has not read the epoch from the store yet');
    return this.#context;
  }

  /** The era of the last tip this replica read; undefined before a read or when the node reports none. */
  get cardanoEra(): string | undefined {
    return this.#cardanoEra;
  }

  /** Reloads the epoch context and announces the certificates sealed since the last call; never rejects. */
  async refresh(): Promise<void> {
    const { store, chain, schedule, logger } = this.options;
    try {
      const tip = await chain.currentTip();
      this.#cardanoEra = tip.era;
      // Until the leader has entered the chain's epoch, the last context read is kept (as the leader itself serves it).
      this.#context = await loadEpochContext(store, chain, schedule, tip.epoch, this.#signerSets, { readOnly: true });
    } catch (error) {
      logger.debug({ err: error }, 'follower: epoch context not refreshed');
    }
    try {
      const latest = await store.certificates.latest({ limit: POLLED_CERTIFICATES });
      const seen = this.#seen;
      this.#seen = new Set(latest.map(({ hash }) => hash));
      if (seen === undefined) return;
      for (const record of latest.reverse()) if (!seen.has(record.hash)) this.emit('certificate', certificateFromJson(record.json));
    } catch (error) {
      logger.debug({ err: error }, 'follower: certificates not polled');
    }
  }
}
