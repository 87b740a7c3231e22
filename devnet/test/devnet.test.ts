import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { parseCardanoCliTip as parseTip } from '@mithril-ts/cardano';
import { parseJson, toHex } from '@mithril-ts/codec';
import {
  Devnet,
  DevnetError,
  immutableTrio,
  kesPeriodInfoJson,
  ledgerSnapshotFiles,
  positionAtSlot,
  stakeSnapshotJson,
  type DevnetParameters,
  type ImmutableTrio,
  type PreviousBlock,
} from '../src/index.js';
import { GENESIS_MS, atSlot, immutableNames, readTree, statTree, tempRoot } from './helpers.js';

const trioNames = (...numbers: number[]) =>
  numbers.flatMap((n) => ['chunk', 'primary', 'secondary'].map((ext) => `${String(n).padStart(5, '0')}.${ext}`)).sort();

/** Trio `chunk` at `tipSlot`, chained from chunk 0 as the devnet writes them. */
function trioAt(params: DevnetParameters, chunk: bigint, tipSlot: bigint): ImmutableTrio {
  let previous: PreviousBlock | undefined;
  for (let c = 0n; c < chunk; c += 1n) previous = immutableTrio(params, c, tipSlot, previous).lastBlock;
  return immutableTrio(params, chunk, tipSlot, previous);
}

