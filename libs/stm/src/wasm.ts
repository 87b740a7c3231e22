/**
 * The entry `@mithril-ts/stm/wasm`: the pairing engine on herumi's mcl compiled to WebAssembly
 * (`mcl-wasm`, the module inlined in its registry package: it loads offline, in Node and in a
 * browser, with no native addon). It takes over the pairing check of multi-signature
 * verification and the hashing of the signed messages to G1 (noble: ~8 ms per Miller loop and
 * ~6 ms per hash warm, far more cold; mcl: ~2 ms and ~0.5 ms).
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
  registerPairingEngine,
  selectPairingEngine,
  SIGNATURE_DST,
  G2,
  type G1Point,
  type G2Point,
  type PairingEngine,
  type PairingEngineChoice,
  type PairingEngineName,
} from './bls.js';

type Mcl = typeof Mcl;

export function mclPairingEngine(mcl: Mcl): PairingEngine {
  mcl.setETHserialization(true); // ZCash/IETF compressed encodings, as noble and the reference
  mcl.setMapToMode(mcl.IRTF); // RFC 9380's map (SSWU + isogeny), not mcl's older maps
  mcl.verifyOrderG1(true);
  mcl.verifyOrderG2(true);
  const negG2 = new mcl.G2();
  negG2.deserialize(G2.BASE.negate().toBytes(true));

  const hash = (msg: Uint8Array): Mcl.G1 => mclHashToG1(mcl, msg);
  /** The point in mcl, or undefined when mcl refuses it (outside the subgroup). */
  const g1 = (point: G1Point): Mcl.G1 | undefined => {
    const out = new mcl.G1();
    try {
      out.deserialize(point.toBytes(true));
    } catch {
      return undefined;
    }
    return out;
  };
  const g2 = (point: G2Point): Mcl.G2 | undefined => {
    const out = new mcl.G2();
    try {
      out.deserialize(point.toBytes(true));
    } catch {
      return undefined;
    }
    return out;
  };

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
      const mcl = ((module as { default?: Mcl }).default ?? module) as Mcl;
      await initQuickly(mcl);
      return mcl;
    })
    .catch(() => undefined);
  return loaded;
}

/** Loads mcl and registers it as the 'mcl' pairing engine; false where it cannot load. */
export async function loadWasmPairing(): Promise<boolean> {
  const mcl = await loadMcl();
  if (mcl === undefined) return false;
  registerPairingEngine(mclPairingEngine(mcl));
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

export { selectPairingEngine, type PairingEngineChoice, type PairingEngineName } from './bls.js';
