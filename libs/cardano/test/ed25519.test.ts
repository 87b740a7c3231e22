import { ed25519 } from '@noble/curves/ed25519.js';
import { ColdSigningKey, verifyEd25519 } from '../src/index.js';
import { ed25519VerifyStrict, isSmallOrderEncoding } from '../src/ed25519.js';
import { fromHex, toHex, utf8 } from './helpers.js';

// RFC 8032 §7.1, TEST 1 (empty message).
const RFC8032_1 = {
  secretKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};

describe('cold key Ed25519', () => {
  it('reproduces RFC 8032 test vector 1', () => {
    const key = ColdSigningKey.fromSeed(fromHex(RFC8032_1.secretKey));
    expect(toHex(key.verificationKey())).toBe(RFC8032_1.publicKey);
    const signature = key.sign(new Uint8Array(0));
    expect(toHex(signature)).toBe(RFC8032_1.signature);
    expect(verifyEd25519(key.verificationKey(), new Uint8Array(0), signature)).toBe(true);
  });

  it('agrees with @noble/curves for a random key and message', () => {
    const key = ColdSigningKey.generate();
    const message = utf8('registration of a Mithril key');
    expect(toHex(key.verificationKey())).toBe(toHex(ed25519.getPublicKey(key.seed())));
    const signature = key.sign(message);
    expect(toHex(signature)).toBe(toHex(ed25519.sign(message, key.seed())));
    expect(ed25519.verify(signature, message, key.verificationKey())).toBe(true);
  });

  it('returns copies, never its own buffers', () => {
    const key = ColdSigningKey.fromSeed(fromHex(RFC8032_1.secretKey));
    key.seed().fill(0);
    key.verificationKey().fill(0);
    expect(toHex(key.seed())).toBe(RFC8032_1.secretKey);
    expect(toHex(key.verificationKey())).toBe(RFC8032_1.publicKey);
  });

  it('verifyEd25519 answers false (never throws) for anything wrong', () => {
    const key = ColdSigningKey.fromSeed(fromHex(RFC8032_1.secretKey));
    const vk = key.verificationKey();
    const message = utf8('m');
    const signature = key.sign(message);
    expect(verifyEd25519(vk, message, signature)).toBe(true);
    expect(verifyEd25519(vk, utf8('n'), signature)).toBe(false);
    const tampered = signature.slice();
    tampered[10] = (tampered[10] as number) ^ 1;
    expect(verifyEd25519(vk, message, tampered)).toBe(false);
    expect(verifyEd25519(ColdSigningKey.generate().verificationKey(), message, signature)).toBe(false);
    expect(verifyEd25519(vk.subarray(0, 31), message, signature)).toBe(false);
    expect(verifyEd25519(vk, message, signature.subarray(0, 63))).toBe(false);
    expect(verifyEd25519(new Uint8Array(32).fill(0xff), message, signature)).toBe(false);
    expect(verifyEd25519('nope' as unknown as Uint8Array, message, signature)).toBe(false);
    // s + L: same signature equation, non-canonical scalar; RFC 8032 (and dalek) reject it.
    const sPlusL = signature.slice();
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 63; i >= 32; i -= 1) s = (s << 8n) | BigInt(signature[i] as number);
    let t = s + L;
    for (let i = 32; i < 64; i += 1) {
      sPlusL[i] = Number(t & 0xffn);
      t >>= 8n;
    }
    expect(verifyEd25519(vk, message, sPlusL)).toBe(false);
  });
});

describe('small-order points (verify_strict)', () => {
  it('the blocklist is exactly the encodings of the 8 small-order points, any sign bit', () => {
    // Rebuild the torsion subgroup from the curve: 8·P has no torsion; L·P is pure torsion.
    const Point = ed25519.Point;
    const L = Point.Fn.ORDER;
    let torsion: InstanceType<typeof Point> | undefined;
    for (let i = 1; torsion === undefined; i += 1) {
      const candidate = Point.BASE.multiply(BigInt(i)).add(Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'));
      const t = candidate.multiplyUnsafe(L - 1n).add(candidate);
      if (!t.double().double().is0()) torsion = t;
    }
    const encodings = new Set<string>();
    let point = Point.ZERO;
    for (let k = 0; k < 8; k += 1) {
      const bytes = point.toBytes();
      expect(point.isSmallOrder()).toBe(true);
      expect(isSmallOrderEncoding(bytes)).toBe(true);
      bytes[31] = (bytes[31] as number) ^ 0x80;
      expect(isSmallOrderEncoding(bytes)).toBe(true);
      bytes[31] = (bytes[31] as number) & 0x7f;
      encodings.add(toHex(bytes));
      point = point.add(torsion);
    }
    expect(encodings.size).toBe(5); // y = 1, -1, 0 and the two order-8 y's
    // Non-canonical y = p (≡ 0) and y = p + 1 (≡ 1) are blocked too.
    expect(isSmallOrderEncoding(fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'))).toBe(true);
    expect(isSmallOrderEncoding(fromHex('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'))).toBe(true);
    // An ordinary key is not.
    expect(isSmallOrderEncoding(fromHex(RFC8032_1.publicKey))).toBe(false);
  });

  it('strict verification rejects a small-order key that plain verification accepts', () => {
    // With A = identity, the equation sB = R + kA holds for R = sB, whatever the message.
    const identity = fromHex('0100000000000000000000000000000000000000000000000000000000000000');
    const s = 12345n;
    const R = ed25519.Point.BASE.multiply(s).toBytes();
    const signature = new Uint8Array(64);
    signature.set(R, 0);
    let t = s;
    for (let i = 32; i < 64; i += 1) {
      signature[i] = Number(t & 0xffn);
      t >>= 8n;
    }
    const message = utf8('forged');
    expect(verifyEd25519(identity, message, signature)).toBe(true);
    expect(ed25519VerifyStrict(identity, message, signature)).toBe(false);
  });
});
