import { encodeBech32 } from '@mithril-ts/codec';
import { ColdSigningKey, parsePoolId, poolIdFromBytes, poolIdFromColdVerificationKey } from '../src/index.js';
import { chacha20ZeroKeystream, expectCardanoError, fromHex, toHex } from './helpers.js';

const BECH32 = 'pool1mxyec46067n3querj9cxkk0g0zlag93pf3ya9vuyr3wgkq2e6t7';
const HEX = 'd9899c574fd7a710732391706b59e878bfd416214c49d2b3841c5c8b';

describe('pool ids', () => {
  it('is Blake2b-224 of the cold verification key (opcert.rs vector)', () => {
    const vk = ColdSigningKey.fromSeed(chacha20ZeroKeystream(32)).verificationKey();
    const pool = poolIdFromColdVerificationKey(vk);
    expect(pool.bech32).toBe(BECH32);
    expect(pool.hex).toBe(HEX);
    expect(toHex(pool.bytes)).toBe(HEX);
    expectCardanoError(() => poolIdFromColdVerificationKey(vk.subarray(1)), 'INVALID_KEY');
  });

  it('parses bech32 (either case) and hex (either case) to the same id', () => {
    for (const text of [BECH32, BECH32.toUpperCase(), HEX, HEX.toUpperCase()]) {
      const pool = parsePoolId(text);
      expect(pool.bech32).toBe(BECH32);
      expect(pool.hex).toBe(HEX);
    }
    expect(poolIdFromBytes(fromHex(HEX)).bech32).toBe(BECH32);
  });

  it('rejects other prefixes, bad checksums, wrong lengths and junk', () => {
    const bytes = fromHex(HEX);
    expectCardanoError(() => parsePoolId(encodeBech32('pool_vk', bytes)), 'INVALID_POOL_ID', /prefix "pool"/);
    expectCardanoError(() => parsePoolId(encodeBech32('stake', bytes)), 'INVALID_POOL_ID', /prefix/);
    expectCardanoError(() => parsePoolId(encodeBech32('pool', bytes.subarray(1))), 'INVALID_POOL_ID', /27 bytes/);
    expectCardanoError(() => parsePoolId(`${BECH32.slice(0, -1)}8`), 'INVALID_POOL_ID', /bech32/);
    expectCardanoError(() => parsePoolId(`pool1${BECH32.slice(5).toUpperCase()}`), 'INVALID_POOL_ID');
    expectCardanoError(() => parsePoolId(HEX.slice(2)), 'INVALID_POOL_ID', /56 hex digits, got 54/);
    expectCardanoError(() => parsePoolId('not-a-pool'), 'INVALID_POOL_ID', /neither/);
    expectCardanoError(() => parsePoolId(`${HEX}00`), 'INVALID_POOL_ID');
    expectCardanoError(() => parsePoolId(` ${BECH32}`), 'INVALID_POOL_ID');
    expectCardanoError(() => parsePoolId(''), 'INVALID_POOL_ID');
    expectCardanoError(() => parsePoolId('x'.repeat(500)), 'TOO_LARGE');
    expectCardanoError(() => parsePoolId(42 as unknown as string), 'INVALID_POOL_ID');
    expectCardanoError(() => poolIdFromBytes(new Uint8Array(32)), 'INVALID_POOL_ID');
  });
});
