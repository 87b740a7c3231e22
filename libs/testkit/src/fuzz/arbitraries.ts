/**
 * Request bytes for fuzzing an RPC: random bytes, mutations of valid encodings (the requests of a
 * service's own tests), and valid messages built from extreme numbers and bulky strings or bytes.
 */
import fc, { type Arbitrary } from 'fast-check';

/** Where an input comes from: a property may hold only of some (a valid encoding always decodes). */
export type InputKind = 'random' | 'mutated' | 'valid';

export interface FuzzInput {
  readonly kind: InputKind;
  readonly bytes: Uint8Array;
}

/** Random bytes, mostly short (what a decoder meets first), sometimes up to 64 KiB. */
export function randomBytes(): Arbitrary<Uint8Array> {
  return fc.oneof({ weight: 9, arbitrary: fc.uint8Array({ maxLength: 256 }) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 65_536, size: 'max' }) });
}

type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly mask: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'truncate'; readonly at: number };

const mutation: Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    // 0xff runs make over-long varints and huge length prefixes.
    bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constant(new Uint8Array(10).fill(0xff))),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, change: Mutation): Uint8Array {
  const at = bytes.length === 0 ? 0 : change.at % (bytes.length + (change.kind === 'insert' ? 1 : 0));
  switch (change.kind) {
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const flipped = Uint8Array.from(bytes);
      flipped[at] = flipped[at]! ^ change.mask;
      return flipped;
    }
    case 'insert':
      return Uint8Array.from([...bytes.subarray(0, at), ...change.bytes, ...bytes.subarray(at)]);
    case 'delete':
      return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + change.length)]);
    case 'truncate':
      return bytes.subarray(0, at);
  }
}

/** One of `seeds` (valid encodings), with one to eight bytes flipped, inserted, deleted or cut. */
export function mutatedBytes(seeds: readonly Uint8Array[]): Arbitrary<Uint8Array> {
  if (seeds.length === 0) throw new RangeError('mutatedBytes: no valid encoding to mutate');
  return fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 8 })).map(([seed, changes]) => changes.reduce(mutate, seed));
}

/** The uint64 values where arithmetic breaks: 32-bit and 53-bit (Number) edges, the signed edge, 2^64 − 1. */
export const EXTREME_UINT64: readonly bigint[] = [
  0n,
  1n,
  2n ** 31n - 1n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
];

/** A uint64 field's value: an extreme one, or any up to 2^64 − 1 (`max` bounds both, for a field a service cannot take yet). */
export function extremeUint64(max = 2n ** 64n - 1n): Arbitrary<bigint> {
  return fc.oneof(fc.constantFrom(...EXTREME_UINT64.filter((value) => value <= max)), fc.bigInt({ min: 0n, max }));
}

/** A uint32 field's value: an extreme one or any. */
export function extremeUint32(): Arbitrary<number> {
  return fc.oneof(fc.constantFrom(0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
}

/** An int32 field's value (enums on the wire): an extreme one or any. */
export function extremeInt32(): Arbitrary<number> {
  return fc.oneof(fc.constantFrom(0, 1, -1, 2 ** 31 - 1, -(2 ** 31)), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
}

/** A double field's value: the non-finite ones, the edges of the range, or any. */
export function extremeDouble(): Arbitrary<number> {
  return fc.oneof(fc.constantFrom(0, -0, 1, -1, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, 1e308), fc.double());
}

/**
 * Sizes of bulky fields: a kilobyte, 64 KiB, and up to `maxBytes` (the server's receive limit less
 * room for the rest of the message). One bulky field per message keeps it within the limit.
 */
function bulkySize(maxBytes: number): Arbitrary<number> {
  return fc.oneof(fc.constantFrom(1024, 65_536, maxBytes), fc.integer({ min: 0, max: maxBytes }));
}

/** A string field's value: mostly short (any text, hex-like or not), sometimes bulky (one character repeated, up to `maxBytes` UTF-8 bytes). */
export function bulkyText(maxBytes: number): Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ maxLength: 80, unit: 'grapheme' }) },
    { weight: 2, arbitrary: fc.string({ maxLength: 128, unit: fc.constantFrom(...'0123456789abcdef') }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(bulkySize(maxBytes), fc.constantFrom('a', '0', 'é', '\u{1F600}'))
        .map(([size, unit]) => unit.repeat(Math.floor(size / Buffer.byteLength(unit)))),
    },
  );
}

/** A bytes field's value (a Buffer, as generated messages hold them): mostly short random bytes, sometimes bulky (up to `maxBytes`). */
export function bulkyBytes(maxBytes: number): Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: fc.tuple(bulkySize(maxBytes), fc.integer({ min: 0, max: 255 })).map(([size, fill]) => Buffer.alloc(size, fill)) },
  );
}

/** An input that fast-check prints short (kind, size, first bytes): a counterexample may be megabytes. */
function fuzzInput(kind: InputKind, bytes: Uint8Array): FuzzInput {
  return Object.assign({ kind, bytes }, { [fc.toStringMethod]: () => describeInput({ kind, bytes }) });
}

/** "mutated input of 1234 bytes (0a0b…)": the kind, the size and the first 48 bytes in hex. */
export function describeInput(input: FuzzInput): string {
  const head = Buffer.from(input.bytes.subarray(0, 48)).toString('hex');
  return `${input.kind} input of ${input.bytes.length} bytes (${head}${input.bytes.length > 48 ? '…' : ''})`;
}

/**
 * The three kinds of input, in equal parts: random bytes, mutated `seeds`, and `valid` (encoded valid
 * messages); now and then a seed as it is, so that the paths past every check (an accepted request)
 * are taken too, between the refusals.
 */
export function requestInputs(options: { readonly seeds: readonly Uint8Array[]; readonly valid: Arbitrary<Uint8Array> }): Arbitrary<FuzzInput> {
  return fc.oneof(
    { weight: 3, arbitrary: randomBytes().map((bytes) => fuzzInput('random', bytes)) },
    { weight: 3, arbitrary: mutatedBytes(options.seeds).map((bytes) => fuzzInput('mutated', bytes)) },
    { weight: 3, arbitrary: options.valid.map((bytes) => fuzzInput('valid', bytes)) },
    { weight: 1, arbitrary: fc.constantFrom(...options.seeds).map((bytes) => fuzzInput('valid', bytes)) },
  );
}

/** `seeds` as valid inputs: examples a property always runs (fast-check's `examples`), besides the generated ones. */
export function seedInputs(seeds: readonly Uint8Array[]): FuzzInput[] {
  return seeds.map((bytes) => fuzzInput('valid', bytes));
}

/** Inputs of one kind, for an RPC fuzzed with an arbitrary of its own (the health check's names). */
export function inputsOf(kind: InputKind, bytes: Arbitrary<Uint8Array>): Arbitrary<FuzzInput> {
  return bytes.map((value) => fuzzInput(kind, value));
}
