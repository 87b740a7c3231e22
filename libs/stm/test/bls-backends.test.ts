/**
 * The native backend against the noble reference: the same valid and malformed encodings, the
 * same accept/reject decision and the same points, and the same verdicts on multi-signatures.
 * The mcl pairing engine against noble's: the same hashes to G1 byte for byte (the reference's
 * empty DST and RFC 9380's test suite), the same verdict of the pairing check on valid, invalid,
 * identity and off-subgroup inputs, and the same verdicts on multi-signatures under every pair.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  G1,
  G2,
  blsBackend,
  hashToG1,
  nobleBackend,
  noblePairingEngine,
  pairingEngine,
  selectBlsBackend,
  selectPairingEngine,
  type BlsBackend,
  type G1Point,
  type G2Point,
  type PairingEngine,
} from '../src/bls.js';
import { loadNativeBls } from '../src/native.js';
import { loadMcl, loadWasmPairing, mclHashToG1 } from '../src/wasm.js';
import type { StmError } from '../src/errors.js';
import { decodeAggregateSignature, encodeAggregateSignature, type EncodedAggregateSignature } from '../src/encoded.js';
import { aggregate, avk, init1, init2, msg, params, sig1, sig2 } from './reference-fixtures.js';

const Fp = bls12_381.fields.Fp;
const Fp2 = bls12_381.fields.Fp2;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

let blst: BlsBackend;
let mclPoints: BlsBackend;
let mclEngine: PairingEngine;
beforeAll(async () => {
  // The package ships its linux-x64 binary: on this platform the native backend must load.
  expect(await loadNativeBls()).toBe(true);
  selectBlsBackend('blst');
  blst = blsBackend();
  selectBlsBackend('noble');
  // The WebAssembly module is inside mcl-wasm's package: it must load everywhere.
  expect(await loadWasmPairing()).toBe(true);
  selectPairingEngine('mcl');
  mclEngine = pairingEngine();
  selectPairingEngine('noble');
  selectBlsBackend('mcl');
  mclPoints = blsBackend();
  selectBlsBackend('noble');
});
afterAll(() => {
  selectBlsBackend('noble');
  selectPairingEngine('noble');
});

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

describe('the blst and mcl backends decode exactly as noble does', () => {
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
      expect(`${hex(bytes)} mcl ${outcome(() => mclPoints.decodeG1(bytes))}`).toBe(`${hex(bytes)} mcl ${reference}`);
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
        expect(`${hex(bytes)} mcl ${outcome(() => mclPoints.decodeG2(bytes, subgroupCheck))}`).toBe(`${hex(bytes)} mcl ${reference}`);
      }
    }
    // Without the check an off-subgroup key decompresses (on the curve); with it, it is refused.
    for (const bytes of g2.offSubgroup) {
      expect(outcome(() => blst.decodeG2(bytes, false))).not.toBe('rejected');
      expect(outcome(() => blst.decodeG2(bytes, true))).toBe('rejected');
      expect(outcome(() => mclPoints.decodeG2(bytes, false))).not.toBe('rejected');
      expect(outcome(() => mclPoints.decodeG2(bytes, true))).toBe('rejected');
    }
  });

  it('re-encodes decoded points to the bytes they came from', () => {
    for (const bytes of validG1) expect(hex(blst.decodeG1(bytes).toBytes(true))).toBe(hex(bytes));
    for (const bytes of validG2) expect(hex(blst.decodeG2(bytes, true).toBytes(true))).toBe(hex(bytes));
    for (const bytes of validG1) expect(hex(mclPoints.decodeG1(bytes).toBytes(true))).toBe(hex(bytes));
    for (const bytes of validG2) expect(hex(mclPoints.decodeG2(bytes, false).toBytes(true))).toBe(hex(bytes));
  });

  it('randomized sums: mcl gives what noble gives for the same coefficients', () => {
    const randomness = (n: number) => sha256(Uint8Array.of(n)).subarray(0, n); // fixed, so both draw the same r_i
    const fixed = (n: number) => Uint8Array.from({ length: n }, (_, i) => randomness(32)[i % 32]! ^ i);
    const groups = [
      { sigmas: validG1.slice(0, 5).map((b) => mclPoints.decodeG1(b)), vks: validG2.slice(0, 5).map((b) => mclPoints.decodeG2(b, false)) },
      { sigmas: validG1.slice(5, 12).map((b) => mclPoints.decodeG1(b)), vks: validG2.slice(5, 12).map((b) => mclPoints.decodeG2(b, true)) },
      { sigmas: [], vks: [] },
    ];
    const reference = nobleBackend.randomizedSums(groups, fixed)!;
    const sums = mclPoints.randomizedSums(groups, fixed)!;
    expect(hex(sums.sigmaSum.toBytes(true))).toBe(hex(reference.sigmaSum.toBytes(true)));
    expect(sums.vkSums.map((p) => (p.is0() ? 'zero' : hex(p.toBytes(true))))).toEqual(reference.vkSums.map((p) => (p.is0() ? 'zero' : hex(p.toBytes(true)))));
  });
  it('randomized sums over a key outside the subgroup: every backend refuses them (mcl checks the key it did not check at decoding)', () => {
    const randomness = (n: number) => sha256(Uint8Array.of(n, 1)).subarray(0, n);
    const offKey = g2.offSubgroup[0]!;
    const verdict = (backend: BlsBackend): boolean => {
      const groups = [
        { sigmas: [backend.decodeG1(validG1[0]!), backend.decodeG1(validG1[1]!)], vks: [backend.decodeG2(validG2[0]!, true), backend.decodeG2(offKey, false)] },
      ];
      const sums = backend.randomizedSums(groups, randomness);
      if (sums === undefined) return false;
      try {
        return noblePairingEngine.hashedPairingCheck(sums.sigmaSum, [{ msg: Uint8Array.of(1), vk: sums.vkSums[0]! }]);
      } catch {
        return false;
      }
    };
    expect([verdict(nobleBackend), verdict(blst), verdict(mclPoints)]).toEqual([false, false, false]);
    // mcl refuses before pairing: its GLV sum over that key would not be noble's.
    const mclGroups = [{ sigmas: [mclPoints.decodeG1(validG1[0]!)], vks: [mclPoints.decodeG2(offKey, false)] }];
    expect(mclPoints.randomizedSums(mclGroups, randomness)).toBeUndefined();
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
  /** The verdict under each (point backend, pairing engine): noble/noble (the reference) first. */
  const both = (multi: EncodedAggregateSignature): string[] =>
    (
      [
        ['noble', 'noble'],
        ['blst', 'noble'],
        ['noble', 'mcl'],
        ['blst', 'mcl'],
        ['mcl', 'mcl'],
        ['mcl', 'noble'],
      ] as const
    ).map(([backend, engine]) => {
      selectBlsBackend(backend);
      selectPairingEngine(engine);
      try {
        return verdict(multi);
      } finally {
        selectBlsBackend('noble');
        selectPairingEngine('noble');
      }
    });
  const all = (code: string) => [code, code, code, code, code, code];

  it('agree on the reference multi-signature and on tampered ones', () => {
    expect(both(encoded)).toEqual(all('valid'));
    // Another valid G1 point as sigma: the lottery or the pairing refuses it.
    const other = both(withSigma(G1.BASE.multiply(5n).toBytes(true)));
    expect(other[0]).not.toBe('valid');
    expect(other).toEqual(all(other[0]!));
    // Another valid key: not a leaf of the AVK.
    expect(both(withKey(G2.BASE.multiply(5n).toBytes(true)))).toEqual(all('INVALID_MERKLE_PROOF'));
  });

  it('still refuse a sigma outside the prime-order subgroup, on every path', () => {
    for (const sigma of g1Specials().offSubgroup) expect(both(withSigma(sigma))).toEqual(all('INVALID_POINT'));
  });

  it('decompress an off-subgroup key without checking it, and refuse it as no leaf of the AVK', () => {
    for (const vk of g2Specials().offSubgroup) expect(both(withKey(vk))).toEqual(all('INVALID_MERKLE_PROOF'));
  });
});

