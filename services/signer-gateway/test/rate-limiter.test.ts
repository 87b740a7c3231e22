import { RateLimiter } from '../src/index.js';

function limiter(options: { ratePerSecond?: number; burst?: number; maxKeys?: number } = {}) {
  const clock = { now: 0 };
  const rateLimiter = new RateLimiter({
    ratePerSecond: options.ratePerSecond ?? 1,
    burst: options.burst ?? 2,
    maxKeys: options.maxKeys ?? 100,
    now: () => clock.now,
  });
  return { rateLimiter, clock };
}

describe('RateLimiter', () => {
  it('allows a burst, then one request per refill interval', () => {
    const { rateLimiter, clock } = limiter({ ratePerSecond: 2, burst: 3 });
    expect([1, 2, 3, 4].map(() => rateLimiter.tryTake('pool'))).toEqual([true, true, true, false]);
    clock.now = 499;
    expect(rateLimiter.tryTake('pool')).toBe(false);
    clock.now = 1000; // refused requests took no token: 1 s at 2/s refilled 2 tokens
    expect([1, 2, 3].map(() => rateLimiter.tryTake('pool'))).toEqual([true, true, false]);
    clock.now = 60_000; // never more than the burst
    expect([1, 2, 3, 4].map(() => rateLimiter.tryTake('pool'))).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per key', () => {
    const { rateLimiter } = limiter({ burst: 1 });
    expect(rateLimiter.tryTake('a')).toBe(true);
    expect(rateLimiter.tryTake('a')).toBe(false);
    expect(rateLimiter.tryTake('b')).toBe(true);
  });

  it('forgets buckets that have refilled, and bounds the keys tracked', () => {
    const { rateLimiter, clock } = limiter({ ratePerSecond: 1, burst: 2, maxKeys: 3 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) rateLimiter.tryTake(key);
    expect(rateLimiter.size).toBe(3);
    // 'e' is remembered (one token left); the least recently used, 'a', was forgotten: full bucket again.
    expect([rateLimiter.tryTake('e'), rateLimiter.tryTake('e')]).toEqual([true, false]);
    expect([rateLimiter.tryTake('a'), rateLimiter.tryTake('a')]).toEqual([true, true]);
    expect(rateLimiter.size).toBe(3);
    clock.now = 10_000;
    rateLimiter.tryTake('f');
    // Everything else had refilled: only the key just used is left.
    expect(rateLimiter.size).toBe(1);
  });

  it('refuses nonsensical settings', () => {
    expect(() => new RateLimiter({ ratePerSecond: 0, burst: 1, maxKeys: 1 })).toThrow(RangeError);
    expect(() => new RateLimiter({ ratePerSecond: 1, burst: 0, maxKeys: 1 })).toThrow(RangeError);
  });
});
