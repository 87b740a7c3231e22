/**
 * The devnet chain on its own, as a process: the simulated Cardano chain advancing with the clock in
 * a directory that the Mithril services share (a volume in a cluster), with what they need to start
 * written there first: each pool's key files (signers), the genesis key pair (an aggregator in devnet
 * mode) and a PKI (TLS on every link). Layout: devnet/README.md, plus `genesis/` and `pki/`.
 *
 * Readiness: `GET /health` answers 200 once those files are written and while the chain keeps up
 * with the clock (its last written slot is at most a few seconds behind), 503 otherwise; a chain that
 * stopped advancing is then restarted by its liveness probe.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '@mithril-ts/service-kit';
import { Devnet } from '../devnet.js';
import { DevnetError } from '../errors.js';
import { ensureGenesisKeys } from '../launcher/genesis.js';
import { ensureDevnetPki } from '../launcher/pki.js';
import { slotAt } from '../position.js';
import type { DevnetChainConfig } from './config.js';

export interface RunningDevnetChain {
  readonly devnet: Devnet;
  /** The health endpoint's port, when it has one. */
  readonly healthPort: number | undefined;
  /** Whether the chain is written up to within {@link lagToleranceSlots} of the clock. */
  healthy(nowMs?: number): boolean;
  close(): Promise<void>;
}

/** How far behind the clock the chain may be and still be healthy: 5 s of slots, at least 10 slots. */
export function lagToleranceSlots(slotLengthMs: number): bigint {
  return BigInt(Math.max(10, Math.ceil(5000 / slotLengthMs)));
}

export async function startDevnetChain(
  config: DevnetChainConfig,
  options: { readonly logger?: Logger; readonly clock?: () => number } = {},
): Promise<RunningDevnetChain> {
  const logger = options.logger ?? createLogger('devnet-chain', config.logLevel);
  const clock = options.clock ?? Date.now;
  const root = config.root;
  // Key material first: a service that starts as soon as the chain's files appear finds its keys.
  if (config.pki) {
    const pki = await ensureDevnetPki(root, { dnsNames: config.tlsDnsNames });
    logger.info({ caFile: pki.caFile }, 'devnet PKI ready');
  }
  if (config.genesisKeys) {
    const genesis = await ensureGenesisKeys(root);
    logger.info({ verificationKeyFile: genesis.verificationKeyFile }, 'genesis keys ready');
  }
  const devnet = await Devnet.create(
    root,
    {
      network: config.network,
      pools: config.pools,
      slotLengthMs: config.slotLengthMs,
      slotsPerEpoch: config.slotsPerEpoch,
      slotsPerKesPeriod: config.slotsPerKesPeriod,
      immutableFileEverySlots: config.immutableFileEverySlots,
      seed: config.seed,
    },
    {
      clock,
      // A failed write (a full disk) is logged and retried at the next slot; /health turns 503 while it lasts.
      onError: (error) => logger.error({ err: error }, 'devnet advance failed'),
    },
  );
  logger.info({ pools: devnet.pools.map((pool) => pool.poolId.bech32), genesisTimeMs: devnet.genesisTimeMs, parameters: devnet.parameters }, 'devnet created');
  await devnet.advance();
  devnet.start();

  const tolerance = lagToleranceSlots(devnet.parameters.slotLengthMs);
  let lastEpoch = devnet.position?.epoch;
  const epochWatch = setInterval(() => {
    const epoch = devnet.position?.epoch;
    if (epoch !== undefined && epoch !== lastEpoch) {
      lastEpoch = epoch;
      logger.info({ epoch: Number(epoch), slot: Number(devnet.position?.slot) }, 'epoch');
    }
  }, devnet.parameters.slotLengthMs);
  const healthy = (nowMs = clock()) => {
    const position = devnet.position;
    if (position === undefined) return false;
    let now: bigint;
    try {
      now = slotAt(devnet.parameters, devnet.genesisTimeMs, nowMs);
    } catch (error) {
      if (error instanceof DevnetError && error.code === 'BEFORE_GENESIS') return true;
      throw error;
    }
    return now - position.slot <= tolerance;
  };

  let server: Server | undefined;
  if (config.healthPort !== undefined) {
    server = createServer((request, response) => {
      // Only the probe's route; anything else is 404, and the answer carries nothing secret.
      const path = (request.url ?? '').split('?')[0];
      if (request.method !== 'GET' || path !== '/health') {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      const ok = healthy();
      const position = devnet.position;
      const body = {
        status: ok ? 'ok' : 'lagging',
        ...(position !== undefined ? { epoch: Number(position.epoch), slot: Number(position.slot) } : {}),
      };
      response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(config.healthPort, config.healthHost, () => resolve());
    });
  }
  const healthPort = server === undefined ? undefined : (server.address() as AddressInfo).port;
  logger.info({ root, healthPort }, 'devnet chain started');

  return {
    devnet,
    healthPort,
    healthy,
    async close() {
      clearInterval(epochWatch);
      if (server !== undefined) {
        const closing = server;
        await new Promise<void>((resolve) => closing.close(() => resolve()));
      }
      // The write in progress finishes: no half-written trio is left (files are renamed into place anyway).
      await devnet.stop().catch((error: unknown) => logger.error({ err: error }, 'devnet stopped on an error'));
      logger.info('devnet chain stopped');
    },
  };
}
