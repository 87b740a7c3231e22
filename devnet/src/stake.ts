/**
 * The stake delegated to each pool, epoch by epoch: pure, integer-only, O(1) per (epoch, pool).
 *
 * stake(e, i) = base_i · (1000 + wave_i(e) + noise(e, i)) / 1000 + dust(e, i), in lovelace, with
 * - base_i in [5·10^12, 3·10^13) (5 to 30 million ada), fixed per pool;
 * - wave_i(e) a triangle wave of ±300 ‰ with a per-pool period of 6–15 epochs and phase:
 *   delegators drift towards some pools and away from others, in slow cycles;
 * - noise(e, i) in [−20, +20] ‰ and dust(e, i) < 1 ada: every epoch moves every pool a little.
 * So each pool's stake stays within [3.4·10^12, 4·10^13) lovelace: never zero, realistic magnitudes.
 */
import { deriveBelow } from './derive.js';
import { DevnetError } from './errors.js';
import { poolIndexes, requirePoolIndex, type DevnetParameters } from './parameters.js';

const BASE_MIN = 5_000_000_000_000n;
const BASE_RANGE = 25_000_000_000_000n;
const WAVE_PERMILLE = 300n;
const NOISE_PERMILLE = 20n;
const DUST = 1_000_000n;

/** Bounds every stake stays within (for tests and consumers that want to sanity-check). */
export const MIN_POOL_STAKE = (BASE_MIN * (1000n - WAVE_PERMILLE - NOISE_PERMILLE)) / 1000n;
export const MAX_POOL_STAKE = ((BASE_MIN + BASE_RANGE) * (1000n + WAVE_PERMILLE + NOISE_PERMILLE)) / 1000n + DUST;

function requireEpoch(epoch: bigint): bigint {
  if (typeof epoch !== 'bigint' || epoch < 0n) throw new DevnetError('INVALID_ARGUMENT', `epoch must be a non-negative bigint, got ${String(epoch)}`);
  return epoch;
}

/** A triangle wave in [−amplitude, +amplitude] ‰ over `period` epochs. */
function triangle(epoch: bigint, period: bigint, phase: bigint, amplitude: bigint): bigint {
  const position = (epoch + phase) % period; // 0 .. period-1
  const x = (2000n * position) / period; // 0 .. <2000
  const distance = x >= 1000n ? x - 1000n : 1000n - x; // 1000 → 0 → 1000
  return ((2n * distance - 1000n) * amplitude) / 1000n;
}

/** Lovelace delegated to pool `index` (1-based) in `epoch`: that epoch's "mark" stake. */
export function poolStake(params: DevnetParameters, epoch: bigint, index: number): bigint {
  requireEpoch(epoch);
  requirePoolIndex(params, index);
  const { seed } = params;
  const base = BASE_MIN + deriveBelow(BASE_RANGE, seed, 'stake base', index);
  const period = 6n + deriveBelow(10n, seed, 'stake period', index);
  const phase = deriveBelow(period, seed, 'stake phase', index);
  const wave = triangle(epoch, period, phase, WAVE_PERMILLE);
  const noise = deriveBelow(2n * NOISE_PERMILLE + 1n, seed, 'stake noise', epoch, index) - NOISE_PERMILLE;
  const dust = deriveBelow(DUST, seed, 'stake dust', epoch, index);
  return (base * (1000n + wave + noise)) / 1000n + dust;
}

/** Stake of every pool in `epoch`, in pool order (element i is pool i+1). */
export function stakeDistribution(params: DevnetParameters, epoch: bigint): bigint[] {
  return poolIndexes(params).map((index) => poolStake(params, epoch, index));
}
