/**
 * What the observers asking a live node (cardano-cli, Ogmios) share. A node answers for the
 * present: its stake query returns the snapshots of the epoch it is in. cardano-cli's
 * `stake-snapshot` carries the ledger's three (mark = this epoch's distribution, set = the previous
 * epoch's, go = the one before), so a service whose view lags a boundary, or that is asked about
 * the epoch just left (a registration sent a second before the boundary and checked after it),
 * still gets the exact distribution from the node. Ogmios has no such query: only the present
 * epoch's distribution, so with it an observer reads the stake as soon as it sees a new epoch
 * (`readStakeOnNewEpoch`) and keeps it. A past epoch's distribution never changes, so what was
 * read is kept for the epochs the services still ask about; an epoch neither kept nor answerable
 * is "not known" rather than guessed.
 */
import type { ChainObserver, ChainTip } from '@mithril-ts/cardano';
import { ChainObserverError } from './chain-observer-error.js';

/** Epochs of distributions kept: the services ask for the current one and, around a boundary, the previous one. */
const KEPT_EPOCHS = 4;
/** Reads of one stake query when epoch boundaries keep passing under it (a node syncing fast): then "not known". */
const READ_ATTEMPTS = 3;

/** The distributions one stake query of the node reveals, relative to the epoch of the tip it was asked at. */
export interface NodeStakeSnapshots {
  /** The tip epoch's distribution. */
  readonly mark: ReadonlyMap<string, bigint>;
  /** The previous epoch's, when the node's answer carries it. */
  readonly set?: ReadonlyMap<string, bigint> | undefined;
  /** Two epochs before the tip's, when the node's answer carries it. */
  readonly go?: ReadonlyMap<string, bigint> | undefined;
}

export interface NodeChainObserverOptions {
  /** How long a read tip is reused: certifications come in bursts, a query costs a process or a round trip. */
  readonly tipTtlMs?: number;
  /**
   * Stake is read only from a node at least this synced (percent): a syncing node's "current"
   * snapshot belongs to an epoch long gone, and its tip epoch says so, but a node a few blocks
   * behind at a boundary would still answer for the right epoch number with the previous snapshot.
   */
  readonly minSyncProgress?: number;
  /**
   * Read the stake in the background whenever a tip shows an epoch whose distribution is not kept
   * yet: the first caller of the epoch does not wait for a slow query (a mainnet stake snapshot
   * takes seconds), and an observer whose node answers only the present epoch (Ogmios) has it
   * when asked about that epoch after it ended. Services turn it on; off by default so that the
   * queries an observer makes are the ones its caller asked for.
   */
  readonly readStakeOnNewEpoch?: boolean;
  readonly now?: () => number;
}

export abstract class NodeChainObserver implements ChainObserver {
  #tip: { tip: ChainTip; readAt: number } | undefined;
  #tipInFlight: Promise<ChainTip> | undefined;
  /** The stake query under way, shared by every caller asking while the node is at that tip epoch. */
  #stakeRead: { readonly epoch: bigint; readonly done: Promise<boolean> } | undefined;
  readonly #snapshots = new Map<bigint, ReadonlyMap<string, bigint>>();
  readonly #tipTtlMs: number;
  readonly #minSyncProgress: number;
  readonly #readStakeOnNewEpoch: boolean;
  readonly #now: () => number;

  constructor(options: NodeChainObserverOptions = {}) {
    this.#tipTtlMs = options.tipTtlMs ?? 1000;
    this.#minSyncProgress = options.minSyncProgress ?? 100;
    this.#readStakeOnNewEpoch = options.readStakeOnNewEpoch ?? false;
    this.#now = options.now ?? Date.now;
  }

  /** The node's tip, asked now. */
  protected abstract readTip(): Promise<ChainTip>;
  /** The stake snapshots of the node's current epoch (`tip` was read just before). */
  protected abstract readStakeSnapshots(tip: ChainTip): Promise<NodeStakeSnapshots>;
  /** How many epochs before the tip's the node's stake query answers for (cardano-cli: set and go, 2). */
  protected abstract readonly pastEpochsAnswered: number;

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
        if (this.#readStakeOnNewEpoch && !this.#snapshots.has(tip.epoch) && this.#stakeRead?.epoch !== tip.epoch)
          // Errors are not lost: the caller that needs the stake asks again and gets them.
          this.#readSnapshots(tip).catch(() => undefined);
        return tip;
      } finally {
        this.#tipInFlight = undefined;
      }
    })();
    return this.#tipInFlight;
  }

  async stakeDistribution(epoch: bigint): Promise<ReadonlyMap<string, bigint> | undefined> {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt += 1) {
      const kept = this.#snapshots.get(epoch);
      if (kept !== undefined) return kept;
      // A tip younger than tipTtlMs is good enough for a past or present epoch; one that predates
      // the asked epoch may be stale by a boundary (the caller's own tip is newer), so ask again.
      let tip = await this.currentTip();
      if (tip.epoch < epoch) tip = await this.#freshTip();
      // A read that ended while the tip was asked may have kept it meanwhile.
      if (this.#snapshots.has(epoch) || epoch > tip.epoch || epoch < tip.epoch - BigInt(this.pastEpochsAnswered)) return this.#snapshots.get(epoch);
      if (await this.#readSnapshots(tip)) return this.#snapshots.get(epoch);
    }
    return this.#snapshots.get(epoch);
  }

  /**
   * Reads the stake at `tip`'s epoch and keeps what it reveals; false when an epoch boundary
   * passed during the query (the snapshots may then be either epoch's, so nothing is kept).
   */
  #readSnapshots(tip: ChainTip): Promise<boolean> {
    if (this.#stakeRead?.epoch === tip.epoch) return this.#stakeRead.done;
    const done = (async () => {
      if (tip.syncProgress !== undefined && tip.syncProgress < this.#minSyncProgress)
        throw new ChainObserverError(
          `the Cardano node is not synced (${tip.syncProgress}% < ${this.#minSyncProgress}%): its stake snapshot is not the network's`,
          'NODE_NOT_SYNCED',
        );
      const snapshots = await this.readStakeSnapshots(tip);
      const after = await this.#freshTip();
      if (after.epoch !== tip.epoch) return false;
      this.#keep(tip.epoch, snapshots.mark);
      if (snapshots.set !== undefined && this.pastEpochsAnswered >= 1 && tip.epoch >= 1n) this.#keep(tip.epoch - 1n, snapshots.set);
      if (snapshots.go !== undefined && this.pastEpochsAnswered >= 2 && tip.epoch >= 2n) this.#keep(tip.epoch - 2n, snapshots.go);
      return true;
    })().finally(() => {
      if (this.#stakeRead?.done === done) this.#stakeRead = undefined;
    });
    this.#stakeRead = { epoch: tip.epoch, done };
    return done;
  }

  /** Keeps `epoch`'s distribution (the first one read: a past epoch's never changes) and forgets the oldest beyond KEPT_EPOCHS. */
  #keep(epoch: bigint, distribution: ReadonlyMap<string, bigint>): void {
    if (this.#snapshots.has(epoch)) return;
    this.#snapshots.set(epoch, distribution);
    while (this.#snapshots.size > KEPT_EPOCHS) {
      const oldest = [...this.#snapshots.keys()].reduce((a, b) => (a < b ? a : b));
      this.#snapshots.delete(oldest);
    }
  }
}
