/**
 * Batched proof-of-possession checks on both backends: the noble form (one ρ) and the native form
 * (two groups with independent randomizers through `randomizedSums`) accept valid batches and
 * isolate every bad PoP, including ones that would cancel out if the randomizers were shared.
 */
import { selectBlsBackend, type BlsBackendName } from '../src/bls.js';
import { ProofOfPossession, SigningKey, VerificationKeyPoP, findInvalidProofsOfPossession, verifyProofsOfPossession } from '../src/keys.js';
import { loadNativeBls } from '../src/native.js';

const key = (seed: number) => SigningKey.generate(new Uint8Array(32).fill(seed));
/** Decoded from bytes, as a server gets them (the native backend then sums them itself). */
const decoded = (keyPoP: VerificationKeyPoP) => VerificationKeyPoP.fromBytes(keyPoP.toBytes());

const honest = [1, 2, 3, 4, 5, 6].map((seed) => decoded(key(seed).verificationKeyPoP()));

beforeAll(async () => {
  expect(await loadNativeBls()).toBe(true);
});
afterAll(() => selectBlsBackend('noble'));

describe.each<BlsBackendName>(['noble', 'blst'])('proofs of possession in batches (%s)', (backend) => {
  beforeEach(() => selectBlsBackend(backend));

  it('accepts a batch of valid proofs and an empty batch', () => {
    expect(verifyProofsOfPossession(honest)).toBe(true);
    expect(verifyProofsOfPossession([])).toBe(true);
    expect(findInvalidProofsOfPossession(honest)).toEqual([]);
  });

  it('finds a proof made with another key, and proofs whose halves were swapped between two keys', () => {
    const a = key(7);
    const b = key(8);
    const foreign = decoded(new VerificationKeyPoP(a.verificationKey(), b.proofOfPossession()));
    // k1 of one key with k2 of the other, both ways: each half is valid for some key, the pairs are not.
    const popA = a.proofOfPossession();
    const popB = b.proofOfPossession();
    const mixedA = decoded(new VerificationKeyPoP(a.verificationKey(), new ProofOfPossession(popA.k1, popB.k2)));
    const mixedB = decoded(new VerificationKeyPoP(b.verificationKey(), new ProofOfPossession(popB.k1, popA.k2)));
    const batch = [honest[0]!, foreign, honest[1]!, mixedA, mixedB, honest[2]!];
    expect(verifyProofsOfPossession(batch)).toBe(false);
    expect(findInvalidProofsOfPossession(batch)).toEqual([1, 3, 4]);
  });

  it('finds a proof whose two halves are swapped (k2 ‖ k1)', () => {
    const c = key(9);
    const pop = c.proofOfPossession();
    const swapped = decoded(new VerificationKeyPoP(c.verificationKey(), new ProofOfPossession(pop.k2, pop.k1)));
    expect(findInvalidProofsOfPossession([...honest, swapped])).toEqual([honest.length]);
  });
});
