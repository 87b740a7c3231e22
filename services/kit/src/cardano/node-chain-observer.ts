/**
 * What the observers asking a live node (cardano-cli, Ogmios) share. A node answers only for the
 * present: its stake snapshot query returns the "mark" snapshot of the epoch it is in, and no query
 * returns an older epoch's. So a distribution is read while its epoch is the node's, kept (a past
 * epoch's never changes), and a past epoch never seen is "not known" rather than guessed.
 */
import type { ChainObserver, ChainTip } from '@mithril-ts/cardano';
import { ChainObserverError } from './chain-observer-error.js';

/** Epochs of distributions kept: the services ask for the current one and, around a boundary, the previous one. */
const KEPT_EPOCHS = 4;

export interface NodeChainObserverOptions {
  /** How long a read tip is reused: certifications come in bursts, a query costs a process or a round trip. */
  readonly tipTtlMs?: number;
  /**
   * Stake is read only from a node at least this synced (percent): a syncing node's "current"
   * snapshot belongs to an epoch long gone, and its tip epoch says so, but a node a few blocks
   * behind at a boundary would still answer for the right epoch number with the previous snapshot.
   */
  readonly minSyncProgress?: number;
  readonly now?: () => number;
}

export abstract class NodeChainObserver implements ChainObserver {
  #tip: { tip: ChainTip; readAt: number } | undefined;
  #tipInFlight: Promise<ChainTip> | undefined;
  readonly #snapshots = new Map<bigint, ReadonlyMap<string, bigint>>();
  readonly #tipTtlMs: number;
  readonly #minSyncProgress: number;
  readonly #now: () => number;

  constructor(options: NodeChainObserverOptions = {}) {
    this.#tipTtlMs = options.tipTtlMs ?? 1000;
    this.#minSyncProgress = options.minSyncProgress ?? 100;
    this.#now = options.now ?? Date.now;
  }

  /** The node's tip, asked now. */
  protected abstract readTip(): Promise<ChainTip>;
  /** The stake snapshot of the node's current epoch (`tip` was read just before). */
  protected abstract readStakeSnapshot(tip: ChainTip): Promise<ReadonlyMap<string, bigint>>;

  async currentTip(): Promise<ChainTip> {
    if (this.#tip !== undefined && this.#now() - this.#tip.readAt < this.#tipTtlMs) return this.#tip.tip;
    return this.#freshTip();
  }

  /** The tip asked now; callers asking while a read is under way share it (one process or round trip for a burst). */
  #freshTip(): Promise<ChainTip> {
    this.#tipInFlight ??= (async () => {
      try {
        const tip = await this.readTip();
        this.#tip = { tip, readAt: this.#now() };
        return tip;
      } finally {
        this.#tipInFlight = undefined;
      }
    })();
    return this.#tipInFlight;
  }

  async stakeDistribution(epoch: bigint): Promise<ReadonlyMap<string, bigint> | undefined> {
    const kept = this.#snapshots.get(epoch);
    if (kept !== undefined) return kept;
    // A tip younger than tipTtlMs is good enough before the query: the one after it is fresh.
    const before = await this.currentTip();
    if (before.epoch !== epoch) return undefined;
    if (before.syncProgress !== undefined && before.syncProgress < this.#minSyncProgress)
      throw new ChainObserverError(
        `the Cardano node is not synced (${before.syncProgress}% < ${this.#minSyncProgress}%): its stake snapshot is not the network's`,
        'NODE_NOT_SYNCED',
      );
    const distribution = await this.readStakeSnapshot(before);
    // An epoch boundary between the two tips may have rotated the snapshots under the query: the
    // answer could be either epoch's, so it is not kept and the caller asks again.
    const after = await this.#freshTip();
    if (after.epoch !== epoch) return undefined;
    this.#snapshots.set(epoch, distribution);
    for (const old of this.#snapshots.keys()) if (this.#snapshots.size > KEPT_EPOCHS) this.#snapshots.delete(old);
    return distribution;
  }
}
