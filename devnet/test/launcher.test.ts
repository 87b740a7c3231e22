/**
 * The launcher's pieces a newcomer meets: a restart resumes the devnet at the slot after its last
 * tip (and holds still while services start), the endpoints are written where the README says,
 * and a new certificate chain is explained.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Devnet } from '../src/devnet.js';
import { clientEnvFile, endpointsBlock, endpointsFile, writeEndpoints, type DevnetEndpoints } from '../src/launcher/endpoints.js';
import { newChainReason, resumeClock } from '../src/launcher/resume.js';
import { ProgressPrinter } from '../src/launcher/progress.js';
import { tempRoot } from './helpers.js';

const PARAMS = { pools: 2, slotLengthMs: 100, slotsPerEpoch: 50 };

test('a first run gets the wall clock; a restart resumes at the slot after the last tip, however long the stop', async () => {
  const root = tempRoot('launcher-resume-');
  let now = 1_000_000;
  const wall = () => now;
  const first = await resumeClock(root, wall);
  expect(first.resumedFrom).toBeUndefined();
  expect(first.clock()).toBe(now);

  const devnet = await Devnet.create(root, PARAMS, { clock: first.clock });
  // Slot 123, epoch 2, read every second as the devnet's timer would (a longer stall is held back, below).
  for (const step of [...Array<number>(12).fill(1_000), 345]) {
    now += step;
    await devnet.advance();
  }
  expect(devnet.position?.slot).toBe(123n);

  now += 3_600_000; // stopped for an hour
  const again = await resumeClock(root, wall);
  expect(again.resumedFrom).toEqual({ slot: 123n, epoch: 2n, stoppedForMs: 3_600_000 + 45 - 100 });
  const resumed = await Devnet.create(root, PARAMS, { clock: again.clock });
  const position = await resumed.advance();
  expect(position.slot).toBe(124n);

  // Held while the services start: the chain does not move, then carries on from there.
  const release = again.hold();
  now += 40_000;
  expect((await resumed.advance()).slot).toBe(124n);
  release();
  now += 1_000;
  expect((await resumed.advance()).slot).toBe(134n);
  // A stall of the whole process (a busy machine): the chain moves at most 2 s, not epochs.
  now += 60_000;
  expect((await resumed.advance()).slot).toBe(154n);
});

test('the endpoints are written as JSON and as shell exports, and printed as a short block', async () => {
  const root = tempRoot('launcher-endpoints-');
  const endpoints: DevnetEndpoints = {
    network: 'devnet',
    rest: 'http://127.0.0.1:8002/aggregator',
    aggregatorGrpc: 'grpcs://127.0.0.1:8000',
    signerGatewayGrpc: 'grpcs://127.0.0.1:8001',
    snapshotDownloads: 'http://127.0.0.1:8003',
    genesisVerificationKeyFile: join(root, 'genesis', 'genesis.vkey'),
    caFile: join(root, "it's", 'ca.crt'),
    explorer: `http://127.0.0.1:8002/explorer/#/?genesis=${'5b31'.repeat(50)}`,
    logs: join(root, 'logs'),
  };
  await writeEndpoints(root, endpoints, '5b31');
  expect(JSON.parse(readFileSync(endpointsFile(root), 'utf8'))).toEqual(endpoints);
  const env = readFileSync(clientEnvFile(root), 'utf8');
  expect(env).toContain("export MITHRIL_AGGREGATOR_ENDPOINT='http://127.0.0.1:8002/aggregator'");
  expect(env).toContain("export MITHRIL_GENESIS_VERIFICATION_KEY='5b31'");
  expect(env).toContain(`export MITHRIL_DEVNET_CA_FILE='${join(root, "it'\\''s", 'ca.crt')}'`);
  const block = endpointsBlock(root, endpoints, 5);
  expect(block.length).toBeLessThanOrEqual(10);
  // The explorer's link carries the genesis key (long by nature): one URL, alone at the end of its line.
  expect(block.filter((line) => !line.endsWith(endpoints.explorer)).every((line) => line.length < 200)).toBe(true);
  expect(block.join('\n')).toContain('genesis verification key');
});

test('start-up waits are said calmly, once; a new certificate chain is said loudly with its reason', () => {
  const lines: string[] = [];
  const printer = new ProgressPrinter((line) => lines.push(line));
  for (const pool of [1, 2, 3, 4, 5])
    printer.handle({
      type: 'signer',
      pool,
      event: { type: 'waiting', reason: 'aggregator-not-ready', message: 'ERROR_CODE_NOT_READY: no epoch settings yet' },
    });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/signers waiting for the aggregator/);
  expect(lines.join('\n')).not.toMatch(/ERROR_CODE_NOT_READY/);
  printer.handle({ type: 'chain', chain: 'new', epoch: 7n, genesisCertificateHash: 'ab'.repeat(32), reason: newChainReason('no-genesis', 'file:/x.sqlite') });
  expect(lines.at(-1)).toMatch(/A NEW CERTIFICATE CHAIN BEGAN at epoch 7 .*store \(file:\/x\.sqlite\) holds no certificate/);
});
