import { cborBytes, readBytesTextEnvelope, readTextEnvelope, toHex, writeBytesTextEnvelope, writeTextEnvelope } from '../src/index.js';
import { expectCodecError } from './helpers.js';

const KEY = new Uint8Array(32).map((_, i) => 0xa0 + i);
const KEY_HEX = toHex(KEY);

/** What `cardano-cli address key-gen` writes for a payment signing key. */
const SKEY_FILE =
  '{\n' + '    "type": "PaymentSigningKeyShelley_ed25519",\n' + '    "description": "Payment Signing Key",\n' + `    "cborHex": "5820${KEY_HEX}"\n` + '}\n';

describe('text envelopes', () => {
  it("writes exactly cardano-cli's format", () => {
    const written = writeTextEnvelope({
      type: 'PaymentSigningKeyShelley_ed25519',
      description: 'Payment Signing Key',
      cbor: cborBytes(KEY),
    });
    expect(written).toBe(SKEY_FILE);
    expect(writeBytesTextEnvelope({ type: 'PaymentSigningKeyShelley_ed25519', description: 'Payment Signing Key', bytes: KEY })).toBe(SKEY_FILE);
  });

  it('escapes strings the way aeson does', () => {
    const written = writeTextEnvelope({ type: 'T', description: 'a"b\\c\n\b\f\u0001é\\b', cbor: new Uint8Array([1]) });
    expect(written).toContain('"description": "a\\"b\\\\c\\n\\u0008\\u000c\\u0001é\\\\b",');
    expect(readTextEnvelope(written).description).toBe('a"b\\c\n\b\f\u0001é\\b');
  });

  it('reads what it writes, and what other tools write', () => {
    expect(readTextEnvelope(SKEY_FILE, { expectedType: 'PaymentSigningKeyShelley_ed25519' })).toEqual({
      type: 'PaymentSigningKeyShelley_ed25519',
      description: 'Payment Signing Key',
      cbor: cborBytes(KEY),
    });
    // Compact JSON, uppercase hex, other key order, extra fields: all fine.
    const compact = `{"cborHex":"5820${KEY_HEX.toUpperCase()}","extra":1,"description":"","type":"StakePoolSigningKey_ed25519"}`;
    const read = readBytesTextEnvelope(compact, {
      expectedType: ['PaymentSigningKeyShelley_ed25519', 'StakePoolSigningKey_ed25519'],
      expectedLength: 32,
    });
    expect(read).toEqual({ type: 'StakePoolSigningKey_ed25519', description: '', bytes: KEY });
  });

  it('rejects a wrong type', () => {
    const error = expectCodecError(() => readTextEnvelope(SKEY_FILE, { expectedType: ['StakePoolSigningKey_ed25519', 'GenesisKey'] }), 'WRONG_TYPE');
    expect(error.message).toMatch(/PaymentSigningKeyShelley_ed25519/);
    expect(error.message).toMatch(/StakePoolSigningKey_ed25519" or "GenesisKey/);
  });

  it('rejects documents that are not envelopes', () => {
    const cases = [
      '',
      'not json',
      '[]',
      'null',
      '"text"',
      '{"description":"d","cborHex":"40"}', // missing type
      '{"type":"T","cborHex":"40"}', // missing description
      '{"type":"T","description":"d"}', // missing cborHex
      '{"type":1,"description":"d","cborHex":"40"}',
      '{"type":"T","description":null,"cborHex":"40"}',
      '{"type":"T","description":"d","cborHex":[64]}',
      '{"type":"T","description":"d","cborHex":"4"}', // odd hex
      '{"type":"T","description":"d","cborHex":"zz"}', // non-hex
      '{"type":"T","description":"d","cborHex":"40"} {}', // trailing data
    ];
    for (const text of cases) expectCodecError(() => readTextEnvelope(text), 'INVALID_ENVELOPE');
  });

  it('rejects cborHex that is not a single byte string when reading a key file', () => {
    const envelope = (cborHex: string) => `{"type":"T","description":"","cborHex":"${cborHex}"}`;
    expectCodecError(() => readBytesTextEnvelope(envelope('820102')), 'WRONG_TYPE');
    expectCodecError(() => readBytesTextEnvelope(envelope('5820' + KEY_HEX + '00')), 'INVALID_CBOR');
    expectCodecError(() => readBytesTextEnvelope(envelope('5820' + KEY_HEX.slice(2))), 'INVALID_CBOR');
    expectCodecError(() => readBytesTextEnvelope(envelope('')), 'INVALID_CBOR');
    expectCodecError(() => readBytesTextEnvelope(envelope('41aa'), { expectedLength: 32 }), 'WRONG_LENGTH');
  });

  it('enforces maxBytes on the envelope text', () => {
    expect(readTextEnvelope(SKEY_FILE, { maxBytes: SKEY_FILE.length }).type).toBe('PaymentSigningKeyShelley_ed25519');
    expectCodecError(() => readTextEnvelope(SKEY_FILE, { maxBytes: SKEY_FILE.length - 1 }), 'TOO_LARGE');
    // Multi-byte characters count as their UTF-8 size.
    const wide = `{"type":"T","description":"${'é'.repeat(50)}","cborHex":"40"}`;
    expectCodecError(() => readTextEnvelope(wide, { maxBytes: wide.length + 10 }), 'TOO_LARGE');
  });
});
