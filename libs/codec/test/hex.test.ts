import { fromHex, toHex } from '../src/index.js';
import { expectCodecError } from './helpers.js';

describe('hex', () => {
  it('encodes lowercase and decodes either case', () => {
    const bytes = new Uint8Array([0x00, 0x01, 0xab, 0xcd, 0xef, 0xff]);
    expect(toHex(bytes)).toBe('0001abcdefff');
    expect(fromHex('0001ABCDEFFF')).toEqual(bytes);
    expect(fromHex('0001AbCdEfFf')).toEqual(bytes);
    expect(toHex(fromHex('DEADBEEF'))).toBe('deadbeef');
  });

  it('handles the empty string', () => {
    expect(fromHex('')).toEqual(new Uint8Array(0));
    expect(toHex(new Uint8Array(0))).toBe('');
  });

  it('rejects odd length', () => {
    const error = expectCodecError(() => fromHex('abc'), 'INVALID_HEX');
    expect(error.message).toMatch(/odd length/);
  });

  it('rejects non-hex characters, prefixes and whitespace', () => {
    for (const bad of ['zz', '0x00', ' 00', '00 ', '0g', '+1', 'éé', '\u0660\u0661']) {
      expectCodecError(() => fromHex(bad), 'INVALID_HEX');
    }
    expect(expectCodecError(() => fromHex('00zz'), 'INVALID_HEX').message).toMatch(/"z" at position 2/);
  });

  it('enforces maxBytes before scanning the input', () => {
    expect(fromHex('0102', { maxBytes: 2 })).toEqual(new Uint8Array([1, 2]));
    expectCodecError(() => fromHex('010203', { maxBytes: 2 }), 'TOO_LARGE');
    // Oversized garbage is reported as oversized, not as garbage.
    expectCodecError(() => fromHex('z'.repeat(1000), { maxBytes: 10 }), 'TOO_LARGE');
  });

  it('rejects non-string and non-bytes inputs', () => {
    expectCodecError(() => fromHex(42 as unknown as string), 'WRONG_TYPE');
    expectCodecError(() => toHex([1, 2] as unknown as Uint8Array), 'WRONG_TYPE');
  });
});
