import { cborBytes, fromHex, toHex, unwrapCborBytes } from '@mithril-ts/codec';
import {
  KES_SECRET_KEY_BYTES,
  KES_SECRET_KEY_WITH_PERIOD_BYTES,
  KES_SIGNATURE_BYTES,
  KES_TOTAL_PERIODS,
  KesSigningKey,
  kesVerificationKeyFromTextEnvelope,
  kesVerificationKeyToTextEnvelope,
  operationalCertificateFromTextEnvelope,
  verifyKesSignature,
  verifyKesSignatureInWindow,
  verifyOperationalCertificate,
} from '../src/index.js';
import { PRECOMPUTED_KES_KEYS } from './fixtures/precomputed-kes-keys.js';
import { DINGO_DEVNET_KES_SKEY_ENVELOPE, DINGO_DEVNET_OPCERT_ENVELOPE, MITHRIL_HASKELL_KES_SKEY_CBOR_HEX } from './fixtures/third-party-keys.js';
import { envelope, expectCardanoError, seedWithFirstByte, utf8 } from './helpers.js';

/** Offset of level d's right-subtree seed in the 608-byte key (d = 1..6). */
const seedOffset = (depth: number) => 32 + 96 * (depth - 1);
const isZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);
/** What Mithril signs at registration: the 192-byte VerificationKeyPoP (BLS vk ‖ pop). */
const MITHRIL_KEY_BYTES = Uint8Array.from({ length: 192 }, (_, i) => (i * 7 + 3) & 0xff);

describe('Sum6 KES key generation', () => {
  it.each(PRECOMPUTED_KES_KEYS.map((k) => [k.seedFirstByte, k] as const))(
    'reproduces Mithril precomputed key for seed [%i, 0, …] (612-byte sk and vk)',
    (_, vector) => {
      const key = KesSigningKey.fromSeed(seedWithFirstByte(vector.seedFirstByte));
      expect(key.period).toBe(0);
      expect(toHex(key.toBytes())).toBe(vector.secretKeyHex);
      expect(toHex(key.verificationKey())).toBe(vector.verificationKeyHex);
      // And the stored bytes load back to the same key.
      const loaded = KesSigningKey.fromBytes(fromHex(vector.secretKeyHex));
      expect(toHex(loaded.verificationKey())).toBe(vector.verificationKeyHex);
    },
  );

  it('the zero seed gives the opcert.rs KES key e650d753…', () => {
    expect(toHex(KesSigningKey.fromSeed(new Uint8Array(32)).verificationKey())).toBe('e650d7531509bb6cffd7998c28c68e4ec8fa621a0952206ea11eb03fcd7dcb29');
  });

  it('does not modify the seed it is given, and refuses a seed of the wrong size', () => {
    const seed = seedWithFirstByte(5);
    KesSigningKey.fromSeed(seed);
    expect(toHex(seed)).toBe(toHex(seedWithFirstByte(5)));
    expectCardanoError(() => KesSigningKey.fromSeed(new Uint8Array(31)), 'INVALID_KEY', /32 bytes/);
  });
});

