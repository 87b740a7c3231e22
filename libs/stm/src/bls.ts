/**
 * BLS12-381 in the min-sig variant used by Mithril: signatures and proof-of-possession
 * elements in G1 (48 bytes compressed), verification keys in G2 (96 bytes compressed).
 * All curve arithmetic comes from @noble/curves; this module fixes the conventions (hashing,
 * encodings, validity checks) that make our bytes interoperate with the reference.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { StmError } from './errors.js';
import { randomScalars } from './batch.js';
import { msm } from './msm.js';

export const G1 = bls12_381.G1.Point;
export const G2 = bls12_381.G2.Point;
export type G1Point = InstanceType<typeof G1>;
export type G2Point = InstanceType<typeof G2>;
const Fp12 = bls12_381.fields.Fp12;
const Fr = bls12_381.fields.Fr;
const Fp = bls12_381.fields.Fp;
const Fp2 = bls12_381.fields.Fp2;
type Fp2Element = ReturnType<typeof Fp2.create>;
const G2_B = G2.CURVE().b;

export const SIGNING_KEY_BYTES = 32;
export const G1_BYTES = 48;
export const G2_BYTES = 96;

/**
 * The reference signs with blst's `sign(msg, dst = [], aug = [])`: hash-to-G1 with the RFC 9380
 * suite BLS12381G1_XMD:SHA-256_SSWU_RO_ but an *empty* domain separation tag. @noble/curves
 * rejects empty tags, so expand_message_xmd is composed here from its SHA-256; the field and curve
 * maps are noble's.
 */
export const SIGNATURE_DST = new Uint8Array(0);

export function expandMessageXmd(msg: Uint8Array, dst: Uint8Array, lenInBytes: number): Uint8Array {
  const bInBytes = 32;
  const rInBytes = 64;
  const ell = Math.ceil(lenInBytes / bInBytes);
  if (ell > 255 || dst.length > 255) throw new StmError('INVALID_ENCODING', 'expand_message_xmd: length out of range');
  const dstPrime = concatBytes(dst, Uint8Array.of(dst.length));
  const libStr = Uint8Array.of(lenInBytes >> 8, lenInBytes & 0xff);
  const b0 = sha256(concatBytes(new Uint8Array(rInBytes), msg, libStr, Uint8Array.of(0), dstPrime));
  const blocks: Uint8Array[] = [sha256(concatBytes(b0, Uint8Array.of(1), dstPrime))];
  for (let i = 2; i <= ell; i += 1) {
    const previous = blocks[i - 2]!;
    const mixed = b0.map((byte, j) => byte ^ previous[j]!);
    blocks.push(sha256(concatBytes(mixed, Uint8Array.of(i), dstPrime)));
  }
  return concatBytes(...blocks).subarray(0, lenInBytes);
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  return n;
}

/** RFC 9380 hash_to_curve for G1 (random-oracle variant, two field elements, L = 64). */
export function hashToG1(msg: Uint8Array, dst: Uint8Array = SIGNATURE_DST): G1Point {
  const uniform = expandMessageXmd(msg, dst, 128);
  const u0 = Fp.create(bytesToBigInt(uniform.subarray(0, 64)));
  const u1 = Fp.create(bytesToBigInt(uniform.subarray(64, 128)));
  // noble's mapToCurve clears the cofactor of each half; clearing is a homomorphism, so the sum
  // equals RFC 9380's clear_cofactor(map(u0) + map(u1)).
  const mapToCurve = bls12_381.G1.mapToCurve as unknown as (u: bigint) => G1Point;
  return mapToCurve(u0).add(mapToCurve(u1));
}

/**
 * The backend seam. @noble/curves is the reference implementation and the fallback; a faster
 * backend (native blst, registered by `@mithril-ts/stm/native` on Node) may take over the two
 * costly, well-defined jobs: decompressing and checking points, and the randomized sums of
 * batch verification. Everything else (hash-to-G1 with the empty DST, pairings, signing) stays
 * in noble. A backend must accept and reject exactly what noble accepts and rejects and give
 * the same points (test/bls-backends.test.ts feeds both the same valid and malformed inputs).
 */
