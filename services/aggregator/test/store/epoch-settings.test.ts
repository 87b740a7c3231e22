/** The epoch settings repository (store.epochSettings: the protocol parameters of each epoch) on each dialect. */
import { describeOnEachDialect, expectStoreError } from './dialects.js';

describeOnEachDialect('epoch settings', (t) => {
  it('saves epoch settings (one row per epoch)', async () => {
    const { store } = t;
    await store.epochSettings.save({ epoch: 4n, protocolParameters: { k: 2422n, m: 20973n, phiF: 0.2 } });
    await store.epochSettings.save({ epoch: 4n, protocolParameters: { k: 5n, m: 100n, phiF: 0.65 } });
    expect(await store.epochSettings.get(4n)).toEqual({ epoch: 4n, protocolParameters: { k: 5n, m: 100n, phiF: 0.65 } });
    expect(await store.epochSettings.get(5n)).toBeNull();
    await expectStoreError(store.epochSettings.save({ epoch: 5n, protocolParameters: { k: 5n, m: 100n, phiF: 1.5 } }), 'INVALID_ARGUMENT');
  });
});
