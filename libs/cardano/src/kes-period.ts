/**
 * KES period arithmetic. A KES period is `slot / slotsPerKESPeriod` (129600 slots on mainnet);
 * an operational certificate's key starts at `startKesPeriod` and its Sum6 key covers 64 periods.
 * Mithril's `kes_period` in a registration is the number of *evolutions* since the opcert
 * start, not the absolute period.
 */
import { CardanoError, describe } from './errors.js';
import { KES_TOTAL_PERIODS } from './kes.js';

const LAST_EVOLUTION = KES_TOTAL_PERIODS - 1;

function requireNonNegative(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint') {
    throw new CardanoError('INVALID_ARGUMENT', `${what} must be a bigint, got ${describe(value)}`);
  }
  if (value < 0n) throw new CardanoError('INVALID_ARGUMENT', `${what} must not be negative, got ${value}`);
  return value;
}

/** The absolute KES period containing `slot`. */
export function kesPeriodAt(slot: bigint, slotsPerKesPeriod: bigint): bigint {
  requireNonNegative(slot, 'slot');
  requireNonNegative(slotsPerKesPeriod, 'slots per KES period');
  if (slotsPerKesPeriod === 0n) throw new CardanoError('INVALID_ARGUMENT', 'slots per KES period must be positive');
  return slot / slotsPerKesPeriod;
}

/**
 * The KES evolution (0..63) current at `slot` for a certificate starting at
 * `opcertStartKesPeriod`: what a signer's key must be evolved to, and what the aggregator
 * expects in a registration. KES_PERIOD_OUT_OF_RANGE before the start, or once the key's 64
 * periods are over.
 */
export function kesEvolutionAt(slot: bigint, slotsPerKesPeriod: bigint, opcertStartKesPeriod: bigint): number {
  const current = kesPeriodAt(slot, slotsPerKesPeriod);
  requireNonNegative(opcertStartKesPeriod, 'operational certificate start KES period');
  if (current < opcertStartKesPeriod) {
    throw new CardanoError(
      'KES_PERIOD_OUT_OF_RANGE',
      `KES period ${current} at slot ${slot} is before the operational certificate's start KES period ${opcertStartKesPeriod}`,
    );
  }
  const evolution = current - opcertStartKesPeriod;
  if (evolution > BigInt(LAST_EVOLUTION)) {
    throw new CardanoError(
      'KES_PERIOD_OUT_OF_RANGE',
      `KES period ${current} at slot ${slot} is ${evolution} evolutions after the operational certificate's start KES period ${opcertStartKesPeriod}; the KES key covers ${KES_TOTAL_PERIODS} periods (0..${LAST_EVOLUTION}), so it has expired`,
    );
  }
  return Number(evolution);
}

/**
 * The evolutions at which a registration signature is accepted when the verifier's own clock
 * says `current`: one period of skew either way (Mithril's KesVerifierStandard), clipped to
 * 0..63, in ascending order. (Which candidate a signature matches costs nothing to find: see
 * verifyKesSignatureInWindow.)
 */
export function acceptedKesEvolutions(current: number): number[] {
  if (typeof current !== 'number' || !Number.isInteger(current) || current < 0) {
    throw new CardanoError('INVALID_ARGUMENT', `KES evolution must be a non-negative integer, got ${String(current)}`);
  }
  return [current - 1, current, current + 1].filter((e) => e >= 0 && e <= LAST_EVOLUTION);
}