describe('the mcl pairing engine agrees with noble', () => {
  const text = (value: string) => new TextEncoder().encode(value);
  const messages = [
    new Uint8Array(0),
    Uint8Array.of(0),
    text('abc'),
    msg,
    ...Array.from({ length: 24 }, (_, i) => sha256(Uint8Array.of(i, 1)).subarray(0, i * 3)),
    new Uint8Array(300).fill(0x61),
  ];

  it("hashes to G1 with the reference's empty DST to the same points", async () => {
    const mcl = (await loadMcl())!;
    for (const message of messages) expect(hex(mclHashToG1(mcl, message).serialize())).toBe(hex(hashToG1(message).toBytes(true)));
  });

  it("hashes RFC 9380's test messages under its G1 test DST as noble's hash_to_curve does", async () => {
    const mcl = (await loadMcl())!;
    const dst = text('QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_');
    for (const message of ['', 'abc', 'abcdef0123456789', `q128_${'q'.repeat(128)}`, `a512_${'a'.repeat(512)}`].map(text)) {
      const reference = bls12_381.G1.hashToCurve(message, { DST: dst }) as unknown as G1Point;
      expect(hex(mclHashToG1(mcl, message, dst).serialize())).toBe(hex(reference.toBytes(true)));
      expect(hex(hashToG1(message, dst).toBytes(true))).toBe(hex(reference.toBytes(true)));
    }
  });

  it('gives the same verdict on valid, invalid, identity and off-subgroup pairing checks', () => {
    const key = (i: number) => scalar(200 + i);
    const signature = (i: number, message: Uint8Array) => hashToG1(message).multiply(key(i));
    const vk = (i: number) => G2.BASE.multiply(key(i));
    const offG1 = G1.fromAffine(nobleOffSubgroupG1());
    const offG2 = nobleBackend.decodeG2(g2Specials().offSubgroup[0]!, false);
    const [m0, m1, m2] = [messages[2]!, messages[3]!, messages[10]!];
    const cases: { name: string; sigmaSum: G1Point; terms: { msg: Uint8Array; vk: G2Point }[] }[] = [
      { name: 'one valid', sigmaSum: signature(0, m0), terms: [{ msg: m0, vk: vk(0) }] },
      {
        name: 'three valid, batched',
        sigmaSum: signature(0, m0).add(signature(1, m1)).add(signature(2, m2)),
        terms: [0, 1, 2].map((i) => ({ msg: [m0, m1, m2][i]!, vk: vk(i) })),
      },
      { name: 'two signers, one message', sigmaSum: signature(0, m1).add(signature(1, m1)), terms: [{ msg: m1, vk: vk(0).add(vk(1)) }] },
      { name: 'wrong message', sigmaSum: signature(0, m0), terms: [{ msg: m1, vk: vk(0) }] },
      { name: 'wrong key', sigmaSum: signature(0, m0), terms: [{ msg: m0, vk: vk(1) }] },
      {
        name: 'one bad in a batch',
        sigmaSum: signature(0, m0).add(signature(1, m0)),
        terms: [
          { msg: m0, vk: vk(0) },
          { msg: m1, vk: vk(1) },
        ],
      },
      { name: 'doubled signature', sigmaSum: signature(0, m0).double(), terms: [{ msg: m0, vk: vk(0) }] },
      { name: 'no signature, no key', sigmaSum: G1.ZERO, terms: [{ msg: m0, vk: G2.ZERO }] },
      { name: 'no signature, a key', sigmaSum: G1.ZERO, terms: [{ msg: m0, vk: vk(0) }] },
      { name: 'a signature, no key', sigmaSum: signature(0, m0), terms: [{ msg: m0, vk: G2.ZERO }] },
      { name: 'no terms', sigmaSum: G1.ZERO, terms: [] },
      { name: 'off-subgroup key', sigmaSum: signature(0, m0), terms: [{ msg: m0, vk: offG2 }] },
      { name: 'off-subgroup key added to a valid one', sigmaSum: signature(0, m0), terms: [{ msg: m0, vk: vk(0).add(offG2) }] },
      { name: 'off-subgroup sigma sum', sigmaSum: signature(0, m0).add(offG1), terms: [{ msg: m0, vk: vk(0) }] },
    ];
    const verdicts = cases.map(({ name, sigmaSum, terms }) => {
      const reference = noblePairingEngine.hashedPairingCheck(sigmaSum, terms);
      expect(`${name}: ${mclEngine.hashedPairingCheck(sigmaSum, terms)}`).toBe(`${name}: ${reference}`);
      return reference;
    });
    expect(verdicts.filter((v) => v)).toHaveLength(5);
    expect(verdicts.filter((v) => !v)).toHaveLength(cases.length - 5);
  });
});

/** An affine point of G1's curve outside the prime-order subgroup. */
function nobleOffSubgroupG1(): { x: bigint; y: bigint } {
  for (let x = 1n; ; x += 1n) {
    let y: bigint | undefined;
    try {
      y = Fp.sqrt(Fp.add(Fp.mul(Fp.sqr(x), x), 4n));
    } catch {
      continue;
    }
    if (!G1.fromAffine({ x, y }).isTorsionFree()) return { x, y };
  }
}
