/**
 * Known answers from the reference implementation's golden tests (mithril-stm): keys derived
 * from ChaCha20Rng seeded with 32 zero bytes (= the ChaCha20 keystream for a zero key and
 * nonce), blst's draft-04 KeyGen, and a two-party registration with m=10, k=5, phi_f=0.8.
 */
import { KeyRegistration, SigningKey, type Parameters } from '../src/index.js';
import { aggregate, closed, fourLeafTree, keystream, msg, params, signer1, signer2, sk1, sk2 } from './reference-fixtures.js';
import {
  aggregateSignatureFromJson,
  aggregateSignatureToJson,
  avkToLegacyBytes,
  avkToJson,
  parametersFromLegacyBytes,
  parametersToLegacyBytes,
  parametersToJson,
  registeredPartyToLegacyBytes,
  singleSignatureFromLegacyBytes,
  singleSignatureToLegacyBytes,
  singleSignatureToJson,
  toJsonText,
  fromJsonText,
  verificationKeyPoPToJson,
} from '../src/encoding.js';
import { SingleSignature } from '../src/single-signature.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromArray = (a: number[]) => Uint8Array.from(a);

const SIGMA_1 = [
  149, 157, 201, 187, 140, 54, 0, 128, 209, 88, 16, 203, 61, 78, 77, 98, 161, 133, 58, 152, 29, 74, 217, 113, 64, 100, 10, 161, 186, 167, 133, 114, 211, 153,
  218, 56, 223, 84, 105, 242, 41, 54, 224, 170, 208, 185, 126, 83,
];
const SIGMA_2 = [
  149, 169, 22, 201, 216, 97, 163, 188, 115, 210, 217, 236, 233, 161, 201, 13, 42, 132, 12, 63, 5, 31, 120, 22, 78, 177, 125, 134, 208, 205, 73, 58, 247, 141,
  59, 62, 187, 81, 213, 30, 153, 218, 41, 42, 110, 156, 161, 205,
];
const VK_1 = [
  143, 161, 255, 48, 78, 57, 204, 220, 25, 221, 164, 252, 248, 14, 56, 126, 186, 135, 228, 188, 145, 181, 52, 200, 97, 99, 213, 46, 0, 199, 193, 89, 187, 88,
  29, 135, 173, 244, 86, 36, 83, 54, 67, 164, 6, 137, 94, 72, 6, 105, 128, 128, 93, 48, 176, 11, 4, 246, 138, 48, 180, 133, 90, 142, 192, 24, 193, 111, 142, 31,
  76, 111, 110, 234, 153, 90, 208, 192, 31, 124, 95, 102, 49, 158, 99, 52, 220, 165, 94, 251, 68, 69, 121, 16, 224, 194,
];
const VK_2 = [
  145, 56, 175, 32, 122, 187, 214, 226, 251, 148, 88, 9, 1, 103, 159, 146, 80, 166, 107, 243, 251, 236, 41, 28, 111, 128, 207, 164, 132, 147, 228, 83, 246, 228,
  170, 68, 89, 78, 60, 28, 123, 130, 88, 234, 38, 97, 42, 65, 1, 100, 53, 18, 78, 131, 8, 61, 122, 131, 238, 84, 233, 223, 154, 118, 118, 73, 28, 27, 101, 78,
  80, 233, 123, 206, 220, 174, 134, 205, 71, 110, 112, 180, 97, 98, 0, 113, 69, 145, 231, 168, 43, 173, 172, 56, 104, 208,
];
const POP_1 = [
  168, 50, 233, 193, 15, 136, 65, 72, 123, 148, 129, 176, 38, 198, 209, 47, 28, 204, 176, 144, 57, 251, 42, 28, 66, 76, 89, 97, 158, 63, 54, 198, 194, 176, 135,
  221, 14, 185, 197, 225, 202, 98, 243, 74, 233, 225, 143, 151, 147, 177, 170, 117, 66, 165, 66, 62, 33, 216, 232, 75, 68, 114, 195, 22, 100, 65, 44, 198, 4,
  166, 102, 233, 253, 240, 59, 175, 60, 117, 142, 114, 140, 122, 17, 87, 110, 187, 1, 17, 10, 195, 154, 13, 249, 86, 54, 226,
];
const ROOT_2 = [
  56, 37, 95, 107, 157, 98, 252, 194, 190, 204, 170, 26, 224, 10, 212, 7, 214, 89, 116, 196, 217, 122, 111, 56, 113, 253, 96, 45, 170, 121, 235, 159,
];

