/** What the certifier needs from the outside world, one interface each (adapters in ./adapters). */

/** The Cardano chain as seen by a node: its tip and the stake distribution of an epoch. */
export interface ChainObserver {
  /** The current slot of the node's tip. */
  currentSlot(): Promise<bigint>;
  /** Stake per pool (pool id hex → lovelace) of `epoch`, or undefined when not known (yet). */
  stakeDistribution(epoch: bigint): Promise<ReadonlyMap<string, bigint> | undefined>;
}

/** The highest operational certificate issue number seen per pool: the only state of the certifier. */
export interface OpcertCounterStore {
  highest(poolIdHex: string): Promise<bigint | undefined>;
  /** Records `issueNumber` for the pool unless a higher one is already recorded. */
  record(poolIdHex: string, issueNumber: bigint): Promise<void>;
}
