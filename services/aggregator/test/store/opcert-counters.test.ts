/** The opcert counter repository (store.opcertCounters: the highest operational certificate issue number seen per pool) on each dialect. */
import { describeOnEachDialect, expectStoreError } from './dialects.js';

const POOL = 'ab'.repeat(28);

describeOnEachDialect('opcert counters', (t) => {
  it('keeps the highest issue number per pool and never lowers it', async () => {
    const { store } = t;
    expect(await store.opcertCounters.highest(POOL)).toBeUndefined();
    await store.opcertCounters.record(POOL, 3n);
    expect(await store.opcertCounters.highest(POOL)).toBe(3n);
    await store.opcertCounters.record(POOL, 1n);
    expect(await store.opcertCounters.highest(POOL)).toBe(3n);
    await store.opcertCounters.record(POOL, 5n);
    await Promise.all([store.opcertCounters.record('cd'.repeat(28), 2n), store.opcertCounters.record('cd'.repeat(28), 7n)]);
    expect(await store.opcertCounters.highest(POOL)).toBe(5n);
    expect(await store.opcertCounters.highest('cd'.repeat(28))).toBe(7n);
    await expectStoreError(store.opcertCounters.record(POOL, -1n), 'INVALID_ARGUMENT');
  });
});
