/**
 * The digest of a Cardano node's immutable DB that Mithril certifies for the `CardanoDatabase`
 * signed entity (protocol message part `cardano_database_merkle_root`).
 *
 * The reference builds a Merkle Mountain Range (ckb-merkle-mountain-range 0.6.1 driven by
 * mithril-merkle-tree) whose leaves are the immutable files' SHA-256 digests *as lowercase hex
 * text* (the ASCII bytes of the 64 digits, not the 32 digest bytes), in file order (number, then
 * name). Interoperating signers and aggregators must agree bit for bit, so the quirks are kept:
 * - leaves enter the range as they are (no leaf hashing, no domain separation);
 * - an inner node is Blake2s-256(left ‖ right);
 * - the peaks are bagged from the right: acc = rightmost peak, then acc = Blake2s(acc ‖ next
 *   peak to the left) — the accumulator goes first, unlike the tree merges;
 * - with a single leaf the root is that leaf itself (64 ASCII bytes, so 128 hex digits).
 *   A real immutable DB always has at least one trio (3 files), so this only matters for
 *   completeness.
 */
import { createHash } from 'node:crypto';
import { toHex } from '@mithril-ts/codec';
import { CardanoError, describe } from './errors.js';

const FILE_DIGEST_HEX = /^[0-9a-f]{64}$/;

/**
 * The `cardano_database_merkle_root` of immutable files whose SHA-256 digests are given in file
 * order (number, then file name), as lowercase hex. Throws INVALID_ARGUMENT on an empty list or a
 * digest that is not 64 lowercase hex digits (upper case is refused rather than folded: the
 * leaf is the text itself, so a different case would silently give a different root).
 */
export function cardanoDatabaseMerkleRoot(fileDigestsHex: readonly string[]): string {
  if (!Array.isArray(fileDigestsHex)) {
    throw new CardanoError('INVALID_ARGUMENT', `immutable file digests must be an array, got ${describe(fileDigestsHex)}`);
  }
  if (fileDigestsHex.length === 0) {
    throw new CardanoError('INVALID_ARGUMENT', 'immutable file digests must not be empty: the Cardano database merkle root needs at least one file');
  }
  const encoder = new TextEncoder();
  const leaves = fileDigestsHex.map((digest, index) => {
    if (typeof digest !== 'string' || !FILE_DIGEST_HEX.test(digest)) {
      const shown = typeof digest === 'string' ? `"${digest.slice(0, 80)}"` : describe(digest);
      throw new CardanoError('INVALID_ARGUMENT', `immutable file digest #${index} must be 64 lowercase hex digits (a SHA-256), got ${shown}`);
    }
    return encoder.encode(digest);
  });
  return toHex(merkleMountainRangeRoot(leaves));
}

/**
 * The root of a Merkle Mountain Range over `leaves` with the reference's merge and bagging.
 * Exported for the known-answer tests of the reference (whose leaves are arbitrary strings);
 * not part of the package API.
 */
export function merkleMountainRangeRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) throw new CardanoError('INVALID_ARGUMENT', 'a Merkle Mountain Range needs at least one leaf');
  // The peaks, left to right, each with the height of its perfect subtree. Appending a leaf
  // merges equal-height peaks from the right, exactly as the range grows leaf by leaf.
  const peaks: { height: number; node: Uint8Array }[] = [];
  for (const leaf of leaves) {
    let node = leaf;
    let height = 0;
    for (let last = peaks.at(-1); last !== undefined && last.height === height; last = peaks.at(-1)) {
      peaks.pop();
      node = merge(last.node, node);
      height += 1;
    }
    peaks.push({ height, node });
  }
  let acc = (peaks.pop() as { node: Uint8Array }).node;
  for (let peak = peaks.pop(); peak !== undefined; peak = peaks.pop()) acc = merge(acc, peak.node);
  return acc;
}

/** Node's native Blake2s-256: a re-digest merges ~2 nodes per file, and the JS one was 4× slower. */
function merge(left: Uint8Array, right: Uint8Array): Uint8Array {
  return createHash('blake2s256').update(left).update(right).digest();
}
