/**
 * The Ogmios chain observer against a local WebSocket double answering as Ogmios v6 documents
 * (JSON-RPC 2.0 frames, StakePoolView entries, GET /health), including dropped connections.
 */
import { fromHex, toHex } from '@mithril-ts/codec';
import { poolIdFromBytes } from '@mithril-ts/cardano';
import { encodeEraMarkersPayload, eraMarkersVerificationKeyOf } from '@mithril-ts/protocol';
import { freePort } from '@mithril-ts/testkit';
import { startOgmiosDouble, type OgmiosDouble, type OgmiosDoubleAnswer } from '@mithril-ts/testkit/ogmios';
import { CardanoChainEraReader, ChainObserverError, OgmiosChainObserver, type OgmiosObserverOptions } from '../src/index.js';

const HASH = '7383b17d7b05b0953cf0649abff60173995eb9febe556889333e20e1e5b7ca84';
const POOL_A = poolIdFromBytes(fromHex('00000036d515e12e18cd3c88c74f09a67984c2c279a5296aa96efe89'));
const POOL_B = poolIdFromBytes(fromHex('000000f66e28b0f18aef20555f4c4954234e3270dfbbdcc13f54e799'));

/** A StakePoolView as Ogmios ≥ 6.11 prints it with includeStake. */
const pool = (id: string, lovelace: bigint) => ({
  id,
  vrfVerificationKeyHash: 'c2b62ffa92ad18ffc117ea3abeb161a68885000a466f9c71db5e4731d6630061',
  pledge: { ada: { lovelace: 500_000_000_000n } },
  cost: { ada: { lovelace: 340_000_000n } },
  margin: '1/50',
  rewardAccount: 'stake_test1uqfu74w3wh4gfzu8m6e7j987h4lq9r3t7ef5gaw497uu85qsqfy27',
  owners: ['13cf55d175ea848b87deb3e914febd7e028e2bf6534475d52fb9c3d0'],
  relays: [{ type: 'hostname', hostname: 'relay.example.org', port: 3001 }],
  metadata: { url: 'https://example.org/pool.json', hash: '2c2f14b5e0b8d0a4a34a4e7b8a51e5d6c2f7cf9f0cb2a36f5b7c5a1b84e5a3e1' },
  stake: { ada: { lovelace } },
});

/**
 * An inline datum's CBOR as a wallet writes it: constructor 0 (tag 121) over an indefinite list of
 * byte strings of at most 64 bytes (Plutus' limit on a bytes field).
 */
function markersDatumCbor(payloadHex: string): string {
  let fields = '';
  for (let offset = 0; offset < payloadHex.length; offset += 128) {
    const chunk = payloadHex.slice(offset, offset + 128);
    const length = chunk.length / 2;
    fields += (length < 24 ? (0x40 + length).toString(16) : `58${length.toString(16).padStart(2, '0')}`) + chunk;
  }
  return `d8799f${fields}ff`;
}

interface World {
  epoch: number;
  utxo?: unknown;
  sync: number;
  stake: Record<string, unknown>;
  /** Held answers: a method listed here waits for its promise. */
  hold?: Promise<void>;
}

function answers(world: World) {
  return async (method: string): Promise<OgmiosDoubleAnswer | undefined> => {
    if (world.hold !== undefined) await world.hold;
    switch (method) {
      case 'queryLedgerState/tip':
        return { result: { slot: 25886617, id: HASH } };
      case 'queryLedgerState/epoch':
        return { result: world.epoch };
      case 'queryNetwork/blockHeight':
        return { result: 1270276 };
      case 'queryLedgerState/stakePools':
        return { result: world.stake };
      case 'queryLedgerState/utxo':
        return world.utxo === undefined ? undefined : { result: world.utxo };
      default:
        return undefined;
    }
  };
}

const health = (world: World) => () => ({
  startTime: '2026-12-07T10:00:00.000Z',
  lastKnownTip: { slot: 25886617, id: HASH, height: 1270276 },
  lastTipUpdate: '2026-12-07T11:00:00.000Z',
  networkSynchronization: world.sync,
  currentEra: 'conway',
  metrics: {
    activeConnections: 1,
    runtimeStats: { cpuTime: 1, currentHeapSize: 1, gcCpuTime: 1, maxHeapSize: 1 },
    sessionDurations: { max: 0, mean: 0, min: 0 },
    totalConnections: 1,
    totalMessages: 1,
    totalUnrouted: 0,
  },
  connectionStatus: 'connected',
  currentEpoch: world.epoch,
  slotInEpoch: 53017,
  version: 'v6.11.0',
  network: 'preprod',
});

