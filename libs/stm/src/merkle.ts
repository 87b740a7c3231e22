/**
 * The Merkle commitment to a closed key registration: a complete binary tree in heap layout
 * over Blake2b-256 leaf hashes of `vk ‖ stake`, missing leaves padded with H(0x00), and batch
 * paths that prove many leaves at once (as the reference builds and checks them).
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { compareBytes } from './bytes.js';
import { StmError } from './errors.js';

export const MERKLE_HASH_BYTES = 32;

export function merkleHash(...parts: Uint8Array[]): Uint8Array {
  return blake2b(parts.length === 1 ? parts[0]! : concatBytes(...parts), { dkLen: MERKLE_HASH_BYTES });
}

const PADDING = merkleHash(Uint8Array.of(0));

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

const parent = (i: number): number => (i - 1) >> 1;
const sibling = (i: number): number => (i % 2 === 1 ? i + 1 : i - 1);

/** The root and number of leaves: what an aggregate verification key commits to. */
export interface MerkleCommitment {
  readonly root: Uint8Array;
  readonly nrLeaves: number;
}

/** Sibling hashes proving a sorted set of leaf indices, emitted level by level, left to right. */
export interface MerkleBatchPath {
  readonly values: Uint8Array[];
  readonly indices: number[];
}

export class MerkleTree {
  private readonly nodes: Uint8Array[];
  private readonly leafOffset: number;

  constructor(leaves: readonly Uint8Array[]) {
    const n = leaves.length;
    if (n === 0) throw new StmError('EMPTY_REGISTRATION', 'a Merkle tree needs at least one leaf');
    const numNodes = n + nextPowerOfTwo(n) - 1;
    this.leafOffset = numNodes - n;
    this.nodes = new Array<Uint8Array>(numNodes);
    leaves.forEach((leaf, i) => {
      this.nodes[this.leafOffset + i] = merkleHash(leaf);
    });
    for (let i = this.leafOffset - 1; i >= 0; i -= 1) {
      const left = 2 * i + 1 < numNodes ? this.nodes[2 * i + 1]! : PADDING;
      const right = 2 * i + 2 < numNodes ? this.nodes[2 * i + 2]! : PADDING;
      this.nodes[i] = merkleHash(left, right);
    }
  }

  get nrLeaves(): number {
    return this.nodes.length - this.leafOffset;
  }

  commitment(): MerkleCommitment {
    return { root: this.nodes[0]!, nrLeaves: this.nrLeaves };
  }

  /** Batch path for strictly increasing leaf indices. */
  batchPath(indices: readonly number[]): MerkleBatchPath {
    if (indices.length === 0) throw new StmError('INVALID_MERKLE_PROOF', 'a batch path needs at least one leaf');
    indices.forEach((index, i) => {
      if (!Number.isInteger(index) || index < 0 || index >= this.nrLeaves) {
        throw new StmError('INVALID_MERKLE_PROOF', `leaf index ${index} out of range`);
      }
      if (i > 0 && index <= indices[i - 1]!) throw new StmError('INVALID_MERKLE_PROOF', 'leaf indices must be strictly increasing');
    });
    const values: Uint8Array[] = [];
    let positions = indices.map((index) => index + this.leafOffset);
    while (positions[0]! > 0) {
      const next: number[] = [];
      for (let i = 0; i < positions.length; i += 1) {
        const position = positions[i]!;
        next.push(parent(position));
        const s = sibling(position);
        if (positions[i + 1] === s) i += 1;
        else if (s < this.nodes.length) values.push(this.nodes[s]!);
      }
      positions = next;
    }
    return { values, indices: [...indices] };
  }
}

/** Checks that `leaves` (in the order of `path.indices`) are committed to by `commitment`. */
export function verifyBatchPath(commitment: MerkleCommitment, leaves: readonly Uint8Array[], path: MerkleBatchPath): boolean {
  const { nrLeaves } = commitment;
  if (leaves.length === 0 || leaves.length !== path.indices.length) return false;
  for (let i = 0; i < path.indices.length; i += 1) {
    const index = path.indices[i]!;
    if (!Number.isInteger(index) || index < 0 || index >= nrLeaves) return false;
    if (i > 0 && index <= path.indices[i - 1]!) return false;
  }
  const numNodes = nrLeaves + nextPowerOfTwo(nrLeaves) - 1;
  const offset = nextPowerOfTwo(nrLeaves) - 1;
  let positions = path.indices.map((index) => index + offset);
  let hashes = leaves.map((leaf) => merkleHash(leaf));
  let v = 0;
  while (positions[0]! > 0) {
    const nextPositions: number[] = [];
    const nextHashes: Uint8Array[] = [];
    for (let i = 0; i < positions.length; i += 1) {
      const position = positions[i]!;
      nextPositions.push(parent(position));
      if (position % 2 === 0) {
        // A right child: its left sibling can only come from the path.
        const value = path.values[v++];
        if (value === undefined) return false;
        nextHashes.push(merkleHash(value, hashes[i]!));
      } else if (positions[i + 1] === position + 1) {
        nextHashes.push(merkleHash(hashes[i]!, hashes[i + 1]!));
        i += 1;
      } else if (sibling(position) < numNodes) {
        const value = path.values[v++];
        if (value === undefined) return false;
        nextHashes.push(merkleHash(hashes[i]!, value));
      } else {
        nextHashes.push(merkleHash(hashes[i]!, PADDING));
      }
    }
    positions = nextPositions;
    hashes = nextHashes;
  }
  // Every value must be used: a path with trailing values is not canonical.
  return hashes.length === 1 && v === path.values.length && compareBytes(hashes[0]!, commitment.root) === 0;
}
