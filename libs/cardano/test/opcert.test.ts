import { encodeCbor, fromHex, toHex } from '@mithril-ts/codec';
import {
  ColdSigningKey,
  KesSigningKey,
  issueOperationalCertificate,
  operationalCertificateFromCbor,
  operationalCertificateFromTextEnvelope,
  operationalCertificateSignedBytes,
  operationalCertificateToCbor,
  operationalCertificateToTextEnvelope,
  poolIdFromColdVerificationKey,
  verifyOperationalCertificate,
  type OperationalCertificate,
} from '../src/index.js';
import { DINGO_DEVNET_OPCERT_ENVELOPE } from './fixtures/third-party-keys.js';
import { chacha20ZeroKeystream, envelope, expectCardanoError } from './helpers.js';

// mithril-common/src/crypto_helper/cardano/opcert.rs, test_vector_opcert.
const VECTOR = {
  coldSeed: '76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7',
  kesVk: 'e650d7531509bb6cffd7998c28c68e4ec8fa621a0952206ea11eb03fcd7dcb29',
  /** The certificate without its cold key (`OpCertWithoutColdVerificationKey`), as the vector gives it. */
  cborWithoutColdVk:
    '845820e650d7531509bb6cffd7998c28c68e4ec8fa621a0952206ea11eb03fcd7dcb2900005840d4abce27da05ff03c1342cc6ab' +
    '53135072e1babf9cc05492f59f1ff009f70457aaa862c7158b13be0cfb41d7a91a562589bc110eb2cdaf5d2756048abbea5f05',
  poolBech32: 'pool1mxyec46067n3querj9cxkk0g0zlag93pf3ya9vuyr3wgkq2e6t7',
  poolHex: 'd9899c574fd7a710732391706b59e878bfd416214c49d2b3841c5c8b',
};

function vectorOpcert(): { cold: ColdSigningKey; opcert: OperationalCertificate } {
  const cold = ColdSigningKey.fromSeed(chacha20ZeroKeystream(32));
  const kesVk = KesSigningKey.fromSeed(new Uint8Array(32)).verificationKey();
  return { cold, opcert: issueOperationalCertificate(cold, kesVk, 0n, 0n) };
}

describe('operational certificate: Mithril opcert.rs vector', () => {
  it('derives the cold key from the ChaCha20 zero keystream', () => {
    expect(toHex(chacha20ZeroKeystream(32))).toBe(VECTOR.coldSeed);
  });

  it('issues the certificate of the vector, byte for byte', () => {
    const { cold, opcert } = vectorOpcert();
    expect(toHex(opcert.kesVerificationKey)).toBe(VECTOR.kesVk);
    expect(opcert.issueNumber).toBe(0n);
    expect(opcert.startKesPeriod).toBe(0n);
    expect(verifyOperationalCertificate(opcert)).toBe(true);
    const cbor = operationalCertificateToCbor(opcert);
    // [[kes_vk, 0, 0, sigma], cold_vk]: 0x82, then the vector's 4-array, then the cold key.
    expect(toHex(cbor)).toBe(`82${VECTOR.cborWithoutColdVk}5820${toHex(cold.verificationKey())}`);
    expect(toHex(opcert.coldSignature)).toBe(VECTOR.cborWithoutColdVk.slice(-128));
    const pool = poolIdFromColdVerificationKey(opcert.coldVerificationKey);
    expect(pool.bech32).toBe(VECTOR.poolBech32);
    expect(pool.hex).toBe(VECTOR.poolHex);
  });

  it('signs kes_vk ‖ issue u64BE ‖ start u64BE (48 bytes)', () => {
    const cold = ColdSigningKey.fromSeed(chacha20ZeroKeystream(32));
    const kesVk = new Uint8Array(32).fill(0xab);
    const opcert = issueOperationalCertificate(cold, kesVk, 0x0102030405060708n, 0xfffffffffffffffen);
    const signed = operationalCertificateSignedBytes(opcert);
    expect(toHex(signed)).toBe(`${'ab'.repeat(32)}0102030405060708fffffffffffffffe`);
    expect(toHex(opcert.coldSignature)).toBe(toHex(cold.sign(signed)));
  });
});

