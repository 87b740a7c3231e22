/** The Cardano database snapshots repository (store.cardanoDatabaseSnapshots) on each dialect. */
import { bytes, describeOnEachDialect } from './dialects.js';

describeOnEachDialect('cardano database snapshots', (t) => {
  it('stores Cardano database snapshots: by hash, by certificate, newest first, by epoch', async () => {
    const { store } = t;
    const snapshot = (n: number, epoch: bigint) => ({
      hash: `s${n}`,
      epoch,
      immutableFileNumber: BigInt(n),
      merkleRoot: `root${n}`,
      certificateHash: `c${n}`,
      content: bytes(300, n),
      createdAt: new Date(1000 * n),
    });
    for (const [n, epoch] of [
      [1, 4n],
      [3, 5n],
      [2, 4n],
    ] as const)
      await store.cardanoDatabaseSnapshots.save(snapshot(n, epoch));
    expect(await store.cardanoDatabaseSnapshots.get('s2')).toEqual(snapshot(2, 4n));
    expect((await store.cardanoDatabaseSnapshots.ofCertificate('c3'))?.hash).toBe('s3');
    expect((await store.cardanoDatabaseSnapshots.latest({ limit: 10 })).map((s) => s.hash)).toEqual(['s3', 's2', 's1']);
    expect((await store.cardanoDatabaseSnapshots.latest({ limit: 10 }, { epoch: 4n })).map((s) => s.hash)).toEqual(['s2', 's1']);
    await store.cardanoDatabaseSnapshots.save({ ...snapshot(2, 4n), content: bytes(10, 9) });
    expect((await store.cardanoDatabaseSnapshots.get('s2'))?.content).toEqual(bytes(10, 9));
    expect(await store.cardanoDatabaseSnapshots.get('nope')).toBeNull();
  });
});
