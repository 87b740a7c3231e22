/** The stake distributions repository (store.stakeDistributions) on each dialect. */
import { I64_MAX, describeOnEachDialect, expectStoreError, pool } from './dialects.js';

describeOnEachDialect('stake distributions', (t) => {
  it('saves and replaces stake distributions per epoch', async () => {
    const { store } = t;
    await store.stakeDistributions.save(5n, [
      { partyId: pool(2), stake: 20n },
      { partyId: pool(1), stake: I64_MAX },
    ]);
    await store.stakeDistributions.save(6n, [{ partyId: pool(1), stake: 1n }]);
    expect(await store.stakeDistributions.get(5n)).toEqual([
      { partyId: pool(1), stake: I64_MAX },
      { partyId: pool(2), stake: 20n },
    ]);
    await store.stakeDistributions.save(5n, [{ partyId: pool(3), stake: 30n }]);
    expect(await store.stakeDistributions.get(5n)).toEqual([{ partyId: pool(3), stake: 30n }]);
    expect(await store.stakeDistributions.get(6n)).toEqual([{ partyId: pool(1), stake: 1n }]);
    expect(await store.stakeDistributions.get(7n)).toEqual([]);
    await expectStoreError(
      store.stakeDistributions.save(8n, [
        { partyId: pool(1), stake: 1n },
        { partyId: pool(1), stake: 2n },
      ]),
      'INVALID_ARGUMENT',
    );
  });
});
