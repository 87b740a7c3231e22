/**
 * The entry `@mithril-ts/stm/wasm`: herumi's mcl compiled to WebAssembly (`mcl-wasm`, the module
 * inlined in its registry package: it loads offline, in Node and in a browser, with no native
 * addon), behind both seams of bls.ts:
 * - a pairing engine: the pairing check of multi-signature verification and the hashing of the
 *   signed messages to G1 (noble: ~8 ms per Miller loop and ~6 ms per hash warm, far more cold;
 *   mcl: ~2 ms and ~0.5 ms). Node's default with the blst backend, and the browser's;
 * - a point backend (decoding, checks, randomized sums) for where blst's native binary cannot run.
 *
 * Hashing keeps the reference's suite exactly: expand_message_xmd with SHA-256 and the empty DST
 * is composed in bls.ts (as for noble); mcl, in its IRTF map-to mode, maps each of the two field
 * elements with the simplified SWU map, the 11-isogeny and the cofactor clearing (h_eff), like
 * noble's `mapToCurve`, and the two points are added (clearing is a homomorphism). The
 * differential test checks the points byte for byte against noble's.
 *
 * Points cross from noble as compressed bytes; mcl decompresses them with its subgroup check
 * switched on, so a point outside the prime-order subgroup makes the check fail, as noble's
 * pairing (which asserts every point valid) does.
 */
import type * as Mcl from 'mcl-wasm';
import {
  expandMessageXmd,
  infinityEncoding,
  nobleBackend,
  registerBlsBackend,
  registerPairingEngine,
  selectBlsBackend,
  selectPairingEngine,
  SIGNATURE_DST,
  G1,
  G2,
  type BlsBackend,
  type BlsBackendName,
  type G1Point,
  type G2Point,
  type PairingEngine,
  type PairingEngineChoice,
  type PairingEngineName,
} from './bls.js';
import { randomScalars } from './batch.js';

type Mcl = typeof Mcl;

export function mclPairingEngine(mcl: Mcl): PairingEngine {
  mcl.setETHserialization(true); // ZCash/IETF compressed encodings, as noble and the reference
  mcl.setMapToMode(mcl.IRTF); // RFC 9380's map (SSWU + isogeny), not mcl's older maps
  const negG2 = new mcl.G2();

  const hash = (msg: Uint8Array): Mcl.G1 => mclHashToG1(mcl, msg);
  /** The point in mcl, or undefined when mcl refuses it (outside the subgroup). */
  const g1 = (point: G1Point): Mcl.G1 | undefined => {
    mcl.verifyOrderG1(true); // a global setting, which the mcl point backend changes per call
    const out = new mcl.G1();
    try {
      out.deserialize(point.toBytes(true));
    } catch {
      return undefined;
    }
    return out;
  };
  const g2 = (point: G2Point): Mcl.G2 | undefined => {
    mcl.verifyOrderG2(true);
    const out = new mcl.G2();
    try {
      out.deserialize(point.toBytes(true));
    } catch {
      return undefined;
    }
    return out;
  };

  mcl.verifyOrderG2(true);
  negG2.deserialize(G2.BASE.negate().toBytes(true));
  return {
    name: 'mcl',
    hashedPairingCheck(sigmaSum, terms) {
      let product: Mcl.GT | undefined;
      const multiply = (loop: Mcl.GT) => {
        product = product === undefined ? loop : mcl.mul(product, loop);
      };
      if (!sigmaSum.is0()) {
        const p = g1(sigmaSum);
        if (p === undefined) return false;
        multiply(mcl.millerLoop(p, negG2));
      }
      for (const { msg, vk } of terms) {
        if (vk.is0()) continue;
        const q = g2(vk);
        if (q === undefined) return false;
        multiply(mcl.millerLoop(hash(msg), q));
      }
      return product === undefined || mcl.finalExp(product).isOne();
    },
  };
}

