/**
 * Ed25519 through node:crypto (OpenSSL). Chosen over @noble/curves by measurement: verification
 * is 10-20x faster natively (see bench/verify.bench.ts), and a certifier does two verifications
 * per registration. Only this module touches node:crypto for Ed25519.
 *
 * Keys enter OpenSSL in two ways:
 *  - secret seeds as PKCS#8 DER (RFC 8410), assembled in a Uint8Array that is zeroed right after
 *    use (a JWK import would be faster but puts the secret in an immutable base64 string);
 *  - public keys as JWK `{kty: "OKP", crv: "Ed25519", x}`: Node imports those with the raw-key
 *    API, an order of magnitude faster than parsing SPKI DER, which matters on the hot path.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';

export const ED25519_SEED_BYTES = 32;
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

/** RFC 8410 PrivateKeyInfo for Ed25519 up to the 32-byte seed. */
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
/** RFC 8410 SubjectPublicKeyInfo for Ed25519 up to the 32-byte key. */
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

/** An OpenSSL private key for a 32-byte seed. The caller keeps (and may zero) `seed`. */
export function ed25519PrivateKeyObject(seed: Uint8Array): KeyObject {
  const der = new Uint8Array(PKCS8_PREFIX.length + ED25519_SEED_BYTES);
  der.set(PKCS8_PREFIX, 0);
  der.set(seed, PKCS8_PREFIX.length);
  try {
    return createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

export function ed25519PublicKeyOf(privateKey: KeyObject): Uint8Array {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  if (spki.length !== SPKI_PREFIX.length + ED25519_PUBLIC_KEY_BYTES) {
    throw new Error(`unexpected Ed25519 SPKI length ${spki.length}`);
  }
  return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
}

/** The public key of a 32-byte seed (RFC 8032 §5.1.5). */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  return ed25519PublicKeyOf(ed25519PrivateKeyObject(seed));
}

export function ed25519SignWith(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(null, message, privateKey));
}

/** Sign with a seed that is not kept around (a KES leaf): the OpenSSL key lives for this call only. */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return ed25519SignWith(ed25519PrivateKeyObject(seed), message);
}

function publicKeyObject(publicKey: Uint8Array): KeyObject | undefined {
  const x = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('base64url');
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/**
 * RFC 8032 verification as OpenSSL does it, which is what ed25519-dalek 2's `verify` does:
 * canonical `s` (< L) required, `R` compared as encoded bytes, cofactorless equation.
 * Malformed input (wrong sizes, a key that is not a curve point) yields false.
 */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (
    !(publicKey instanceof Uint8Array) ||
    !(message instanceof Uint8Array) ||
    !(signature instanceof Uint8Array) ||
    publicKey.length !== ED25519_PUBLIC_KEY_BYTES ||
    signature.length !== ED25519_SIGNATURE_BYTES
  ) {
    return false;
  }
  const key = publicKeyObject(publicKey);
  if (key === undefined) return false;
  try {
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

/**
 * The 7 encodings (sign bit ignored) of the 8 points of small order: identity (y=1, and
 * non-canonical y=p+1), order 2 (y=-1), order 4 (y=0, and non-canonical y=p), and the two
 * y-coordinates of the order-8 points. A test recomputes them from the curve.
 */
const SMALL_ORDER_ENCODINGS: readonly Uint8Array[] = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => Uint8Array.from(Buffer.from(hex, 'hex')));

/** Whether 32 bytes at `offset` encode a point of small order (any sign bit). */
export function isSmallOrderEncoding(bytes: Uint8Array, offset = 0): boolean {
  outer: for (const candidate of SMALL_ORDER_ENCODINGS) {
    for (let i = 0; i < 31; i += 1) {
      if (bytes[offset + i] !== candidate[i]) continue outer;
    }
    if (((bytes[offset + 31] ?? 0) & 0x7f) === candidate[31]) return true;
  }
  return false;
}

/**
 * ed25519-dalek's `verify_strict`, which kes-summed-ed25519 uses for the KES leaf: the plain
 * verification above, plus rejection of a small-order public key or a small-order `R`. Without
 * that rule, a key of small order would let anyone forge signatures with probability 1/8.
 */
export function ed25519VerifyStrict(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (
    !(publicKey instanceof Uint8Array) ||
    !(signature instanceof Uint8Array) ||
    publicKey.length !== ED25519_PUBLIC_KEY_BYTES ||
    signature.length !== ED25519_SIGNATURE_BYTES
  ) {
    return false;
  }
  if (isSmallOrderEncoding(publicKey) || isSmallOrderEncoding(signature, 0)) return false;
  return ed25519Verify(publicKey, message, signature);
}