export interface BlsBackend {
  readonly name: BlsBackendName;
  /**
   * A compressed G1 point (48 bytes): canonical encoding, on the curve, in the prime-order
   * subgroup. The point at infinity is returned as ZERO (the caller refuses it). Throws on
   * anything else.
   */
  decodeG1(bytes: Uint8Array): G1Point;
  /** A compressed G2 point (96 bytes); the subgroup check only when `subgroupCheck`. */
  decodeG2(bytes: Uint8Array, subgroupCheck: boolean): G2Point;
  /**
   * For each group j: Σ_i r_ji·sigma_ji and Σ_i r_ji·vk_ji with fresh random 64-bit r_ji (the
   * same r for a sigma and its key), and the G1 sums of all groups added up. `undefined` when
   * the backend refuses an input point (it may check points again). The caller's randomness is
   * used by noble; a native backend draws its own from the operating system.
   */
  randomizedSums(groups: readonly PointGroup[], randomness: (n: number) => Uint8Array): { sigmaSum: G1Point; vkSums: G2Point[] } | undefined;
}

export type BlsBackendName = 'noble' | 'blst' | 'mcl';
export type BlsBackendChoice = BlsBackendName | 'auto';

export interface PointGroup {
  readonly sigmas: readonly G1Point[];
  readonly vks: readonly G2Point[];
}

/** Compressed encodings of decoded points, so re-encoding (and native backends) never recompute them. */
const encodings = new WeakMap<G1Point | G2Point, Uint8Array>();

/** The compressed bytes a point was decoded from, when it was. */
export function knownEncoding(point: G1Point | G2Point): Uint8Array | undefined {
  return encodings.get(point);
}

export const nobleBackend: BlsBackend = {
  name: 'noble',
  decodeG1(bytes) {
    // fromBytes checks the flags, x < p, the square root (on the curve) and the subgroup.
    return G1.fromBytes(bytes);
  },
  decodeG2(bytes, subgroupCheck) {
    return subgroupCheck ? G2.fromBytes(bytes) : decompressG2(bytes);
  },
  randomizedSums(groups, randomness) {
    const allSigmas: G1Point[] = [];
    const allScalars: bigint[] = [];
    const vkSums: G2Point[] = [];
    for (const { sigmas, vks } of groups) {
      const r = randomScalars(sigmas.length, randomness);
      allSigmas.push(...sigmas);
      allScalars.push(...r);
      vkSums.push(msmG2(vks, r));
    }
    return { sigmaSum: msmG1(allSigmas, allScalars), vkSums };
  },
};

/**
 * Decompression without the subgroup check, the ZCash/IETF rules as noble's own G2 decoder applies
 * them (noble offers no entry that skips `assertValidity`): the compression flag set; infinity
 * only as 0xc0 followed by zeros; both halves of x below p; x³ + b a square; the sort flag picks
 * y by its larger-half test on (c1, c0).
 */
function decompressG2(bytes: Uint8Array): G2Point {
  const flags = bytes[0]! & 0xe0;
  if ((flags & 0x80) === 0) throw new Error('expected the compressed encoding');
  const body = bytes.slice();
  body[0]! &= 0x1f;
  if (flags & 0x40) {
    if (flags & 0x20 || body.some((byte) => byte !== 0)) throw new Error('non-canonical encoding of infinity');
    return G2.ZERO;
  }
  const x = Fp2.create({ c0: Fp.fromBytes(body.subarray(G1_BYTES)), c1: Fp.fromBytes(body.subarray(0, G1_BYTES)) });
  let y = Fp2.sqrt(Fp2.add(Fp2.mul(Fp2.sqr(x), x), G2_B));
  if (y === undefined) throw new Error('x is not on the curve');
  if (largerHalf(y) !== ((flags & 0x20) !== 0)) y = Fp2.neg(y);
  return G2.fromAffine({ x, y });
}

