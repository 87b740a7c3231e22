import { ColdSigningKey, coldVerificationKeyFromTextEnvelope, coldVerificationKeyToTextEnvelope } from '../src/index.js';
import { envelope, expectCardanoError, fromHex, toHex } from './helpers.js';

const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const VK = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

describe('cold key text envelopes', () => {
  it('writes cold.skey / cold.vkey exactly as cardano-cli node key-gen', () => {
    const key = ColdSigningKey.fromSeed(fromHex(SEED));
    expect(key.toTextEnvelope()).toBe(
      '{\n' +
        '    "type": "StakePoolSigningKey_ed25519",\n' +
        '    "description": "Stake Pool Operator Signing Key",\n' +
        `    "cborHex": "5820${SEED}"\n` +
        '}\n',
    );
    expect(coldVerificationKeyToTextEnvelope(key.verificationKey())).toBe(
      envelope('StakePoolVerificationKey_ed25519', 'Stake Pool Operator Verification Key', `5820${VK}`),
    );
  });

  it('round-trips, and reads envelopes with other whitespace, descriptions and extra fields', () => {
    const key = ColdSigningKey.fromSeed(fromHex(SEED));
    expect(toHex(ColdSigningKey.fromTextEnvelope(key.toTextEnvelope()).seed())).toBe(SEED);
    const compact = JSON.stringify({ type: 'StakePoolSigningKey_ed25519', description: '', cborHex: `5820${SEED}`, x: 1 });
    expect(toHex(ColdSigningKey.fromTextEnvelope(compact).verificationKey())).toBe(VK);
    expect(toHex(coldVerificationKeyFromTextEnvelope(coldVerificationKeyToTextEnvelope(fromHex(VK))))).toBe(VK);
  });

  it('strict decoding with CardanoError naming the problem', () => {
    const skey = ColdSigningKey.fromSeed(fromHex(SEED)).toTextEnvelope();
    const vkey = coldVerificationKeyToTextEnvelope(fromHex(VK));
    expectCardanoError(() => ColdSigningKey.fromTextEnvelope(vkey), 'INVALID_ENVELOPE', /StakePoolSigningKey_ed25519/);
    expectCardanoError(() => coldVerificationKeyFromTextEnvelope(skey), 'INVALID_ENVELOPE', /StakePoolVerificationKey_ed25519/);
    // An extended (BIP32) pool key is another format: refused, not misread.
    expectCardanoError(
      () => ColdSigningKey.fromTextEnvelope(envelope('StakePoolExtendedSigningKey_ed25519_bip32', '', `5840${SEED}${SEED}`)),
      'INVALID_ENVELOPE',
    );
    expectCardanoError(
      () => ColdSigningKey.fromTextEnvelope(envelope('StakePoolSigningKey_ed25519', '', `5840${SEED}${SEED}`)),
      'INVALID_KEY',
      /64 bytes, expected 32/,
    );
    expectCardanoError(() => ColdSigningKey.fromTextEnvelope(envelope('StakePoolSigningKey_ed25519', '', SEED)), 'INVALID_CBOR');
    expectCardanoError(() => ColdSigningKey.fromTextEnvelope('{'), 'INVALID_ENVELOPE', /not JSON/);
    expectCardanoError(() => ColdSigningKey.fromTextEnvelope('"a string"'), 'INVALID_ENVELOPE', /object/);
    expectCardanoError(() => ColdSigningKey.fromTextEnvelope(42 as unknown as string), 'INVALID_ENVELOPE');
    expectCardanoError(() => coldVerificationKeyFromTextEnvelope(`${vkey}${' '.repeat(70_000)}`), 'TOO_LARGE');
  });

  it('keeps its own copy of the seed', () => {
    const seed = Buffer.from(SEED, 'hex');
    const key = ColdSigningKey.fromSeed(seed);
    seed.fill(0);
    expect(toHex(key.seed())).toBe(SEED);
    expect(toHex(key.verificationKey())).toBe(VK);
  });

  it('refuses seeds and keys of the wrong size', () => {
    expectCardanoError(() => ColdSigningKey.fromSeed(new Uint8Array(64)), 'INVALID_KEY', /32 bytes, got 64/);
    expectCardanoError(() => coldVerificationKeyToTextEnvelope(new Uint8Array(33)), 'INVALID_KEY');
    expectCardanoError(() => ColdSigningKey.fromSeed(fromHex(SEED)).sign('x' as unknown as Uint8Array), 'INVALID_ARGUMENT');
  });
});