describe('operational certificate CBOR and text envelope', () => {
  it('round-trips through CBOR and the node.cert envelope (empty description)', () => {
    const { opcert } = vectorOpcert();
    const decoded = operationalCertificateFromCbor(operationalCertificateToCbor(opcert));
    expect(decoded).toEqual(opcert);
    const text = operationalCertificateToTextEnvelope(opcert);
    expect(text).toBe(envelope('NodeOperationalCertificate', '', toHex(operationalCertificateToCbor(opcert))));
    expect(operationalCertificateFromTextEnvelope(text)).toEqual(opcert);
  });

  it('encodes large issue numbers and periods in their shortest CBOR form', () => {
    const cold = ColdSigningKey.fromSeed(chacha20ZeroKeystream(32));
    for (const [n, head] of [
      [23n, '17'],
      [24n, '1818'],
      [256n, '190100'],
      [65536n, '1a00010000'],
      [(1n << 64n) - 1n, '1bffffffffffffffff'],
    ] as const) {
      const opcert = issueOperationalCertificate(cold, new Uint8Array(32), n, n);
      const hex = toHex(operationalCertificateToCbor(opcert));
      expect(hex.startsWith(`82845820${'00'.repeat(32)}${head}${head}5840`)).toBe(true);
      const back = operationalCertificateFromCbor(operationalCertificateToCbor(opcert));
      expect(back.issueNumber).toBe(n);
      expect(back.startKesPeriod).toBe(n);
      expect(verifyOperationalCertificate(back)).toBe(true);
    }
  });

  it('reads a cardano-cli node.cert and writes it back identically', () => {
    const opcert = operationalCertificateFromTextEnvelope(DINGO_DEVNET_OPCERT_ENVELOPE);
    expect(verifyOperationalCertificate(opcert)).toBe(true);
    expect(opcert.issueNumber).toBe(0n);
    expect(operationalCertificateToTextEnvelope(opcert)).toBe(`${DINGO_DEVNET_OPCERT_ENVELOPE}\n`);
  });

  it('verification fails for any changed field', () => {
    const { opcert } = vectorOpcert();
    const flip = (bytes: Uint8Array) => {
      const copy = bytes.slice();
      copy[0] = (copy[0] as number) ^ 1;
      return copy;
    };
    expect(verifyOperationalCertificate({ ...opcert, issueNumber: 1n })).toBe(false);
    expect(verifyOperationalCertificate({ ...opcert, startKesPeriod: 1n })).toBe(false);
    expect(verifyOperationalCertificate({ ...opcert, kesVerificationKey: flip(opcert.kesVerificationKey) })).toBe(false);
    expect(verifyOperationalCertificate({ ...opcert, coldSignature: flip(opcert.coldSignature) })).toBe(false);
    expect(verifyOperationalCertificate({ ...opcert, coldVerificationKey: ColdSigningKey.generate().verificationKey() })).toBe(false);
    // Malformed certificates are not valid either (and do not throw).
    expect(verifyOperationalCertificate({ ...opcert, issueNumber: -1n })).toBe(false);
    expect(verifyOperationalCertificate({ ...opcert, coldSignature: new Uint8Array(63) })).toBe(false);
    expect(verifyOperationalCertificate(null as unknown as OperationalCertificate)).toBe(false);
  });

  it('issuing refuses bad arguments', () => {
    const cold = ColdSigningKey.fromSeed(chacha20ZeroKeystream(32));
    expectCardanoError(() => issueOperationalCertificate(cold, new Uint8Array(31), 0n, 0n), 'INVALID_KEY', /32 bytes/);
    expectCardanoError(() => issueOperationalCertificate(cold, new Uint8Array(32), -1n, 0n), 'INVALID_OPCERT', /u64/);
    expectCardanoError(() => issueOperationalCertificate(cold, new Uint8Array(32), 0n, 1n << 64n), 'INVALID_OPCERT', /u64/);
    expectCardanoError(() => issueOperationalCertificate(cold, new Uint8Array(32), 0 as unknown as bigint, 0n), 'INVALID_OPCERT', /bigint/);
  });
});