/**
 * The mcl point backend, for where blst's native binary cannot run (a browser, another platform):
 * decoding and checking points (~4× noble's speed in WebAssembly) and the randomized sums of batch
 * verification (`mulVec`). Each decoded point is also handed to noble (its affine coordinates),
 * since the seam's points are noble's; the mcl copy is kept for the sums.
 *
 * mcl's multiplication uses the GLV endomorphism, which computes r·P exactly only for P in the
 * prime-order subgroup, so a sum over a point outside it would differ from noble's. Sigmas are
 * checked when decoded; a key decoded without the check (a leaf of a certified AVK, SECURITY.md)
 * is checked here before its first sum, once per decoded point, and a key outside the subgroup
 * makes the sums `undefined` (refused), as blst does and as noble's pairing refuses such a sum.
 * The skip of SECURITY.md is a noble-path saving; here the check is what keeps mcl's verdicts and
 * bytes equal to noble's (the differential test feeds it off-subgroup keys).
 */
export function mclBackend(mcl: Mcl): BlsBackend {
  const handles = new WeakMap<G1Point | G2Point, Mcl.G1 | Mcl.G2>();
  const inSubgroup = new WeakSet<Mcl.G2>();
  const keyInSubgroup = (key: Mcl.G2): boolean => {
    if (inSubgroup.has(key)) return true;
    if (!key.isValidOrder()) return false;
    inSubgroup.add(key);
    return true;
  };
  const toNobleG1 = (point: Mcl.G1): G1Point => {
    const parts = mcl.normalize(point).getStr(16).split(' ');
    return parts[0] === '0' ? G1.ZERO : G1.fromAffine({ x: BigInt(`0x${parts[1]}`), y: BigInt(`0x${parts[2]}`) });
  };
  const toNobleG2 = (point: Mcl.G2): G2Point => {
    const parts = mcl.normalize(point).getStr(16).split(' ');
    if (parts[0] === '0') return G2.ZERO;
    const [xa, xb, ya, yb] = parts.slice(1).map((part) => BigInt(`0x${part}`));
    return G2.fromAffine({ x: G2.Fp.create({ c0: xa!, c1: xb! }), y: G2.Fp.create({ c0: ya!, c1: yb! }) });
  };
  return {
    name: 'mcl',
    decodeG1(bytes) {
      if (bytes.length !== 48) throw new Error('expected 48 bytes');
      if (infinityEncoding(bytes)) return G1.ZERO;
      mcl.verifyOrderG1(true);
      const decoded = new mcl.G1();
      decoded.deserialize(bytes);
      const point = toNobleG1(decoded);
      handles.set(point, decoded);
      return point;
    },
    decodeG2(bytes, subgroupCheck) {
      if (bytes.length !== 96) throw new Error('expected 96 bytes');
      if (infinityEncoding(bytes)) return G2.ZERO;
      mcl.verifyOrderG2(subgroupCheck);
      const decoded = new mcl.G2();
      decoded.deserialize(bytes);
      if (subgroupCheck) inSubgroup.add(decoded);
      const point = toNobleG2(decoded);
      handles.set(point, decoded);
      return point;
    },
    randomizedSums(groups, randomness) {
      let sigmaSum: Mcl.G1 | undefined;
      const vkSums: G2Point[] = [];
      for (const { sigmas, vks } of groups) {
        const p1 = sigmas.map((sigma) => handles.get(sigma) as Mcl.G1 | undefined);
        const p2 = vks.map((vk) => handles.get(vk) as Mcl.G2 | undefined);
        // Points computed in this process (not decoded here) have no mcl copy: noble sums them.
        if (p1.some((p) => p === undefined) || p2.some((p) => p === undefined)) return nobleBackend.randomizedSums(groups, randomness);
        if (!(p2 as Mcl.G2[]).every(keyInSubgroup)) return undefined;
        if (sigmas.length === 0) {
          vkSums.push(G2.ZERO);
          continue;
        }
        const r = randomScalars(sigmas.length, randomness).map((scalar) => {
          const fr = new mcl.Fr();
          fr.setStr(scalar.toString(16), 16);
          return fr;
        });
        const groupSum = mcl.mulVec(p1 as Mcl.G1[], r);
        sigmaSum = sigmaSum === undefined ? groupSum : mcl.add(sigmaSum, groupSum);
        vkSums.push(toNobleG2(mcl.mulVec(p2 as Mcl.G2[], r)));
      }
      return { sigmaSum: sigmaSum === undefined ? G1.ZERO : toNobleG1(sigmaSum), vkSums };
    },
  };
}

