/**
 * The STM lottery decision: index `i` is won when `ev / 2^512 < 1 - (1 - phi_f)^(stake / totalStake)`.
 *
 * The right-hand side is irrational in general, so it is evaluated in fixed point with a proven
 * error bound and refined at higher precision whenever `ev` falls inside the uncertainty interval.
 * Every outcome is therefore the outcome of the exact real comparison (no float shortcut), for
 * any stake up to any total (lovelace precision, 45e15 and beyond).
 */
import { StmError } from './errors.js';

/** Bits of the lottery value `ev` (a Blake2b-512 output). */
export const EV_BITS = 512;
const EV_MAX = 1n << BigInt(EV_BITS);

/** First precision tried; each refinement doubles it, up to `MAX_PRECISION_BITS`. */
const INITIAL_PRECISION_BITS = 640;
const MAX_PRECISION_BITS = 8192;

/** An f64 in (0, 1] as the exact dyadic rational `num / 2^exp`. */
interface Dyadic {
  num: bigint;
  exp: number;
}

function exactDyadic(x: number): Dyadic {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biasedExp = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // Subnormals have no implicit leading bit and a fixed exponent of -1074.
  const mantissa = biasedExp === 0 ? fraction : fraction | (1n << 52n);
  const exp = biasedExp === 0 ? 1074 : 1075 - biasedExp;
  return exp >= 0 ? { num: mantissa, exp } : { num: mantissa << BigInt(-exp), exp: 0 };
}

/** `atanh(num/den)` scaled by `2^w`, for `0 <= num/den <= 1/3`; truncation error below `terms` ulps. */
function atanhFixed(num: bigint, den: bigint, w: bigint): bigint {
  const one = 1n << w;
  let power = (one * num) / den; // z^(2i+1)
  const zSquaredNum = num * num;
  const zSquaredDen = den * den;
  let sum = 0n;
  for (let n = 1n; power !== 0n; n += 2n) {
    sum += power / n;
    power = (power * zSquaredNum) / zSquaredDen;
  }
  return sum;
}

/** `ln(num / 2^exp)` for a dyadic in (0, 1), scaled by `2^w`. */
function lnDyadicFixed(d: Dyadic, w: bigint): bigint {
  // Bring the value into [1, 2): value = m * 2^-shift with m = num / 2^(bitLength-1).
  const bitLength = d.num.toString(2).length;
  const shift = BigInt(d.exp - (bitLength - 1));
  const mNum = d.num;
  const mDen = 1n << BigInt(bitLength - 1);
  // ln(m) = 2 atanh((m - 1) / (m + 1)), with (m - 1)/(m + 1) in [0, 1/3).
  const lnM = 2n * atanhFixed(mNum - mDen, mNum + mDen, w);
  const ln2 = 2n * atanhFixed(1n, 3n, w);
  return lnM - shift * ln2;
}

/** `exp(x)` for `x <= 0` given scaled by `2^w`; result scaled by `2^w`. */
function expNegativeFixed(x: bigint, w: bigint, squarings: bigint): bigint {
  const one = 1n << w;
  const reduced = x >> squarings; // x / 2^r, so |reduced| < 2^-8 once r is chosen by the caller
  let term = one;
  let sum = one;
  for (let n = 1n; term !== 0n; n += 1n) {
    term = (term * reduced) / (one * n);
    sum += term;
  }
  for (let i = 0n; i < squarings; i += 1n) sum = (sum * sum) >> w;
  return sum;
}

/**
 * `1 - (1 - phi)^(stake/total)` scaled by `2^precision`, within one unit of the exact value.
 * The working precision carries guard bits for the truncations of the series (a few thousand ulps
 * at most) and for the relative error growth of the `squarings` repeated squarings (factor 2^r).
 */
function thresholdFixed(oneMinusPhi: Dyadic, stake: bigint, total: bigint, precision: number): bigint {
  // x = (stake/total) * ln(1 - phi) in [ln(1 - phi), 0]; pick r so |x| / 2^r < 2^-8.
  const lnMagnitudeBits = BigInt(Math.max(1, Math.ceil(Math.log2(oneMinusPhi.exp + 1)) + 1));
  const squarings = lnMagnitudeBits + 8n;
  const w = BigInt(precision) + 64n + squarings;
  const lnY = lnDyadicFixed(oneMinusPhi, w);
  const x = (stake * lnY) / total;
  const e = expNegativeFixed(x, w, squarings);
  return ((1n << w) - e) >> (w - BigInt(precision));
}

