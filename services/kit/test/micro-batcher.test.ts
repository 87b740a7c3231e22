import { GroupedMicroBatcher, MicroBatcher } from '../src/index.js';

describe('micro-batcher', () => {
  it('processes items submitted together in one batch, one result each, in order', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>({ windowMs: 5, maxBatch: 100, process: (items) => (batches.push([...items]), items.map((x) => x * 2)) });
    expect(await Promise.all([1, 2, 3].map((x) => batcher.submit(x)))).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('cuts a batch at maxBatch and rejects every item of a failing batch', async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>({ windowMs: 1000, maxBatch: 2, process: (items) => (sizes.push(items.length), items.map((x) => x)) });
    await Promise.all([1, 2, 3, 4].map((x) => batcher.submit(x)));
    expect(sizes).toEqual([2, 2]);
    const failing = new MicroBatcher<number, number>({
      windowMs: 1,
      maxBatch: 10,
      process: () => {
        throw new Error('boom');
      },
    });
    await expect(Promise.all([failing.submit(1), failing.submit(2)])).rejects.toThrow('boom');
    const wrong = new MicroBatcher<number, number>({ windowMs: 1, maxBatch: 10, process: () => [] });
    await expect(wrong.submit(1)).rejects.toThrow(/gave 0 results/);
  });

  it('batches only the items of one group, with the group the first submitter gave', async () => {
    const seen: string[] = [];
    const batcher = new GroupedMicroBatcher<number, number, number>({
      windowMs: 5,
      maxBatch: 100,
      process: (factor, items) => (seen.push(`${factor}:${items.join(',')}`), items.map((x) => x * factor)),
    });
    const results = await Promise.all([batcher.submit('a', 2, 1), batcher.submit('b', 10, 1), batcher.submit('a', 3, 5)]);
    expect(results).toEqual([2, 10, 10]);
    expect(seen).toEqual(['2:1,5', '10:1']);
  });
});
