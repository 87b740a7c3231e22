import { LotteryThreshold, winProbability, EV_BITS } from '../src/eligibility.js';
import { StmError } from '../src/errors.js';

const EV_MAX = 1n << BigInt(EV_BITS);

/** ev at a fraction `f` of 2^512, computed exactly from the double's bits for f < 1. */
function evAt(f: number): bigint {
  return BigInt(Math.floor(f * 2 ** 52)) << BigInt(EV_BITS - 52);
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
    // 1 - 0.8^(1/3) = 0.0716822... ; binary search the first losing ev with the exact path.
    let lo = 0n;
    let hi = EV_MAX;
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      if (lottery.winsExactly(mid)) lo = mid;
      else hi = mid;
    }
    expect(lottery.wins(lo)).toBe(true);
    expect(lottery.wins(hi)).toBe(false);
    const t = Number(lo >> BigInt(EV_BITS - 53)) / 2 ** 53;
    expect(Math.abs(t - (1 - 0.8 ** (1 / 3)))).toBeLessThan(1e-15);
  });

  it('handles stake zero, phi_f = 1 and the whole stake', () => {
    expect(new LotteryThreshold(0.2, 0n, 10n).wins(0n)).toBe(false);
    expect(new LotteryThreshold(1, 1n, 10n).wins(EV_MAX - 1n)).toBe(true);
    const all = new LotteryThreshold(0.2, 10n, 10n);
    expect(all.wins(evAt(0.1999))).toBe(true);
    expect(all.wins(evAt(0.2001))).toBe(false);
    // With the whole stake the threshold is the dyadic 1 - y, y = 0.8 as a double = 0x1999999999999a / 2^53:
    // the lottery is strict, so ev equal to the threshold loses and one below wins.
    const threshold = ((1n << 53n) - 0x1999999999999an) << BigInt(EV_BITS - 53);
    expect(all.wins(threshold - 1n)).toBe(true);
    expect(all.wins(threshold)).toBe(false);
  });

  it('rejects invalid inputs with typed errors', () => {
    expect(() => new LotteryThreshold(0, 1n, 10n)).toThrow(StmError);
    expect(() => new LotteryThreshold(1.5, 1n, 10n)).toThrow(StmError);
    expect(() => new LotteryThreshold(0.2, 11n, 10n)).toThrow(StmError);
    expect(() => new LotteryThreshold(0.2, 1n, 0n)).toThrow(StmError);
    expect(() => new LotteryThreshold(0.2, 1n, 10n).wins(EV_MAX)).toThrow(StmError);
  });
});
