/** Fixed-width integer and byte helpers shared by the STM byte formats. */
import { StmError } from './errors.js';

export function u64be(value: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

/** Reads bytes with bounds checks; every overrun is an INVALID_ENCODING error naming the field. */
export class ByteReader {
  private offset = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  take(n: number, field: string): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0 || this.offset + n > this.bytes.length) {
      throw new StmError('INVALID_ENCODING', `${this.what}: truncated while reading ${field}`);
    }
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  u64(field: string): bigint {
    return new DataView(this.take(8, field).slice().buffer).getBigUint64(0);
  }

  /** A u64 that must fit a JS safe integer (counts, indices). */
  safeU64(field: string, max: number = Number.MAX_SAFE_INTEGER): number {
    const value = this.u64(field);
    if (value > BigInt(max)) throw new StmError('INVALID_ENCODING', `${this.what}: ${field} ${value} exceeds ${max}`);
    return Number(value);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  end(): void {
    if (this.remaining !== 0) throw new StmError('INVALID_ENCODING', `${this.what}: ${this.remaining} trailing bytes`);
  }
}

/** Lexicographic order of byte strings (the reference orders keys and signatures by their bytes). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}
