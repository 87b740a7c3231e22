import { RecentSignatures } from '../src/recent-signatures.js';
import { signingRound } from './fixture.js';

const round = signingRound({ k: 5n, m: 50n, phiF: 0.9 }, [10n, 20n], 12n);
const signature = round.parties.map((party) => party.signer.sign(new TextEncoder().encode('message'))).find((s) => s !== null)!;

describe('RecentSignatures', () => {
  it('knows bytes verified against one view only, for that party and message', () => {
    const recent = new RecentSignatures();
    const key = RecentSignatures.key('pool1a', 'ab'.repeat(32), new Uint8Array([1, 2, 3]));
    expect(recent.decoded(key)).toBeUndefined();
    recent.remember(key, signature, '12:view');
    expect(recent.decoded(key)).toBe(signature);
    expect(recent.verified(key, '12:view')).toBe(true);
    expect(recent.verified(key, '13:other')).toBe(false);
    expect(recent.verified(RecentSignatures.key('pool1b', 'ab'.repeat(32), new Uint8Array([1, 2, 3])), '12:view')).toBe(false);
    expect(recent.verified(RecentSignatures.key('pool1a', 'cd'.repeat(32), new Uint8Array([1, 2, 3])), '12:view')).toBe(false);
    expect(recent.verified(RecentSignatures.key('pool1a', 'ab'.repeat(32), new Uint8Array([1, 2, 4])), '12:view')).toBe(false);
  });

  it('holds at most its capacity, dropping the oldest', () => {
    const recent = new RecentSignatures(2);
    const keys = [1, 2, 3].map((i) => RecentSignatures.key('pool1a', 'ab'.repeat(32), new Uint8Array([i])));
    for (const key of keys) recent.remember(key, signature, 'v');
    expect(recent.size).toBe(2);
    expect(recent.decoded(keys[0]!)).toBeUndefined();
    expect(recent.decoded(keys[2]!)).toBe(signature);
  });
});
