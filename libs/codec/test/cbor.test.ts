import { cborBytes, decodeCbor, encodeCbor, fromHex, toHex, unwrapCborBytes } from '../src/index.js';
import { expectCodecError } from './helpers.js';

describe('CBOR', () => {
  it('round trips values, with u64 as bigint', () => {
    const value = { a: 1, b: [true, null, 'x'], c: new Uint8Array([1, 2]), d: 18446744073709551615n };
    expect(decodeCbor(encodeCbor(value))).toEqual(value);
    expect(toHex(encodeCbor([1, 'a']))).toBe('82016161');
  });

  it('decodes maps with integer keys when asked to', () => {
    expect(decodeCbor(fromHex('a10102'), { useMaps: true })).toEqual(new Map([[1, 2]]));
    expectCodecError(() => decodeCbor(fromHex('a10102')), 'INVALID_CBOR');
  });

  it('rejects trailing bytes', () => {
    const error = expectCodecError(() => decodeCbor(fromHex('0102')), 'INVALID_CBOR');
    expect(error.message).toMatch(/trailing/);
  });

  it('rejects malformed and ambiguous encodings', () => {
    for (const bad of [
      '', // nothing
      '5820', // truncated byte string
      '8201', // truncated array
      '1801', // non-minimal integer
      '5900020102', // non-minimal length
      'a2616101616102', // duplicate map key
      'f7', // undefined
      '9f01ff', // indefinite length
      'ff', // lone break
      'c24101', // unsupported tag
      'f97e00', // NaN
    ]) {
      expectCodecError(() => decodeCbor(fromHex(bad)), 'INVALID_CBOR');
    }
    expect(decodeCbor(fromHex('9f01ff'), { allowIndefinite: true })).toEqual([1]);
  });

  it('enforces maxBytes', () => {
    expectCodecError(() => decodeCbor(new Uint8Array(11), { maxBytes: 10 }), 'TOO_LARGE');
  });

  it('refuses to encode what CBOR cannot hold', () => {
    expectCodecError(() => encodeCbor(() => 1), 'WRONG_TYPE');
    expectCodecError(() => encodeCbor(2n ** 64n), 'WRONG_TYPE');
  });
});

describe('CBOR byte strings', () => {
  it('wraps 32 bytes as 5820 || bytes, like an Ed25519 .skey', () => {
    const key = new Uint8Array(32).map((_, i) => i);
    const wrapped = cborBytes(key);
    expect(toHex(wrapped)).toBe('5820' + toHex(key));
    expect(unwrapCborBytes(wrapped)).toEqual(key);
  });

  it('uses the short forms for small and empty payloads', () => {
    expect(toHex(cborBytes(new Uint8Array([0xaa])))).toBe('41aa');
    expect(toHex(cborBytes(new Uint8Array(0)))).toBe('40');
    expect(unwrapCborBytes(fromHex('40'))).toEqual(new Uint8Array(0));
  });

  it('returns a copy that does not alias the input', () => {
    const exact = fromHex('420102');
    const bytes = unwrapCborBytes(exact);
    exact[1] = 0xff;
    expect(bytes).toEqual(new Uint8Array([1, 2]));
  });

  it('rejects anything that is not a single byte string', () => {
    expectCodecError(() => unwrapCborBytes(fromHex('820102')), 'WRONG_TYPE'); // array
    expectCodecError(() => unwrapCborBytes(fromHex('6161')), 'WRONG_TYPE'); // text string
    expectCodecError(() => unwrapCborBytes(fromHex('01')), 'WRONG_TYPE'); // integer
    expectCodecError(() => unwrapCborBytes(fromHex('a0')), 'WRONG_TYPE'); // map
    expectCodecError(() => unwrapCborBytes(fromHex('f6')), 'WRONG_TYPE'); // null
    expectCodecError(() => unwrapCborBytes(fromHex('41aa00')), 'INVALID_CBOR'); // trailing byte
    expectCodecError(() => unwrapCborBytes(fromHex('5820aa')), 'INVALID_CBOR'); // truncated
  });
});
