/**
 * The cardano-cli chain observer against a stand-in executable (test/fixtures/cardano-cli-stand-in.mjs)
 * that replays recorded real outputs and error texts and records the command lines it is run with.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CardanoCliChainObserver, ChainObserverError, type CardanoCliObserverOptions } from '../src/index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const STAND_IN = join(FIXTURES, 'cardano-cli-stand-in.mjs');
const RECORDED = join(FIXTURES, 'cardano-cli');
const TIP = join(RECORDED, 'tip.json');
const SNAPSHOT = join(RECORDED, 'stake-snapshot.json');
const TIP_TEXT = readFileSync(TIP, 'utf8');

type Answer = { stdoutFile?: string; stdout?: string; stderr?: string; exit?: number; delayMs?: number };

/** A node socket (a plain file: the stand-in only needs its path) with the stand-in's script beside it. */
function node(answers: Record<string, Answer[]>, socketName = 'node.socket'): string {
  const socketPath = join(mkdtempSync(join(tmpdir(), 'cardano-cli-')), socketName);
  writeFileSync(socketPath, '');
  writeFileSync(`${socketPath}.script.json`, JSON.stringify({ answers }));
  return socketPath;
}

function calls(socketPath: string): string[] {
  const file = `${socketPath}.calls.jsonl`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as string[]).join(' '));
}

function observer(socketPath: string, options: Partial<CardanoCliObserverOptions> = {}): CardanoCliChainObserver {
  return new CardanoCliChainObserver({ binary: STAND_IN, socketPath, network: { testnetMagic: 42 }, tipTtlMs: 0, ...options });
}

async function failure(promise: Promise<unknown>): Promise<ChainObserverError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChainObserverError);
  return error as ChainObserverError;
}

const tipOf = (fields: Record<string, unknown>) => ({ stdout: JSON.stringify({ ...JSON.parse(TIP_TEXT), ...fields }) });

