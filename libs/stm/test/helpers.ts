import { sha256 } from '@noble/hashes/sha2.js';
import { Initializer, KeyRegistration, type Parameters } from '../src/index.js';

/** Deterministic key material for test party `i` (tests only; real keys come from a CSPRNG). */
export function testIkm(i: number, label = 'test'): Uint8Array {
  return sha256(new TextEncoder().encode(`${label} party ${i}`));
}

/** A deterministic stand-in for randomness, so batch-verification tests are reproducible. */
export function seededRandomness(seed = 1): (n: number) => Uint8Array {
  let counter = 0;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let offset = 0; offset < n; offset += 32) {
      const block = sha256(new TextEncoder().encode(`rand ${seed} ${counter++}`));
      out.set(block.subarray(0, Math.min(32, n - offset)), offset);
    }
    return out;
  };
}

export function setupRound(params: Parameters, stakes: bigint[], label = 'round') {
  const initializers = stakes.map((stake, i) => Initializer.generate(params, stake, testIkm(i, label)));
  const registration = new KeyRegistration();
  const { rejected } = registration.registerAll(initializers.map((init) => ({ stake: init.stake, key: init.verificationKeyPoP })));
  if (rejected.length > 0) throw new Error('unexpected rejection');
  const closed = registration.close();
  const signers = initializers.map((init) => init.newSigner(closed));
  return { initializers, closed, signers, avk: closed.aggregateVerificationKey() };
}
