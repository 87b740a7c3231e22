import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const POOL = 'd9899c574fd7a710732391706b59e878bfd416214c49d2b3841c5c8b';

describe('counter store file', () => {
  it('keeps the highest issue per pool across reopenings, compacts, and ignores a torn last line', async () => {
    const { JsonFileCounterStore } = await import('../src/index.js');
    const { appendFileSync, readFileSync } = await import('node:fs');
    const path = join(mkdtempSync(join(tmpdir(), 'counters-')), 'counters.jsonl');
    const store = new JsonFileCounterStore(path);
    for (let issue = 1n; issue <= 200n; issue += 1n) await store.record(POOL, issue);
    await store.record(POOL, 5n);
    store.close();
    expect(readFileSync(path, 'utf8').trim().split('\n').length).toBeLessThan(100); // compacted
    appendFileSync(path, '{"pool":"' + POOL.slice(0, 10));
    const reopened = new JsonFileCounterStore(path);
    expect(await reopened.highest(POOL)).toBe(200n);
    expect(await reopened.highest('00'.repeat(28))).toBeUndefined();
    await reopened.record('00'.repeat(28), 3n); // written on a fresh line after the torn one
    reopened.close();
    expect(await new JsonFileCounterStore(path).highest('00'.repeat(28))).toBe(3n);
  });
});
