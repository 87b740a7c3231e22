/**
 * A forward-only walk over CBOR bytes (RFC 8949) that reports where each item starts and ends.
 * Cardano hashes the bytes an item was received in (a block header, a transaction body), never a
 * re-encoding: the cursor hands back byte spans of the original bytes.
 *
 * Written for the block reader's hot path: it reads item heads straight from the bytes (no token
 * objects, no decoded values for what is only skipped, no copies: byte strings come back as views
 * of the input), so that reading a block costs little beside hashing it. cborg's tokenizer, used
 * before, allocated a token per item and spent most of a block's time there.
 *
 * What it accepts: well-formed CBOR as the ledger writes it — definite and indefinite-length
 * arrays and maps, definite and indefinite-length (chunked) byte and text strings (Plutus data
 * chunks byte strings longer than 64 bytes that way), tags, integers in any width (cardano-node
 * accepts integers in more bytes than necessary, and the hashes are over whatever bytes are there),
 * false/true/null/undefined and floats. Refused: the reserved additional-information values
 * 28–30, an indefinite length on an integer or a tag, a chunk of another type (or itself
 * indefinite) inside an indefinite string, a break outside an indefinite container, and the
 * other simple values (no Cardano structure has them). Text is not checked for UTF-8: it is only
 * skipped or hashed.
 *
 * Bounds: every head and every string length is checked against the end of the bytes before it
 * is used (a length that runs past the end is a TRUNCATED error, never an allocation or a read
 * past the end); containers are walked with an explicit, fixed-size stack bounded by MAX_NESTING,
 * so hostile nesting cannot blow the call stack; a claimed count of billions of items costs
 * nothing until the items are actually there.
 */
import { ImmutableDbFormatError } from './immutable-db-errors.js';

/** Deeper than any Cardano structure (Plutus data on mainnet stays far below this). */
const MAX_NESTING = 512;
const NULL = 0xf6;
const BREAK = 0xff;
/** An indefinite length, as #head reports it. */
const INDEFINITE = -1;
const TWO_32 = 4294967296;
const MAJOR_NAMES = ['uint', 'negint', 'bytes', 'string', 'array', 'map', 'tag', 'simple or float'] as const;

/**
 * The items still expected by each open container of a skip (INDEFINITE: until a break). One
 * stack for every cursor: a skip runs to completion without yielding, so two never interleave.
 */
const enclosing = new Float64Array(MAX_NESTING);

export class CborCursor {
  readonly #bytes: Uint8Array;
  #pos = 0;
  /** The major type and argument of the head #head read last (an 8-byte argument above 2^53 is rounded: uint re-reads it exactly). */
  #major = 0;
  #argument = 0;

  /**
   * `bytes` are the item's bytes; `file` and `base` (the file offset of `bytes[0]`) only name
   * where an error is.
   */
  constructor(
    bytes: Uint8Array,
    readonly file: string,
    readonly base: number,
  ) {
    this.#bytes = bytes;
  }

  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** Offset of the next item in the bytes. */
  pos(): number {
    return this.#pos;
  }

  done(): boolean {
    return this.#pos >= this.#bytes.length;
  }