const HALF_P = (Fp.ORDER - 1n) / 2n;
function largerHalf(y: Fp2Element): boolean {
  return y.c1 !== 0n ? y.c1 > HALF_P : y.c0 > HALF_P;
}

/**
 * The canonical infinity encoding (0xc0 then zeros), as noble decodes it (ZERO), for backends
 * whose decoders treat infinity otherwise; any other encoding flagged infinity throws.
 */
export function infinityEncoding(bytes: Uint8Array): boolean {
  if ((bytes[0]! & 0x40) === 0) return false;
  if (bytes[0] !== 0xc0 || bytes.some((byte, i) => i > 0 && byte !== 0)) throw new Error('non-canonical encoding of infinity');
  return true;
}

const backends = new Map<BlsBackendName, BlsBackend>([['noble', nobleBackend]]);
let active: BlsBackend = nobleBackend;

/** Makes a backend available to `selectBlsBackend` (the native entry registers blst). */
export function registerBlsBackend(backend: BlsBackend): void {
  backends.set(backend.name, backend);
}

/**
 * Chooses the backend for everything that follows: 'auto' takes blst when it was registered, else
 * mcl when it was, else noble; asking for an unregistered backend is an error. Returns the name chosen.
 */
export function selectBlsBackend(choice: BlsBackendChoice): BlsBackendName {
  if (choice === 'auto') {
    active = backends.get('blst') ?? backends.get('mcl') ?? nobleBackend;
  } else {
    const backend = backends.get(choice);
    if (backend === undefined) throw new StmError('INVALID_ENCODING', `BLS backend ${choice} is not available here`);
    active = backend;
  }
  return active.name;
}

export function blsBackend(): BlsBackend {
  return active;
}

/**
 * The second seam: the pairing check of (batch) verification, with the hashing of the signed
 * messages to G1 that feeds it. noble is the reference and the fallback; a WebAssembly engine
 * (mcl, registered by `@mithril-ts/stm/wasm`, on Node and in a browser) may take over. An engine
 * must give the same verdict as noble on every input (test/bls-backends.test.ts: random and edge
 * inputs, the reference vectors, the hashes byte for byte).
 */
export interface PairingEngine {
  readonly name: PairingEngineName;
  /**
   * e(sigmaSum, −g2) · Π_j e(H(msg_j), vk_j) == 1, H being `hashToG1` with the empty DST. Terms
   * holding the point at infinity contribute 1. False when a point given is outside its
   * prime-order subgroup (noble's pairing refuses such points; every engine does the same).
   */
  hashedPairingCheck(sigmaSum: G1Point, terms: readonly { readonly msg: Uint8Array; readonly vk: G2Point }[]): boolean;
}

export type PairingEngineName = 'noble' | 'mcl';
export type PairingEngineChoice = PairingEngineName | 'auto';

export const noblePairingEngine: PairingEngine = {
  name: 'noble',
  hashedPairingCheck(sigmaSum, terms) {
    try {
      return pairingProductIsOne([{ g1: sigmaSum, g2: NEG_G2 }, ...terms.map(({ msg, vk }) => ({ g1: hashToG1(msg), g2: vk }))]);
    } catch {
      // noble's pairing asserts every point valid (on the curve, in the subgroup): one is not.
      return false;
    }
  },
};

const engines = new Map<PairingEngineName, PairingEngine>([['noble', noblePairingEngine]]);
let activeEngine: PairingEngine = noblePairingEngine;

/** Makes a pairing engine available to `selectPairingEngine` (the wasm entry registers mcl). */
export function registerPairingEngine(engine: PairingEngine): void {
  engines.set(engine.name, engine);
}

/** 'auto' takes mcl when it was registered and noble otherwise; an unregistered engine is an error. */
export function selectPairingEngine(choice: PairingEngineChoice): PairingEngineName {
  if (choice === 'auto') {
    activeEngine = engines.get('mcl') ?? noblePairingEngine;
  } else {
    const engine = engines.get(choice);
    if (engine === undefined) throw new StmError('INVALID_ENCODING', `pairing engine ${choice} is not available here`);
    activeEngine = engine;
  }
  return activeEngine.name;
}