describe('cardano-cli chain observer', () => {
  it('reads the inline datums at an address (the era markers) with query utxo, and refuses what is not an address', async () => {
    const address = 'addr_test1vz0era0markers0address';
    const datum = { constructor: 0, fields: [{ bytes: 'ab'.repeat(8) }] };
    const utxo = {
      [`${'aa'.repeat(32)}#0`]: { address, datum: null, value: { lovelace: 5 } },
      [`${'bb'.repeat(32)}#1`]: { address, datum: null, inlineDatum: datum, value: { lovelace: 2000000 } },
    };
    const socket = node({ 'query tip': [{ stdoutFile: TIP }], [`conway query utxo --address ${address} --output-json`]: [{ stdout: JSON.stringify(utxo) }] });
    const chain = observer(socket);
    expect(await chain.inlineDatumsAt(address)).toEqual([datum]);
    expect((await failure(chain.inlineDatumsAt('--mainnet; rm -rf /'))).code).toBe('INVALID_OUTPUT');
    expect(calls(socket)).toEqual([
      `query tip --socket-path ${socket} --testnet-magic 42`,
      `conway query utxo --address ${address} --output-json --socket-path ${socket} --testnet-magic 42`,
    ]);
  });

  it('reads the recorded tip and stake with the era-aware command lines: mark, set and go from one query', async () => {
    const socket = node({ 'query tip': [{ stdoutFile: TIP }], 'conway query stake-snapshot --all-stake-pools': [{ stdoutFile: SNAPSHOT }] });
    const chain = observer(socket);
    expect(await chain.currentTip()).toMatchObject({ epoch: 299n, slot: 25886617n, era: 'Conway', syncProgress: 100 });
    const distribution = await chain.stakeDistribution(299n);
    expect(distribution?.get('000000f66e28b0f18aef20555f4c4954234e3270dfbbdcc13f54e799')).toBe(600000000001n);
    expect(distribution?.size).toBe(3);
    expect(await chain.stakeDistribution(299n)).toBe(distribution);
    // The set and go snapshots are the two previous epochs' distributions, kept from the same answer.
    expect((await chain.stakeDistribution(298n))?.get('00000ffff93effbf3ce788aebd3e7506b80322bd3995ad432e61fad5')).toBe(1300000000002n);
    expect((await chain.stakeDistribution(297n))?.get('000000f66e28b0f18aef20555f4c4954234e3270dfbbdcc13f54e799')).toBe(600000000000n);
    // Older or later epochs are not known, and asked of nobody.
    expect(await chain.stakeDistribution(296n)).toBeUndefined();
    expect(await chain.stakeDistribution(300n)).toBeUndefined();
    const magic = `--socket-path ${socket} --testnet-magic 42`;
    expect(calls(socket)).toEqual([
      `query tip ${magic}`,
      `query tip ${magic}`,
      `conway query stake-snapshot --all-stake-pools ${magic}`,
      `query tip ${magic}`,
      `query tip ${magic}`,
      `query tip ${magic}`,
      `query tip ${magic}`,
    ]);
  });

  it('answers the epoch just left from the set snapshot when the node is already past the boundary', async () => {
    const socket = node({ 'query tip': [tipOf({ epoch: 300 })], 'conway query stake-snapshot --all-stake-pools': [{ stdoutFile: SNAPSHOT }] });
    const chain = observer(socket);
    expect((await chain.stakeDistribution(299n))?.get('00000036d515e12e18cd3c88c74f09a67984c2c279a5296aa96efe89')).toBe(300000000002n);
    expect((await chain.stakeDistribution(300n))?.get('00000036d515e12e18cd3c88c74f09a67984c2c279a5296aa96efe89')).toBe(300000000001n);
    expect(calls(socket).filter((call) => call.includes('stake-snapshot'))).toHaveLength(1);
  });

  it('asks a fresh tip when asked about an epoch its kept tip has not reached, and shares one query among concurrent callers', async () => {
    const socket = node({
      'query tip': [tipOf({ epoch: 298 }), { stdoutFile: TIP }],
      'conway query stake-snapshot --all-stake-pools': [{ stdoutFile: SNAPSHOT, delayMs: 200 }],
    });
    const chain = observer(socket, { tipTtlMs: 60_000 });
    expect((await chain.currentTip()).epoch).toBe(298n);
    const answers = await Promise.all([chain.stakeDistribution(299n), chain.stakeDistribution(299n)]);
    expect(answers.map((answer) => answer?.size)).toEqual([3, 3]);
    expect((await chain.stakeDistribution(298n))?.size).toBe(3);
    expect(calls(socket).filter((call) => call.includes('stake-snapshot'))).toHaveLength(1);
  });

  it('reads the stake in the background on a new epoch when asked to (readStakeOnNewEpoch)', async () => {
    const socket = node({ 'query tip': [{ stdoutFile: TIP }], 'conway query stake-snapshot --all-stake-pools': [{ stdoutFile: SNAPSHOT }] });
    const chain = observer(socket, { readStakeOnNewEpoch: true });
    await chain.currentTip();
    // Until the background read is over (its query, then the tip that checks no boundary passed):
    // the stand-in's call log is not written by two processes at once.
    const deadline = Date.now() + 20_000;
    while (calls(socket).length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls(socket)[1]).toMatch(/^conway query stake-snapshot/);
    const distribution = await chain.stakeDistribution(299n);
    expect(distribution?.size).toBe(3);
    expect(calls(socket).filter((call) => call.includes('stake-snapshot'))).toHaveLength(1);
  });

  it('uses the command group of the era, or the one the settings force, and --mainnet', async () => {
    const babbage = node({ 'query tip': [tipOf({ era: 'Babbage' })], 'babbage query stake-snapshot --all-stake-pools': [{ stdoutFile: SNAPSHOT }] });
    expect((await observer(babbage).stakeDistribution(299n))?.size).toBe(3);
    const alonzo = node({ 'query tip': [tipOf({ era: 'Alonzo' })], 'query stake-snapshot --all-stake-pools': [{ stdoutFile: SNAPSHOT }] });
    expect((await observer(alonzo).stakeDistribution(299n))?.size).toBe(3);
    const latest = node({ 'latest query tip': [{ stdoutFile: TIP }], 'latest query stake-snapshot --all-stake-pools': [{ stdoutFile: SNAPSHOT }] });
    expect((await observer(latest, { commandEra: 'latest', network: 'mainnet' }).stakeDistribution(299n))?.size).toBe(3);
    expect(calls(latest)[1]).toBe(`latest query stake-snapshot --all-stake-pools --socket-path ${latest} --mainnet`);
    const legacy = node({ 'query tip': [{ stdoutFile: TIP }], 'query stake-snapshot --all-stake-pools': [{ stdoutFile: SNAPSHOT }] });
    expect((await observer(legacy, { commandEra: 'legacy' }).stakeDistribution(299n))?.size).toBe(3);
  });

  it('reads the recorded kes-period-info, check lines included', async () => {
    const socket = node({
      'query tip': [{ stdoutFile: TIP }],
      'conway query kes-period-info --op-cert-file /keys/opcert.cert': [{ stdoutFile: join(RECORDED, 'kes-period-info.txt') }],
    });
    expect(await observer(socket).kesPeriodInfo('/keys/opcert.cert')).toMatchObject({
      currentKesPeriod: 842n,
      startKesInterval: 835n,
      slotsPerKesPeriod: 129600n,
    });
    expect(calls(socket)[1]).toBe(`conway query kes-period-info --op-cert-file /keys/opcert.cert --socket-path ${socket} --testnet-magic 42`);
  });

  it('passes settings as arguments, never through a shell', async () => {
    const socket = node({ 'query tip': [{ stdoutFile: TIP }] }, 'node;$(touch pwned).socket');
    await observer(socket).currentTip();
    expect(calls(socket)).toEqual([`query tip --socket-path ${socket} --testnet-magic 42`]);
    expect(existsSync(join(dirname(socket), 'pwned'))).toBe(false);
    expect(existsSync('pwned')).toBe(false);
  });

  it('says the socket is missing, before or while running the binary', async () => {
    const socket = node({ 'query tip': [{ stdoutFile: TIP }] });
    expect((await failure(observer(`${socket}.nowhere`).currentTip())).code).toBe('SOCKET_MISSING');
    const vanished = node({
      'query tip': [
        { stderr: 'Command failed: query tip  Error: Network.Socket.connect: <socket: 11>: does not exist (No such file or directory)\n', exit: 1 },
      ],
    });
    const error = await failure(observer(vanished).currentTip());
    expect(error.code).toBe('SOCKET_MISSING');
    expect(error.message).toMatch(/Network\.Socket\.connect/);
  });

  it('refuses the stake of a node that is still syncing, and of an era without stake or unknown', async () => {
    const syncing = node({ 'query tip': [tipOf({ syncProgress: '45.02' })] });
    expect(await observer(syncing).currentTip()).toMatchObject({ syncProgress: 45.02 });
    expect((await failure(observer(syncing).stakeDistribution(299n))).code).toBe('NODE_NOT_SYNCED');
    expect(calls(syncing).every((call) => call.startsWith('query tip'))).toBe(true);
    const byron = node({ 'query tip': [tipOf({ era: 'Byron' })] });
    expect((await failure(observer(byron).stakeDistribution(299n))).code).toBe('ERA_WITHOUT_STAKE');
    const unknown = node({ 'query tip': [tipOf({ era: 'Dijkstra' })] });
    const error = await failure(observer(unknown).stakeDistribution(299n));
    expect(error.code).toBe('UNKNOWN_ERA');
    expect(error.message).toMatch(/Dijkstra.*cardanoCliCommandEra=latest/);
    // A cardano-cli too old for the era's group says so in its own words.
    const old = node({ 'query tip': [{ stdoutFile: TIP }] });
    expect((await failure(observer(old).stakeDistribution(299n))).code).toBe('UNKNOWN_ERA');
  });

  it('does not keep a snapshot read across an epoch boundary: it asks again at the new tip', async () => {
    const snapshotOf300 = JSON.stringify({
      pools: { ['00000036d515e12e18cd3c88c74f09a67984c2c279a5296aa96efe89']: { stakeMark: 7, stakeSet: 8, stakeGo: 9 } },
    });
    const socket = node({
      'query tip': [{ stdoutFile: TIP }, tipOf({ epoch: 300 }), tipOf({ epoch: 300 })],
      // The first answer is the new epoch's (the boundary passed between the tip and the query).
      'conway query stake-snapshot --all-stake-pools': [{ stdout: snapshotOf300 }, { stdout: snapshotOf300 }],
    });
    const chain = observer(socket);
    expect((await chain.stakeDistribution(299n))?.get('00000036d515e12e18cd3c88c74f09a67984c2c279a5296aa96efe89')).toBe(8n);
    expect(calls(socket).filter((call) => call.includes('stake-snapshot'))).toHaveLength(2);
  });

  it('reports an absent binary, a timeout, an oversized or malformed output and other failures', async () => {
    const socket = node({
      'query tip': [{ stdoutFile: TIP }],
      'conway query stake-snapshot --all-stake-pools': [{ stdoutFile: SNAPSHOT }],
    });
    expect((await failure(observer(socket, { binary: join(FIXTURES, 'no-such-cardano-cli') }).currentTip())).code).toBe('BINARY_NOT_FOUND');
    expect((await failure(observer(socket, { maxOutputBytes: 300 }).stakeDistribution(299n))).code).toBe('OUTPUT_TOO_LARGE');
    const slow = node({ 'query tip': [{ stdoutFile: TIP, delayMs: 10_000 }] });
    const started = Date.now();
    expect((await failure(observer(slow, { timeoutMs: 500 }).currentTip())).code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(8000);
    const malformed = node({ 'query tip': [{ stdout: '{"epoch": -1, "slot": 3}' }] });
    expect((await failure(observer(malformed).currentTip())).code).toBe('INVALID_OUTPUT');
    const failing = node({ 'query tip': [{ stderr: 'cardano-cli: some other trouble\n', exit: 1 }] });
    const error = await failure(observer(failing).currentTip());
    expect(error.code).toBe('QUERY_FAILED');
    expect(error.message).toMatch(/exit 1.*some other trouble/);
  });
});
