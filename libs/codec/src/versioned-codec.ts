import { CodecError, describeError } from './errors.js';

/** One way of turning a T into a string and back. `decode` throws on input it does not accept. */
export interface Encoding<T> {
  readonly name: string;
  encode(value: T): string;
  decode(encoded: string): T;
}

export interface DecodedWith<T> {
  value: T;
  /** Name of the encoding that accepted the input. */
  encoding: string;
}

/**
 * Writes one default encoding and reads every maintained one, so the wire format can move
 * forward (e.g. JSON-hex to bytes hex) while data written by older peers stays readable.
 */
export interface VersionedCodec<T> {
  readonly defaultEncoding: Encoding<T>;
  /** Every encoding `decode` tries, in order: the default first. */
  readonly encodings: readonly Encoding<T>[];
  encode(value: T): string;
  decode(encoded: string): T;
  decodeWithEncoding(encoded: string): DecodedWith<T>;
}

export interface VersionedCodecConfig<T> {
  default: Encoding<T>;
  maintained?: readonly Encoding<T>[];
}

export function createVersionedCodec<T>(config: VersionedCodecConfig<T>): VersionedCodec<T> {
  const encodings: Encoding<T>[] = [config.default];
  for (const encoding of config.maintained ?? []) {
    const clash = encodings.find((known) => known.name === encoding.name);
    if (clash === encoding) continue;
    // Names are what callers see in errors and in decodeWithEncoding, so they must identify.
    if (clash !== undefined) throw new TypeError(`two different encodings are named "${encoding.name}"`);
    encodings.push(encoding);
  }

  function decodeWithEncoding(encoded: string): DecodedWith<T> {
    const failures: string[] = [];
    const errors: unknown[] = [];
    for (const encoding of encodings) {
      try {
        return { value: encoding.decode(encoded), encoding: encoding.name };
      } catch (error) {
        // Any failure means "not this encoding": the reference falls through on every error too.
        failures.push(`${encoding.name}: ${describeError(error)}`);
        errors.push(error);
      }
    }
    throw new CodecError('NO_MATCHING_ENCODING', `no encoding accepted the input (tried ${failures.join('; ')})`, {
      cause: errors,
    });
  }

  return {
    defaultEncoding: config.default,
    encodings,
    encode: (value) => config.default.encode(value),
    decode: (encoded) => decodeWithEncoding(encoded).value,
    decodeWithEncoding,
  };
}
