import { sha256 } from '@noble/hashes/sha2.js';
import { SigningKey, VerificationKeyPoP } from '@mithril-ts/stm';
import { EpochKeyCache, ProtocolError, closeSignerSet, type DecodedKeys } from '../src/index.js';

const keyOf = (label: string) => SigningKey.generate(sha256(new TextEncoder().encode(label))).verificationKeyPoP();
const record = (label: string, stake: bigint) => ({ partyId: label, verificationKey: keyOf(label).toBytes(), stake });
const code = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return undefined;
};

describe('EpochKeyCache', () => {
  const a = keyOf('pool-a');
  const b = keyOf('pool-b');

  it('finds a key by its bytes, one key per party and epoch, and forgets past epochs', () => {
    const cache = new EpochKeyCache();
    cache.remember(5n, 'pool-a', a.toBytes(), a, true);
    expect(cache.lookup(a.toBytes())).toMatchObject({ key: a, popVerified: true });
    // A new key of the same party for the same epoch replaces the old one.
    cache.remember(5n, 'pool-a', b.toBytes(), b, false);
    expect(cache.lookup(a.toBytes())).toBeUndefined();
    expect(cache.lookup(b.toBytes())?.popVerified).toBe(false);
    expect(cache.size).toBe(1);
    cache.remember(6n, 'pool-a', a.toBytes(), a, false);
    cache.evictBefore(6n);
    expect(cache.lookup(b.toBytes())).toBeUndefined();
    expect(cache.lookup(a.toBytes())).toBeDefined();
    expect(cache.size).toBe(1);
  });

  it('never holds more than its bound: the oldest epoch goes first', () => {
    const cache = new EpochKeyCache(2);
    cache.remember(1n, 'p1', a.toBytes(), a, false);
    cache.remember(2n, 'p2', b.toBytes(), b, false);
    const c = keyOf('pool-c');
    cache.remember(3n, 'p3', c.toBytes(), c, false);
    expect(cache.size).toBe(1 + 1);
    expect(cache.lookup(a.toBytes())).toBeUndefined();
    expect(cache.lookup(c.toBytes())).toBeDefined();
  });
});

describe('closeSignerSet with keys decoded before', () => {
  const signers = [record('pool-a', 10n), record('pool-b', 20n), record('pool-c', 5n)];

  it('closes the same set as decoding every key', () => {
    const known: DecodedKeys = { lookup: (bytes) => ({ key: VerificationKeyPoP.fromBytes(bytes), popVerified: true }) };
    const fresh = closeSignerSet(signers);
    const reused = closeSignerSet(signers, known);
    expect(reused.avk).toEqual(fresh.avk);
    expect([0, 1, 2].map(reused.partyIdOf)).toEqual([0, 1, 2].map(fresh.partyIdOf));
  });

  it('still checks the proof of possession of a key not verified by this process', () => {
    const good = signers[0]!;
    const swapped = Uint8Array.from([...good.verificationKey.subarray(0, 96), ...signers[1]!.verificationKey.subarray(96)]);
    const decodedOnly: DecodedKeys = { lookup: (bytes) => ({ key: VerificationKeyPoP.fromBytes(bytes), popVerified: false }) };
    expect(code(() => closeSignerSet([{ ...good, verificationKey: swapped }], decodedOnly))).toBe('INVALID_SIGNER');
    expect(code(() => closeSignerSet([{ ...good, verificationKey: swapped }]))).toBe('INVALID_SIGNER');
  });

  it('refuses a key registered by two parties, and a stake beyond a u64, whatever the cache says', () => {
    const known: DecodedKeys = { lookup: (bytes) => ({ key: VerificationKeyPoP.fromBytes(bytes), popVerified: true }) };
    expect(code(() => closeSignerSet([signers[0]!, { ...signers[0]!, partyId: 'pool-y' }], known))).toBe('INVALID_SIGNER');
    expect(code(() => closeSignerSet([{ ...signers[0]!, stake: 1n << 64n }], known))).toBe('INVALID_SIGNER');
  });
});
