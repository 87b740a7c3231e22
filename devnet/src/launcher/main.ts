#!/usr/bin/env -S npx tsx
/**
 * `npm start`: a whole Mithril network on a local devnet (SQLite, files), with live progress,
 * until Ctrl+C. State lives in --root and carries on across runs (`--reset` starts afresh).
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { scheduleSchema } from '@mithril-ts/aggregator';
import { parseEraMarkersJson } from '@mithril-ts/protocol';
import { MithrilNetwork, DEFAULT_NETWORK_PARAMETERS } from './network.js';
import { ProgressPrinter } from './progress.js';

const program = new Command('mithril-devnet')
  .description('run a Mithril network (certifier, aggregator, signer gateway, one signer per pool) on a simulated Cardano devnet')
  .option('--root <dir>', 'state directory (devnet files, stores, logs)', '.devnet')
  .option('--pools <n>', 'number of stake pools', '5')
  .option('--slot-ms <ms>', 'slot length in milliseconds', '100')
  .option('--slots-per-epoch <n>', 'slots per epoch', '100')
  .option(
    '--protocol-parameters <json>',
    'JSON list of {fromEpoch, k, m, phiF}',
    JSON.stringify(DEFAULT_NETWORK_PARAMETERS, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
  )
  .option('--aggregator-store-url <url>', 'aggregator database (default: SQLite in the root)')
  .option('--epochs <n>', 'stop after this many epochs (default: run until interrupted)')
  .option('--reset', 'delete the state directory first')
  .option('--insecure', 'plaintext gRPC on every link (default: TLS with a local CA in <root>/pki, mutual TLS on internal links)')
  .option(
    '--era-markers <json>',
    'Mithril era markers published on chain (signed datum) for the aggregator and signers, e.g. [{"name":"pythagoras","epoch":0},{"name":"lagrange","epoch":6}] (default: none, each service runs its era from epoch 0)',
  )
  .parse();

const options = program.opts<{
  root: string;
  pools: string;
  slotMs: string;
  slotsPerEpoch: string;
  protocolParameters: string;
  aggregatorStoreUrl?: string;
  epochs?: string;
  reset?: boolean;
  insecure?: boolean;
  eraMarkers?: string;
}>();
const root = resolve(options.root);
if (options.reset) await rm(root, { recursive: true, force: true });
const printer = new ProgressPrinter();
let epochsSeen = 0;
let stopping = false;
const network = await MithrilNetwork.start({
  root,
  // A KES period of 500 slots keeps the pools' keys valid for hours of devnet time.
  devnet: { pools: Number(options.pools), slotLengthMs: Number(options.slotMs), slotsPerEpoch: Number(options.slotsPerEpoch), slotsPerKesPeriod: 500 },
  protocolParameters: scheduleSchema.parse(options.protocolParameters),
  ...(options.aggregatorStoreUrl !== undefined ? { aggregatorStoreUrl: options.aggregatorStoreUrl } : {}),
  insecure: options.insecure === true,
  ...(options.eraMarkers !== undefined ? { eraMarkers: parseEraMarkersJson(options.eraMarkers) } : {}),
  onEvent: (event) => {
    printer.handle(event);
    if (event.type === 'epoch' && options.epochs !== undefined && ++epochsSeen > Number(options.epochs)) void stop();
  },
});
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write('stopping…\n');
  await network.stop();
  process.exit(0);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
