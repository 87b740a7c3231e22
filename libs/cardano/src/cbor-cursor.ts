/**
 * A forward-only walk over CBOR bytes that reports where each item starts and ends, built on
 * cborg's tokenizer. Cardano hashes the bytes an item was received in (a block header, a
 * transaction body), never a re-encoding: the cursor hands back byte spans of the original bytes.
 *
 * cborg's `decode` builds values and forgets positions; its tokenizer knows each token's position
 * and encoded length, which is all a span needs. Bytes tokens are views when the input is a Node
 * Buffer (cborg's `slice` on a Buffer does not copy), so callers pass Buffers on hot paths.
 *
 * Bounds: every token is checked against the end of the bytes by cborg before it is read (a
 * length that runs past the end is an error, not an allocation); containers are walked with an
 * explicit stack bounded by MAX_NESTING, so hostile nesting cannot blow the call stack; a claimed
 * count of billions of items costs nothing until the items are actually there.
 */
import { Tokenizer, Type, type Token } from 'cborg';
import { ImmutableDbFormatError } from './immutable-db-errors.js';

/** Deeper than any Cardano structure (Plutus data on mainnet stays far below this). */
const MAX_NESTING = 512;
const NULL = 0xf6;
const BREAK = 0xff;

export class CborCursor {
  readonly #tokens: Tokenizer;
  readonly #bytes: Uint8Array;

  /**
   * `bytes` are the item's bytes (a Buffer for zero-copy bytes tokens); `file` and `base` (the
   * file offset of `bytes[0]`) only name where an error is.
   */
  constructor(
    bytes: Uint8Array,
    readonly file: string,
    readonly base: number,
  ) {
    this.#bytes = bytes;
    // Not strict: cardano-node accepts integers in more bytes than necessary, and the hashes are over
    // whatever bytes are there.
    this.#tokens = new Tokenizer(bytes, { allowIndefinite: true, allowUndefined: true, allowBigInt: true, strict: false });
  }

  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** Offset of the next token in the bytes. */
  pos(): number {
    return this.#tokens.pos();
  }

  done(): boolean {
    return this.#tokens.pos() >= this.#bytes.length;
  }

  error(detail: string, at = this.pos(), cause?: unknown): ImmutableDbFormatError {
    const truncated = at >= this.#bytes.length || (cause instanceof Error && /not enough data|unexpected end/i.test(cause.message));
    const options = cause === undefined ? undefined : { cause };
    // A cut is reported where the bytes end (what an operator compares with the file size).
    if (truncated)
      return new ImmutableDbFormatError('TRUNCATED', this.file, this.base + this.#bytes.length, `${detail} (from byte ${this.base + at})`, options);
    return new ImmutableDbFormatError('CORRUPT', this.file, this.base + at, detail, options);
  }

  #next(what: string): Token {
    const at = this.pos();
    if (at >= this.#bytes.length) throw this.error(`the bytes end where ${what} should start`, at);
    try {
      return this.#tokens.next();
    } catch (error) {
      throw this.error(`${what} is not valid CBOR: ${(error as Error).message}`, at, error);
    }
  }

  /** An array header: its length, or Infinity for an indefinite-length array. */
  array(what: string): number {
    const at = this.pos();
    const token = this.#next(what);
    if (token.type !== Type.array) throw this.error(`${what} should be a CBOR array, found ${token.type.name}`, at);
    return token.value as number;
  }

  /** An array header of exactly one of `lengths`. */
  arrayOf(what: string, ...lengths: number[]): number {
    const at = this.pos();
    const length = this.array(what);
    if (!lengths.includes(length)) throw this.error(`${what} should be an array of ${lengths.join(' or ')} items, found ${length}`, at);
    return length;
  }

  /** An unsigned integer, as a bigint (slots and block numbers are u64). */
  uint(what: string): bigint {
    const at = this.pos();
    const token = this.#next(what);
    if (token.type !== Type.uint) throw this.error(`${what} should be an unsigned integer, found ${token.type.name}`, at);
    return BigInt(token.value as number | bigint);
  }

  /** A byte string of exactly `size` bytes (a view into the input when it is a Buffer). */
  bytesOf(what: string, size: number): Uint8Array {
    const at = this.pos();
    const token = this.#next(what);
    if (token.type !== Type.bytes) throw this.error(`${what} should be a byte string, found ${token.type.name}`, at);
    const value = token.value as Uint8Array;
    if (value.length !== size) throw this.error(`${what} should be ${size} bytes, found ${value.length}`, at);
    return value;
  }

  /** Consumes a CBOR null if it is next. */
  null(): boolean {
    if (this.#bytes[this.pos()] !== NULL) return false;
    this.#next('null');
    return true;
  }

  /** Whether an indefinite-length container's break is next (and consumes it). */
  breakNext(): boolean {
    if (this.#bytes[this.pos()] !== BREAK) return false;
    this.#next('break');
    return true;
  }

  /** Whether the item `index` of a container of `length` items (Infinity: indefinite) is there. */
  hasItem(index: number, length: number): boolean {
    return length === Infinity ? !this.breakNext() : index < length;
  }

  /** Skips one complete item (with everything nested in it) and returns its span [start, end). */
  skip(what: string): [number, number] {
    const start = this.pos();
    const enclosing: number[] = [];
    let remaining = 1;
    for (;;) {
      const token = this.#next(what);
      const type = token.type;
      if (type === Type.break) {
        if (remaining !== Infinity) throw this.error(`${what}: a break outside an indefinite-length container`, this.pos() - 1);
        remaining = enclosing.pop() as number;
      } else if (type === Type.array || type === Type.map) {
        const length = token.value as number;
        const items = length === Infinity ? Infinity : type === Type.map ? length * 2 : length;
        if (items !== 0) {
          if (enclosing.length >= MAX_NESTING) throw this.error(`${what}: nested deeper than ${MAX_NESTING} containers`);
          enclosing.push(remaining);
          remaining = items;
          continue;
        }
      } else if (type === Type.tag) {
        // The tagged item follows and stands for this one.
        continue;
      }
      // One item of the current container is complete (maybe closing enclosing ones too).
      for (;;) {
        if (remaining === Infinity) break;
        remaining -= 1;
        if (remaining > 0) break;
        if (enclosing.length === 0) return [start, this.pos()];
        remaining = enclosing.pop() as number;
      }
    }
  }
}
