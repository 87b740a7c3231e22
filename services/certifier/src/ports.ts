/** What the certifier needs from the outside world, one interface each (adapters in ./adapters). */
export type { ChainObserver } from '@mithril-ts/cardano';

/** The highest operational certificate issue number seen per pool: the only state of the certifier. */
export interface OpcertCounterStore {
  highest(poolIdHex: string): Promise<bigint | undefined>;
  /** Records `issueNumber` for the pool unless a higher one is already recorded. */
  record(poolIdHex: string, issueNumber: bigint): Promise<void>;
}