describe('reference golden values: keys', () => {
  it('reproduces the signing key, verification key, PoP and a plain signature', () => {
    expect(hex(keystream.subarray(0, 32))).toBe('76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7');
    expect(hex(sk1.toBytes())).toBe('408157791befddd702672dcfcfc99da3512f9c0ea818890fcb6ab749580ef2cf');
    expect(hex(sk1.verificationKey().toBytes())).toBe(hex(fromArray(VK_1)));
    expect(hex(sk1.proofOfPossession().toBytes())).toBe(hex(fromArray(POP_1)));
    expect(hex(sk2.verificationKey().toBytes())).toBe(hex(fromArray(VK_2)));
    const sig = sk1.sign(new Uint8Array(32));
    expect([...sig.toBytes()]).toEqual([
      132, 95, 124, 197, 185, 105, 193, 171, 114, 182, 52, 171, 205, 119, 202, 188, 2, 213, 61, 125, 219, 242, 10, 131, 53, 219, 53, 197, 157, 42, 152, 194,
      234, 161, 244, 204, 2, 134, 47, 179, 176, 49, 200, 232, 120, 241, 180, 246,
    ]);
    expect(sig.verify(new Uint8Array(32), sk1.verificationKey())).toBe(true);
    expect(toJsonText(verificationKeyPoPToJson(sk1.verificationKeyPoP()))).toBe(`{"vk":[${VK_1.join(',')}],"pop":[${POP_1.join(',')}]}`);
    expect(sk1.verificationKeyPoP().verify()).toBe(true);
  });

  it('reproduces the parameters bytes and JSON', () => {
    const params: Parameters = { m: 20973n, k: 2422n, phiF: 0.2 };
    expect([...parametersToLegacyBytes(params)]).toEqual([0, 0, 0, 0, 0, 0, 81, 237, 0, 0, 0, 0, 0, 0, 9, 118, 63, 201, 153, 153, 153, 153, 153, 154]);
    expect(parametersFromLegacyBytes(parametersToLegacyBytes(params))).toEqual(params);
    expect(toJsonText(parametersToJson(params))).toBe('{"m":20973,"k":2422,"phi_f":0.2}');
  });
});

describe('reference golden values: Merkle tree', () => {
  it('reproduces the root and the batch path of leaves 0 and 2', () => {
    const tree = fourLeafTree;
    expect(hex(tree.commitment().root)).toBe('b21ee77f41f7a295211d9394e09c60718c2a62a6890e451d1cf4a191cf92ecf9');
    const path = tree.batchPath([0, 2]);
    expect(path.values.map(hex)).toEqual([
      '39148b53c2daca428b3190948406026170261d3c8be9bd5fa8cc5421c98c1716',
      '804e3484237640533c26b5c590bcebe102df8768c1e294aa721aada12246f15a',
    ]);
  });

  it('reproduces the old four-party AVK golden (stakes 0..3, m=10, k=5, phi_f=0.8)', () => {
    const registration = new KeyRegistration();
    for (let i = 0; i < 4; i += 1) {
      registration.register(BigInt(i), SigningKey.generate(keystream.subarray(32 * i, 32 * i + 32)).verificationKeyPoP());
    }
    const avk = registration.close().aggregateVerificationKey();
    expect(toJsonText(avkToJson(avk))).toBe(
      '{"mt_commitment":{"root":[4,3,108,183,145,65,166,69,250,202,51,64,90,232,45,103,56,138,102,63,209,245,81,22,120,16,6,96,140,204,210,55],"nr_leaves":4,"hasher":null},"total_stake":6}',
    );
  });
});

describe('reference golden values: two-party signing round', () => {
  it('orders parties, commits and encodes the AVK as the reference', () => {
    expect(signer1.signerIndex).toBe(0);
    expect(signer2.signerIndex).toBe(1);
    const avk = closed.aggregateVerificationKey();
    expect([...avk.commitment.root]).toEqual(ROOT_2);
    expect([...avkToLegacyBytes(avk)]).toEqual([0, 0, 0, 0, 0, 0, 0, 2, ...ROOT_2, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(toJsonText(avkToJson(avk))).toBe(`{"mt_commitment":{"root":[${ROOT_2.join(',')}],"nr_leaves":2,"hasher":null},"total_stake":2}`);
    expect(hex(registeredPartyToLegacyBytes(closed.party(0)))).toBe(hex(fromArray([...VK_1, 0, 0, 0, 0, 0, 0, 0, 1])));
  });

  it('signs with the reference sigma and lottery indices', () => {
    const sig1 = signer1.sign(msg)!;
    const sig2 = signer2.sign(msg)!;
    expect([...sig1.sigma.toBytes()]).toEqual(SIGMA_1);
    expect(sig1.indexes).toEqual([1, 4, 5, 8]);
    expect([...sig2.sigma.toBytes()]).toEqual(SIGMA_2);
    expect(sig2.indexes).toEqual([0, 3, 4, 5, 6]);
  });

  it('reproduces the single-signature golden bytes and JSON (signer index 1 as in the reference test)', () => {
    const sig = new SingleSignature(signer1.sign(msg)!.sigma, [1, 4, 5, 8], 1);
    const golden = [
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      4,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      4,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      5,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      8,
      ...SIGMA_1,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
    ];
    expect([...singleSignatureToLegacyBytes(sig)]).toEqual(golden);
    const decoded = singleSignatureFromLegacyBytes(Uint8Array.from(golden));
    expect(decoded.indexes).toEqual([1, 4, 5, 8]);
    expect(decoded.signerIndex).toBe(1);
    expect(toJsonText(singleSignatureToJson(sig))).toBe(`{"sigma":[${SIGMA_1.join(',')}],"indexes":[1,4,5,8],"signer_index":1}`);
  });

  it('aggregates into the reference multi-signature JSON, which verifies', () => {
    const golden =
      `{"signatures":[[{"sigma":[${SIGMA_1.join(',')}],"indexes":[1,4,5,8],"signer_index":0},[[${VK_1.join(',')}],1]],` +
      `[{"sigma":[${SIGMA_2.join(',')}],"indexes":[0,3,6],"signer_index":1},[[${VK_2.join(',')}],1]]],` +
      `"batch_proof":{"values":[],"indices":[0,1],"hasher":null}}`;
    expect(toJsonText(aggregateSignatureToJson(aggregate))).toBe(golden);
    const decoded = fromJsonText(golden, aggregateSignatureFromJson, 'multi-signature');
    expect(() => decoded.verify(msg, closed.aggregateVerificationKey(), params)).not.toThrow();
  });
});
