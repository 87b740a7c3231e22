import { ProtocolError, cardanoDatabaseSnapshotHash } from '../src/index.js';

describe('cardanoDatabaseSnapshotHash', () => {
  it('reproduces the reference known answer (epoch 123, root "mk-root-123")', () => {
    // mithril-common entities/cardano_database.rs, test_cardano_database_snapshot_compute_hash.
    expect(cardanoDatabaseSnapshotHash(123n, 'mk-root-123')).toBe('b1cc5e0deaa7856e8e811e349d6e639fa667aa70288602955f438c5893ce29c8');
  });

  it('depends on the epoch and the root, and keeps the root as text', () => {
    const root = 'ab'.repeat(32);
    const base = cardanoDatabaseSnapshotHash(10n, root);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(cardanoDatabaseSnapshotHash(11n, root)).not.toBe(base);
    expect(cardanoDatabaseSnapshotHash(10n, 'ac'.repeat(32))).not.toBe(base);
    expect(cardanoDatabaseSnapshotHash(10n, root.toUpperCase())).not.toBe(base);
  });

  it('refuses an epoch outside u64 and an empty root', () => {
    expect(() => cardanoDatabaseSnapshotHash(-1n, 'ab')).toThrow(ProtocolError);
    expect(() => cardanoDatabaseSnapshotHash(1n << 64n, 'ab')).toThrow(ProtocolError);
    expect(() => cardanoDatabaseSnapshotHash(1n, '')).toThrow(ProtocolError);
  });
});
