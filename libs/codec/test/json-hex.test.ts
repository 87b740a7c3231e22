import { bytesFromJsonArray, bytesToJsonArray, decodeBytesHexOrJsonHex, decodeJsonHex, decodeJsonHexOrBytesHex, encodeJsonHex } from '../src/index.js';
import { expectCodecError, utf8Hex } from './helpers.js';

describe('JSON-hex', () => {
  it('is the hex of the exact compact UTF-8 JSON text', () => {
    expect(encodeJsonHex({ a: [1, 2] })).toBe(utf8Hex('{"a":[1,2]}'));
    expect(encodeJsonHex({ a: [1, 2] })).toBe('7b2261223a5b312c325d7d');
    expect(encodeJsonHex({ key: new Uint8Array([1, 2, 3]) })).toBe(utf8Hex('{"key":[1,2,3]}'));
    expect(encodeJsonHex('é')).toBe(utf8Hex('"é"'));
  });

  it('round trips, including u64 values beyond 2^53', () => {
    const value = { sigma: [1, 2, 3], indexes: [4, 5], stake: 18446744073709551615n, party: 'pool1xyz' };
    expect(decodeJsonHex(encodeJsonHex(value))).toEqual(value);
  });

  it('trims surrounding whitespace and accepts uppercase hex', () => {
    expect(decodeJsonHex(`  ${utf8Hex('{"a":[1,2]}').toUpperCase()}\n`)).toEqual({ a: [1, 2] });
  });

  it('rejects bad hex, bad UTF-8 and bad JSON with INVALID_JSON_HEX', () => {
    expectCodecError(() => decodeJsonHex('7b2'), 'INVALID_JSON_HEX');
    expectCodecError(() => decodeJsonHex('zz'), 'INVALID_JSON_HEX');
    expectCodecError(() => decodeJsonHex(''), 'INVALID_JSON_HEX');
    expectCodecError(() => decodeJsonHex('ff'), 'INVALID_JSON_HEX');
    expectCodecError(() => decodeJsonHex(utf8Hex('{"a":')), 'INVALID_JSON_HEX');
    expectCodecError(() => decodeJsonHex(utf8Hex('[1] [2]')), 'INVALID_JSON_HEX');
  });

  it('enforces maxBytes on the decoded size', () => {
    const hex = utf8Hex('[1,2,3]');
    expect(decodeJsonHex(hex, { maxBytes: 7 })).toEqual([1, 2, 3]);
    expectCodecError(() => decodeJsonHex(hex, { maxBytes: 6 }), 'TOO_LARGE');
  });
});

describe('JSON-hex / bytes-hex fallback', () => {
  const jsonHex = utf8Hex('[1,2,3]');

  it('decodeJsonHexOrBytesHex prefers JSON and falls back to bytes', () => {
    expect(decodeJsonHexOrBytesHex(jsonHex)).toEqual({ kind: 'json', value: [1, 2, 3] });
    expect(decodeJsonHexOrBytesHex('ff00aa')).toEqual({ kind: 'bytes', bytes: new Uint8Array([0xff, 0, 0xaa]) });
    // "31" is the JSON document `1`: without a shape check JSON wins, as the brief rule says.
    expect(decodeJsonHexOrBytesHex('31')).toEqual({ kind: 'json', value: 1 });
    expect(decodeJsonHexOrBytesHex('31', { acceptJson: Array.isArray })).toEqual({
      kind: 'bytes',
      bytes: new Uint8Array([0x31]),
    });
  });

  it('decodeBytesHexOrJsonHex reads bytes unless they are a JSON array or object', () => {
    expect(decodeBytesHexOrJsonHex(jsonHex)).toEqual({ kind: 'json', value: [1, 2, 3] });
    expect(decodeBytesHexOrJsonHex(utf8Hex(' {"a":1}'))).toEqual({ kind: 'json', value: { a: 1 } });
    expect(decodeBytesHexOrJsonHex('31')).toEqual({ kind: 'bytes', bytes: new Uint8Array([0x31]) });
    // Starts with '[' but is not JSON: bytes.
    expect(decodeBytesHexOrJsonHex('5bff')).toEqual({ kind: 'bytes', bytes: new Uint8Array([0x5b, 0xff]) });
    expect(decodeBytesHexOrJsonHex('ff00')).toEqual({ kind: 'bytes', bytes: new Uint8Array([0xff, 0]) });
  });

  it('decodeBytesHexOrJsonHex honours a typed bytes check', () => {
    const only48 = (bytes: Uint8Array) => bytes.length === 48;
    expect(decodeBytesHexOrJsonHex(jsonHex, { acceptBytes: only48 })).toEqual({ kind: 'json', value: [1, 2, 3] });
    expectCodecError(() => decodeBytesHexOrJsonHex('ff00', { acceptBytes: only48 }), 'INVALID_JSON_HEX');
  });

  it('both reject non-hex input and oversized input', () => {
    for (const decode of [decodeJsonHexOrBytesHex, decodeBytesHexOrJsonHex]) {
      expectCodecError(() => decode('xyz1'), 'INVALID_HEX');
      expectCodecError(() => decode('abc'), 'INVALID_HEX');
      expectCodecError(() => decode(jsonHex, { maxBytes: 3 }), 'TOO_LARGE');
    }
  });
});

describe('byte arrays as JSON arrays', () => {
  it('round trips', () => {
    const bytes = new Uint8Array([0, 1, 127, 128, 255]);
    expect(bytesToJsonArray(bytes)).toEqual([0, 1, 127, 128, 255]);
    expect(bytesFromJsonArray(bytesToJsonArray(bytes))).toEqual(bytes);
    expect(bytesFromJsonArray([1, 2], { expectedLength: 2 })).toEqual(new Uint8Array([1, 2]));
  });

  it('validates elements and length', () => {
    for (const bad of [[256], [-1], [1.5], ['1'], [null], [1n]]) {
      expectCodecError(() => bytesFromJsonArray(bad), 'WRONG_TYPE');
    }
    expectCodecError(() => bytesFromJsonArray({ 0: 1 }), 'WRONG_TYPE');
    expectCodecError(() => bytesFromJsonArray('0102'), 'WRONG_TYPE');
    expectCodecError(() => bytesFromJsonArray([1, 2, 3], { expectedLength: 2 }), 'WRONG_LENGTH');
  });
});
