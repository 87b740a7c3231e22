import {
  CodecError,
  createVersionedCodec,
  decodeJsonHex,
  encodeJsonHex,
  bytesFromJsonArray,
  bytesToJsonArray,
  fromHex,
  toHex,
  type Encoding,
} from '../src/index.js';
import { expectCodecError } from './helpers.js';

/** A 4-byte "key" with the two encodings the reference uses for keys. */
const bytesHex: Encoding<Uint8Array> = {
  name: 'bytes-hex',
  encode: (key) => toHex(key),
  decode: (text) => {
    const key = fromHex(text);
    if (key.length !== 4) throw new CodecError('WRONG_LENGTH', `expected 4 bytes, got ${key.length}`);
    return key;
  },
};
const jsonHex: Encoding<Uint8Array> = {
  name: 'json-hex',
  encode: (key) => encodeJsonHex(bytesToJsonArray(key)),
  decode: (text) => bytesFromJsonArray(decodeJsonHex(text), { expectedLength: 4 }),
};

describe('versioned codec', () => {
  const key = new Uint8Array([1, 2, 3, 4]);
  const codec = createVersionedCodec({ default: bytesHex, maintained: [jsonHex] });

  it('writes the default encoding', () => {
    expect(codec.encode(key)).toBe('01020304');
    expect(codec.encodings.map((e) => e.name)).toEqual(['bytes-hex', 'json-hex']);
    expect(codec.defaultEncoding).toBe(bytesHex);
  });

  it('reads every maintained encoding and says which one matched', () => {
    expect(codec.decodeWithEncoding('01020304')).toEqual({ value: key, encoding: 'bytes-hex' });
    expect(codec.decodeWithEncoding(jsonHex.encode(key))).toEqual({ value: key, encoding: 'json-hex' });
    expect(codec.decode(jsonHex.encode(key))).toEqual(key);
  });

  it('tries the default first', () => {
    const seen: string[] = [];
    const spy = (encoding: Encoding<Uint8Array>): Encoding<Uint8Array> => ({
      ...encoding,
      decode: (text) => {
        seen.push(encoding.name);
        return encoding.decode(text);
      },
    });
    const traced = createVersionedCodec({ default: spy(jsonHex), maintained: [spy(bytesHex)] });
    expect(traced.decodeWithEncoding('01020304').encoding).toBe('bytes-hex');
    expect(seen).toEqual(['json-hex', 'bytes-hex']);
  });

  it('lists what was tried when nothing matches', () => {
    const error = expectCodecError(() => codec.decode('0102'), 'NO_MATCHING_ENCODING');
    expect(error.message).toMatch(/bytes-hex: expected 4 bytes/);
    expect(error.message).toMatch(/json-hex: /);
    expect(Array.isArray(error.cause)).toBe(true);
  });

  it('ignores the default listed again among maintained encodings, and refuses ambiguous names', () => {
    expect(createVersionedCodec({ default: bytesHex, maintained: [bytesHex, jsonHex] }).encodings).toHaveLength(2);
    expect(() => createVersionedCodec({ default: bytesHex, maintained: [{ ...jsonHex, name: 'bytes-hex' }] })).toThrow(TypeError);
  });
});
