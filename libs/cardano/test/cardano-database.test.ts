import { createHash } from 'node:crypto';
import { blake2s } from '@noble/hashes/blake2.js';
import { cardanoDatabaseMerkleRoot } from '../src/index.js';
import { merkleMountainRangeRoot } from '../src/cardano-database.js';
import { expectCardanoError, toHex } from './helpers.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const h = (left: Uint8Array, right: Uint8Array): Uint8Array => blake2s(new Uint8Array([...left, ...right]));

/**
 * A second, structurally different MMR: split the leaves into perfect trees by the binary
 * decomposition of their count (largest first), root each one recursively, then bag the peaks
 * from the right with the accumulator first.
 */
function referenceMmrRoot(leaves: readonly Uint8Array[]): Uint8Array {
  const perfectRoot = (part: readonly Uint8Array[]): Uint8Array =>
    part.length === 1 ? (part[0] as Uint8Array) : h(perfectRoot(part.slice(0, part.length / 2)), perfectRoot(part.slice(part.length / 2)));
  const peaks: Uint8Array[] = [];
  let start = 0;
  for (let size = 2 ** 30; size >= 1; size /= 2) {
    if (leaves.length - start >= size) {
      peaks.push(perfectRoot(leaves.slice(start, start + size)));
      start += size;
    }
  }
  let acc = peaks[peaks.length - 1] as Uint8Array;
  for (let i = peaks.length - 2; i >= 0; i -= 1) acc = h(acc, peaks[i] as Uint8Array);
  return acc;
}

/** The digests of the files the reference's DummyCardanoDbBuilder writes for `numbers`. */
function dummyDbDigests(numbers: readonly number[]): string[] {
  return numbers.flatMap((n) =>
    ['chunk', 'primary', 'secondary'].map((extension) => {
      const name = `${String(n).padStart(5, '0')}.${extension}`;
      return sha256Hex(`This is a test file named '${name}'`);
    }),
  );
}

describe('cardanoDatabaseMerkleRoot', () => {
  it('reproduces the reference golden MKTree root (leaves "golden-1".."golden-5")', () => {
    const leaves = ['golden-1', 'golden-2', 'golden-3', 'golden-4', 'golden-5'].map(ascii);
    expect(toHex(merkleMountainRangeRoot(leaves))).toBe('3bbced153528697ecde7345a22e50115306478353619411523e804f2323fd921');
  });

  it('reproduces the reference digester root of a hundred immutable trios (1..=100)', () => {
    const numbers = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(cardanoDatabaseMerkleRoot(dummyDbDigests(numbers))).toBe('8552f75838176c967a33eb6da1fe5f3c9940b706d75a9c2352c0acd8439f3d84');
  });

  it('matches hand-built trees for 1, 2, 3, 4, 5, 7 and 8 leaves', () => {
    const digests = Array.from({ length: 8 }, (_, i) => sha256Hex(`file ${i}`));
    const l = digests.map(ascii);
    const at = (i: number): Uint8Array => l[i] as Uint8Array;
    const q01 = h(at(0), at(1));
    const q23 = h(at(2), at(3));
    const q45 = h(at(4), at(5));
    const q67 = h(at(6), at(7));
    const expected: Record<number, Uint8Array> = {
      1: at(0),
      2: q01,
      3: h(at(2), q01),
      4: h(q01, q23),
      5: h(at(4), h(q01, q23)),
      7: h(h(at(6), q45), h(q01, q23)),
      8: h(h(q01, q23), h(q45, q67)),
    };
    for (const [count, root] of Object.entries(expected)) {
      expect(cardanoDatabaseMerkleRoot(digests.slice(0, Number(count)))).toBe(toHex(root));
    }
    // A single leaf is the root as it is: the 64 ASCII digits, hex-encoded again.
    expect(cardanoDatabaseMerkleRoot(digests.slice(0, 1))).toHaveLength(128);
  });

  it('agrees with an independent MMR for every size up to 70', () => {
    const digests = Array.from({ length: 70 }, (_, i) => sha256Hex(`immutable ${i}`));
    for (let count = 1; count <= digests.length; count += 1) {
      expect(cardanoDatabaseMerkleRoot(digests.slice(0, count))).toBe(toHex(referenceMmrRoot(digests.slice(0, count).map(ascii))));
    }
  });

  it('depends on the order and on every digest', () => {
    const digests = dummyDbDigests([0, 1, 2]);
    const root = cardanoDatabaseMerkleRoot(digests);
    expect(cardanoDatabaseMerkleRoot([...digests].reverse())).not.toBe(root);
    const changed = [...digests];
    changed[4] = sha256Hex('other');
    expect(cardanoDatabaseMerkleRoot(changed)).not.toBe(root);
    expect(root).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects an empty list and malformed digests', () => {
    const good = sha256Hex('x');
    expectCardanoError(() => cardanoDatabaseMerkleRoot([]), 'INVALID_ARGUMENT', /empty/);
    expectCardanoError(() => cardanoDatabaseMerkleRoot([good, good.toUpperCase()]), 'INVALID_ARGUMENT', /#1 .*lowercase hex/);
    expectCardanoError(() => cardanoDatabaseMerkleRoot([good.slice(2)]), 'INVALID_ARGUMENT', /#0/);
    expectCardanoError(() => cardanoDatabaseMerkleRoot([`${good}00`]), 'INVALID_ARGUMENT');
    expectCardanoError(() => cardanoDatabaseMerkleRoot([`${good.slice(1)}g`]), 'INVALID_ARGUMENT');
    expectCardanoError(() => cardanoDatabaseMerkleRoot([42 as unknown as string]), 'INVALID_ARGUMENT', /number/);
    expectCardanoError(() => cardanoDatabaseMerkleRoot('abc' as unknown as string[]), 'INVALID_ARGUMENT', /array/);
  });
});