describe('Sum6 KES signing and verification', () => {
  it('signs and verifies at every period 0..63 while evolving, and only at that period', () => {
    const key = KesSigningKey.fromSeed(seedWithFirstByte(42));
    const vk = key.verificationKey();
    const other = KesSigningKey.fromSeed(seedWithFirstByte(43)).verificationKey();
    for (let period = 0; period < KES_TOTAL_PERIODS; period += 1) {
      expect(key.period).toBe(period);
      const signature = key.sign(MITHRIL_KEY_BYTES);
      expect(signature.length).toBe(KES_SIGNATURE_BYTES);
      expect(verifyKesSignature(vk, period, MITHRIL_KEY_BYTES, signature)).toBe(true);
      // Wrong periods: neighbours, the mirror period and the far end.
      for (const wrong of [period - 1, period + 1, period ^ 32, 63 - period]) {
        if (wrong !== period && wrong >= 0 && wrong < KES_TOTAL_PERIODS) {
          expect(verifyKesSignature(vk, wrong, MITHRIL_KEY_BYTES, signature)).toBe(false);
        }
      }
      expect(verifyKesSignature(other, period, MITHRIL_KEY_BYTES, signature)).toBe(false);
      if (period < KES_TOTAL_PERIODS - 1) key.evolve();
    }
  });

  it('rejects tampered signatures and messages, byte by byte through every field', () => {
    const key = KesSigningKey.fromSeed(seedWithFirstByte(7));
    key.evolveTo(21);
    const vk = key.verificationKey();
    const signature = key.sign(MITHRIL_KEY_BYTES);
    expect(verifyKesSignature(vk, 21, MITHRIL_KEY_BYTES, signature)).toBe(true);
    // sigma (R, s) then every lhs/rhs key of every level.
    for (let offset = 0; offset < KES_SIGNATURE_BYTES; offset += 13) {
      const tampered = signature.slice();
      tampered[offset] = (tampered[offset] as number) ^ 0x40;
      expect(verifyKesSignature(vk, 21, MITHRIL_KEY_BYTES, tampered)).toBe(false);
    }
    const otherMessage = MITHRIL_KEY_BYTES.slice();
    otherMessage[191] = (otherMessage[191] as number) ^ 1;
    expect(verifyKesSignature(vk, 21, otherMessage, signature)).toBe(false);
  });

  it('answers false for malformed input or a period outside 0..63', () => {
    const key = KesSigningKey.fromSeed(seedWithFirstByte(8));
    const vk = key.verificationKey();
    const signature = key.sign(MITHRIL_KEY_BYTES);
    expect(verifyKesSignature(vk, 0, MITHRIL_KEY_BYTES, signature)).toBe(true);
    expect(verifyKesSignature(vk, 0, MITHRIL_KEY_BYTES, signature.subarray(0, 447))).toBe(false);
    expect(verifyKesSignature(vk, 0, MITHRIL_KEY_BYTES, new Uint8Array(448))).toBe(false);
    expect(verifyKesSignature(vk.subarray(1), 0, MITHRIL_KEY_BYTES, signature)).toBe(false);
    for (const period of [-1, 64, 96, 0.5, Number.NaN]) {
      expect(verifyKesSignature(vk, period, MITHRIL_KEY_BYTES, signature)).toBe(false);
    }
  });

  it('verifies against a window of periods with a single result', () => {
    const key = KesSigningKey.fromSeed(seedWithFirstByte(9));
    const vk = key.verificationKey();
    key.evolveTo(32);
    const signature = key.sign(MITHRIL_KEY_BYTES);
    expect(verifyKesSignatureInWindow(vk, [31, 32, 33], MITHRIL_KEY_BYTES, signature)).toBe(32);
    expect(verifyKesSignatureInWindow(vk, [33, 34], MITHRIL_KEY_BYTES, signature)).toBeUndefined();
    expect(verifyKesSignatureInWindow(vk, [], MITHRIL_KEY_BYTES, signature)).toBeUndefined();
    expect(verifyKesSignatureInWindow(vk, [31, 32, 33], utf8('other'), signature)).toBeUndefined();
  });

  it('signs deterministically (Ed25519) and the signature embeds the tree keys', () => {
    const key = KesSigningKey.fromSeed(seedWithFirstByte(1));
    const a = key.sign(MITHRIL_KEY_BYTES);
    const b = key.sign(MITHRIL_KEY_BYTES);
    expect(toHex(a)).toBe(toHex(b));
    const sk = key.toBytes();
    for (let depth = 1; depth <= 6; depth += 1) {
      const pair = sk.subarray(seedOffset(depth) + 32, seedOffset(depth) + 96);
      expect(toHex(a.subarray(64 * depth, 64 * depth + 64))).toBe(toHex(pair));
    }
  });
});

