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

  it('reuses a changing resource for its period, then gives it once more while refreshing it, never older', async () => {
    let now = 1_000;
    const cache = new ResponseCache({ immutableBytes: 1024, volatileMs: 500, now: () => now });
    const text = async (value: Promise<{ body: Buffer }>) => (await value).body.toString();
    expect(await text(cache.volatile('k', async () => '"a"'))).toBe('"a"');
    now += 499;
    expect(await text(cache.volatile('k', async () => '"b"'))).toBe('"a"');
    // Expired: the stale answer comes at once, and one refresh starts.
    now += 1;
    const refresh = deferred<string>();
    let refreshes = 0;
    const slow = () => ((refreshes += 1), refresh.promise);
    expect(await text(cache.volatile('k', slow))).toBe('"a"');
    expect(await text(cache.volatile('k', slow))).toBe('"a"');
    expect(refreshes).toBe(1);
    refresh.resolve('"c"');
    await refresh.promise;
    await Promise.resolve();
    expect(await text(cache.volatile('k', async () => '"d"'))).toBe('"c"');
    // Past twice the period, nothing old is given: the caller waits for a fresh answer.
    now += 1_000;
    expect(await text(cache.volatile('k', async () => '"e"'))).toBe('"e"');
  });

  it('forgets a stale answer whose refresh failed', async () => {
    let now = 0;
    const cache = new ResponseCache({ immutableBytes: 1024, volatileMs: 100, now: () => now });
    await cache.volatile('k', async () => '"a"');
    now = 150;
    const failing = deferred<string>();
    expect((await cache.volatile('k', () => failing.promise)).body.toString()).toBe('"a"');
    failing.reject(new Error('down'));
    await failing.promise.catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(cache.volatile('k', async () => Promise.reject(new Error('still down')))).rejects.toThrow('still down');
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