describe('operational certificate strict decoding', () => {
  const { opcert } = vectorOpcert();
  const good = operationalCertificateToCbor(opcert);
  const kesVk = opcert.kesVerificationKey;
  const sigma = opcert.coldSignature;
  const coldVk = opcert.coldVerificationKey;

  it.each([
    ['garbage', fromHex('ff00ff'), 'INVALID_CBOR'],
    ['empty input', new Uint8Array(0), 'INVALID_CBOR'],
    ['trailing bytes', Uint8Array.from([...good, 0]), 'INVALID_CBOR'],
    ['truncated', good.subarray(0, good.length - 1), 'INVALID_CBOR'],
    ['a map', encodeCbor({ a: 1 }), 'INVALID_CBOR'],
    ['a byte string', encodeCbor(new Uint8Array(32)), 'INVALID_CBOR'],
    ['outer array of 3', encodeCbor([[kesVk, 0, 0, sigma], coldVk, 0]), 'INVALID_CBOR'],
    ['body array of 5', encodeCbor([[kesVk, 0, 0, sigma, 0], coldVk]), 'INVALID_CBOR'],
    ['body not an array', encodeCbor([kesVk, coldVk]), 'INVALID_CBOR'],
    ['issue number as text', encodeCbor([[kesVk, '0', 0, sigma], coldVk]), 'INVALID_CBOR'],
    ['negative issue number', encodeCbor([[kesVk, -1, 0, sigma], coldVk]), 'INVALID_CBOR'],
    ['KES key as text', encodeCbor([['kes', 0, 0, sigma], coldVk]), 'INVALID_CBOR'],
    ['short KES key', encodeCbor([[kesVk.subarray(1), 0, 0, sigma], coldVk]), 'INVALID_OPCERT'],
    ['short signature', encodeCbor([[kesVk, 0, 0, sigma.subarray(1)], coldVk]), 'INVALID_OPCERT'],
    ['long cold key', encodeCbor([[kesVk, 0, 0, sigma], new Uint8Array(33)]), 'INVALID_OPCERT'],
  ] as const)('rejects %s', (_, bytes, code) => {
    expectCardanoError(() => operationalCertificateFromCbor(bytes), code, /operational certificate/);
  });

  it('rejects non-canonical encodings: float integers, long integer forms, indefinite lengths', () => {
    const hex = toHex(good);
    const body = hex.slice(2); // after the outer 0x82
    // issue number 0 written as float16 0.0 (f90000)
    const floatIssue = `82845820${toHex(kesVk)}f9000000${body.slice(2 + 68 + 2)}`;
    expectCardanoError(() => operationalCertificateFromCbor(fromHex(floatIssue)), 'INVALID_CBOR');
    // issue number 0 written as 0x1800 (non-minimal)
    const longIssue = `82845820${toHex(kesVk)}180000${body.slice(2 + 68 + 2)}`;
    expectCardanoError(() => operationalCertificateFromCbor(fromHex(longIssue)), 'INVALID_CBOR');
    // indefinite-length outer array
    const indefinite = `9f${body}ff`;
    expectCardanoError(() => operationalCertificateFromCbor(fromHex(indefinite)), 'INVALID_CBOR');
    // The unmodified bytes decode.
    expect(operationalCertificateFromCbor(good)).toEqual(opcert);
  });

  it('rejects oversized input before decoding', () => {
    expectCardanoError(() => operationalCertificateFromCbor(new Uint8Array(257)), 'TOO_LARGE', /256/);
    expectCardanoError(() => operationalCertificateFromCbor(good, { maxBytes: 100 }), 'TOO_LARGE');
  });

  it('rejects envelopes of another type, or holding garbage', () => {
    const text = operationalCertificateToTextEnvelope(opcert);
    expectCardanoError(
      () => operationalCertificateFromTextEnvelope(text.replace('NodeOperationalCertificate', 'NodeOperationalCertificateIssueCounter')),
      'INVALID_ENVELOPE',
      /NodeOperationalCertificate/,
    );
    expectCardanoError(() => operationalCertificateFromTextEnvelope(envelope('NodeOperationalCertificate', '', 'deadbeef')), 'INVALID_CBOR');
    expectCardanoError(() => operationalCertificateFromTextEnvelope(envelope('NodeOperationalCertificate', '', '00'.repeat(300))), 'TOO_LARGE');
    expectCardanoError(() => operationalCertificateFromTextEnvelope('[]'), 'INVALID_ENVELOPE');
  });
});
