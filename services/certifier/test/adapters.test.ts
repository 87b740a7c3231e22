import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CardanoCliFilesChainObserver } from '../src/index.js';

const POOL = 'd9899c574fd7a710732391706b59e878bfd416214c49d2b3841c5c8b';

describe('cardano-cli JSON chain observer', () => {
  it('reads the tip and the mark stake of an epoch, bigint-safe', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'chain-'));
    writeFileSync(join(directory, 'tip.json'), '{"block":10,"epoch":3,"era":"Conway","hash":"00","slot":9007199254740993,"slotInEpoch":5,"slotsToEpochEnd":7,"syncProgress":"99.98"}');
    writeFileSync(join(directory, 'stake-snapshot-3.json'), `{"pools":{"${POOL}":{"stakeGo":1,"stakeMark":45000000000000001,"stakeSet":2}},"total":{"stakeGo":1,"stakeMark":45000000000000001,"stakeSet":2}}`);
    let now = 0;
    const observer = new CardanoCliFilesChainObserver(directory, 1000, () => now);
    expect((await observer.currentTip()).slot).toBe(9007199254740993n);
    writeFileSync(join(directory, 'tip.json'), '{"epoch":3,"slot":1}');
    expect((await observer.currentTip()).slot).toBe(9007199254740993n); // within the reuse window
    now = 2000;
    expect((await observer.currentTip()).slot).toBe(1n);
    expect((await observer.stakeDistribution(3n))?.get(POOL)).toBe(45000000000000001n);
    expect(await observer.stakeDistribution(4n)).toBeUndefined();
  });

  it('rejects unreadable or malformed files with a clear error', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'chain-'));
    writeFileSync(join(directory, 'tip.json'), '{"slot":');
    await expect(new CardanoCliFilesChainObserver(directory).currentTip()).rejects.toThrow(/not JSON/);
    await expect(new CardanoCliFilesChainObserver(join(directory, 'missing')).currentTip()).rejects.toThrow(/no tip.json/);
  });
});

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
