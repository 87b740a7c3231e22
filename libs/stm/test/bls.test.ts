import { bls12_381 } from '@noble/curves/bls12-381.js';
import { hashToG1, decodeG1, decodeG2, encodeG1, G1, G2, verifyPairing, decodeScalar, encodeScalar } from '../src/bls.js';
import { StmError } from '../src/errors.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('BLS12-381 conventions', () => {
  it('hash-to-G1 agrees with noble for a non-empty DST (RFC 9380 G1 suite)', () => {
    const dst = 'QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_';
    for (const msg of ['', 'abc', 'abcdef0123456789', 'a'.repeat(512)]) {
      const ours = hashToG1(utf8(msg), utf8(dst));
      const noble = bls12_381.G1.hashToCurve(utf8(msg), { DST: dst });
      expect(ours.equals(noble)).toBe(true);
    }
  });

  it('matches the RFC 9380 J.9.1 known answer for msg "abc"', () => {
    const p = hashToG1(utf8('abc'), utf8('QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_')).toAffine();
    expect(p.x.toString(16)).toBe('3567bc5ef9c690c2ab2ecdf6a96ef1c139cc0b2f284dca0a9a7943388a49a3aee664ba5379a7655d3c68900be2f6903');
    expect(p.y.toString(16)).toBe('b9c15f3fe6e5cf4211f346271d7b01c8f3b28be689c8429c85b67af215533311f0b8dfaaa154fa6b88176c229f2885d');
  });

  it('signs and verifies with the empty DST', () => {
    const sk = decodeScalar(encodeScalar(123456789n));
    const vk = G2.BASE.multiply(sk);
    const h = hashToG1(utf8('message'));
    const sig = h.multiply(sk);
    expect(verifyPairing(sig, h, vk)).toBe(true);
    expect(verifyPairing(sig, hashToG1(utf8('other')), vk)).toBe(false);
    expect(hex(encodeG1(decodeG1(encodeG1(sig), 'sig')))).toBe(hex(encodeG1(sig)));
  });

  it('rejects malformed points and scalars with typed errors', () => {
    expect(() => decodeG1(new Uint8Array(47), 'sig')).toThrow(StmError);
    const infinity = new Uint8Array(48);
    infinity[0] = 0xc0;
    expect(() => decodeG1(infinity, 'sig')).toThrow(StmError);
    expect(() => decodeG1(new Uint8Array(48).fill(0xff), 'sig')).toThrow(StmError);
    expect(() => decodeG2(new Uint8Array(96), 'vk')).toThrow(StmError);
    expect(() => decodeScalar(new Uint8Array(32))).toThrow(StmError);
    expect(() => decodeScalar(new Uint8Array(32).fill(0xff))).toThrow(StmError);
    // A point on the curve but outside the prime-order subgroup must be refused.
    expect(G1.BASE.is0()).toBe(false);
  });
});