  error(detail: string, at = this.pos(), cause?: unknown): ImmutableDbFormatError {
    const options = cause === undefined ? undefined : { cause };
    // A cut is reported where the bytes end (what an operator compares with the file size).
    if (at >= this.#bytes.length)
      return new ImmutableDbFormatError('TRUNCATED', this.file, this.base + this.#bytes.length, `${detail} (from byte ${this.base + at})`, options);
    return new ImmutableDbFormatError('CORRUPT', this.file, this.base + at, detail, options);
  }

  #truncated(what: string, at: number): ImmutableDbFormatError {
    return new ImmutableDbFormatError('TRUNCATED', this.file, this.base + this.#bytes.length, `the bytes end inside ${what} (from byte ${this.base + at})`);
  }

  /**
   * Reads the head at `at` (initial byte and argument) into #major / #argument (INDEFINITE for
   * additional information 31) and returns the offset after it. Integers of 8 bytes above 2^53
   * come back rounded: callers that need them exact (uint) re-read them.
   */
  #head(at: number, what: string): number {
    const bytes = this.#bytes;
    const end = bytes.length;
    if (at >= end) throw this.error(`the bytes end where ${what} should start`, at);
    const initial = bytes[at] as number;
    const info = initial & 31;
    this.#major = initial >> 5;
    if (info < 24) {
      this.#argument = info;
      return at + 1;
    }
    switch (info) {
      case 24:
        if (at + 2 > end) throw this.#truncated(what, at);
        this.#argument = bytes[at + 1] as number;
        return at + 2;
      case 25:
        if (at + 3 > end) throw this.#truncated(what, at);
        this.#argument = ((bytes[at + 1] as number) << 8) | (bytes[at + 2] as number);
        return at + 3;
      case 26:
        if (at + 5 > end) throw this.#truncated(what, at);
        this.#argument = uint32(bytes, at + 1);
        return at + 5;
      case 27:
        if (at + 9 > end) throw this.#truncated(what, at);
        this.#argument = uint32(bytes, at + 1) * TWO_32 + uint32(bytes, at + 5);
        return at + 9;
      case 31:
        this.#argument = INDEFINITE;
        return at + 1;
      default:
        throw this.error(`${what} is not valid CBOR: additional information ${info} is reserved`, at);
    }
  }

  /**
   * The offset after the indefinite-length string (`major` 2 or 3) whose head is at `at` and ends
   * at `after`: its definite chunks of the same type, then its break.
   */
  #indefiniteStringEnd(at: number, after: number, major: number, what: string): number {
    const bytes = this.#bytes;
    const end = bytes.length;
    let p = after;
    for (;;) {
      if (p >= end) throw this.#truncated(what, at);
      if (bytes[p] === BREAK) return p + 1;
      const chunkAt = p;
      p = this.#head(p, what);
      const length = this.#argument;
      if (this.#major !== major || length === INDEFINITE)
        throw this.error(`${what}: a chunk of an indefinite-length ${MAJOR_NAMES[major]} must be a definite ${MAJOR_NAMES[major]}`, chunkAt);
      if (length > end - p) throw this.#truncated(what, at);
      p += length;
    }
  }

  /** An array header: its length, or Infinity for an indefinite-length array. */
  array(what: string): number {
    const at = this.#pos;
    const after = this.#head(at, what);
    if (this.#major !== 4) throw this.error(`${what} should be a CBOR array, found ${MAJOR_NAMES[this.#major]}`, at);
    this.#pos = after;
    return this.#argument === INDEFINITE ? Infinity : this.#argument;
  }

  /** An array header of exactly one of `lengths`. */
  arrayOf(what: string, ...lengths: number[]): number {
    const at = this.#pos;
    const length = this.array(what);
    if (!lengths.includes(length)) throw this.error(`${what} should be an array of ${lengths.join(' or ')} items, found ${length}`, at);
    return length;
  }

  /** An unsigned integer, as a bigint (slots and block numbers are u64). */
  uint(what: string): bigint {
    const at = this.#pos;
    const after = this.#head(at, what);
    if (this.#major !== 0) throw this.error(`${what} should be an unsigned integer, found ${MAJOR_NAMES[this.#major]}`, at);
    if (this.#argument === INDEFINITE) throw this.error(`${what} is not valid CBOR: an integer cannot have an indefinite length`, at);
    this.#pos = after;
    if (after - at < 9) return BigInt(this.#argument);
    return (BigInt(uint32(this.#bytes, at + 1)) << 32n) | BigInt(uint32(this.#bytes, at + 5));
  }

  /** A (definite-length) byte string of exactly `size` bytes, as a view into the input. */
  bytesOf(what: string, size: number): Uint8Array {
    const at = this.#pos;
    const after = this.#head(at, what);
    if (this.#major !== 2) throw this.error(`${what} should be a byte string, found ${MAJOR_NAMES[this.#major]}`, at);
    if (this.#argument !== size)
      throw this.error(`${what} should be ${size} bytes, found ${this.#argument === INDEFINITE ? 'an indefinite length' : this.#argument}`, at);
    if (size > this.#bytes.length - after) throw this.#truncated(what, at);
    this.#pos = after + size;
    return this.#bytes.subarray(after, after + size);
  }

  /** Consumes a CBOR null if it is next. */
  null(): boolean {
    if (this.#bytes[this.#pos] !== NULL) return false;
    this.#pos += 1;
    return true;
  }

  /** Whether an indefinite-length container's break is next (and consumes it). */
  breakNext(): boolean {
    if (this.#bytes[this.#pos] !== BREAK) return false;
    this.#pos += 1;
    return true;
  }

  /** Whether the item `index` of a container of `length` items (Infinity: indefinite) is there. */
  hasItem(index: number, length: number): boolean {
    return length === Infinity ? !this.breakNext() : index < length;
  }

  /** Skips one complete item (with everything nested in it) and returns its span [start, end). */
  skip(what: string): [number, number] {
    const start = this.#pos;
    const end = this.#skipFrom(start, what);
    this.#pos = end;
    return [start, end];
  }

  /**
   * The offset after the complete item at `start`. The hot loop of the reader: heads are decoded
   * inline into locals (the same rules as #head, which the typed reads use).
   */
  #skipFrom(start: number, what: string): number {
    const bytes = this.#bytes;
    const end = bytes.length;
    let p = start;
    let depth = 0;
    // Items still expected by the innermost open container (INDEFINITE: until its break).
    let remaining = 1;
    for (;;) {
      const at = p;
      if (p >= end) throw this.error(p === start ? `the bytes end where ${what} should start` : `the bytes end inside ${what}`, at);
      const initial = bytes[p] as number;
      const major = initial >> 5;
      const info = initial & 31;
      let argument: number;
      if (info < 24) {
        argument = info;
        p += 1;
      } else if (info === 24) {
        if (p + 2 > end) throw this.#truncated(what, at);
        argument = bytes[p + 1] as number;
        p += 2;
      } else if (info === 25) {
        if (p + 3 > end) throw this.#truncated(what, at);
        argument = ((bytes[p + 1] as number) << 8) | (bytes[p + 2] as number);
        p += 3;
      } else if (info === 26) {
        if (p + 5 > end) throw this.#truncated(what, at);
        argument = uint32(bytes, p + 1);
        p += 5;
      } else if (info === 27) {
        if (p + 9 > end) throw this.#truncated(what, at);
        argument = uint32(bytes, p + 1) * TWO_32 + uint32(bytes, p + 5);
        p += 9;
      } else if (info === 31) {
        argument = INDEFINITE;
        p += 1;
      } else {
        throw this.error(`${what} is not valid CBOR: additional information ${info} is reserved`, at);
      }
      if (major === 2 || major === 3) {
        if (argument !== INDEFINITE) {
          if (argument > end - p) throw this.#truncated(what, at);
          p += argument;
        } else {
          p = this.#indefiniteStringEnd(at, p, major, what);
        }
      } else if (major === 4 || major === 5) {
        if (argument !== 0) {
          if (depth >= MAX_NESTING) throw this.error(`${what}: nested deeper than ${MAX_NESTING} containers`, at);
          enclosing[depth] = remaining;
          depth += 1;
          remaining = argument === INDEFINITE ? INDEFINITE : major === 5 ? argument * 2 : argument;
          continue;
        }
      } else if (major === 6) {
        if (argument === INDEFINITE) throw this.error(`${what} is not valid CBOR: a tag cannot have an indefinite length`, at);
        // The tagged item follows and stands for this one.
        continue;
      } else if (major === 7) {
        if (info === 31) {
          if (remaining !== INDEFINITE) throw this.error(`${what}: a break outside an indefinite-length container`, at);
          // The break closes its container, which is one complete item of the one around it.
          depth -= 1;
          remaining = enclosing[depth] as number;
        } else if (info < 20 || info === 24) {
          throw this.error(`${what} is not valid CBOR: simple value ${info === 24 ? bytes[at + 1] : info} is not used by Cardano`, at);
        }
      } else if (argument === INDEFINITE) {
        throw this.error(`${what} is not valid CBOR: an integer cannot have an indefinite length`, at);
      }
      // One item of the current container is complete (maybe closing enclosing ones too).
      for (;;) {
        if (remaining === INDEFINITE) break;
        remaining -= 1;
        if (remaining > 0) break;
        if (depth === 0) return p;
        depth -= 1;
        remaining = enclosing[depth] as number;
      }
    }
  }
}

function uint32(bytes: Uint8Array, at: number): number {
  return (((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number)) >>> 0;
}
