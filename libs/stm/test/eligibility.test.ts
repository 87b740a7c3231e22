import { LotteryThreshold, winProbability, EV_BITS } from '../src/eligibility.js';
import { StmError } from '../src/errors.js';

const EV_MAX = 1n << BigInt(EV_BITS);

/** ev at a fraction `f` of 2^512, computed exactly from the double's bits for f < 1. */
function evAt(f: number): bigint {
  return BigInt(Math.floor(f * 2 ** 52)) << BigInt(EV_BITS - 52);
}

/** An f64 as an exact fraction. */
function fraction(x: number): [bigint, bigint] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  const mantissa = (bits & ((1n << 52n) - 1n)) | (exp === 0 ? 0n : 1n << 52n);
  const sign = bits >> 63n === 1n ? -1n : 1n;
  const e = (exp === 0 ? 1 : exp) - 1075;
  return e >= 0 ? [sign * (mantissa << BigInt(e)), 1n] : [sign * mantissa, 1n << BigInt(-e)];
}

/**
 * The reference's decision procedure, written independently from its description: with exact
 * rationals, q = 2^512 / (2^512 - ev), x = -(stake/total) * f64(ln(1 - phi_f)), compare q with
 * the Taylor partial sums of exp(x), error bound 3 * |next term|, at most 1000 terms.
 */
function referenceTaylorWins(phiF: number, ev: bigint, stake: bigint, total: bigint): boolean {
  const [cNum, cDen] = fraction(Math.log(1 - phiF));
  const xNum = -stake * cNum;
  const xDen = total * cDen;
  const qNum = EV_MAX;
  const qDen = EV_MAX - ev;
  let phiNum = 1n;
  let phiDen = 1n;
  let termNum = xNum;
  let termDen = xDen;
  for (let divisor = 2n; divisor <= 1001n; divisor += 1n) {
    phiNum = phiNum * termDen + termNum * phiDen;
    phiDen = phiDen * termDen;
    termNum = termNum * xNum;
    termDen = termDen * xDen * divisor;
    const errNum = 3n * (termNum < 0n ? -termNum : termNum);
    // q > phi + err  <=>  qNum*phiDen*termDen > (phiNum*termDen + errNum*phiDen) * qDen
    const left = qNum * phiDen * termDen;
    if (left > (phiNum * termDen + errNum * phiDen) * qDen) return false;
    if (left < (phiNum * termDen - errNum * phiDen) * qDen) return true;
  }
  return false;
}

/** The last winning and first losing lottery values, by binary search with the exact path. */
function exactBoundary(lottery: LotteryThreshold): [bigint, bigint] {
  let lo = 0n;
  let hi = EV_MAX;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (lottery.winsExactly(mid)) lo = mid;
    else hi = mid;
  }
  return [lo, hi];
}

describe('lottery threshold', () => {
  it('agrees with the float estimate away from the threshold', () => {
    const stake = 1_234_567_890_123n;
    const total = 45_000_000_000_000_000n;
    const lottery = new LotteryThreshold(0.2, stake, total);
    const p = winProbability(0.2, stake, total);
    expect(lottery.wins(evAt(p * 0.999))).toBe(true);
    expect(lottery.wins(evAt(p * 1.001))).toBe(false);
    expect(lottery.wins(0n)).toBe(true);
    expect(lottery.wins(EV_MAX - 1n)).toBe(false);
  });

  it('decides exactly at one lovelace of difference, for the whole stake range', () => {
    const total = 45_000_000_000_000_000n;
    for (const stake of [1n, 2n, 1000n, 10n ** 12n, total / 3n, total - 1n, total]) {
      const lottery = new LotteryThreshold(0.2, stake, total);
      // The exact path and the fast path agree on values straddling the float estimate.
      const p = winProbability(0.2, stake, total);
      for (const f of [0.5, 0.99999, 1 - 1e-9, 1 + 1e-9, 1.00001, 2]) {
        const ev = BigInt(Math.floor(Math.min(p * f, 0.999999) * 2 ** 60)) << BigInt(EV_BITS - 60);
        expect(lottery.wins(ev)).toBe(lottery.winsExactly(ev));
      }
    }
  });

  it('finds the exact boundary: the threshold lies strictly between consecutive lottery values', () => {
    const lottery = new LotteryThreshold(0.2, 1n, 3n);
    // 1 - 0.8^(1/3) = 0.0716822...
    const [lo, hi] = exactBoundary(lottery);
    expect(lottery.wins(lo)).toBe(true);
    expect(lottery.wins(hi)).toBe(false);
    const t = Number(lo >> BigInt(EV_BITS - 53)) / 2 ** 53;
    expect(Math.abs(t - (1 - 0.8 ** (1 / 3)))).toBeLessThan(1e-15);
  });

  it('handles stake zero, phi_f = 1 (within f64 epsilon, as the reference) and the whole stake', () => {
    expect(new LotteryThreshold(0.2, 0n, 10n).wins(0n)).toBe(false);
    expect(new LotteryThreshold(1, 1n, 10n).wins(EV_MAX - 1n)).toBe(true);
    expect(new LotteryThreshold(1, 0n, 10n).wins(EV_MAX - 1n)).toBe(true);
    expect(new LotteryThreshold(1 - 2 ** -53, 1n, 10n).wins(EV_MAX - 1n)).toBe(true);
    expect(new LotteryThreshold(1 - 2 ** -52, 1n, 10n).wins(EV_MAX - 1n)).toBe(false);
    const all = new LotteryThreshold(0.2, 10n, 10n);
    expect(all.wins(evAt(0.1999))).toBe(true);
    expect(all.wins(evAt(0.2001))).toBe(false);
  });

  it('agrees with the reference Taylor comparison at the exact boundary', () => {
    for (const [phiF, stake, total] of [
      [0.2, 1n, 3n],
      [0.8, 1n, 2n],
      [0.2, 123_456_789n, 45_000_000_000_000_000n],
    ] as const) {
      const lottery = new LotteryThreshold(phiF, stake, total);
      const [lo, hi] = exactBoundary(lottery);
      expect(referenceTaylorWins(phiF, lo, stake, total)).toBe(true);
      expect(referenceTaylorWins(phiF, hi, stake, total)).toBe(false);
      expect(lottery.wins(lo)).toBe(true);
      expect(lottery.wins(hi)).toBe(false);
    }
  });

  it('rejects invalid inputs with typed errors', () => {
    expect(() => new LotteryThreshold(0, 1n, 10n)).toThrow(StmError);
    expect(() => new LotteryThreshold(1.5, 1n, 10n)).toThrow(StmError);
    expect(() => new LotteryThreshold(0.2, 11n, 10n)).toThrow(StmError);
    expect(() => new LotteryThreshold(0.2, 1n, 0n)).toThrow(StmError);
    expect(() => new LotteryThreshold(0.2, 1n, 10n).wins(EV_MAX)).toThrow(StmError);
  });
});
