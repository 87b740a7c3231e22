/**
 * The native backend against the noble reference: the same valid and malformed encodings, the
 * same accept/reject decision and the same points, and the same verdicts on multi-signatures.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { G1, G2, blsBackend, nobleBackend, selectBlsBackend, type BlsBackend, type G1Point, type G2Point } from '../src/bls.js';
import { loadNativeBls } from '../src/native.js';
import type { StmError } from '../src/errors.js';
import { decodeAggregateSignature, encodeAggregateSignature, type EncodedAggregateSignature } from '../src/encoded.js';
import { aggregate, avk, init1, init2, msg, params, sig1, sig2 } from './reference-fixtures.js';

const Fp = bls12_381.fields.Fp;
const Fp2 = bls12_381.fields.Fp2;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

let blst: BlsBackend;
beforeAll(async () => {
  // The package ships its linux-x64 binary: on this platform the native backend must load.
  expect(await loadNativeBls()).toBe(true);
  selectBlsBackend('blst');
  blst = blsBackend();
  selectBlsBackend('noble');
});
afterAll(() => selectBlsBackend('noble'));

type Outcome = string;
function outcome(decode: () => G1Point | G2Point): Outcome {
  let point: G1Point | G2Point;
  try {
    point = decode();
  } catch {
    return 'rejected';
  }
  if (point.is0()) return 'infinity';
  const { x, y } = point.toAffine() as { x: unknown; y: unknown };
  return JSON.stringify({ x, y }, (_, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v));
}

function fpBytes(n: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(96, '0'), 'hex'));
}

function withFlags(bytes: Uint8Array, flags: number): Uint8Array {
  const out = bytes.slice();
  out[0] = (out[0]! & 0x1f) | flags;
  return out;
}

function scalar(i: number): bigint {
  return (BigInt('0x' + hex(sha256(Uint8Array.of(i)))) % (bls12_381.fields.Fr.ORDER - 1n)) + 1n;
}

/** On-curve x values whose points lie outside the prime-order subgroup, and x values off the curve. */
function g1Specials(): { offSubgroup: Uint8Array[]; offCurve: Uint8Array[] } {
  const offSubgroup: Uint8Array[] = [];
  const offCurve: Uint8Array[] = [];
  for (let x = 1n; offSubgroup.length < 3 || offCurve.length < 3; x += 1n) {
    let y: bigint | undefined;
    try {
      y = Fp.sqrt(Fp.add(Fp.mul(Fp.sqr(x), x), 4n));
    } catch {
      y = undefined;
    }
    if (y === undefined) {
      if (offCurve.length < 3) offCurve.push(withFlags(fpBytes(x), 0x80));
    } else if (offSubgroup.length < 3 && !G1.fromAffine({ x, y }).isTorsionFree()) {
      offSubgroup.push(withFlags(fpBytes(x), 0x80), withFlags(fpBytes(x), 0xa0));
    }
  }
  return { offSubgroup, offCurve };
}

function g2Specials(): { offSubgroup: Uint8Array[]; offCurve: Uint8Array[] } {
  const offSubgroup: Uint8Array[] = [];
  const offCurve: Uint8Array[] = [];
  const b = G2.CURVE().b;
  for (let i = 1n; offSubgroup.length < 3 || offCurve.length < 3; i += 1n) {
    const x = Fp2.create({ c0: i, c1: 1n });
    let y: ReturnType<typeof Fp2.create> | undefined;
    try {
      y = Fp2.sqrt(Fp2.add(Fp2.mul(Fp2.sqr(x), x), b));
    } catch {
      y = undefined;
    }
    const bytes = withFlags(Uint8Array.from([...fpBytes(x.c1), ...fpBytes(x.c0)]), 0x80);
    if (y === undefined) {
      if (offCurve.length < 3) offCurve.push(bytes);
    } else if (offSubgroup.length < 3 && !G2.fromAffine({ x, y }).isTorsionFree()) {
      offSubgroup.push(bytes, withFlags(bytes, 0xa0));
    }
  }
  return { offSubgroup, offCurve };
}

function malformed(length: number, valid: Uint8Array): Uint8Array[] {
  const zeros = new Uint8Array(length);
  const infinity = withFlags(zeros, 0xc0);
  const infinityNonZero = infinity.slice();
  infinityNonZero[length - 1] = 1;
  const p = fpBytes(Fp.ORDER);
  const xAtP = length === 48 ? withFlags(p, 0x80) : withFlags(Uint8Array.from([...p, ...fpBytes(1n)]), 0x80);
  const xAtPLow = length === 48 ? withFlags(fpBytes(Fp.ORDER + 1n), 0x80) : withFlags(Uint8Array.from([...fpBytes(1n), ...p]), 0x80);
  return [
    zeros,
    infinity,
    infinityNonZero,
    withFlags(zeros, 0xe0), // infinity with the sort flag
    withFlags(zeros, 0x40), // infinity without the compression flag
    withFlags(valid, 0x00), // a valid x without the compression flag
    withFlags(valid, 0x40 | 0x80), // a valid x flagged as infinity
    withFlags(valid, (valid[0]! & 0xe0) ^ 0x20), // the other square root: valid, the negated point
    xAtP,
    xAtPLow,
    new Uint8Array(length).fill(0xff),
    withFlags(new Uint8Array(length).fill(0xff), 0x80),
  ];
}

