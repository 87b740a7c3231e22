import fc from 'fast-check';
import { Clerk, StmError, type Parameters, type SingleSignature } from '../src/index.js';
import {
  aggregateSignatureFromLegacyBytes,
  aggregateSignatureFromJson,
  aggregateSignatureToLegacyBytes,
  aggregateSignatureToJson,
  avkFromLegacyBytes,
  avkFromJson,
  avkToLegacyBytes,
  avkToJson,
  batchPathFromLegacyBytes,
  fromJsonText,
  parametersFromLegacyBytes,
  parametersFromJson,
  registeredPartyFromLegacyBytes,
  registeredPartyFromJson,
  singleSignatureFromLegacyBytes,
  singleSignatureFromJson,
  singleSignatureToLegacyBytes,
  singleSignatureToJson,
  toJsonText,
  verificationKeyPoPFromJson,
  verificationKeyPoPToJson,
} from '../src/encoding.js';
import { VerificationKeyPoP } from '../src/keys.js';
import * as v1 from '../src/cbor-format.js';
import { setupRound } from './helpers.js';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const params: Parameters = { k: 8n, m: 40n, phiF: 0.6 };
const round = setupRound(params, [3n, 5n, 8n, 13n], 'encoding');
const msg = new TextEncoder().encode('encoded message');
const signatures = round.signers.map((s) => s.sign(msg)).filter((s): s is SingleSignature => s !== null);
const aggregate = new Clerk(round.closed, params).aggregate(signatures, msg);

describe('byte and JSON formats round-trip', () => {
  it('single signatures', () => {
    for (const sig of signatures) {
      const back = singleSignatureFromLegacyBytes(singleSignatureToLegacyBytes(sig));
      expect(singleSignatureToLegacyBytes(back)).toEqual(singleSignatureToLegacyBytes(sig));
      expect(toJsonText(singleSignatureToJson(fromJsonText(toJsonText(singleSignatureToJson(sig)), singleSignatureFromJson, 'sig')))).toBe(
        toJsonText(singleSignatureToJson(sig)),
      );
    }
  });

  it('aggregate verification keys, keys with PoP and multi-signatures', () => {
    expect(avkToLegacyBytes(avkFromLegacyBytes(avkToLegacyBytes(round.avk)))).toEqual(avkToLegacyBytes(round.avk));
    expect(toJsonText(avkToJson(avkFromJson(avkToJson(round.avk))))).toBe(toJsonText(avkToJson(round.avk)));
    const key = round.initializers[0]!.verificationKeyPoP;
    expect(VerificationKeyPoP.fromBytes(key.toBytes()).toBytes()).toEqual(key.toBytes());
    expect(verificationKeyPoPFromJson(verificationKeyPoPToJson(key)).toBytes()).toEqual(key.toBytes());
    const bytes = aggregateSignatureToLegacyBytes(aggregate);
    const fromBytes = aggregateSignatureFromLegacyBytes(bytes);
    expect(aggregateSignatureToLegacyBytes(fromBytes)).toEqual(bytes);
    expect(() => fromBytes.verify(msg, round.avk, params)).not.toThrow();
    const json = toJsonText(aggregateSignatureToJson(aggregate));
    expect(toJsonText(aggregateSignatureToJson(fromJsonText(json, aggregateSignatureFromJson, 'multi-signature')))).toBe(json);
  });

  it('rejects truncated, extended and corrupted bytes with typed errors', () => {
    const bytes = aggregateSignatureToLegacyBytes(aggregate);
    expect(() => aggregateSignatureFromLegacyBytes(bytes.subarray(0, bytes.length - 1))).toThrow(StmError);
    expect(() => aggregateSignatureFromLegacyBytes(Uint8Array.from([...bytes, 0]))).toThrow(StmError);
    expect(() => aggregateSignatureFromLegacyBytes(Uint8Array.from([1, ...bytes.subarray(1)]))).toThrow(/proof type/);
    const sigBytes = singleSignatureToLegacyBytes(signatures[0]!);
    const corrupted = sigBytes.slice();
    corrupted[sigBytes.length - 20] = corrupted[sigBytes.length - 20]! ^ 0xff; // inside sigma
    expect(() => singleSignatureFromLegacyBytes(corrupted)).toThrow(StmError);
    const hugeCount = sigBytes.slice();
    hugeCount.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0);
    expect(() => singleSignatureFromLegacyBytes(hugeCount)).toThrow(StmError);
    expect(() => parametersFromLegacyBytes(new Uint8Array(24))).toThrow(StmError); // m = 0
    expect(() => parametersFromJson({ m: 10, k: 11, phi_f: 0.5 })).toThrow(StmError);
    expect(() => registeredPartyFromJson([[1, 2, 3], 5])).toThrow(StmError);
    expect(() => avkFromJson({ mt_commitment: { root: [], nr_leaves: 1 }, total_stake: 1 })).toThrow(StmError);
    expect(() => fromJsonText('{"sigma":', singleSignatureFromJson, 'sig')).toThrow(StmError);
  });
});

describe('decoders of untrusted input throw only StmError (fuzz)', () => {
  const decoders: [string, (b: Uint8Array) => unknown][] = [
    ['single signature', singleSignatureFromLegacyBytes],
    ['aggregate signature', aggregateSignatureFromLegacyBytes],
    ['avk', avkFromLegacyBytes],
    ['parameters', parametersFromLegacyBytes],
    ['registered party', registeredPartyFromLegacyBytes],
    ['batch path', batchPathFromLegacyBytes],
    ['vk with PoP', (b) => VerificationKeyPoP.fromBytes(b)],
    ['single signature (any version)', v1.singleSignatureFromBytes],
    ['aggregate signature (any version)', v1.aggregateSignatureFromBytes],
    ['avk (any version)', v1.avkFromBytes],
    ['parameters (any version)', v1.parametersFromBytes],
    ['registered party (any version)', v1.registeredPartyFromBytes],
    ['batch path (any version)', v1.batchPathFromBytes],
    ['signature with party (any version)', v1.signatureWithPartyFromBytes],
  ];
  const seeds = [
    aggregateSignatureToLegacyBytes(aggregate),
    singleSignatureToLegacyBytes(signatures[0]!),
    avkToLegacyBytes(round.avk),
    v1.aggregateSignatureToBytes(aggregate),
    v1.singleSignatureToBytes(signatures[0]!),
    v1.avkToBytes(round.avk),
    v1.parametersToBytes(params),
  ];

  it.each(decoders)('%s', (_, decode) => {
    const mutated = fc
      .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat())
      .map(([seed, edits, cut]) => {
        const out = seed.slice(0, Math.max(1, seed.length - (cut % 64)));
        for (const [at, value] of edits) out[at % out.length] = value;
        return out;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), mutated), (bytes) => {
        try {
          decode(bytes);
        } catch (error) {
          if (!(error instanceof StmError)) throw error;
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('JSON decoders', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const decode of [singleSignatureFromJson, aggregateSignatureFromJson, avkFromJson, parametersFromJson, registeredPartyFromJson]) {
          try {
            decode(value);
          } catch (error) {
            if (!(error instanceof StmError)) throw error;
          }
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
