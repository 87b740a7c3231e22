import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CardanoCliFilesChainObserver } from '../src/index.js';

const POOL = 'd9899c574fd7a710732391706b59e878bfd416214c49d2b3841c5c8b';

describe('cardano-cli JSON chain observer', () => {
  it('reads the tip and the mark stake of an epoch, bigint-safe', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'chain-'));
    writeFileSync(
      join(directory, 'tip.json'),
      '{"block":10,"epoch":3,"era":"Conway","hash":"00","slot":9007199254740993,"slotInEpoch":5,"slotsToEpochEnd":7,"syncProgress":"99.98"}',
    );
    writeFileSync(
      join(directory, 'stake-snapshot-3.json'),
      `{"pools":{"${POOL}":{"stakeGo":1,"stakeMark":45000000000000001,"stakeSet":2}},"total":{"stakeGo":1,"stakeMark":45000000000000001,"stakeSet":2}}`,
    );
    let now = 0;
    const observer = new CardanoCliFilesChainObserver(directory, 1000, () => now);
    expect(await observer.currentTip()).toMatchObject({ slot: 9007199254740993n, epoch: 3n, era: 'Conway' });
    writeFileSync(join(directory, 'tip.json'), '{"epoch":3,"slot":1}');
    expect((await observer.currentTip()).slot).toBe(9007199254740993n); // within the reuse window
    now = 2000;
    expect(await observer.currentTip()).toMatchObject({ slot: 1n, era: undefined });
    expect((await observer.stakeDistribution(3n))?.get(POOL)).toBe(45000000000000001n);
    expect(await observer.stakeDistribution(4n)).toBeUndefined();
  });

  it('rejects unreadable or malformed files with a clear error', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'chain-'));
    writeFileSync(join(directory, 'tip.json'), '{"slot":');
    await expect(new CardanoCliFilesChainObserver(directory).currentTip()).rejects.toThrow(/not JSON/);
    writeFileSync(join(directory, 'tip.json'), '{"epoch":3,"slot":1,"era":"conway"}');
    await expect(new CardanoCliFilesChainObserver(directory).currentTip()).rejects.toThrow(/era: expected an era name such as "Conway", got "conway"/);
    await expect(new CardanoCliFilesChainObserver(join(directory, 'missing')).currentTip()).rejects.toThrow(/no tip.json/);
  });
});