describe('the blst backend decodes exactly as noble does', () => {
  const g1 = g1Specials();
  const g2 = g2Specials();
  const validG1 = [
    ...Array.from({ length: 12 }, (_, i) => G1.BASE.multiply(scalar(i)).toBytes(true)),
    sig1.sigma.toBytes(),
    sig2.sigma.toBytes(),
    init1.verificationKeyPoP.pop.toBytes().subarray(0, 48),
    init2.verificationKeyPoP.pop.toBytes().subarray(48),
  ];
  const validG2 = [
    ...Array.from({ length: 12 }, (_, i) => G2.BASE.multiply(scalar(100 + i)).toBytes(true)),
    init1.verificationKeyPoP.vk.toBytes(),
    init2.verificationKeyPoP.vk.toBytes(),
  ];

  it('G1: valid points, the reference vectors, infinity, bad flags, x ≥ p, off-curve and off-subgroup points', () => {
    const inputs = [...validG1, ...malformed(48, validG1[0]!), ...g1.offCurve, ...g1.offSubgroup];
    const decisions = inputs.map((bytes) => {
      const reference = outcome(() => nobleBackend.decodeG1(bytes));
      expect(`${hex(bytes)} ${outcome(() => blst.decodeG1(bytes))}`).toBe(`${hex(bytes)} ${reference}`);
      return reference;
    });
    // The inputs exercise both decisions and the point at infinity.
    expect(decisions.filter((d) => d === 'rejected').length).toBeGreaterThan(10);
    expect(decisions.filter((d) => d === 'infinity')).toHaveLength(1);
    for (const bytes of g1.offSubgroup) expect(outcome(() => nobleBackend.decodeG1(bytes))).toBe('rejected');
  });

  it('G2, with and without the subgroup check', () => {
    const inputs = [...validG2, ...malformed(96, validG2[0]!), ...g2.offCurve, ...g2.offSubgroup];
    for (const subgroupCheck of [true, false]) {
      for (const bytes of inputs) {
        const reference = outcome(() => (subgroupCheck ? G2.fromBytes(bytes) : nobleBackend.decodeG2(bytes, false)));
        expect(`${hex(bytes)} ${outcome(() => nobleBackend.decodeG2(bytes, subgroupCheck))}`).toBe(`${hex(bytes)} ${reference}`);
        expect(`${hex(bytes)} ${outcome(() => blst.decodeG2(bytes, subgroupCheck))}`).toBe(`${hex(bytes)} ${reference}`);
      }
    }
    // Without the check an off-subgroup key decompresses (on the curve); with it, it is refused.
    for (const bytes of g2.offSubgroup) {
      expect(outcome(() => blst.decodeG2(bytes, false))).not.toBe('rejected');
      expect(outcome(() => blst.decodeG2(bytes, true))).toBe('rejected');
    }
  });

  it('re-encodes decoded points to the bytes they came from', () => {
    for (const bytes of validG1) expect(hex(blst.decodeG1(bytes).toBytes(true))).toBe(hex(bytes));
    for (const bytes of validG2) expect(hex(blst.decodeG2(bytes, true).toBytes(true))).toBe(hex(bytes));
  });
});

describe('multi-signatures under both backends', () => {
  const encoded = encodeAggregateSignature(aggregate);
  const withSigma = (sigma: Uint8Array): EncodedAggregateSignature => ({
    ...encoded,
    signatures: encoded.signatures.map((entry, i) => (i === 0 ? { ...entry, signature: { ...entry.signature, sigma } } : entry)),
  });
  const withKey = (vk: Uint8Array): EncodedAggregateSignature => ({
    ...encoded,
    signatures: encoded.signatures.map((entry, i) => (i === 0 ? { ...entry, party: { ...entry.party, vk } } : entry)),
  });
  const verdict = (multi: EncodedAggregateSignature): string => {
    try {
      decodeAggregateSignature(multi).verify(msg, avk, params);
      return 'valid';
    } catch (error) {
      return (error as StmError).code;
    }
  };
  const both = (multi: EncodedAggregateSignature): string[] =>
    (['noble', 'blst'] as const).map((name) => {
      selectBlsBackend(name);
      try {
        return verdict(multi);
      } finally {
        selectBlsBackend('noble');
      }
    });

  it('agree on the reference multi-signature and on tampered ones', () => {
    expect(both(encoded)).toEqual(['valid', 'valid']);
    // Another valid G1 point as sigma: the lottery or the pairing refuses it.
    const other = both(withSigma(G1.BASE.multiply(5n).toBytes(true)));
    expect(other[0]).not.toBe('valid');
    expect(other[1]).toBe(other[0]);
    // Another valid key: not a leaf of the AVK.
    expect(both(withKey(G2.BASE.multiply(5n).toBytes(true)))).toEqual(['INVALID_MERKLE_PROOF', 'INVALID_MERKLE_PROOF']);
  });

  it('still refuse a sigma outside the prime-order subgroup, on every path', () => {
    for (const sigma of g1Specials().offSubgroup) expect(both(withSigma(sigma))).toEqual(['INVALID_POINT', 'INVALID_POINT']);
  });

  it('decompress an off-subgroup key without checking it, and refuse it as no leaf of the AVK', () => {
    for (const vk of g2Specials().offSubgroup) expect(both(withKey(vk))).toEqual(['INVALID_MERKLE_PROOF', 'INVALID_MERKLE_PROOF']);
  });
});
