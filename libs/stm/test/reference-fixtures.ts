/**
 * The reference's golden scenario (mithril-stm): keys from ChaCha20Rng seeded with 32 zero bytes
 * (= the ChaCha20 keystream for a zero key and nonce) through blst's KeyGen, and a two-party
 * registration with m=10, k=5, phi_f=0.8 signing 16 zero bytes. Shared by the golden tests.
 */
import { createCipheriv } from 'node:crypto';
import { Clerk, Initializer, KeyRegistration, MerkleTree, SigningKey, type Parameters } from '../src/index.js';

export function chachaKeystream(length: number): Uint8Array {
  const cipher = createCipheriv('chacha20', Buffer.alloc(32), Buffer.alloc(16));
  return new Uint8Array(cipher.update(Buffer.alloc(length)));
}

export const keystream = chachaKeystream(128);
export const sk1 = SigningKey.generate(keystream.subarray(0, 32));
export const sk2 = SigningKey.generate(keystream.subarray(32, 64));
export const params: Parameters = { m: 10n, k: 5n, phiF: 0.8 };
export const msg = new Uint8Array(16);

export const init1 = new Initializer(params, 1n, sk1);
export const init2 = new Initializer(params, 1n, sk2);
const registration = new KeyRegistration();
registration.register(1n, init1.verificationKeyPoP);
registration.register(1n, init2.verificationKeyPoP);
export const closed = registration.close();
export const avk = closed.aggregateVerificationKey();
export const signer1 = init1.newSigner(closed);
export const signer2 = init2.newSigner(closed);
export const sig1 = signer1.sign(msg)!;
export const sig2 = signer2.sign(msg)!;
export const aggregate = new Clerk(closed, params).aggregate([sig1, sig2], msg);

/** The reference's Merkle golden: four default (all-zero, infinity-flagged) keys with stakes 0..3. */
export const fourLeafTree = new MerkleTree(
  [0n, 1n, 2n, 3n].map((stake) => {
    const leaf = new Uint8Array(104);
    leaf[0] = 0xc0;
    new DataView(leaf.buffer).setBigUint64(96, stake);
    return leaf;
  }),
);
