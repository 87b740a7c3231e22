/**
 * The STM lottery decision: index `i` is won when `ev / 2^512 < 1 - exp(w * c)`, where
 * `w = stake / totalStake` and `c` is the f64 value of `ln(1 - phi_f)`. Using the f64 logarithm
 * as an exact dyadic rational (rather than the real logarithm) is the reference's definition, so
 * outcomes agree with it bit for bit; everything after that is exact.
 *
 * `exp(w * c)` is transcendental for rational `w * c != 0` (Lindemann), so it never equals the
 * rational `1 - ev / 2^512`: evaluating it in fixed point with a proven error bound, and refining
 * at higher precision whenever `ev` falls inside the uncertainty interval, always decides the
 * exact comparison, for any stake up to any total (lovelace precision, 45e15 and beyond).
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
 * `1 - exp(stake/total * -lnMagnitude)` scaled by `2^precision`, within one unit of the exact value.
 * The working precision carries guard bits for the truncations of the series (a few hundred ulps
 * at most) and for the relative error growth of the `squarings` repeated squarings (factor 2^r).
 */
function thresholdFixed(lnMagnitude: Dyadic, stake: bigint, total: bigint, precision: number): bigint {
  // x = -(stake/total) * |c| in [-|c|, 0]; pick r so |x| / 2^r < 2^-8.
  const magnitudeBound = Number(lnMagnitude.num >> BigInt(Math.min(lnMagnitude.exp, 1074))) + 1;
  const squarings = BigInt(Math.ceil(Math.log2(magnitudeBound + 1)) + 8);
  const w = BigInt(precision) + 64n + squarings;
  const x = -((stake * lnMagnitude.num) << w) / (total << BigInt(lnMagnitude.exp));
  const e = expNegativeFixed(x, w, squarings);
  return ((1n << w) - e) >> (w - BigInt(precision));
}

const TOP_SHIFT = BigInt(EV_BITS - 48);

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
  /** |c| = -ln(1 - phi_f) as computed in f64, exactly; null when phi_f counts as 1. */
  private readonly lnMagnitude: Dyadic | null;
  /** ev below `surelyWins` wins, ev at or above `surelyLoses` loses; in between is decided exactly. */
  private readonly surelyWins: bigint;
  private readonly surelyLoses: bigint;
  private exact: bigint | undefined;
  private readonly surelyWinsTop: number;
  private readonly surelyLosesTop: number;

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
    // The reference treats phi_f within f64 epsilon of 1 as "always wins", whatever the stake.
    this.lnMagnitude = Math.abs(phiF - 1) < Number.EPSILON ? null : exactDyadic(-Math.log(1 - phiF));
    if (this.lnMagnitude === null) {
      this.surelyWins = this.surelyLoses = EV_MAX;
    } else if (stake === 0n) {
      this.surelyWins = this.surelyLoses = 0n; // exp(0) = 1: nothing is ever won
    } else {
      const estimate = -Math.expm1((Number(stake) / Number(totalStake)) * Math.log(1 - phiF));
      if (estimate < 2 ** -900) {
        this.surelyWins = 0n; // too close to underflow for the float band: always decide exactly
        this.surelyLoses = EV_MAX;
      } else {
        this.surelyWins = scaleDouble(estimate * (1 - FLOAT_MARGIN), EV_BITS);
        this.surelyLoses = scaleDouble(Math.min(1, estimate * (1 + FLOAT_MARGIN)), EV_BITS) + 1n;
      }
    }
    this.surelyWinsTop = Number(this.surelyWins >> TOP_SHIFT);
    this.surelyLosesTop = Number(this.surelyLoses >> TOP_SHIFT);
  }

  /**
   * Whether the 64-byte little-endian lottery value wins. Its top 48 bits settle almost every
   * case without building a 512-bit integer.
   */
  winsLittleEndian(ev: Uint8Array): boolean {
    if (ev.length !== EV_BITS / 8) throw new StmError('INVALID_LOTTERY_VALUE', 'lottery value must be 64 bytes');
    const top = ev[63]! * 2 ** 40 + ev[62]! * 2 ** 32 + ev[61]! * 2 ** 24 + ev[60]! * 2 ** 16 + ev[59]! * 2 ** 8 + ev[58]!;
    // ev < top' * 2^464 <= surelyWins when top < top(surelyWins); ev >= top * 2^464 > surelyLoses when top > top(surelyLoses).
    if (top < this.surelyWinsTop) return true;
    if (top > this.surelyLosesTop) return false;
    let hex = '0x';
    for (let i = 63; i >= 0; i -= 1) hex += ev[i]!.toString(16).padStart(2, '0');
    return this.wins(BigInt(hex));
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
    if (this.lnMagnitude === null) return true;
    if (this.stake === 0n) return false;
    for (let precision = INITIAL_PRECISION_BITS; precision <= MAX_PRECISION_BITS; precision *= 2) {
      const t =
        precision === INITIAL_PRECISION_BITS
          ? (this.exact ??= thresholdFixed(this.lnMagnitude, this.stake, this.totalStake, precision))
          : thresholdFixed(this.lnMagnitude, this.stake, this.totalStake, precision);
      const scaled = ev << BigInt(precision - EV_BITS);
      if (scaled < t - 1n) return true;
      if (scaled > t + 1n) return false;
    }
    // Unreachable in practice (no ties exist, see above); like the reference's inconclusive
    // Taylor comparison, an undecided outcome loses.
    return false;
  }
}

/** `1 - (1 - phi_f)^(stake/total)` as a float, for reporting only (never for lottery decisions). */
export function winProbability(phiF: number, stake: bigint, totalStake: bigint): number {
  return -Math.expm1((Number(stake) / Number(totalStake)) * Math.log1p(-phiF));
}
