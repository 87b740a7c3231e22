/**
 * Why the bytes of a node's immutable DB (chunk, primary or secondary index) cannot be read:
 * always naming the file and the byte offset in it where the reader stopped, so an operator can
 * look at the bytes (or delete the damaged chunk and let the node rebuild it).
 */
export type ImmutableDbFormatErrorCode =
  /** The file ends before what it (or its index) announces: a partial write, a cut copy. */
  | 'TRUNCATED'
  /** The bytes are not what cardano-node writes there (bad CBOR, a checksum, a hash or an index entry that disagrees). */
  | 'CORRUPT'
  /** A block or an index file is larger than the reader's limit: refused before it is read into memory. */
  | 'TOO_LARGE'
  /** A hard-fork-combinator era tag this reader does not know (a newer era than Conway, or garbage). */
  | 'UNKNOWN_ERA'
  /** A block does not follow the one read before it (previous hash, block number or slot). */
  | 'BROKEN_CHAIN';

export class ImmutableDbFormatError extends Error {
  constructor(
    readonly code: ImmutableDbFormatErrorCode,
    /** The file name (e.g. `00042.chunk`), or a path when the caller gave one. */
    readonly file: string,
    /** Byte offset in `file` where the problem was found. */
    readonly offset: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file} at byte ${offset}: ${detail}`, options);
    this.name = 'ImmutableDbFormatError';
  }
}