const readJson = (path: string) => parseJson(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('immutable files', () => {
  it('appear one trio at a time, named as cardano-node names them, the last one still growing', async () => {
    const root = tempRoot();
    const devnet = await Devnet.create(root, { pools: 2 }, { genesisTimeMs: GENESIS_MS });
    const immutable = join(root, 'nodes', 'pool-1', 'db', 'immutable');
    const expected: Array<[number, number[], bigint | null]> = [
      [0, [0], null],
      [1, [0], null],
      [19, [0], null],
      [20, [0, 1], 0n],
      [21, [0, 1], 0n],
      [39, [0, 1], 0n],
      [40, [0, 1, 2], 1n],
    ];
    const sizes: number[] = [];
    for (const [slot, trios, complete] of expected) {
      const position = await devnet.advanceTo(atSlot(slot, 50));
      expect(position.slot).toBe(BigInt(slot));
      expect(position.immutableFileNumber).toBe(complete);
      expect(immutableNames(immutable)).toEqual(trioNames(...trios));
      sizes.push(readFileSync(join(immutable, '00000.chunk')).length);
    }
    // 00000 grew block by block until slot 19, then never changed.
    expect(sizes[0]).toBeLessThan(sizes[1] as number);
    expect(sizes[1]).toBeLessThan(sizes[2] as number);
    expect(new Set(sizes.slice(2)).size).toBe(1);
    // Complete chunks hold 20 blocks: tens of KB; the index files are small.
    const chunk0 = readFileSync(join(immutable, '00000.chunk'));
    expect(chunk0.length).toBeGreaterThan(4_000);
    expect(chunk0.length).toBeLessThan(200_000);
    expect(readFileSync(join(immutable, '00000.secondary')).length).toBe(20 * 56);
    // Relative slot 0 is the EBB's, then 20 slots, then one offset past the last.
    expect(readFileSync(join(immutable, '00000.primary')).length).toBe(1 + 4 * 22);
    // A complete chunk is a function of (seed, number) only.
    expect(chunk0.equals(Buffer.from(trioAt(devnet.parameters, 0n, 1000n).files.chunk))).toBe(true);
    // Every node follows the same chain; no temporary file is left behind.
    const other = join(root, 'nodes', 'pool-2', 'db', 'immutable');
    expect(readTree(other)).toEqual(readTree(immutable));
    expect(readdirSync(immutable).filter((name) => name.startsWith('.'))).toEqual([]);
    // A ledger snapshot at the end of each complete chunk, the two newest kept, as a node keeps them.
    const ledger = join(root, 'nodes', 'pool-1', 'db', 'ledger');
    expect(readdirSync(ledger).sort()).toEqual(['19', '39']);
    expect(readdirSync(join(ledger, '39')).sort()).toEqual(['meta', 'state', 'tables']);
    const files = ledgerSnapshotFiles(devnet.parameters, 39n);
    expect(readFileSync(join(ledger, '39', 'state')).equals(Buffer.from(files.state))).toBe(true);
    expect(JSON.parse(readFileSync(join(ledger, '39', 'meta'), 'utf8'))).toEqual({ backend: 'utxohd-mem', checksum: crc32(files.state), tag: 'V1' });
    expect(readTree(join(root, 'nodes', 'pool-2', 'db', 'ledger'))).toEqual(readTree(ledger));
  });

  it('catch up in one advance, every missed trio complete', async () => {
    const root = tempRoot();
    const devnet = await Devnet.create(root, { pools: 1 }, { genesisTimeMs: GENESIS_MS });
    await devnet.advanceTo(atSlot(3));
    const position = await devnet.advanceTo(atSlot(250));
    expect(position.immutableFileNumber).toBe(11n);
    const immutable = join(root, 'nodes', 'pool-1', 'db', 'immutable');
    expect(immutableNames(immutable)).toEqual(trioNames(...Array.from({ length: 13 }, (_, i) => i)));
    for (const n of [0n, 5n, 11n]) {
      const name = `${String(n).padStart(5, '0')}.chunk`;
      expect(readFileSync(join(immutable, name)).equals(Buffer.from(trioAt(devnet.parameters, n, 10_000n).files.chunk))).toBe(true);
    }
    expect(['stake-snapshot-0.json', 'stake-snapshot-1.json', 'stake-snapshot-2.json'].every((f) => existsSync(join(root, 'cardano-cli', f)))).toBe(true);
    expect(existsSync(join(root, 'cardano-cli', 'stake-snapshot-3.json'))).toBe(false);
  });
});

describe('cardano-cli outputs', () => {
  it('writes tip.json as cardano-cli query tip prints it, readable by the certifier', async () => {
    const root = tempRoot();
    const devnet = await Devnet.create(root, { pools: 2 }, { genesisTimeMs: GENESIS_MS });
    await devnet.advanceTo(atSlot(123, 10));
    const text = readFileSync(join(root, 'cardano-cli', 'tip.json'), 'utf8');
    const tip = parseJson(text) as Record<string, unknown>;
    expect(Object.keys(tip)).toEqual(['block', 'epoch', 'era', 'hash', 'slot', 'slotInEpoch', 'slotsToEpochEnd', 'syncProgress']);
    expect(tip).toEqual({
      block: 123,
      epoch: 1,
      era: 'Conway',
      hash: toHex(trioAt(devnet.parameters, 6n, 123n).lastBlock.hash),
      slot: 123,
      slotInEpoch: 23,
      slotsToEpochEnd: 77,
      syncProgress: '100.00',
    });
    expect(tip.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(text.startsWith('{\n    "block": 123,\n')).toBe(true);
    expect(parseTip(tip)).toMatchObject({ epoch: 1n, slot: 123n, syncProgress: 100 });
  });

  it('writes a stake snapshot for every epoch reached, before the tip announces it', async () => {
    const root = tempRoot();
    const devnet = await Devnet.create(root, { pools: 2 }, { genesisTimeMs: GENESIS_MS });
    const snapshot = (epoch: number) => join(root, 'cardano-cli', `stake-snapshot-${epoch}.json`);
    await devnet.advanceTo(atSlot(99));
    expect(existsSync(snapshot(0))).toBe(true);
    expect(existsSync(snapshot(1))).toBe(false);
    await devnet.advanceTo(atSlot(100));
    expect(existsSync(snapshot(1))).toBe(true);
    const poolIds = devnet.pools.map((p) => p.poolId);
    expect(readFileSync(snapshot(1), 'utf8')).toBe(stakeSnapshotJson(devnet.parameters, poolIds, 1n));
    // Different epochs, different stake.
    expect(readFileSync(snapshot(1), 'utf8')).not.toBe(readFileSync(snapshot(0), 'utf8'));
  });

  it('writes kes-period-info per pool with cardano-cli field names', async () => {
    const root = tempRoot();
    const devnet = await Devnet.create(root, { pools: 2 }, { genesisTimeMs: GENESIS_MS });
    await devnet.advanceTo(atSlot(175));
    const info = readJson(join(root, 'cardano-cli', 'kes-period-info-pool-2.json'));
    expect(info).toEqual({
      qKesCurrentKesPeriod: 3,
      qKesEndKesInterval: 62,
      qKesKesKeyExpiry: null,
      qKesMaxKESEvolutions: 62,
      qKesNodeStateOperationalCertificateNumber: 0,
      qKesOnDiskOperationalCertificateNumber: 0,
      qKesRemainingSlotsInKesPeriod: 62 * 50 - 175,
      qKesSlotsPerKesPeriod: 50,
      qKesStartKesInterval: 0,
    });
    // Past the key's validity (62 periods), cardano-cli reports no remaining slots.
    const opcert = { issueNumber: 0n, startKesPeriod: 0n };
    const at = (slot: bigint) => parseJson(kesPeriodInfoJson(devnet.parameters, positionAtSlot(devnet.parameters, slot), opcert)) as Record<string, unknown>;
    expect(at(62n * 50n - 1n).qKesRemainingSlotsInKesPeriod).toBe(1);
    expect(at(62n * 50n).qKesRemainingSlotsInKesPeriod).toBeNull();
    expect(at(62n * 50n).qKesCurrentKesPeriod).toBe(62);
  });
});

describe('the runner', () => {
  it('writes nothing when advanced again to the same slot, or back in time', async () => {
    const root = tempRoot();
    const devnet = await Devnet.create(root, { pools: 2 }, { genesisTimeMs: GENESIS_MS });
    const first = await devnet.advanceTo(atSlot(45, 10));
    const before = statTree(root);
    expect(await devnet.advanceTo(atSlot(45, 10))).toEqual(first);
    expect(await devnet.advanceTo(atSlot(45, 99))).toEqual(first);
    expect(await devnet.advanceTo(atSlot(30))).toEqual(first);
    expect(statTree(root)).toEqual(before);
    expect(devnet.position).toEqual(first);
    // The next slot rewrites the growing trio, the tip and kes-period-info; complete trios stay.
    await devnet.advanceTo(atSlot(46));
    const after = statTree(root);
    const changed = [...after.keys()].filter((path) => after.get(path) !== before.get(path)).sort();
    expect(changed).toEqual(
      [
        'cardano-cli/kes-period-info-pool-1.json',
        'cardano-cli/kes-period-info-pool-2.json',
        'cardano-cli/tip.json',
        ...['pool-1', 'pool-2'].flatMap((node) => ['chunk', 'primary', 'secondary'].map((ext) => `nodes/${node}/db/immutable/00002.${ext}`)),
      ].sort(),
    );
  });

  it('is deterministic: same seed, byte-identical files; another seed, other files', async () => {
    const run = async (seed: string) => {
      const root = tempRoot();
      const devnet = await Devnet.create(root, { pools: 2, seed }, { genesisTimeMs: GENESIS_MS });
      for (const slot of [0, 37, 120, 205]) await devnet.advanceTo(atSlot(slot, 3));
      return readTree(root);
    };
    const a = await run('seed A');
    const b = await run('seed A');
    const c = await run('seed B');
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [path, bytes] of a) expect(bytes.equals(b.get(path) as Buffer)).toBe(true);
    expect([...c.keys()].filter((p) => !p.startsWith('cardano-cli/stake') && !p.startsWith('cardano-cli/kes'))).toEqual(
      [...a.keys()].filter((p) => !p.startsWith('cardano-cli/stake') && !p.startsWith('cardano-cli/kes')),
    );
    for (const path of [
      'pools/pool-1/cold.skey',
      'pools/pool-2/kes.vkey',
      'pools/pool-1/opcert.cert',
      'nodes/pool-1/db/immutable/00003.chunk',
      'cardano-cli/tip.json',
      'cardano-cli/stake-snapshot-1.json',
    ]) {
      expect(a.get(path)?.equals(c.get(path) as Buffer)).toBe(false);
    }
    // Whatever path the clock took, the files at a given time are the same.
    const root = tempRoot();
    const direct = await Devnet.create(root, { pools: 2, seed: 'seed A' }, { genesisTimeMs: GENESIS_MS });
    await direct.advanceTo(atSlot(205, 3));
    const tree = readTree(root);
    expect([...tree.keys()]).toEqual([...a.keys()]);
    for (const [path, bytes] of tree) expect(bytes.equals(a.get(path) as Buffer)).toBe(true);
  });

  it('carries on after a restart on the same root, and refuses other parameters', async () => {
    const root = tempRoot();
    const first = await Devnet.create(root, { pools: 2 }, { genesisTimeMs: GENESIS_MS });
    await first.advanceTo(atSlot(65));
    const before = statTree(root);
    const again = await Devnet.create(root, { pools: 2 }, { clock: () => GENESIS_MS + 1_000_000 });
    expect(again.genesisTimeMs).toBe(GENESIS_MS);
    await again.advanceTo(atSlot(70));
    const after = statTree(root);
    // The complete trios (00000–00002) and past stake snapshots were kept as they were.
    for (const path of ['nodes/pool-1/db/immutable/00000.chunk', 'nodes/pool-2/db/immutable/00002.secondary', 'cardano-cli/stake-snapshot-0.json']) {
      expect(after.get(path)).toBe(before.get(path));
    }
    expect(after.get('nodes/pool-1/db/immutable/00003.chunk')).not.toBe(before.get('nodes/pool-1/db/immutable/00003.chunk'));
    expect(
      readTree(root)
        .get('nodes/pool-1/db/immutable/00003.chunk')
        ?.equals(Buffer.from(trioAt(again.parameters, 3n, 70n).files.chunk)),
    ).toBe(true);
    await expect(Devnet.create(root, { pools: 3 })).rejects.toThrow(expect.objectContaining({ code: 'CONFLICTING_DEVNET' }));
    await expect(Devnet.create(root, { pools: 2 }, { genesisTimeMs: GENESIS_MS + 1 })).rejects.toThrow(/genesis/);
  });

  it('runs on a timer with an injected clock, and stops', async () => {
    const root = tempRoot();
    let now = GENESIS_MS - 500; // before genesis: ticks wait
    const devnet = await Devnet.create(root, { pools: 1 }, { genesisTimeMs: GENESIS_MS, clock: () => now });
    devnet.start(2);
    expect(() => devnet.start(2)).toThrow(DevnetError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(devnet.position).toBeUndefined();
    now = atSlot(42);
    const reached = await waitFor(
      () => devnet.position,
      (p) => p.slot === 42n,
    );
    expect(reached.immutableFileNumber).toBe(1n);
    now = atSlot(101);
    await waitFor(
      () => devnet.position,
      (p) => p.slot === 101n,
    );
    await devnet.stop();
    expect(devnet.running).toBe(false);
    now = atSlot(300);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(devnet.position?.slot).toBe(101n);
    expect(parseTip(readJson(join(root, 'cardano-cli', 'tip.json')))).toMatchObject({ epoch: 1n, slot: 101n, syncProgress: 100 });
  });

  it('stops on a failing tick and reports it from stop(), or hands it to onError', async () => {
    const root = tempRoot();
    let now = atSlot(5);
    const devnet = await Devnet.create(root, { pools: 1 }, { genesisTimeMs: GENESIS_MS, clock: () => now });
    now = Number.NaN;
    devnet.start(2);
    await waitFor(
      () => (devnet.running ? undefined : true),
      () => true,
    );
    await expect(devnet.stop()).rejects.toThrow(/finite/);

    const errors: unknown[] = [];
    const tolerant = await Devnet.create(tempRoot(), { pools: 1 }, { genesisTimeMs: GENESIS_MS, clock: () => now, onError: (e) => errors.push(e) });
    tolerant.start(2);
    await waitFor(
      () => (errors.length >= 2 ? errors : undefined),
      () => true,
    );
    expect(tolerant.running).toBe(true);
    now = atSlot(7);
    await waitFor(
      () => tolerant.position,
      (p) => p.slot === 7n,
    );
    await tolerant.stop();
  });
});

async function waitFor<T>(read: () => T | undefined, done: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the devnet');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
