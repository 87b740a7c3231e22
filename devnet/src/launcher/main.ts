#!/usr/bin/env -S npx tsx
/**
 * `npm start`: a whole Mithril network on a local devnet (SQLite, files), with live progress,
 * until Ctrl+C. State lives in --root and carries on across runs (`--reset` starts afresh).
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { scheduleSchema } from '@mithril-ts/aggregator';
import { CHAIN_OBSERVER_KINDS, type ChainObserverKind } from '../observers.js';
import { parseEraMarkersJson } from '@mithril-ts/protocol';
import { applyBlsBackend } from '@mithril-ts/service-kit';
import { MithrilNetwork, DEFAULT_NETWORK_PARAMETERS } from './network.js';
import { ProgressPrinter } from './progress.js';

// The services dial each other over TLS at 127.0.0.1, for which grpc-js passes the IP as the TLS
// server name; node ignores it with a deprecation warning (DEP0123) and still checks the
// certificate against the IP (the devnet's certificates name 127.0.0.1). Not worth a newcomer's worry.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (rest.some((arg) => arg === 'DEP0123' || (typeof arg === 'object' && arg !== null && (arg as { code?: unknown }).code === 'DEP0123'))) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

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
  .option(
    '--base-port <n>',
    'fixed ports from n up: aggregator gRPC n, signer gateway n+1, REST API n+2, snapshot downloads n+3, snapshotter gRPC n+4, certifier n+5 (default: free ports, different every run)',
  )
  .option('--reset', 'delete the state directory first (a new chain); without it a restart resumes where the last run stopped')
  .option('--insecure', 'plaintext gRPC on every link (default: TLS with a local CA in <root>/pki, mutual TLS on internal links)')
  .addOption(
    new Option('--chain-observer <kind>', "how the services read the chain: the chain's files, the devnet's stand-in cardano-cli, or an Ogmios double")
      .choices(CHAIN_OBSERVER_KINDS)
      .default('files'),
  )
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
  basePort?: string;
  chainObserver: ChainObserverKind;
  eraMarkers?: string;
}>();
let basePort: number | undefined;
if (options.basePort !== undefined) {
  basePort = Number(options.basePort);
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65535 - 5) {
    program.error(`--base-port must be an integer from 1024 to 65530 (six ports from it are used), got ${JSON.stringify(options.basePort)}`);
  }
}
// The services run in this process, not through their own main (which applies the setting):
// without this, every BLS point of the devnet would be decoded by the pure-JS backend.
const blsBackend = await applyBlsBackend(process.env.MITHRIL_BLS_BACKEND).catch((error: unknown) => program.error((error as Error).message));
process.stdout.write(`BLS backend: ${blsBackend} (MITHRIL_BLS_BACKEND=auto|blst|noble)\n`);
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
  ...(basePort !== undefined ? { basePort } : {}),
  chainObserver: options.chainObserver,
  ...(options.eraMarkers !== undefined ? { eraMarkers: parseEraMarkersJson(options.eraMarkers) } : {}),
  onEvent: (event) => {
    printer.handle(event);
    if (event.type === 'epoch' && options.epochs !== undefined && ++epochsSeen > Number(options.epochs)) void stop();
  },
}).catch((error: unknown) => {
  const { code, port } = error as { code?: string; port?: number };
  if (code === 'EADDRINUSE') {
    process.stderr.write(
      `cannot start the devnet: port ${port ?? ''} is already in use (another devnet still running?); stop it, or pick other ports with --base-port\n`,
    );
    process.exit(1);
  }
  throw error;
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
