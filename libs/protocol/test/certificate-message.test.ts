import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { stringifyJson } from '@mithril-ts/codec';
import {
  CertificateChainVerifier,
  ProtocolError,
  certificateFromJson,
  certificateFromMessage,
  certificateHeadFromJson,
  certificateHeadFromMessage,
  certificateToJson,
  certificateToMessage,
  checkCertificateJson,
  decodeCertificate,
  encodedCertificateFromJson,
  encodedCertificateHash,
  encodedCertificateToJson,
  type Certificate,
} from '../src/index.js';
import { buildChain } from '@mithril-ts/testkit';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const chain = buildChain({ lastEpoch: 5n });

describe('certificate messages (the reference JSON)', () => {
  it('round-trip every certificate of a chain, which still verifies', async () => {
    const decoded = new Map<string, Certificate>();
    for (const certificate of chain.certificates) {
      const json = certificateToJson(certificate);
      const back = certificateFromJson(json);
      expect(certificateToJson(back)).toBe(json);
      decoded.set(back.hash, back);
    }
    const verifier = new CertificateChainVerifier(chain.genesisSigner.verificationKey());
    const result = await verifier.verifyChain(chain.latest.hash, { getCertificate: async (hash) => decoded.get(hash) });
    expect(result.endedAt.kind).toBe('genesis');
  });

  it('round-trip every certificate encoded (points not decoded) to the same text and hash, and decode to the same certificate', () => {
    for (const certificate of chain.certificates) {
      const json = certificateToJson(certificate);
      const encoded = encodedCertificateFromJson(json);
      expect(encodedCertificateToJson(encoded)).toBe(json);
      const { hash, ...draft } = encoded;
      expect(encodedCertificateHash(draft)).toBe(certificate.hash);
      expect(hash).toBe(certificate.hash);
      expect(certificateToJson(decodeCertificate(encoded))).toBe(json);
    }
  });

  it('checks the hash of a certificate message against its content without decoding its multi-signature', () => {
    const nodeSha256 = { create: () => createHash('sha256') };
    for (const certificate of chain.certificates) {
      const json = certificateToJson(certificate);
      expect(checkCertificateJson(json).hash).toBe(certificate.hash);
      expect(checkCertificateJson(json, nodeSha256).hash).toBe(certificate.hash);
    }
    const message = certificateToMessage(chain.latest) as Record<string, unknown>;
    const multiSignature = message.multi_signature as string;
    const flipped = `${multiSignature.slice(0, 100)}${multiSignature[100] === '0' ? '1' : '0'}${multiSignature.slice(101)}`;
    const tampered = [
      { ...message, epoch: (message.epoch as bigint) + 1n },
      { ...message, multi_signature: flipped },
      { ...message, signed_message: 'ab'.repeat(32) },
    ];
    for (const variant of tampered) {
      expect(() => checkCertificateJson(stringifyJson(variant))).toThrow(ProtocolError);
      expect(() => checkCertificateJson(stringifyJson(variant))).toThrow(/hash/);
    }
    const genesis = certificateToMessage(chain.certificates[0]!) as Record<string, unknown>;
    expect(() => checkCertificateJson(stringifyJson({ ...genesis, previous_hash: 'ab'.repeat(32) }))).toThrow(/not the hash of its content/);
  });

  it('relays a multi-signature point as it came when encoded, and refuses it when decoded', () => {
    const message = certificateToMessage(chain.latest) as Record<string, unknown>;
    const multiSignature = JSON.parse(Buffer.from(message.multi_signature as string, 'hex').toString('utf8')) as {
      signatures: [{ sigma: number[] }, unknown][];
    };
    multiSignature.signatures[0]![0].sigma = new Array(48).fill(0xff);
    const tampered = stringifyJson({ ...message, multi_signature: Buffer.from(JSON.stringify(multiSignature)).toString('hex') });
    expect(encodedCertificateToJson(encodedCertificateFromJson(tampered))).toBe(tampered);
    expect(() => certificateFromJson(tampered)).toThrow(ProtocolError);
    expect(() => certificateFromJson(tampered)).toThrow(/multi_signature/);
  });

  it('writes the reference field names, json-hex AVK and multi-signature, hex genesis signature', () => {
    const message = certificateToMessage(chain.latest) as Record<string, unknown>;
    expect(Object.keys(message)).toEqual([
      'hash',
      'previous_hash',
      'epoch',
      'signed_entity_type',
      'metadata',
      'protocol_message',
      'signed_message',
      'aggregate_verification_key',
      'multi_signature',
      'genesis_signature',
    ]);
    expect(Buffer.from(message.aggregate_verification_key as string, 'hex').toString()).toMatch(/^\{"mt_commitment":\{"root":\[/);
    expect(message.genesis_signature).toBe('');
    const genesis = certificateToMessage(chain.certificates[0]!) as Record<string, unknown>;
    expect(genesis.multi_signature).toBe('');
    expect(genesis.genesis_signature).toMatch(/^[0-9a-f]{128}$/);
    expect((genesis.metadata as Record<string, unknown>).initiated_at).toBe('2023-11-14T22:13:20.123456789Z');
  });

  it('rejects malformed messages with typed errors naming the field', () => {
    const good = certificateToMessage(chain.latest) as Record<string, unknown>;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good, hash: 'xyz' }, /hash/],
      [{ ...good, epoch: -1 }, /epoch/],
      [{ ...good, genesis_signature: 'ab'.repeat(64) }, /exactly one/],
      [{ ...good, multi_signature: '' }, /exactly one/],
      [{ ...good, multi_signature: 'zz' }, /multi_signature/],
      [{ ...good, aggregate_verification_key: '7b7d' }, /aggregate_verification_key/],
      [{ ...good, metadata: { ...(good.metadata as object), sealed_at: 'yesterday' } }, /sealed_at/],
      [{ ...good, metadata: { ...(good.metadata as object), signers: {} } }, /signers/],
      [{ ...good, protocol_message: { message_parts: { unknown_part: 'x' } } }, /unknown/],
    ];
    for (const [message, pattern] of cases) {
      expect(() => certificateFromMessage(message)).toThrow(ProtocolError);
      expect(() => certificateFromMessage(message)).toThrow(pattern);
    }
    expect(() => certificateFromJson('{"hash":')).toThrow(ProtocolError);
  });
});

