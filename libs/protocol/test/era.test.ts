import { ed25519 } from '@noble/curves/ed25519.js';
import {
  ProtocolError,
  decodeEraMarkersPayload,
  decodeEraMarkersVerificationKey,
  encodeEraMarkersPayload,
  encodeEraMarkersVerificationKey,
  eraMarkersToJson,
  parseEraMarkersJson,
  resolveEra,
  verifyEraMarkersPayload,
} from '@mithril-ts/protocol';

/**
 * The reference's golden era markers payload (internal/mithril-era, adapters/cardano_chain.rs):
 * thales at 1, pythagoras at 2, signed by its deterministic era-markers signer, whose secret key
 * is the first 32 bytes of the ChaCha20 zero keystream (verification key 20fdbac9…).
 */
const REFERENCE_PAYLOAD =
  '7b226d61726b657273223a5b7b226e616d65223a227468616c6573222c2265706f6368223a317d2c7b226e616d65223a227079746861676f726173222c2265706f6368223a327d5d2c227369676e6174757265223a226335393739653333663163336234376361306162353239386536353562316264653235656564303866356232653536663361643962396437363831616466313865316465656262373161613561613263623436356464383132323963363765633030326463396632663563363664663931333164366561633039666565373065227d';
const REFERENCE_SECRET_KEY = Buffer.from('76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7', 'hex');
const REFERENCE_VERIFICATION_KEY = ed25519.getPublicKey(REFERENCE_SECRET_KEY);

function code(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof ProtocolError ? error.code : 'not a ProtocolError';
  }
  return undefined;
}

describe('era markers', () => {
  it("reads and verifies the reference's signed payload", () => {
    expect(Buffer.from(REFERENCE_VERIFICATION_KEY).toString('hex')).toBe('20fdbac9b10b7587bba7b5bc163bce69e796d71e4ed44c10fcb4488689f7a144');
    const payload = decodeEraMarkersPayload(REFERENCE_PAYLOAD);
    expect(payload.markers).toEqual([
      { name: 'thales', epoch: 1n },
      { name: 'pythagoras', epoch: 2n },
    ]);
    expect(verifyEraMarkersPayload(payload, REFERENCE_VERIFICATION_KEY)).toBe(true);
    // The same payload re-encoded is the reference's bytes: what we sign is what it signs.
    expect(encodeEraMarkersPayload(payload.markers, REFERENCE_SECRET_KEY)).toBe(REFERENCE_PAYLOAD);
  });

  it('refuses a payload whose markers were changed, an unsigned one and one signed by another key', () => {
    const payload = decodeEraMarkersPayload(REFERENCE_PAYLOAD);
    expect(
      verifyEraMarkersPayload(
        {
          ...payload,
          markers: [
            { name: 'thales', epoch: 1n },
            { name: 'pythagoras', epoch: 3n },
          ],
        },
        REFERENCE_VERIFICATION_KEY,
      ),
    ).toBe(false);
    expect(verifyEraMarkersPayload({ markers: payload.markers }, REFERENCE_VERIFICATION_KEY)).toBe(false);
    const other = ed25519.getPublicKey(new Uint8Array(32).fill(7));
    expect(verifyEraMarkersPayload(payload, other)).toBe(false);
  });

  it('writes an unscheduled era as null, as serde does, and reads it back', () => {
    const markers = [{ name: 'pythagoras', epoch: 0n }, { name: 'lagrange' }];
    expect(eraMarkersToJson(markers)).toBe('[{"name":"pythagoras","epoch":0},{"name":"lagrange","epoch":null}]');
    const payload = decodeEraMarkersPayload(encodeEraMarkersPayload(markers, REFERENCE_SECRET_KEY));
    expect(payload.markers).toEqual(markers);
    expect(verifyEraMarkersPayload(payload, REFERENCE_VERIFICATION_KEY)).toBe(true);
  });

  it('reads a markers file strictly', () => {
    expect(parseEraMarkersJson('[{"name":"pythagoras","epoch":1},{"name":"lagrange"}]')).toEqual([{ name: 'pythagoras', epoch: 1n }, { name: 'lagrange' }]);
    for (const bad of [
      '{}',
      '[1]',
      '[{"name":""}]',
      '[{"name":"x","epoch":-1}]',
      '[{"name":"x","epoch":1.5}]',
      '[{"era":"x","epoch":1}]',
      'not json',
      `[${'{"name":"x"},'.repeat(300)}{"name":"x"}]`,
    ]) {
      expect(code(() => parseEraMarkersJson(bad))).toBe('INVALID_ERA_MARKERS');
    }
    expect(code(() => decodeEraMarkersPayload('zz'))).toBe('INVALID_ERA_MARKERS');
    expect(code(() => decodeEraMarkersPayload(Buffer.from('{"markers":[],"signature":"abcd"}').toString('hex')))).toBe('INVALID_ERA_MARKERS');
  });

  it('reads the era-markers verification key as json-hex or hex', () => {
    const jsonHex = encodeEraMarkersVerificationKey(REFERENCE_VERIFICATION_KEY);
    expect(decodeEraMarkersVerificationKey(jsonHex)).toEqual(REFERENCE_VERIFICATION_KEY);
    expect(decodeEraMarkersVerificationKey(Buffer.from(REFERENCE_VERIFICATION_KEY).toString('hex'))).toEqual(REFERENCE_VERIFICATION_KEY);
    expect(code(() => decodeEraMarkersVerificationKey('abcd'))).toBe('INVALID_ERA_MARKERS');
  });
});

describe('resolveEra', () => {
  const markers = [
    { name: 'pythagoras', epoch: 0n },
    { name: 'lagrange', epoch: 5n },
  ];

  it('switches at the scheduled epoch, not before', () => {
    const both = ['pythagoras', 'lagrange'];
    expect(resolveEra(markers, 4n, both)).toEqual({ current: 'pythagoras', since: 0n, next: { name: 'lagrange', epoch: 5n, supported: true } });
    expect(resolveEra(markers, 5n, both)).toEqual({ current: 'lagrange', since: 5n });
    expect(resolveEra(markers, 9n, both)).toEqual({ current: 'lagrange', since: 5n });
  });

  it('names the unsupported era, its epoch and what the binary supports', () => {
    expect(resolveEra(markers, 4n).next).toEqual({ name: 'lagrange', epoch: 5n, supported: false });
    expect(() => resolveEra(markers, 5n)).toThrow('Mithril era lagrange is active since epoch 5 and this binary supports only pythagoras: upgrade it');
    expect(code(() => resolveEra([], 0n))).toBe('UNSUPPORTED_ERA');
  });
});
