import fc from 'fast-check';
import { G1, G2, msmG1, msmG2 } from '../src/bls.js';

describe('multi-scalar multiplication', () => {
  it('equals the naive sum for random small batches in G1 and G2', () => {
    const g1 = Array.from({ length: 12 }, (_, i) => G1.BASE.multiply(BigInt(i * 7919 + 3)));
    const g2 = Array.from({ length: 4 }, (_, i) => G2.BASE.multiply(BigInt(i * 104729 + 5)));
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: (1n << 130n) - 1n }), { minLength: 0, maxLength: 12 }), (scalars) => {
        const points = g1.slice(0, scalars.length);
        const naive = points.reduce((acc, p, i) => (scalars[i] === 0n ? acc : acc.add(p.multiply(scalars[i]!))), G1.ZERO);
        expect(msmG1(points, scalars).equals(naive)).toBe(true);
      }),
      { numRuns: 40 },
    );
    const scalars = [0n, 1n, (1n << 64n) - 1n, 123456789n];
    const naive2 = g2.reduce((acc, p, i) => (scalars[i] === 0n ? acc : acc.add(p.multiply(scalars[i]!))), G2.ZERO);
    expect(msmG2(g2, scalars).equals(naive2)).toBe(true);
  });
});
