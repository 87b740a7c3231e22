import { GetProtocolParametersRequest, GetProtocolParametersResponse, ProtocolParameters } from '../src/index.js';

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

const PARAMS: ProtocolParameters = { k: 2422n, m: 20973n, phiF: 0.2 };

/**
 * Known answer, checked by hand against the protobuf wire format:
 *   08 f6 12       field 1 (k), wire type 0 (varint): 2422  = 0b10010_1110110  -> f6 12
 *   10 ed a3 01    field 2 (m), wire type 0 (varint): 20973 = 0b1_0100011_1101101 -> ed a3 01
 *   19 9a..c9 3f   field 3 (phi_f), wire type 1 (64-bit): 0.2 = 0x3fc999999999999a, little-endian
 */
const PARAMS_HEX = '08f612' + '10eda301' + '19' + '9a9999999999c93f';
/** Byte offsets where a field ends: prefixes of these lengths are themselves valid messages. */
const FIELD_BOUNDARIES = new Set([0, 3, 7, 16]);

describe('ProtocolParameters wire format', () => {
  it('encodes to the known bytes', () => {
    expect(toHex(ProtocolParameters.encode(PARAMS).finish())).toBe(PARAMS_HEX);
  });

  it('decodes the known bytes', () => {
    expect(ProtocolParameters.decode(fromHex(PARAMS_HEX))).toEqual(PARAMS);
  });

  it('round-trips uint64 values beyond Number.MAX_SAFE_INTEGER without precision loss', () => {
    const big: ProtocolParameters = { k: 2n ** 64n - 1n, m: 2n ** 53n + 1n, phiF: 0.65 };
    expect(ProtocolParameters.decode(ProtocolParameters.encode(big).finish())).toEqual(big);
    const request: GetProtocolParametersRequest = { epoch: 2n ** 63n + 7n };
    expect(GetProtocolParametersRequest.decode(GetProtocolParametersRequest.encode(request).finish())).toEqual(request);
  });

  it('refuses to encode a uint64 out of range', () => {
    expect(() => ProtocolParameters.encode({ ...PARAMS, k: 2n ** 64n })).toThrow();
    expect(() => ProtocolParameters.encode({ ...PARAMS, k: -1n })).toThrow();
  });

  it('round-trips a nested response', () => {
    const response: GetProtocolParametersResponse = { protocolParameters: PARAMS };
    const bytes = GetProtocolParametersResponse.encode(response).finish();
    // field 1, wire type 2 (length-delimited), length 16, then the embedded message.
    expect(toHex(bytes)).toBe('0a10' + PARAMS_HEX);
    expect(GetProtocolParametersResponse.decode(bytes)).toEqual(response);
  });

  it('throws when decoding truncated bytes', () => {
    const bytes = fromHex(PARAMS_HEX);
    for (let length = 1; length < bytes.length; length++) {
      if (FIELD_BOUNDARIES.has(length)) continue;
      expect(() => ProtocolParameters.decode(bytes.subarray(0, length))).toThrow();
    }
    // A truncated embedded message: the length prefix announces more bytes than remain.
    expect(() => GetProtocolParametersResponse.decode(fromHex('0a10' + PARAMS_HEX.slice(0, -2)))).toThrow();
  });
});