/** Relative error bound claimed for the float estimate of the threshold (the true error is a few ulps). */
const FLOAT_MARGIN = 2 ** -24;

/** `floor(x * 2^bits)` computed exactly from the bits of a non-negative double. */
function scaleDouble(x: number, bits: number): bigint {
  const d = exactDyadic(x);
  const shift = bits - d.exp;
  return shift >= 0 ? d.num << BigInt(shift) : d.num >> BigInt(-shift);
}

/**
 * The lottery threshold of one signer for (phi_f, stake, total stake). A float estimate with a
 * generous error band settles almost every evaluation with one integer comparison; values inside
 * the band (probability about 2^-24 of the threshold) are settled by the exact fixed-point path.
 */
export class LotteryThreshold {
  private readonly oneMinusPhi: Dyadic | null;
  /** ev below `surelyWins` wins, ev at or above `surelyLoses` loses; in between is decided exactly. */
  private readonly surelyWins: bigint;
  private readonly surelyLoses: bigint;
  private exact: bigint | undefined;

  constructor(
    readonly phiF: number,
    readonly stake: bigint,
    readonly totalStake: bigint,
  ) {
    if (!(phiF > 0 && phiF <= 1)) throw new StmError('INVALID_PARAMETERS', `phi_f must be in (0, 1], got ${phiF}`);
    if (totalStake <= 0n) throw new StmError('INVALID_STAKE', 'total stake must be positive');
    if (stake < 0n || stake > totalStake) {
      throw new StmError('INVALID_STAKE', `stake ${stake} is outside [0, total stake ${totalStake}]`);
    }
    this.oneMinusPhi = phiF === 1 ? null : exactDyadic(1 - phiF);
    if (stake === 0n) {
      this.surelyWins = this.surelyLoses = 0n; // (1 - phi)^0 = 1: nothing is ever won
    } else if (this.oneMinusPhi === null) {
      this.surelyWins = this.surelyLoses = EV_MAX; // 0^w = 0: everything is won
    } else {
      const estimate = winProbability(phiF, stake, totalStake);
      if (estimate < 2 ** -900) {
        this.surelyWins = 0n; // too close to underflow for the float band: always decide exactly
        this.surelyLoses = EV_MAX;
      } else {
        this.surelyWins = scaleDouble(estimate * (1 - FLOAT_MARGIN), EV_BITS);
        this.surelyLoses = scaleDouble(Math.min(1, estimate * (1 + FLOAT_MARGIN)), EV_BITS) + 1n;
      }
    }
  }

  /** Whether the lottery value `ev` (an integer in [0, 2^512)) wins. */
  wins(ev: bigint): boolean {
    if (ev < 0n || ev >= EV_MAX) throw new StmError('INVALID_LOTTERY_VALUE', 'lottery value out of range');
    if (ev < this.surelyWins) return true;
    if (ev >= this.surelyLoses) return false;
    return this.winsExactly(ev);
  }

  /** The exact comparison, refined at doubling precision while `ev` lies within one unit of the threshold. */
  winsExactly(ev: bigint): boolean {
    if (this.stake === 0n) return false;
    if (this.oneMinusPhi === null) return true;
    for (let precision = INITIAL_PRECISION_BITS; precision <= MAX_PRECISION_BITS; precision *= 2) {
      const t = precision === INITIAL_PRECISION_BITS
        ? (this.exact ??= thresholdFixed(this.oneMinusPhi, this.stake, this.totalStake, precision))
        : thresholdFixed(this.oneMinusPhi, this.stake, this.totalStake, precision);
      const scaled = ev << BigInt(precision - EV_BITS);
      if (scaled < t - 1n) return true;
      if (scaled > t + 1n) return false;
    }
    // Within 2^-8192 of the threshold means equality (a rational (1-phi)^w hitting a 512-bit
    // dyadic exactly); the lottery is a strict inequality, so equality loses.
    return false;
  }
}

/** `1 - (1 - phi)^(stake/total)` as a float, for reporting only (never for lottery decisions). */
export function winProbability(phiF: number, stake: bigint, totalStake: bigint): number {
  return -Math.expm1((Number(stake) / Number(totalStake)) * Math.log1p(-phiF));
}
