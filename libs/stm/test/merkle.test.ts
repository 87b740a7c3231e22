import fc from 'fast-check';
import { MerkleTree, verifyBatchPath } from '../src/merkle.js';
import { StmError } from '../src/errors.js';

const leaf = (i: number) => new TextEncoder().encode(`leaf ${i}`);

describe('Merkle commitment and batch paths', () => {
  it('proves every subset of leaves for every tree size up to 9', () => {
    for (let n = 1; n <= 9; n += 1) {
      const leaves = Array.from({ length: n }, (_, i) => leaf(i));
      const tree = new MerkleTree(leaves);
      for (let mask = 1; mask < 1 << n; mask += 1) {
        const indices = leaves.map((_, i) => i).filter((i) => mask & (1 << i));
        const path = tree.batchPath(indices);
        expect(
          verifyBatchPath(
            tree.commitment(),
            indices.map((i) => leaves[i]!),
            path,
          ),
        ).toBe(true);
      }
    }
  });

  it('rejects wrong leaves, wrong order, wrong sizes and tampered values (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.array(fc.nat(), { minLength: 1, maxLength: 10 }), fc.nat(), (n, picks, tamper) => {
        const leaves = Array.from({ length: n }, (_, i) => leaf(i));
        const tree = new MerkleTree(leaves);
        const indices = [...new Set(picks.map((p) => p % n))].sort((a, b) => a - b);
        const path = tree.batchPath(indices);
        const proven = indices.map((i) => leaves[i]!);
        const commitment = tree.commitment();
        expect(verifyBatchPath(commitment, proven, path)).toBe(true);
        const wrongLeaf = proven.map((l, i) => (i === tamper % proven.length ? leaf(n + 1) : l));
        expect(verifyBatchPath(commitment, wrongLeaf, path)).toBe(false);
        expect(verifyBatchPath({ ...commitment, nrLeaves: n * 2 + 1 }, proven, path)).toBe(false);
        if (path.values.length > 0) {
          const values = path.values.map((v, i) => (i === tamper % path.values.length ? new Uint8Array(32) : v));
          expect(verifyBatchPath(commitment, proven, { ...path, values })).toBe(false);
          expect(verifyBatchPath(commitment, proven, { ...path, values: path.values.slice(1) })).toBe(false);
          expect(verifyBatchPath(commitment, proven, { ...path, values: [...path.values, new Uint8Array(32)] })).toBe(false);
        }
        if (indices.length > 1) {
          expect(verifyBatchPath(commitment, [...proven].reverse(), { ...path, indices: [...indices].reverse() })).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses empty trees and bad index lists with typed errors', () => {
    expect(() => new MerkleTree([])).toThrow(StmError);
    const tree = new MerkleTree([leaf(0), leaf(1), leaf(2)]);
    expect(() => tree.batchPath([])).toThrow(StmError);
    expect(() => tree.batchPath([3])).toThrow(StmError);
    expect(() => tree.batchPath([1, 1])).toThrow(StmError);
    expect(() => tree.batchPath([2, 1])).toThrow(StmError);
  });
});
