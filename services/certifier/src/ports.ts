/** What the certifier needs from the outside world, one interface each (adapters in ./store and the kit). */
export type { ChainObserver } from '@mithril-ts/cardano';

/** The highest operational certificate issue number seen per pool: the only state of the certifier, shared by its replicas. */
export interface OpcertCounterStore {
  /**
   * In one atomic step for every certifier sharing the store: records `issueNumber` as the pool's
   * counter unless a higher one is recorded. Returns the pool's counter after the call:
   * `issueNumber` when it was accepted, the higher number that refused it otherwise.
   */
  raise(poolIdHex: string, issueNumber: bigint): Promise<bigint>;
}
