/** A pass-through stream that measures what goes through it: byte count and SHA-256. */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class MeasuringStream extends Transform {
  #size = 0;
  readonly #hash = createHash('sha256');
  #sha256: string | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#size += chunk.length;
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#sha256 = this.#hash.digest('hex');
    callback();
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.#size;
  }

  /** SHA-256 (hex) of every byte, once the stream has ended. */
  get sha256(): string {
    if (this.#sha256 === undefined) throw new Error('the stream has not ended: its SHA-256 is not known yet');
    return this.#sha256;
  }
}
