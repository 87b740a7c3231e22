import { singleFlight } from '../src/single-flight.js';

describe('singleFlight', () => {
  it('shares one call among the callers that ask while it is in flight, and starts a new one after', async () => {
    let calls = 0;
    let release: (value: number) => void = () => {};
    const read = singleFlight(() => {
      calls += 1;
      return new Promise<number>((resolve) => (release = resolve));
    });
    const first = read();
    const second = read();
    expect(calls).toBe(1);
    release(7);
    expect(await Promise.all([first, second])).toEqual([7, 7]);
    const third = read();
    expect(calls).toBe(2);
    release(8);
    expect(await third).toBe(8);
  });

  it('does not keep a failed call', async () => {
    let calls = 0;
    const read = singleFlight(async () => {
      calls += 1;
      if (calls === 1) throw new Error('unreadable');
      return calls;
    });
    await expect(read()).rejects.toThrow('unreadable');
    expect(await read()).toBe(2);
  });
});