const doubles: OgmiosDouble[] = [];
const observers: OgmiosChainObserver[] = [];
afterEach(async () => {
  await Promise.all(observers.splice(0).map((o) => o.close()));
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

async function setup(world: World, options: Partial<OgmiosObserverOptions> = {}, port?: number) {
  const double = await startOgmiosDouble({ answer: answers(world), health: health(world), ...(port !== undefined ? { port } : {}) });
  doubles.push(double);
  const observer = new OgmiosChainObserver({ url: double.url, tipTtlMs: 0, requestTimeoutMs: 3000, reconnectMinMs: 20, reconnectMaxMs: 200, ...options });
  observers.push(observer);
  return { double, observer };
}

async function failure(promise: Promise<unknown>): Promise<ChainObserverError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChainObserverError);
  return error as ChainObserverError;
}

const world = (): World => ({
  epoch: 299,
  sync: 1,
  stake: { [POOL_A.bech32]: pool(POOL_A.bech32, 300000000001n), [POOL_B.bech32]: pool(POOL_B.bech32, 45000000000000001n) },
});

describe('Ogmios chain observer', () => {
  it('reads the tip, era, sync and the stake of pools in lovelace, once per epoch, over one connection', async () => {
    const { double, observer } = await setup(world());
    expect(await observer.currentTip()).toEqual({ epoch: 299n, slot: 25886617n, block: 1270276n, hash: HASH, era: 'Conway', syncProgress: 100 });
    const distribution = await observer.stakeDistribution(299n);
    expect(distribution).toEqual(
      new Map([
        [POOL_A.hex, 300000000001n],
        [POOL_B.hex, 45000000000000001n],
      ]),
    );
    expect(await observer.stakeDistribution(299n)).toBe(distribution);
    expect(await observer.stakeDistribution(298n)).toBeUndefined();
    const stakeRequests = double.requests.filter((r) => r.method === 'queryLedgerState/stakePools');
    expect(stakeRequests).toEqual([{ method: 'queryLedgerState/stakePools', params: { includeStake: true } }]);
    expect(new Set(double.requests.map((r) => r.method))).toEqual(
      new Set(['queryLedgerState/tip', 'queryLedgerState/epoch', 'queryNetwork/blockHeight', 'queryLedgerState/stakePools']),
    );
    expect(double.connections()).toBe(1);
  });

  it('keeps the stake it read on seeing each epoch (readStakeOnNewEpoch): Ogmios answers only the present one', async () => {
    const w = world();
    const { double, observer } = await setup(w, { readStakeOnNewEpoch: true });
    const stakeRequests = () => double.requests.filter((r) => r.method === 'queryLedgerState/stakePools').length;
    const settled = async (count: number) => {
      const deadline = Date.now() + 10_000;
      while (stakeRequests() < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      // The background read ends with a tip read that checks no boundary passed under it.
      await new Promise((resolve) => setTimeout(resolve, 200));
    };
    await observer.currentTip();
    await settled(1);
    w.epoch = 300;
    w.stake = { [POOL_A.bech32]: pool(POOL_A.bech32, 7n) };
    expect((await observer.currentTip()).epoch).toBe(300n);
    await settled(2);
    // A registration of epoch 299 checked after the boundary still finds 299's stake.
    expect((await observer.stakeDistribution(299n))?.get(POOL_A.hex)).toBe(300000000001n);
    expect((await observer.stakeDistribution(300n))?.get(POOL_A.hex)).toBe(7n);
    expect(await observer.stakeDistribution(298n)).toBeUndefined();
    expect(stakeRequests()).toBe(2);
  });

  it('reads the era markers from the inline datums of queryLedgerState/utxo, decoded from CBOR', async () => {
    const address = 'addr_test1vz0era0markers0address';
    const secret = new Uint8Array(32).fill(3);
    const markers = [
      { name: 'pythagoras', epoch: 0n },
      { name: 'lagrange', epoch: 310n },
    ];
    const output = (index: number, extra: Record<string, unknown>) => ({
      transaction: { id: toHex(new Uint8Array(32).fill(index)) },
      index,
      address,
      value: { ada: { lovelace: 2_000_000n } },
      ...extra,
    });
    const w = world();
    w.utxo = [
      output(0, {}),
      output(1, { datumHash: 'cc'.repeat(32) }),
      // Forged: signed by another key; skipped by the reader, not an error.
      output(2, { datum: markersDatumCbor(encodeEraMarkersPayload(markers, new Uint8Array(32).fill(9))) }),
      output(3, { datum: markersDatumCbor(encodeEraMarkersPayload(markers, secret)) }),
    ];
    const { double, observer } = await setup(w);
    expect(await new CardanoChainEraReader(observer, address, eraMarkersVerificationKeyOf(secret)).read()).toEqual(markers);
    expect(double.requests.filter((r) => r.method === 'queryLedgerState/utxo')).toEqual([
      { method: 'queryLedgerState/utxo', params: { addresses: [address] } },
    ]);
    expect((await failure(observer.inlineDatumsAt('addr1; rm -rf /'))).code).toBe('INVALID_OUTPUT');
    w.utxo = { not: 'a list' };
    expect((await failure(observer.inlineDatumsAt(address))).code).toBe('INVALID_OUTPUT');
  });

  it('fails the requests in flight when the socket drops, then reconnects with backoff', async () => {
    const w = world();
    const { double, observer } = await setup(w);
    await observer.currentTip();
    let release!: () => void;
    w.hold = new Promise((resolve) => (release = resolve));
    const inFlight = observer.currentTip();
    await new Promise((resolve) => setTimeout(resolve, 100));
    double.dropConnections();
    const error = await failure(inFlight);
    expect(error.code).toBe('NODE_UNREACHABLE');
    release();
    w.hold = undefined;
    expect((await observer.currentTip()).epoch).toBe(299n);
    expect(double.connections()).toBe(2);
    expect(observer.consecutiveFailures).toBe(0);
  });

  it('waits for an Ogmios that is not up yet, within the request timeout, and connects once it is', async () => {
    const port = await freePort();
    const observer = new OgmiosChainObserver({ url: `ws://127.0.0.1:${port}`, tipTtlMs: 0, requestTimeoutMs: 800, reconnectMinMs: 20, reconnectMaxMs: 100 });
    observers.push(observer);
    const error = await failure(observer.currentTip());
    expect(error.code).toBe('NODE_UNREACHABLE');
    expect(error.message).toMatch(/cannot reach ws:\/\/127\.0\.0\.1/);
    expect(observer.consecutiveFailures).toBeGreaterThan(1);
    const { double } = await setup(world(), {}, port);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await observer.currentTip()).epoch).toBe(299n);
    expect(double.connections()).toBe(1);
  });

  it('times out a request Ogmios does not answer', async () => {
    const w = world();
    w.hold = new Promise(() => {});
    const { observer } = await setup(w, { requestTimeoutMs: 300 });
    expect((await failure(observer.stakeDistribution(299n))).code).toBe('TIMEOUT');
  });

  it('refuses frames above the size limit, and answers that are not what Ogmios sends', async () => {
    const big = world();
    for (let i = 0; i < 200; i++) {
      const id = poolIdFromBytes(new Uint8Array(28).fill(i)).bech32;
      big.stake[id] = pool(id, 1n);
    }
    const { observer } = await setup(big, { maxPayloadBytes: 16 * 1024 });
    const error = await failure(observer.stakeDistribution(299n));
    expect(error.code).toBe('NODE_UNREACHABLE');
    expect(error.message).toMatch(/1009|payload/i);

    const noStake = world();
    noStake.stake = { [POOL_A.bech32]: { ...pool(POOL_A.bech32, 1n), stake: undefined } };
    const second = await setup(noStake);
    expect((await failure(second.observer.stakeDistribution(299n))).message).toMatch(/no stake.*6\.11/);
    const badId = world();
    badId.stake = { pool1nope: pool('pool1nope', 1n) };
    const third = await setup(badId);
    expect((await failure(third.observer.stakeDistribution(299n))).code).toBe('INVALID_OUTPUT');
  });

  it('says when the node is not synced, and passes Ogmios errors on', async () => {
    const syncing = world();
    syncing.sync = 0.4512;
    const { observer } = await setup(syncing);
    expect((await observer.currentTip()).syncProgress).toBeCloseTo(45.12);
    expect((await failure(observer.stakeDistribution(299n))).code).toBe('NODE_NOT_SYNCED');
    const double = await startOgmiosDouble({ answer: () => ({ error: { code: 2001, message: 'Era mismatch' } }), health: health(world()) });
    doubles.push(double);
    const failing = new OgmiosChainObserver({ url: double.url, tipTtlMs: 0, requestTimeoutMs: 2000 });
    observers.push(failing);
    const error = await failure(failing.currentTip());
    expect(error.code).toBe('QUERY_FAILED');
    expect(error.message).toMatch(/2001.*Era mismatch/);
  });
});
