/**
 * What the aggregator store's repositories share. Each repository's own records stand beside it
 * (certificates.ts, signer-registrations.ts, …): plain records with epochs and stakes as bigint and
 * bytes as Uint8Array, independent of the database behind them.
 */
import type { Epoch } from '@mithril-ts/protocol';

export interface Page {
  readonly limit: number;
  readonly offset?: number;
}

export type StoreDialect = 'sqlite' | 'postgresql';

export interface PruneOptions {
  readonly currentEpoch: Epoch;
  /** How many epochs to keep, counting the current one backwards; rows of older epochs go. */
  readonly epochsToKeep: bigint;
}

export interface PruneResult {
  readonly signerRegistrations: number;
  readonly stakeDistributions: number;
  readonly epochSettings: number;
  readonly openMessages: number;
  readonly singleSignatures: number;
}

export interface AppliedMigration {
  /** e.g. "0001". */
  readonly version: string;
  /** e.g. "0001_init". */
  readonly name: string;
  readonly appliedAt: string;
}