describe('Sum6 KES evolution', () => {
  it('zeroes the right-subtree seed of every level it has crossed, and erases past leaves', () => {
    const key = KesSigningKey.fromSeed(seedWithFirstByte(3));
    let previous = key.toBytes();
    for (let period = 1; period < KES_TOTAL_PERIODS; period += 1) {
      key.evolve();
      const bytes = key.toBytes();
      expect(new DataView(bytes.buffer).getUint32(KES_SECRET_KEY_BYTES, false)).toBe(period);
      for (let depth = 1; depth <= 6; depth += 1) {
        const seed = bytes.subarray(seedOffset(depth), seedOffset(depth) + 32);
        const crossed = ((period >> (depth - 1)) & 1) === 1;
        // A crossed level's seed is spent (zero); an uncrossed one is still needed (non-zero).
        expect(isZero(seed)).toBe(crossed);
      }
      // The previous leaf's Ed25519 seed is gone from the key.
      const oldLeaf = toHex(previous.subarray(0, 32));
      expect(toHex(bytes.subarray(0, 32))).not.toBe(oldLeaf);
      expect(toHex(bytes).includes(oldLeaf)).toBe(false);
      previous = bytes;
    }
  });

  it('refuses to evolve past period 63 and stays usable at 63', () => {
    const key = KesSigningKey.fromSeed(seedWithFirstByte(4));
    key.evolveTo(63);
    expect(key.period).toBe(63);
    expectCardanoError(() => key.evolve(), 'KES_KEY_EXPIRED', /last period 63/);
    expect(key.period).toBe(63);
    expect(verifyKesSignature(key.verificationKey(), 63, MITHRIL_KEY_BYTES, key.sign(MITHRIL_KEY_BYTES))).toBe(true);
    expectCardanoError(() => key.evolveTo(64), 'KES_KEY_EXPIRED');
    expectCardanoError(() => key.evolveTo(10), 'KES_PERIOD_OUT_OF_RANGE', /cannot go back/);
    expectCardanoError(() => key.evolveTo(-1), 'INVALID_ARGUMENT');
  });

  it('a destroyed key is zeroed and unusable', () => {
    const key = KesSigningKey.fromSeed(seedWithFirstByte(6));
    key.destroy();
    expectCardanoError(() => key.sign(MITHRIL_KEY_BYTES), 'INVALID_KEY', /destroyed/);
    expectCardanoError(() => key.toBytes(), 'INVALID_KEY');
    expectCardanoError(() => key.evolve(), 'INVALID_KEY');
  });
});

