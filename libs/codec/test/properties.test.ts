import fc from 'fast-check';
import { hex as scureHex } from '@scure/base';
import {
  CodecError,
  decodeBech32,
  decodeBytesHexOrJsonHex,
  decodeCbor,
  decodeJsonHex,
  decodeJsonHexOrBytesHex,
  encodeBech32,
  encodeJsonHex,
  fromHex,
  parseJson,
  readBytesTextEnvelope,
  readTextEnvelope,
  toHex,
  unwrapCborBytes,
} from '../src/index.js';

/** `npm run fuzz` raises the case count through FUZZ_RUNS. */
const RUNS = { numRuns: Number(process.env.FUZZ_RUNS ?? 200) };

/** JSON values as the reference could produce them: safe integers as numbers, u64 as bigint. */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d) && !Object.is(d, -0)),
    fc.string({ unit: 'binary' }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** Decoders fed arbitrary input must fail only with CodecError. */
function onlyCodecErrors(decode: () => unknown): void {
  try {
    decode();
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
  }
}

const hexLike = fc.stringMatching(/^[0-9a-fA-F]*$/);
const anyString = fc.oneof(fc.string({ unit: 'binary' }), fc.string(), hexLike, fc.json());

describe('properties', () => {
  it('hex round trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = toHex(bytes);
        expect(text).toMatch(/^[0-9a-f]*$/);
        expect(fromHex(text)).toEqual(bytes);
        expect(fromHex(text.toUpperCase())).toEqual(bytes);
      }),
      RUNS,
    );
  });

  it('hex agrees with @scure/base on every byte string, and on which strings are hex', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        expect(toHex(bytes)).toBe(scureHex.encode(bytes));
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.oneof(hexLike, fc.string({ maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 64 })), (text) => {
        let expected: Uint8Array | undefined;
        try {
          expected = scureHex.decode(text);
        } catch {
          expected = undefined;
        }
        if (expected === undefined) expect(() => fromHex(text)).toThrow(CodecError);
        else expect(fromHex(text)).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('JSON-hex round trips', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        expect(decodeJsonHex(encodeJsonHex(value))).toEqual(value);
      }),
      RUNS,
    );
  });

  it('JSON-hex is the hex of the JSON.stringify text when no bigint is involved', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        let encoded: string;
        try {
          encoded = encodeJsonHex(value);
        } catch (error) {
          // Only integer-valued doubles beyond 2^53 are refused.
          expect(error).toBeInstanceOf(CodecError);
          return;
        }
        expect(encoded).toBe(Buffer.from(text, 'utf8').toString('hex'));
      }),
      RUNS,
    );
  });

  it('parseJson agrees with JSON.parse on valid JSON, up to bigint precision', () => {
    const asNumbers = (_key: string, v: unknown) => (typeof v === 'bigint' ? Number(v) : v);
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(JSON.stringify(parseJson(text), asNumbers)).toBe(JSON.stringify(JSON.parse(text)));
      }),
      RUNS,
    );
  });

  it('bech32 round trips', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,10}$/), fc.uint8Array({ maxLength: 40 }), (prefix, bytes) => {
        expect(decodeBech32(encodeBech32(prefix, bytes), { expectedPrefix: prefix }).bytes).toEqual(bytes);
      }),
      RUNS,
    );
  });

  it('string decoders only ever throw CodecError', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        onlyCodecErrors(() => fromHex(text));
        onlyCodecErrors(() => parseJson(text));
        onlyCodecErrors(() => decodeJsonHex(text));
        onlyCodecErrors(() => decodeJsonHexOrBytesHex(text));
        onlyCodecErrors(() => decodeBytesHexOrJsonHex(text));
        onlyCodecErrors(() => decodeBech32(text));
        onlyCodecErrors(() => readTextEnvelope(text));
        onlyCodecErrors(() => readBytesTextEnvelope(text));
      }),
      RUNS,
    );
  });

  it('JSON-hex decoders only ever throw CodecError on hex of arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ unit: 'binary' })), (text) => {
        const hex = Buffer.from(text, 'utf8').toString('hex');
        onlyCodecErrors(() => decodeJsonHex(hex));
        onlyCodecErrors(() => decodeJsonHexOrBytesHex(hex));
        onlyCodecErrors(() => decodeBytesHexOrJsonHex(hex));
      }),
      RUNS,
    );
  });

  it('CBOR decoders only ever throw CodecError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        onlyCodecErrors(() => decodeCbor(bytes));
        onlyCodecErrors(() => decodeCbor(bytes, { useMaps: true, allowIndefinite: true }));
        onlyCodecErrors(() => unwrapCborBytes(bytes));
      }),
      RUNS,
    );
  });
});
