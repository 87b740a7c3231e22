import { parseCardanoCliStakeSnapshot as parseStakeSnapshot } from '@mithril-ts/cardano';
import { parseJson } from '@mithril-ts/codec';
import { MAX_POOL_STAKE, MIN_POOL_STAKE, devnetParameters, devnetPoolId, poolIndexes, poolStake, stakeDistribution, stakeSnapshotJson } from '../src/index.js';

const params = devnetParameters();
const EPOCHS = 200;

describe('stake distribution', () => {
  it('is positive, within realistic bounds, for every pool and epoch', () => {
    expect(MIN_POOL_STAKE).toBeGreaterThanOrEqual(1_000_000_000_000n);
    expect(MAX_POOL_STAKE).toBeLessThanOrEqual(50_000_000_000_000n);
    for (let epoch = 0n; epoch < BigInt(EPOCHS); epoch += 1n) {
      for (const stake of stakeDistribution(params, epoch)) {
        expect(stake >= MIN_POOL_STAKE && stake <= MAX_POOL_STAKE).toBe(true);
      }
    }
  });

  it('moves every pool every epoch, and substantially over a few epochs', () => {
    for (let epoch = 1n; epoch < BigInt(EPOCHS); epoch += 1n) {
      const before = stakeDistribution(params, epoch - 1n);
      stakeDistribution(params, epoch).forEach((stake, i) => expect(stake).not.toBe(before[i]));
    }
    for (const index of poolIndexes(params)) {
      const stakes = Array.from({ length: 16 }, (_, e) => Number(poolStake(params, BigInt(e), index)));
      expect(Math.max(...stakes) / Math.min(...stakes)).toBeGreaterThan(1.2); // delegation moves
    }
    // Pools do not all move together: in some epoch one gains while another loses.
    let opposite = false;
    for (let epoch = 1n; epoch < 20n && !opposite; epoch += 1n) {
      const delta = stakeDistribution(params, epoch).map((s, i) => s - (stakeDistribution(params, epoch - 1n)[i] as bigint));
      opposite = delta.some((d) => d > 0n) && delta.some((d) => d < 0n);
    }
    expect(opposite).toBe(true);
  });

  it('is a function of the seed, the epoch and the pool', () => {
    expect(stakeDistribution(params, 42n)).toEqual(stakeDistribution(devnetParameters(), 42n));
    expect(stakeDistribution(devnetParameters({ seed: 'other' }), 42n)).not.toEqual(stakeDistribution(params, 42n));
    const many = devnetParameters({ pools: 8 });
    expect(stakeDistribution(many, 3n).slice(0, 5)).toEqual(stakeDistribution(params, 3n)); // adding pools moves no one
    expect(() => poolStake(params, 0n, 6)).toThrow(/pool index/);
    expect(() => poolStake(params, -1n, 1)).toThrow(/epoch/);
  });

  it('is published as cardano-cli stake snapshots: mark = the epoch, set = the one before, go = two before', () => {
    const poolIds = poolIndexes(params).map((i) => devnetPoolId(params, i));
    const snapshot = parseJson(stakeSnapshotJson(params, poolIds, 7n)) as {
      pools: Record<string, { stakeMark: unknown; stakeSet: unknown; stakeGo: unknown }>;
      total: { stakeMark: unknown; stakeSet: unknown; stakeGo: unknown };
    };
    const mark = parseStakeSnapshot(snapshot);
    expect([...mark.keys()]).toEqual(poolIds.map((p) => p.hex).sort());
    poolIds.forEach((poolId, i) => {
      const entry = snapshot.pools[poolId.hex];
      expect(BigInt(entry?.stakeMark as number)).toBe(poolStake(params, 7n, i + 1));
      expect(BigInt(entry?.stakeSet as number)).toBe(poolStake(params, 6n, i + 1));
      expect(BigInt(entry?.stakeGo as number)).toBe(poolStake(params, 5n, i + 1));
      expect(mark.get(poolId.hex)).toBe(poolStake(params, 7n, i + 1));
    });
    const sum = (e: bigint) => stakeDistribution(params, e).reduce((a, b) => a + b, 0n);
    expect([snapshot.total.stakeMark, snapshot.total.stakeSet, snapshot.total.stakeGo].map((v) => BigInt(v as number))).toEqual([sum(7n), sum(6n), sum(5n)]);
    // Before epoch 2, the genesis staking (epoch 0's distribution) fills set and go.
    const first = parseJson(stakeSnapshotJson(params, poolIds, 0n)) as { total: Record<string, unknown> };
    expect(first.total.stakeSet).toEqual(first.total.stakeMark);
    expect(first.total.stakeGo).toEqual(first.total.stakeMark);
  });
});
