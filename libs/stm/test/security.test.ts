import { securityLevel, StmError } from '../src/index.js';

describe('security level', () => {
  it('matches an exact binomial tail on small parameters', () => {
    // m = 3, k = 2, phi_f = 0.5, whole stake: p = 0.5, P[X >= 2] = 3/8 + 1/8 = 1/2.
    expect(securityLevel({ k: 2n, m: 3n, phiF: 0.5 }, 1).forgeryProbability).toBeCloseTo(0.5, 12);
    // Share 0.5: p = 1 - 0.5^0.5; P[X >= 1] over m = 2 is 1 - (1 - p)^2 = 1 - 0.5 = 0.5.
    expect(securityLevel({ k: 1n, m: 2n, phiF: 0.5 }, 0.5).forgeryProbability).toBeCloseTo(0.5, 12);
  });

  it('decreases with a smaller adversary and reports mainnet figures', () => {
    const mainnet = { k: 2422n, m: 20973n, phiF: 0.2 };
    const third = securityLevel(mainnet, 1 / 3);
    const half = securityLevel(mainnet, 0.5);
    expect(third.securityBits).toBeGreaterThan(half.securityBits);
    expect(third.securityBits).toBeGreaterThan(100);
    expect(securityLevel(mainnet, 0).forgeryProbability).toBe(0);
    expect(securityLevel(mainnet, 1).forgeryProbability).toBeCloseTo(1, 9);
    expect(securityLevel({ k: 1n, m: 5n, phiF: 1 }, 0).forgeryProbability).toBe(0);
    expect(securityLevel({ k: 1n, m: 5n, phiF: 1 }, 0.1).forgeryProbability).toBe(1);
  });

  it('rejects a share outside [0, 1]', () => {
    expect(() => securityLevel({ k: 2n, m: 3n, phiF: 0.5 }, 1.5)).toThrow(StmError);
  });
});