describe('Sum6 KES secret key bytes', () => {
  it('round-trips through 612 bytes at any period, and signs identically after loading', () => {
    const key = KesSigningKey.fromSeed(seedWithFirstByte(11));
    for (const period of [0, 1, 5, 31, 32, 47, 63]) {
      key.evolveTo(period);
      const bytes = key.toBytes();
      expect(bytes.length).toBe(KES_SECRET_KEY_WITH_PERIOD_BYTES);
      const loaded = KesSigningKey.fromBytes(bytes);
      expect(loaded.period).toBe(period);
      expect(toHex(loaded.verificationKey())).toBe(toHex(key.verificationKey()));
      expect(toHex(loaded.sign(MITHRIL_KEY_BYTES))).toBe(toHex(key.sign(MITHRIL_KEY_BYTES)));
    }
  });

  it('never aliases caller memory (a Node Buffer slice is a view)', () => {
    const key = KesSigningKey.fromSeed(seedWithFirstByte(14));
    const buffer = Buffer.from(key.toBytes());
    const before = buffer.toString('hex');
    const loaded = KesSigningKey.fromBytes(buffer);
    loaded.evolveTo(33);
    loaded.destroy();
    expect(buffer.toString('hex')).toBe(before);
    const seed = Buffer.from(seedWithFirstByte(14));
    const fromBuffer = KesSigningKey.fromSeed(seed);
    expect(seed.toString('hex')).toBe(toHex(seedWithFirstByte(14)));
    expect(toHex(fromBuffer.verificationKey())).toBe(toHex(key.verificationKey()));
  });

  it('reads the bare 608-byte key as period 0', () => {
    const key = KesSigningKey.fromSeed(seedWithFirstByte(12));
    const loaded = KesSigningKey.fromBytes(key.toBytes().subarray(0, KES_SECRET_KEY_BYTES));
    expect(loaded.period).toBe(0);
    expect(toHex(loaded.toBytes())).toBe(toHex(key.toBytes()));
  });

  it('refuses wrong sizes, periods above 63, wrong periods and corrupt keys', () => {
    const key = KesSigningKey.fromSeed(seedWithFirstByte(13));
    key.evolveTo(5);
    const bytes = key.toBytes();
    expectCardanoError(() => KesSigningKey.fromBytes(bytes.subarray(0, 611)), 'INVALID_KEY', /608 or 612 bytes, got 611/);
    expectCardanoError(() => KesSigningKey.fromBytes([] as unknown as Uint8Array), 'INVALID_KEY');
    const tooLate = bytes.slice();
    new DataView(tooLate.buffer).setUint32(KES_SECRET_KEY_BYTES, 64, false);
    expectCardanoError(() => KesSigningKey.fromBytes(tooLate), 'KES_PERIOD_OUT_OF_RANGE', /period is 64/);
    const wrongPeriod = bytes.slice();
    new DataView(wrongPeriod.buffer).setUint32(KES_SECRET_KEY_BYTES, 4, false);
    expectCardanoError(() => KesSigningKey.fromBytes(wrongPeriod), 'INVALID_KEY', /leaf of period 4/);
    // An evolved key without its period suffix cannot be read as period 0.
    expectCardanoError(() => KesSigningKey.fromBytes(bytes.subarray(0, 608)), 'INVALID_KEY', /608-byte key carries no period/);
    for (const offset of [0, 100, 300, 575]) {
      const corrupt = bytes.slice();
      corrupt[offset] = (corrupt[offset] as number) ^ 1;
      expectCardanoError(() => KesSigningKey.fromBytes(corrupt), 'INVALID_KEY', /inconsistent/);
    }
  });

  it('loads the Haskell-generated key of Mithril codec.rs (608 bytes, period 0)', () => {
    const raw = unwrapCborBytes(fromHex(MITHRIL_HASKELL_KES_SKEY_CBOR_HEX));
    expect(raw.length).toBe(KES_SECRET_KEY_BYTES);
    const key = KesSigningKey.fromBytes(raw);
    expect(key.period).toBe(0);
    const text = envelope('KesSigningKey_ed25519_kes_2^6', 'KES Signing Key', MITHRIL_HASKELL_KES_SKEY_CBOR_HEX);
    const fromFile = KesSigningKey.fromTextEnvelope(text);
    expect(toHex(fromFile.verificationKey())).toBe(toHex(key.verificationKey()));
    // Mithril's own 612-byte form of it (what its Sum6KesBytes writes back) loads too.
    const withPeriod = envelope('KesSigningKey_ed25519_kes_2^6', 'KES Signing Key', toHex(cborBytes(key.toBytes())));
    expect(KesSigningKey.fromTextEnvelope(withPeriod).period).toBe(0);
    // It signs at every period after evolving.
    const vk = key.verificationKey();
    key.evolveTo(40);
    expect(verifyKesSignature(vk, 40, MITHRIL_KEY_BYTES, key.sign(MITHRIL_KEY_BYTES))).toBe(true);
  });

  it('loads a cardano-cli devnet kes.skey whose key is the one its node.cert certifies', () => {
    const key = KesSigningKey.fromTextEnvelope(DINGO_DEVNET_KES_SKEY_ENVELOPE);
    const opcert = operationalCertificateFromTextEnvelope(DINGO_DEVNET_OPCERT_ENVELOPE);
    expect(verifyOperationalCertificate(opcert)).toBe(true);
    expect(toHex(key.verificationKey())).toBe(toHex(opcert.kesVerificationKey));
    expect(toHex(key.verificationKey())).toBe('4cd49bb05e9885142fe7af1481107995298771fd1a24e72b506a4d600ee2b312');
    expect(verifyKesSignature(opcert.kesVerificationKey, 0, MITHRIL_KEY_BYTES, key.sign(MITHRIL_KEY_BYTES))).toBe(true);
    // And we write that file back byte for byte (cardano-cli ends it with a newline).
    expect(key.toTextEnvelope()).toBe(`${DINGO_DEVNET_KES_SKEY_ENVELOPE}\n`);
  });
});

