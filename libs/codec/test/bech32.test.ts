import { decodeBech32, encodeBech32, fromHex, toHex } from '../src/index.js';
import { expectCodecError } from './helpers.js';

const POOL_ID = 'pool1mxyec46067n3querj9cxkk0g0zlag93pf3ya9vuyr3wgkq2e6t7';
const POOL_ID_HEX = 'd9899c574fd7a710732391706b59e878bfd416214c49d2b3841c5c8b';

describe('bech32', () => {
  it('decodes BIP-173 valid strings and re-encodes them', () => {
    const vectors: Array<[string, string, string]> = [
      ['a12uel5l', 'a', ''],
      ['A12UEL5L', 'a', ''],
      ['abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw', 'abcdef', '00443214c74254b635cf84653a56d7c675be77df'],
      ['split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w', 'split', 'c5f38b70305f519bf66d85fb6cf03058f3dde463ecd7918f2dc743918f2d'],
      ['?1ezyfcl', '?', ''],
      [
        'an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs',
        'an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio',
        '',
      ],
    ];
    for (const [text, prefix, payloadHex] of vectors) {
      const decoded = decodeBech32(text);
      expect(decoded.prefix).toBe(prefix);
      expect(toHex(decoded.bytes)).toBe(payloadHex);
      expect(encodeBech32(prefix, decoded.bytes)).toBe(text.toLowerCase());
    }
  });

  it('decodes a Cardano pool id to its 28-byte pool key hash', () => {
    const { prefix, bytes } = decodeBech32(POOL_ID, { expectedPrefix: 'pool' });
    expect(prefix).toBe('pool');
    expect(bytes).toHaveLength(28);
    expect(toHex(bytes)).toBe(POOL_ID_HEX);
    expect(encodeBech32('pool', fromHex(POOL_ID_HEX))).toBe(POOL_ID);
  });

  it('rejects a wrong checksum', () => {
    const tampered = POOL_ID.slice(0, -1) + (POOL_ID.endsWith('7') ? '8' : '7');
    expectCodecError(() => decodeBech32(tampered), 'INVALID_BECH32');
    expectCodecError(() => decodeBech32('a12uel5m'), 'INVALID_BECH32');
  });

  it('rejects BIP-173 invalid strings', () => {
    for (const bad of [
      'pzry9x0s0muk', // no separator
      '1pzry9x0s0muk', // empty prefix
      'x1b4n0q5v', // 'b' is not in the data alphabet
      'li1dgmt3', // checksum too short
      'A1G7SGD8', // checksum computed with the uppercase prefix
      '10a06t8', // empty prefix
      '1qzzfhee', // empty prefix
      'a12UEL5L', // mixed case
      ' 1nwldj5', // prefix character out of range
      '',
    ]) {
      expectCodecError(() => decodeBech32(bad), 'INVALID_BECH32');
    }
  });

  it('rejects a wrong prefix', () => {
    const error = expectCodecError(() => decodeBech32(POOL_ID, { expectedPrefix: 'stake' }), 'WRONG_PREFIX');
    expect(error.message).toMatch(/stake/);
    expect(decodeBech32(POOL_ID, { expectedPrefix: 'POOL' }).prefix).toBe('pool');
  });

  it('applies a configurable length limit on both sides', () => {
    // A 57-byte Cardano base address payload does not fit in 90 characters.
    const payload = new Uint8Array(57).fill(1);
    expectCodecError(() => encodeBech32('addr', payload), 'INVALID_BECH32');
    const address = encodeBech32('addr', payload, { maxLength: 120 });
    expect(address.length).toBeGreaterThan(90);
    expectCodecError(() => decodeBech32(address), 'TOO_LARGE');
    expect(decodeBech32(address, { maxLength: 120, expectedPrefix: 'addr' }).bytes).toEqual(payload);
    expectCodecError(() => decodeBech32(POOL_ID, { maxLength: 20 }), 'TOO_LARGE');
  });

  it('rejects checksum-valid strings whose payload is not whole bytes', () => {
    expect(decodeBech32('a1qqqd87cq').bytes).toEqual(new Uint8Array([0])); // words [0, 0]
    expect(expectCodecError(() => decodeBech32('a1qpamnt9j'), 'INVALID_BECH32').message).toMatch(/padding/); // [0, 1]
    expect(expectCodecError(() => decodeBech32('a1lmyple6'), 'INVALID_BECH32').message).toMatch(/padding/); // [31]
  });
});