/** H(msg) in G1 computed by mcl (the differential test compares its bytes with noble's, also under RFC 9380's test DST). */
export function mclHashToG1(mcl: Mcl, msg: Uint8Array, dst: Uint8Array = SIGNATURE_DST): Mcl.G1 {
  const uniform = expandMessageXmd(msg, dst, 128);
  const u0 = new mcl.Fp();
  const u1 = new mcl.Fp();
  u0.setBigEndianMod(uniform.subarray(0, 64));
  u1.setBigEndianMod(uniform.subarray(64, 128));
  return mcl.add(u0.mapToG1(), u1.mapToG1());
}

/**
 * mcl-wasm's loader turns its inlined base64 module into bytes with `Uint8Array.from(string,
 * mapFn)`, one callback per character: ~0.4 M calls, hundreds of milliseconds in a cold process.
 * That call happens synchronously inside `init` before its first await, so `Uint8Array.from` is
 * given a plain loop for strings for exactly that synchronous stretch and restored after it.
 */
function initQuickly(mcl: Mcl): Promise<void> {
  const from = Uint8Array.from;
  const quick = function (this: Uint8ArrayConstructor, source: unknown, ...rest: unknown[]): Uint8Array {
    if (typeof source !== 'string') return (from as (...args: unknown[]) => Uint8Array).call(this, source, ...rest);
    const out = new Uint8Array(source.length);
    for (let i = 0; i < source.length; i += 1) out[i] = source.charCodeAt(i);
    return out;
  };
  Uint8Array.from = quick as typeof Uint8Array.from;
  try {
    return mcl.init(mcl.BLS12_381);
  } finally {
    Uint8Array.from = from;
  }
}

let loaded: Promise<Mcl | undefined> | undefined;

/** Loads mcl (once); undefined where WebAssembly or the module cannot load. */
export function loadMcl(): Promise<Mcl | undefined> {
  loaded ??= import('mcl-wasm')
    .then(async (module) => {
      // A CommonJS module: bundlers and Node expose its exports as the default.
      const mcl = ((module as unknown as { default?: Mcl }).default ?? module) as Mcl;
      await initQuickly(mcl);
      return mcl;
    })
    .catch(() => undefined);
  return loaded;
}

/** Loads mcl and registers it as the 'mcl' pairing engine and point backend; false where it cannot load. */
export async function loadWasmPairing(): Promise<boolean> {
  const mcl = await loadMcl();
  if (mcl === undefined) return false;
  registerPairingEngine(mclPairingEngine(mcl));
  registerBlsBackend(mclBackend(mcl));
  return true;
}

/**
 * Start-up choice of the pairing engine: 'auto' (mcl when it loads, else noble), 'mcl' (an error
 * when it cannot load) or 'noble'. Returns the engine in use.
 */
export async function configurePairing(choice: PairingEngineChoice): Promise<PairingEngineName> {
  if (choice !== 'noble' && !(await loadWasmPairing()) && choice === 'mcl') {
    throw new Error('the mcl pairing engine (WebAssembly, mcl-wasm) cannot be loaded here');
  }
  return selectPairingEngine(choice);
}

/**
 * Everything in WebAssembly where no native backend exists (a browser): 'mcl' (or 'auto', when it
 * loads) takes mcl for the points and the pairing, 'noble' the pure-JS reference for both.
 */
export async function configureWasmBls(choice: 'auto' | 'mcl' | 'noble'): Promise<BlsBackendName> {
  const engine = await configurePairing(choice);
  return selectBlsBackend(engine === 'mcl' ? 'mcl' : 'noble');
}

export { selectPairingEngine, type PairingEngineChoice, type PairingEngineName } from './bls.js';