describe('Sum6 KES text envelopes', () => {
  it('writes kes.skey as cardano-cli does: 608-byte payload at period 0', () => {
    const key = KesSigningKey.fromSeed(new Uint8Array(32));
    const text = key.toTextEnvelope();
    const lines = text.split('\n');
    expect(lines[0]).toBe('{');
    expect(lines[1]).toBe('    "type": "KesSigningKey_ed25519_kes_2^6",');
    expect(lines[2]).toBe('    "description": "KES Signing Key",');
    expect(lines[3]).toBe(`    "cborHex": "590260${toHex(key.toBytes().subarray(0, 608))}"`);
    expect(lines[4]).toBe('}');
    expect(lines[5]).toBe('');
    expect(lines.length).toBe(6);
    expect(toHex(KesSigningKey.fromTextEnvelope(text).toBytes())).toBe(toHex(key.toBytes()));
  });

  it('writes an evolved key with its period (612 bytes) so that it round-trips', () => {
    const key = KesSigningKey.fromSeed(new Uint8Array(32));
    key.evolveTo(17);
    const text = key.toTextEnvelope();
    expect(text).toContain('"cborHex": "590264');
    const loaded = KesSigningKey.fromTextEnvelope(text);
    expect(loaded.period).toBe(17);
    expect(toHex(loaded.toBytes())).toBe(toHex(key.toBytes()));
  });

  it('round-trips the verification key envelope', () => {
    const vk = KesSigningKey.fromSeed(new Uint8Array(32)).verificationKey();
    const text = kesVerificationKeyToTextEnvelope(vk);
    expect(text).toBe(envelope('KesVerificationKey_ed25519_kes_2^6', 'KES Verification Key', `5820${toHex(vk)}`));
    expect(toHex(kesVerificationKeyFromTextEnvelope(text))).toBe(toHex(vk));
    expectCardanoError(() => kesVerificationKeyToTextEnvelope(vk.subarray(1)), 'INVALID_KEY');
  });

  it('strict decoding: wrong type, wrong size, garbage, oversized', () => {
    const skText = KesSigningKey.fromSeed(new Uint8Array(32)).toTextEnvelope();
    const vk = KesSigningKey.fromSeed(new Uint8Array(32)).verificationKey();
    expectCardanoError(
      () => KesSigningKey.fromTextEnvelope(skText.replace('KesSigningKey', 'VrfSigningKey')),
      'INVALID_ENVELOPE',
      /KesSigningKey_ed25519_kes_2\^6/,
    );
    expectCardanoError(() => kesVerificationKeyFromTextEnvelope(skText), 'INVALID_ENVELOPE', /KesVerificationKey_ed25519_kes_2\^6/);
    expectCardanoError(
      () => kesVerificationKeyFromTextEnvelope(envelope('KesVerificationKey_ed25519_kes_2^6', '', `5821${toHex(vk)}00`)),
      'INVALID_KEY',
      /33 bytes, expected 32/,
    );
    expectCardanoError(
      () => KesSigningKey.fromTextEnvelope(envelope('KesSigningKey_ed25519_kes_2^6', '', '5820' + '00'.repeat(32))),
      'INVALID_KEY',
      /expected 608 or 612/,
    );
    expectCardanoError(
      () => kesVerificationKeyFromTextEnvelope(envelope('KesVerificationKey_ed25519_kes_2^6', '', `5820${toHex(vk)}00`)),
      'INVALID_CBOR',
      /trailing/,
    );
    expectCardanoError(() => kesVerificationKeyFromTextEnvelope(envelope('KesVerificationKey_ed25519_kes_2^6', '', `8201`)), 'INVALID_CBOR');
    expectCardanoError(() => kesVerificationKeyFromTextEnvelope(envelope('KesVerificationKey_ed25519_kes_2^6', '', `a0`)), 'INVALID_CBOR', /byte string/);
    expectCardanoError(() => kesVerificationKeyFromTextEnvelope('not json'), 'INVALID_ENVELOPE', /not JSON/);
    expectCardanoError(() => kesVerificationKeyFromTextEnvelope('{"type":"KesVerificationKey_ed25519_kes_2^6"}'), 'INVALID_ENVELOPE');
    expectCardanoError(() => kesVerificationKeyFromTextEnvelope(envelope('KesVerificationKey_ed25519_kes_2^6', '', 'zz')), 'INVALID_ENVELOPE', /not hex/);
    expectCardanoError(() => KesSigningKey.fromTextEnvelope(' '.repeat(70_000) + skText), 'TOO_LARGE');
    expectCardanoError(() => KesSigningKey.fromTextEnvelope(skText, { maxBytes: 100 }), 'TOO_LARGE');
  });
});
