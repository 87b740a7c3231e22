/**
 * What an aggregator reports about itself and its current epoch: the reference's `GET /status`
 * (its `AggregatorStatusMessage`), as plain values. The aggregator builds it from its own state;
 * relays read it back with `checkAggregatorStatus` before serving it.
 */
import type { Epoch } from './epoch.js';
import { ProtocolError } from './errors.js';
import type { ProtocolParameters } from './protocol-parameters.js';

/** A number of parties and their total stake (lovelace). */
export interface StakeTally {
  readonly count: bigint;
  readonly stake: bigint;
}

export interface AggregatorStatus {
  readonly epoch: Epoch;
  /** Cardano era of the chain's tip as the aggregator's node reports it (e.g. "Conway"); undefined when the node did not report one. */
  readonly cardanoEra: string | undefined;
  readonly cardanoNetwork: string;
  readonly mithrilEra: string;
  /** Version of the cardano-node the aggregator's chain observer talks to. */
  readonly cardanoNodeVersion: string;
  readonly aggregatorNodeVersion: string;
  readonly currentParameters: ProtocolParameters;
  readonly nextParameters: ProtocolParameters;
  /** Signers that sign during the current epoch, and during the next one. */
  readonly currentSigners: StakeTally;
  readonly nextSigners: StakeTally;
  /** Stake pools with stake in the current epoch's stake distribution, and its total stake. */
  readonly cardanoStake: StakeTally;
}

const U64_LIMIT = 1n << 64n;
/** Names and versions: short printable text (no control characters), as operators set them. */
const TEXT = /^[^\p{Cc}]{1,128}$/u;

/** The tally of some stakes (zero stakes count: callers leave out what they do not count). */
export function stakeTally(stakes: Iterable<bigint>): StakeTally {
  let count = 0n;
  let stake = 0n;
  for (const value of stakes) {
    count += 1n;
    stake += value;
  }
  return { count, stake };
}

function invalid(message: string): ProtocolError {
  return new ProtocolError('INVALID_STATUS', message);
}

function checkText(value: string, what: string): void {
  if (!TEXT.test(value)) throw invalid(`${what} must be 1 to 128 printable characters`);
}

function checkTally(tally: StakeTally, what: string): void {
  for (const [field, value] of [
    ['count', tally.count],
    ['stake', tally.stake],
  ] as const) {
    if (value < 0n || value >= U64_LIMIT) throw invalid(`${what} ${field} must be an unsigned 64-bit integer`);
  }
  if (tally.count === 0n && tally.stake !== 0n) throw invalid(`${what}: no party but a stake of ${tally.stake}`);
}

/** Throws a ProtocolError (INVALID_STATUS) naming the first field a status cannot carry. */
export function checkAggregatorStatus(status: AggregatorStatus): AggregatorStatus {
  if (status.epoch < 0n || status.epoch >= U64_LIMIT) throw invalid('epoch must be an unsigned 64-bit integer');
  if (status.cardanoEra !== undefined) checkText(status.cardanoEra, 'cardano era');
  checkText(status.cardanoNetwork, 'cardano network');
  checkText(status.mithrilEra, 'mithril era');
  checkText(status.cardanoNodeVersion, 'cardano node version');
  checkText(status.aggregatorNodeVersion, 'aggregator node version');
  checkTally(status.currentSigners, 'current signers');
  checkTally(status.nextSigners, 'next signers');
  checkTally(status.cardanoStake, 'cardano stake');
  return status;
}
