import { ResponseCache, rendered } from '../src/index.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('ResponseCache', () => {
  it('shares one upstream call between concurrent requests, and keeps nothing that failed', async () => {
    const cache = new ResponseCache({ immutableBytes: 1024, volatileMs: 0 });
    const upstream = deferred<string>();
    let calls = 0;
    const produce = () => ((calls += 1), upstream.promise);
    const both = Promise.all([cache.volatile('list', produce), cache.volatile('list', produce)]);
    upstream.reject(new Error('down'));
    await expect(both).rejects.toThrow('down');
    expect(calls).toBe(1);
    // The failure was not kept: the next request asks again.
    expect((await cache.volatile('list', async () => ((calls += 1), '[1]'))).body.toString()).toBe('[1]');
    expect(calls).toBe(2);
    // volatileMs 0: nothing kept once answered either.
    await cache.volatile('list', async () => ((calls += 1), '[2]'));
    expect(calls).toBe(3);
  });

  it('reuses a changing resource until its period is over', async () => {
    let now = 1_000;
    const cache = new ResponseCache({ immutableBytes: 1024, volatileMs: 500, now: () => now });
    expect((await cache.volatile('k', async () => '"a"')).body.toString()).toBe('"a"');
    now += 499;
    expect((await cache.volatile('k', async () => '"b"')).body.toString()).toBe('"a"');
    now += 1;
    expect((await cache.volatile('k', async () => '"c"')).body.toString()).toBe('"c"');
  });

  it('keeps immutable resources within its byte budget, least recently used out first', async () => {
    const cache = new ResponseCache({ immutableBytes: 10, volatileMs: 0 });
    let calls = 0;
    const produce = (text: string) => async () => ((calls += 1), text);
    await cache.immutable('a', produce('"aaa"')); // 5 bytes
    await cache.immutable('b', produce('"bbb"')); // 5 bytes: full
    await cache.immutable('a', produce('"xxx"')); // hit: a is now the most recent
    expect(calls).toBe(2);
    await cache.immutable('c', produce('"ccc"')); // evicts b
    expect((await cache.immutable('a', produce('"yyy"'))).body.toString()).toBe('"aaa"');
    expect((await cache.immutable('b', produce('"BBB"'))).body.toString()).toBe('"BBB"');
    expect(calls).toBe(4);
    // Larger than the whole budget: served, never kept.
    await cache.immutable('big', produce(`"${'z'.repeat(20)}"`));
    await cache.immutable('big', produce(`"${'z'.repeat(20)}"`));
    expect(calls).toBe(6);
  });

  it('tags each answer with a strong ETag of its bytes', () => {
    expect(rendered('{"a":1}').etag).toBe(rendered('{"a":1}').etag);
    expect(rendered('{"a":1}').etag).not.toBe(rendered('{"a":2}').etag);
    expect(rendered('[]').etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
  });
});
