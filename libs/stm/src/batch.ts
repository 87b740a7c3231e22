/** Shared pieces of batch verification: random coefficients and isolating the failing items. */

export type Randomness = (n: number) => Uint8Array;

/**
 * Coefficients for random linear combinations in batch verification: 64 bits each, so a batch
 * holding an invalid element passes with probability about 2^-63 (the small-exponent test of
 * Bellare, Garay and Rabin; 64-bit coefficients are what Ethereum clients use with blst).
 * Callers pass fresh randomness, never anything the submitter can predict.
 */
export function randomScalars(count: number, randomness: Randomness): bigint[] {
  const bytes = randomness(8 * count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scalars: bigint[] = [];
  for (let i = 0; i < count; i += 1) scalars.push(view.getBigUint64(8 * i) | 1n); // never zero
  return scalars;
}

/**
 * Positions in [0, count) that fail, given a batch check of any range: one check when all pass,
 * and on failure a bisection that isolates every culprit with O(bad · log count) checks.
 */
export function findFailing(count: number, batchHolds: (from: number, to: number) => boolean): number[] {
  const failing: number[] = [];
  const visit = (from: number, to: number): void => {
    if (from >= to || batchHolds(from, to)) return;
    if (to - from === 1) {
      failing.push(from);
      return;
    }
    const mid = (from + to) >> 1;
    visit(from, mid);
    visit(mid, to);
  };
  visit(0, count);
  return failing;
}
