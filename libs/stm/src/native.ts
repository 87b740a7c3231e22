/**
 * The Node-only entry `@mithril-ts/stm/native`: the native BLS backend (blst, through
 * `@chainsafe/blst`, whose prebuilt binary comes inside its registry package). Nothing in the
 * default entry imports this file, so `@mithril-ts/stm` and what depends on it bundle for a
 * browser without a native module; services and the CLI call `configureBls` at start-up.
 *
 * blst decodes and checks points (≈ 30–40× faster than noble here) and computes the randomized
 * sums of batch verification (`aggregateWithRandomness`: Σ r_i·P_i over G1 and Σ r_i·Q_i over G2
 * with the same fresh 64-bit r_i, drawn by Rust's `thread_rng`, a ChaCha CSPRNG seeded from the
 * operating system). Its Ethereum API names G1 points "public keys" and G2 points "signatures";
 * Mithril's sigmas are G1 and its keys G2, so sigmas go in as public keys and keys as signatures.
 * Hash-to-G1 (with the reference's empty DST, which blst's `verify` cannot take) and pairings are
 * the pairing engine's (`@mithril-ts/stm/wasm`: mcl in WebAssembly, or noble).
 */
import type * as Blst from '@chainsafe/blst';
import {
  G1,
  G2,
  infinityEncoding,
  knownEncoding,
  nobleBackend,
  registerBlsBackend,
  selectBlsBackend,
  type BlsBackend,
  type BlsBackendChoice,
  type BlsBackendName,
  type G1Point,
  type G2Point,
} from './bls.js';
import { configurePairing, type PairingEngineChoice } from './wasm.js';

type BlstModule = typeof Blst;

const FP_BYTES = 48;
const Fp2 = G2.Fp;

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * A field element from its 48 big-endian bytes. One BigInt parse of the hex text: shifting in
 * byte by byte allocates 48 intermediate integers, and every decoded point needs two to four of
 * these (a third of the time of a cold mainnet decode went there).
 */
function fp(bytes: Uint8Array, at: number): bigint {
  let hex = '0x';
  for (let i = at; i < at + FP_BYTES; i += 1) hex += HEX[bytes[i]!]!;
  return BigInt(hex);
}

/** blst's uncompressed affine bytes (x ‖ y, each c1 ‖ c0 in G2) as noble points; blst has checked them. */
function g1FromUncompressed(raw: Uint8Array): G1Point {
  return G1.fromAffine({ x: fp(raw, 0), y: fp(raw, FP_BYTES) });
}

function g2FromUncompressed(raw: Uint8Array): G2Point {
  return G2.fromAffine({
    x: Fp2.create({ c1: fp(raw, 0), c0: fp(raw, FP_BYTES) }),
    y: Fp2.create({ c1: fp(raw, 2 * FP_BYTES), c0: fp(raw, 3 * FP_BYTES) }),
  });
}

export function blstBackend(blst: BlstModule): BlsBackend {
  // The native handle of each sigma decoded here, so batch verification does not decode it again.
  const handles = new WeakMap<G1Point, Blst.PublicKey>();
  return {
    name: 'blst',
    decodeG1(bytes) {
      if (bytes.length !== FP_BYTES) throw new Error(`expected ${FP_BYTES} bytes`);
      if (infinityEncoding(bytes)) return G1.ZERO;
      const key = blst.PublicKey.fromBytes(bytes, true);
      const point = g1FromUncompressed(key.toBytes(false));
      handles.set(point, key);
      return point;
    },
    decodeG2(bytes, subgroupCheck) {
      if (bytes.length !== 2 * FP_BYTES) throw new Error(`expected ${2 * FP_BYTES} bytes`);
      if (infinityEncoding(bytes)) return G2.ZERO;
      return g2FromUncompressed(blst.Signature.fromBytes(bytes, subgroupCheck, true).toBytes(false));
    },
    randomizedSums(groups, randomness) {
      const sets: Blst.PkAndSerializedSig[][] = [];
      for (const { sigmas, vks } of groups) {
        const set: Blst.PkAndSerializedSig[] = [];
        for (let i = 0; i < sigmas.length; i += 1) {
          const sigma = sigmas[i]!;
          const pk = handles.get(sigma) ?? encodedKey(blst, sigma);
          const vk = knownEncoding(vks[i]!);
          // Points computed in this process (not decoded) have no encoding at hand: noble sums them.
          if (pk === undefined || vk === undefined) return nobleBackend.randomizedSums(groups, randomness);
          set.push({ pk, sig: vk });
        }
        sets.push(set);
      }
      let sigmaSum = G1.ZERO;
      const vkSums: G2Point[] = [];
      try {
        for (const set of sets) {
          if (set.length === 0) {
            vkSums.push(G2.ZERO);
            continue;
          }
          const { pk, sig } = blst.aggregateWithRandomness(set);
          sigmaSum = sigmaSum.add(g1FromUncompressed(pk.toBytes(false)));
          vkSums.push(g2FromUncompressed(sig.toBytes(false)));
        }
      } catch {
        // blst checks every key again (subgroup included) and throws on a bad one.
        return undefined;
      }
      return { sigmaSum, vkSums };
    },
  };
}

function encodedKey(blst: BlstModule, sigma: G1Point): Blst.PublicKey | undefined {
  const bytes = knownEncoding(sigma);
  return bytes === undefined ? undefined : blst.PublicKey.fromBytes(bytes, true);
}

let loaded: Promise<boolean> | undefined;

/** Loads blst and registers it as the 'blst' backend; false where the native module cannot load (another platform). */
export function loadNativeBls(): Promise<boolean> {
  loaded ??= import('@chainsafe/blst').then(
    (module) => {
      // A CommonJS module: its exports object is the namespace's default.
      registerBlsBackend(blstBackend(module.default as unknown as BlstModule));
      return true;
    },
    () => false,
  );
  return loaded;
}

/**
 * Start-up choice of the BLS backend: 'auto' (blst when it loads, else noble), 'blst' (an error
 * when it cannot load) or 'noble'; and of the pairing engine (`pairing`, by default noble with the
 * noble backend — the reference, all of it — and otherwise mcl when its WebAssembly loads, else
 * noble). Returns the backend in use.
 */
export async function configureBls(choice: BlsBackendChoice, pairing: PairingEngineChoice = choice === 'noble' ? 'noble' : 'auto'): Promise<BlsBackendName> {
  if (choice !== 'noble' && !(await loadNativeBls()) && choice === 'blst') {
    throw new Error('the blst BLS backend cannot be loaded on this platform (@chainsafe/blst)');
  }
  await configurePairing(pairing);
  return selectBlsBackend(choice);
}

export { selectBlsBackend, type BlsBackendChoice, type BlsBackendName } from './bls.js';
export { configurePairing, type PairingEngineChoice } from './wasm.js';