describe('certificate heads (listings)', () => {
  it('are the certificate without its signature, which is only checked to be there, not decoded', () => {
    for (const certificate of chain.certificates) {
      const { signature: _signature, ...expected } = certificateFromJson(certificateToJson(certificate));
      expect(certificateHeadFromJson(certificateToJson(certificate))).toEqual(expected);
    }
    const good = certificateToMessage(chain.latest) as Record<string, unknown>;
    // A multi-signature that is not one: the head does not look, the certificate does.
    const undecodable = { ...good, multi_signature: '7b7d' };
    expect(certificateHeadFromMessage(undecodable).hash).toBe(chain.latest.hash);
    expect(() => certificateFromMessage(undecodable)).toThrow(/multi_signature/);
    for (const [message, pattern] of [
      [{ ...good, multi_signature: '' }, /exactly one/],
      [{ ...good, hash: 'xyz' }, /hash/],
      [{ ...good, aggregate_verification_key: '7b7d' }, /aggregate_verification_key/],
    ] as const) {
      expect(() => certificateHeadFromMessage(message)).toThrow(ProtocolError);
      expect(() => certificateHeadFromMessage(message)).toThrow(pattern);
    }
    expect(() => certificateHeadFromJson('x'.repeat(9 * 1024 * 1024))).toThrow(/too large/);
  });
});

describe('certificate decoding of untrusted input throws only ProtocolError (fuzz)', () => {
  const good = certificateToJson(chain.latest);
  const goodMessage = certificateToMessage(chain.latest) as Record<string, unknown>;

  it('random JSON values and mutated fields', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ key: fc.constantFrom(...Object.keys(goodMessage)), value: fc.jsonValue() }).map(({ key, value }) => ({ ...goodMessage, [key]: value })),
        ),
        (value) => {
          try {
            certificateFromMessage(value);
          } catch (error) {
            if (!(error instanceof ProtocolError)) throw error;
          }
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('mutated JSON text', () => {
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.string({ maxLength: 3 }), fc.nat(8), (at, insert, cut) => {
        const text = good.slice(0, at) + insert + good.slice(at + cut);
        try {
          certificateFromJson(text);
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