export function pairingEngine(): PairingEngine {
  return activeEngine;
}

function decodePoint<P extends G1Point | G2Point>(decode: (bytes: Uint8Array) => P, bytes: Uint8Array, expectedLength: number, what: string): P {
  if (!(bytes instanceof Uint8Array) || bytes.length !== expectedLength) {
    throw new StmError('INVALID_ENCODING', `${what}: expected ${expectedLength} bytes, got ${bytes?.length}`);
  }
  let point: P;
  try {
    point = decode(bytes);
  } catch (cause) {
    throw new StmError('INVALID_POINT', `${what}: not a valid compressed point (${(cause as Error).message})`);
  }
  if (point.is0()) throw new StmError('INVALID_POINT', `${what}: the point at infinity is not allowed`);
  encodings.set(point, bytes.slice());
  return point;
}

/** A G1 point: canonical, on the curve, in the prime-order subgroup, not infinity (StmError otherwise). */
export function decodeG1(bytes: Uint8Array, what: string): G1Point {
  return decodePoint((b) => active.decodeG1(b), bytes, G1_BYTES, what);
}

/**
 * A G2 point: canonical, on the curve, not infinity, and in the prime-order subgroup unless
 * `subgroupCheck` is false — which only a caller holding a proof that the key was checked
 * before may ask for (see SECURITY.md: keys committed in a certified AVK).
 */
export function decodeG2(bytes: Uint8Array, what: string, options: { subgroupCheck?: boolean } = {}): G2Point {
  return decodePoint((b) => active.decodeG2(b, options.subgroupCheck ?? true), bytes, G2_BYTES, what);
}

export function encodeG1(point: G1Point): Uint8Array {
  return encodings.get(point) ?? point.toBytes(true);
}

export function encodeG2(point: G2Point): Uint8Array {
  return encodings.get(point) ?? point.toBytes(true);
}

/** A secret scalar, big-endian as blst serialises it; zero and values >= r are rejected. */
export function decodeScalar(bytes: Uint8Array): bigint {
  if (!(bytes instanceof Uint8Array) || bytes.length !== SIGNING_KEY_BYTES) {
    throw new StmError('INVALID_ENCODING', `signing key: expected ${SIGNING_KEY_BYTES} bytes, got ${bytes?.length}`);
  }
  const scalar = bytesToBigInt(bytes);
  if (scalar === 0n || scalar >= Fr.ORDER) throw new StmError('INVALID_ENCODING', 'signing key: scalar out of range');
  return scalar;
}

export function encodeScalar(scalar: bigint): Uint8Array {
  const out = new Uint8Array(SIGNING_KEY_BYTES);
  let n = scalar;
  for (let i = SIGNING_KEY_BYTES - 1; i >= 0; i -= 1) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

export const FR_ORDER = Fr.ORDER;

/** Product of pairings e(P_i, Q_i) == 1, with one shared final exponentiation. */
export function pairingProductIsOne(pairs: { g1: G1Point; g2: G2Point }[]): boolean {
  const live = pairs.filter((pair) => !pair.g1.is0() && !pair.g2.is0());
  return Fp12.eql(bls12_381.pairingBatch(live), Fp12.ONE);
}

const NEG_G2 = G2.BASE.negate();

/** e(sig, g2) == e(h, vk): the basic BLS verification equation. */
export function verifyPairing(sig: G1Point, h: G1Point, vk: G2Point): boolean {
  return pairingProductIsOne([
    { g1: sig, g2: NEG_G2 },
    { g1: h, g2: vk },
  ]);
}

export function msmG1(points: readonly G1Point[], scalars: readonly bigint[]): G1Point {
  return msm(G1.ZERO, points, scalars);
}

export function msmG2(points: readonly G2Point[], scalars: readonly bigint[]): G2Point {
  return msm(G2.ZERO, points, scalars);
}

export { NEG_G2 };
