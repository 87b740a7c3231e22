/**
 * The encoded multi-signature (points as bytes): transcoding between its formats without decoding
 * a point gives, for valid signatures, exactly what decoding and re-encoding gives; an invalid
 * point travels unchanged and is refused by the decoder, i.e. by whoever verifies.
 */
import {
  Clerk,
  type SingleSignature,
  StmError,
  aggregateSignatureFromBytes,
  aggregateSignatureFromJson,
  aggregateSignatureToBytes,
  aggregateSignatureToJson,
  aggregateSignatureToLegacyBytes,
  decodeAggregateSignature,
  encodeAggregateSignature,
  encodedAggregateSignatureFromBytes,
  encodedAggregateSignatureFromJson,
  encodedAggregateSignatureFromLegacyBytes,
  encodedAggregateSignatureToBytes,
  encodedAggregateSignatureToJson,
  encodedAggregateSignatureToLegacyBytes,
  toJsonText,
  type EncodedAggregateSignature,
  type Parameters,
} from '../src/index.js';
import { aggregate as referenceAggregate } from './reference-fixtures.js';
import { setupRound } from './helpers.js';

const params: Parameters = { k: 45n, m: 120n, phiF: 0.5 };
const round = setupRound(params, [1n, 10n, 20n, 30n, 40n, 50n, 60n, 70n, 80n], 'encoded');
const msg = new TextEncoder().encode('certified protocol message');
const signatures = round.signers.map((signer) => signer.sign(msg)).filter((s): s is SingleSignature => s !== null);
const aggregates = {
  'a nine-party round': new Clerk(round.closed, params).aggregate(signatures, msg),
  "the reference's golden two-party round": referenceAggregate,
};

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe.each(Object.entries(aggregates))('the encoded form of %s', (_name, aggregate) => {
  const json = aggregateSignatureToJson(aggregate);
  const v1 = aggregateSignatureToBytes(aggregate);
  const legacy = aggregateSignatureToLegacyBytes(aggregate);

  it('transcodes JSON to v1 bytes as decoding and re-encoding does', () => {
    expect(hex(encodedAggregateSignatureToBytes(encodedAggregateSignatureFromJson(json)))).toBe(
      hex(aggregateSignatureToBytes(aggregateSignatureFromJson(json))),
    );
  });

  it('transcodes v1 bytes (either proof_bytes form) and legacy bytes to JSON as decoding and re-encoding does', () => {
    const expected = toJsonText(aggregateSignatureToJson(aggregateSignatureFromBytes(v1)));
    for (const bytes of [v1, aggregateSignatureToBytes(aggregate, { proofBytes: 'integer-array' }), legacy]) {
      expect(toJsonText(encodedAggregateSignatureToJson(encodedAggregateSignatureFromBytes(bytes)))).toBe(expected);
    }
  });

  it('writes legacy bytes as the domain encoder does, and reads them back', () => {
    const encoded = encodedAggregateSignatureFromLegacyBytes(legacy);
    expect(hex(encodedAggregateSignatureToLegacyBytes(encoded))).toBe(hex(legacy));
    expect(hex(encodedAggregateSignatureToLegacyBytes(encodeAggregateSignature(aggregate)))).toBe(hex(legacy));
  });

  it('decodes to the aggregate it encodes', () => {
    const decoded = decodeAggregateSignature(encodedAggregateSignatureFromBytes(v1));
    expect(hex(aggregateSignatureToBytes(decoded))).toBe(hex(v1));
  });
});

it('decodes a transcoded multi-signature into one that verifies', () => {
  const transcoded = encodedAggregateSignatureToBytes(encodedAggregateSignatureFromJson(aggregateSignatureToJson(aggregates['a nine-party round'])));
  expect(() => aggregateSignatureFromBytes(transcoded).verify(msg, round.avk, params)).not.toThrow();
});

describe('an invalid point in an encoded multi-signature', () => {
  const aggregate = aggregates['a nine-party round'];
  const encoded = encodeAggregateSignature(aggregate);
  const [first, ...rest] = encoded.signatures;
  const notAPoint = new Uint8Array(48).fill(0xff);
  const tampered: EncodedAggregateSignature = { ...encoded, signatures: [{ ...first!, signature: { ...first!.signature, sigma: notAPoint } }, ...rest] };

  it('is carried through every format unchanged: transcoding checks no point', () => {
    const viaBytes = encodedAggregateSignatureFromBytes(encodedAggregateSignatureToBytes(tampered));
    const viaJson = encodedAggregateSignatureFromJson(JSON.parse(toJsonText(encodedAggregateSignatureToJson(viaBytes))));
    expect(hex(viaJson.signatures[0]!.signature.sigma)).toBe(hex(notAPoint));
  });

  it('is refused when decoded, from bytes and from JSON alike', () => {
    const bytes = encodedAggregateSignatureToBytes(tampered);
    for (const decode of [
      () => aggregateSignatureFromBytes(bytes),
      () => aggregateSignatureFromJson(encodedAggregateSignatureToJson(tampered)),
      () => decodeAggregateSignature(tampered),
    ]) {
      expect(decode).toThrow(StmError);
    }
  });

  it('still has its structure checked: a short point is refused by the encoded readers', () => {
    const json = encodedAggregateSignatureToJson(encoded) as unknown as { signatures: [{ sigma: number[] }, unknown][] };
    json.signatures[0]![0].sigma = json.signatures[0]![0].sigma.slice(1);
    expect(() => encodedAggregateSignatureFromJson(json)).toThrow(/sigma/);
  });
});
