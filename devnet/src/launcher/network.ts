/**
 * The whole Mithril network on one machine, on top of a devnet: the simulated Cardano chain, the
 * certifier, the aggregator (bootstrapping its own genesis certificate, devnet mode), the signer
 * gateway and one signer per pool, each on loopback with its own store. Services run in this
 * process (they are the same code the `mithril-*` binaries start) and log to files; progress
 * comes out as typed events for a display or a test.
 */
import { mkdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { aggregatorConfigSchema, describeState, startAggregator, type RunningAggregator, type ScheduleEntry } from '@mithril-ts/aggregator';
import { certifierConfigSchema, startCertifier } from '@mithril-ts/certifier';
import type { Certificate, Epoch } from '@mithril-ts/protocol';
import { createLogger, type Logger } from '@mithril-ts/service-kit';
import { signerConfigSchema, startSigner, type SignerEvent, type SignerHandle } from '@mithril-ts/signer';
import { signerGatewayConfigSchema, startSignerGateway, type RunningSignerGateway } from '@mithril-ts/signer-gateway';
import { snapshotterConfigSchema, startSnapshotter, type RunningSnapshotter } from '@mithril-ts/snapshotter';
import { restGatewayConfigSchema, startRestGateway } from '@mithril-ts/rest-gateway';
import { Devnet } from '../devnet.js';
import { devnetLayout } from '../layout.js';
import type { DevnetParameters } from '../parameters.js';
import { ensureAncillaryKeys } from './ancillary.js';
import { ensureGenesisKeys } from './genesis.js';
import { ensureDevnetPki, tlsSettingsOf, type DevnetPki, type DevnetService } from './pki.js';

export interface MithrilNetworkOptions {
  /** Directory of the devnet and of every service's state (kept across runs: the chain carries on). */
  readonly root: string;
  readonly devnet?: Partial<DevnetParameters>;
  readonly protocolParameters?: readonly ScheduleEntry[];
  /** The aggregator's database; SQLite in `root` by default. */
  readonly aggregatorStoreUrl?: string;
  readonly aggregatorRunIntervalMs?: number;
  readonly signerRunIntervalMs?: number;
  /** Service log level (files in `<root>/logs`). */
  readonly logLevel?: string;
  /**
   * Plaintext gRPC on every link. By default every link is TLS with the devnet's own CA
   * (`<root>/pki`), and the internal links (gateway → certifier, gateway → aggregator intake,
   * aggregator → snapshotter) are mutual TLS.
   */
  readonly insecure?: boolean;
  readonly onEvent?: (event: NetworkEvent) => void;
}

export type NetworkEvent =
  | {
      readonly type: 'started';
      readonly pools: number;
      readonly aggregatorPort: number;
      readonly gatewayPort: number;
      readonly snapshotterHttpPort: number | undefined;
      readonly restPort: number;
      readonly root: string;
      /** The CA a client must trust to reach the devnet's gRPC ports; undefined when the devnet runs insecure. */
      readonly caFile: string | undefined;
    }
  | {
      readonly type: 'epoch';
      readonly epoch: Epoch;
      readonly currentSigners: number;
      readonly nextSigners: number;
      readonly k: bigint;
      readonly m: bigint;
      readonly phiF: number;
    }
  | { readonly type: 'aggregator-state'; readonly description: string }
  | { readonly type: 'registration'; readonly partyId: string; readonly recordingEpoch: Epoch; readonly stake: bigint }
  | { readonly type: 'signature'; readonly partyId: string; readonly kind: string; readonly epoch: Epoch; readonly indexes: number }
  | { readonly type: 'certificate'; readonly certificate: Certificate }
  | { readonly type: 'signer'; readonly pool: number; readonly event: SignerEvent }
  | { readonly type: 'aggregator-restarted' };

export const DEFAULT_NETWORK_PARAMETERS: readonly ScheduleEntry[] = [{ fromEpoch: 0n, k: 20n, m: 60n, phiF: 0.65 }];

export class MithrilNetwork {
  private constructor(
    readonly root: string,
    readonly devnet: Devnet,
    readonly genesisVerificationKey: Uint8Array,
    private aggregatorHandle: RunningAggregator,
    private readonly startAggregatorAgain: () => Promise<RunningAggregator>,
    private readonly stopRest: () => Promise<void>,
    readonly signers: readonly SignerHandle[],
    /** The devnet's PKI; undefined when it runs insecure. */
    readonly pki: DevnetPki | undefined,
  ) {}

  get aggregator(): RunningAggregator {
    return this.aggregatorHandle;
  }

  static async start(options: MithrilNetworkOptions): Promise<MithrilNetwork> {
    const emit = options.onEvent ?? (() => {});
    const root = options.root;
    const logs = join(root, 'logs');
    await mkdir(logs, { recursive: true });
    const level = options.logLevel ?? 'info';
    const logger = (service: string): Logger => createLogger(service, level, join(logs, `${service}.log`));

    const devnet = await Devnet.create(root, options.devnet ?? {});
    const layout = devnetLayout(root);
    await devnet.advance();
    devnet.start();
    const { parameters } = devnet;

    const { signer: genesis } = await ensureGenesisKeys(root);
    const ancillaryKeys = await ensureAncillaryKeys(root);
    const pki = options.insecure === true ? undefined : await ensureDevnetPki(root);
    const tls = (service: DevnetService) => (pki === undefined ? { insecure: true } : tlsSettingsOf(pki, service));
    const stops: (() => Promise<void>)[] = [() => devnet.stop()];
    try {
      const certifier = await startCertifier(
        certifierConfigSchema.parse({
          port: 0,
          chainDirectory: layout.cardanoCliDirectory,
          slotsPerKesPeriod: parameters.slotsPerKesPeriod,
          storeUrl: `file:${join(root, 'certifier', 'certifier.sqlite')}`,
          ...tls('certifier'),
        }),
        { logger: logger('certifier') },
      );
      stops.unshift(async () => {
        await certifier.close();
        await certifier.shutdownTelemetry();
      });

      // The snapshotter and the aggregator each need the other's address: the aggregator's port is
      // chosen now (a free loopback port) and the snapshotter, whose aggregator client connects on
      // its first call, starts first. The port is then reused by every restart of the aggregator.
      let port = await freeLoopbackPort();
      // The snapshotter reads the same node database as the aggregator and serves the archives over HTTP.
      const snapshotter: RunningSnapshotter = await startSnapshotter(
        snapshotterConfigSchema.parse({
          grpcPort: 0,
          httpPort: 0,
          network: parameters.network,
          immutableDirectory: layout.immutableDirectory(1),
          ledgerDirectory: layout.ledgerDirectory(1),
          ancillarySigningKeyFile: ancillaryKeys.secretKeyFile,
          storageDirectory: join(root, 'snapshotter', 'artifacts'),
          storePath: join(root, 'snapshotter', 'snapshotter.sqlite'),
          aggregatorAddress: `127.0.0.1:${port}`,
          logLevel: level === 'silent' ? 'fatal' : level,
          ...tls('snapshotter'),
        }),
        { logger: logger('snapshotter') },
      );
      stops.unshift(() => snapshotter.close());

      await mkdir(join(root, 'aggregator'), { recursive: true });
      const aggregatorConfig = aggregatorConfigSchema.parse({
        port: 0,
        network: parameters.network,
        storeUrl: options.aggregatorStoreUrl ?? `file:${join(root, 'aggregator', 'aggregator.sqlite')}`,
        chainDirectory: layout.cardanoCliDirectory,
        // The aggregator checks every registration's KES evidence itself, at its tip.
        slotsPerKesPeriod: parameters.slotsPerKesPeriod,
        immutableDirectory: layout.immutableDirectory(1),
        protocolParameters: options.protocolParameters ?? DEFAULT_NETWORK_PARAMETERS,
        runIntervalMs: options.aggregatorRunIntervalMs ?? Math.max(50, Math.floor(parameters.slotLengthMs * 2)),
        bootstrapGenesisSecretKeyFile: join(root, 'genesis', 'genesis.skey'),
        snapshotterAddress: `127.0.0.1:${snapshotter.grpcPort}`,
        logLevel: level,
        ...tls('aggregator'),
      });
      const aggregatorLogger = logger('aggregator');
      const launchAggregator = async () => {
        const aggregator = await startAggregator({ ...aggregatorConfig, port }, { logger: aggregatorLogger });
        port = aggregator.port;
        const { runtime } = aggregator;
        runtime.on('epoch', (context) =>
          emit({
            type: 'epoch',
            epoch: context.epoch,
            currentSigners: context.currentRecords.length,
            nextSigners: context.nextRecords.length,
            k: context.settings.currentParameters.k,
            m: context.settings.currentParameters.m,
            phiF: context.settings.currentParameters.phiF,
          }),
        );
        runtime.on('state', () => emit({ type: 'aggregator-state', description: describeState(runtime.state) }));
        runtime.on('registration', (record) => emit({ type: 'registration', partyId: record.partyId, recordingEpoch: record.epoch, stake: record.stake }));
        runtime.on('signature', (s) =>
          emit({ type: 'signature', partyId: s.partyId, kind: s.signedEntityType.kind, epoch: s.signedEntityType.epoch, indexes: s.indexes }),
        );
        runtime.on('certificate', (certificate) => emit({ type: 'certificate', certificate }));
        return aggregator;
      };
      const aggregator = await launchAggregator();
      const aggregatorAddress = () => `127.0.0.1:${port}`;

      const gateway: RunningSignerGateway = await startSignerGateway(
        signerGatewayConfigSchema.parse({
          port: 0,
          certifierAddress: `127.0.0.1:${certifier.port}`,
          aggregatorAddress: aggregatorAddress(),
          logLevel: level,
          ...tls('signer-gateway'),
        }),
        { logger: logger('signer-gateway') },
      );
      stops.unshift(async () => {
        await gateway.close();
        await gateway.shutdownTelemetry();
      });

      // The reference's REST API, for clients and explorers that speak it.
      const rest = await startRestGateway(
        restGatewayConfigSchema.parse({
          port: 0,
          aggregatorAddress: aggregatorAddress(),
          signerGatewayAddress: `127.0.0.1:${gateway.port}`,
          logLevel: level,
          ...tls('rest-gateway'),
        }),
        { logger: logger('rest-gateway') },
      );
      stops.unshift(() => rest.close());

      const signers: SignerHandle[] = [];
      for (const pool of devnet.pools) {
        const signer = await startSigner(
          signerConfigSchema.parse({
            keysDirectory: pool.keysDirectory,
            chainDirectory: layout.cardanoCliDirectory,
            immutableDirectory: layout.immutableDirectory(pool.index),
            aggregatorAddress: aggregatorAddress(),
            signerGatewayAddress: `127.0.0.1:${gateway.port}`,
            storeUrl: `file:${join(root, 'signers', `pool-${pool.index}.sqlite`)}`,
            slotsPerKesPeriod: parameters.slotsPerKesPeriod,
            ...tls('signer'),
            runIntervalMs: options.signerRunIntervalMs ?? Math.max(50, parameters.slotLengthMs * 2),
            logLevel: level,
          }),
          { logger: logger(`signer-pool-${pool.index}`), onEvent: (event) => emit({ type: 'signer', pool: pool.index, event }) },
        );
        signers.push(signer);
        stops.unshift(() => signer.stop());
      }
      emit({
        type: 'started',
        pools: devnet.pools.length,
        aggregatorPort: port,
        gatewayPort: gateway.port,
        snapshotterHttpPort: snapshotter.httpPort,
        restPort: rest.port,
        root,
        caFile: pki?.caFile,
      });
      const network: MithrilNetwork = new MithrilNetwork(
        root,
        devnet,
        genesis.verificationKey(),
        aggregator,
        async () => {
          const again = await launchAggregator();
          emit({ type: 'aggregator-restarted' });
          return again;
        },
        async () => {
          for (const stop of stops) await stop();
          await network.aggregatorHandle.close();
        },
        signers,
        pki,
      );
      return network;
    } catch (error) {
      for (const stop of stops) await stop().catch(() => {});
      throw error;
    }
  }

  /** Stops the aggregator (as a crash-free restart would: the cycle in progress ends) and starts it again on the same port and store. */
  async restartAggregator(downtimeMs = 0): Promise<void> {
    await this.aggregatorHandle.close();
    if (downtimeMs > 0) await new Promise((resolve) => setTimeout(resolve, downtimeMs));
    this.aggregatorHandle = await this.startAggregatorAgain();
  }

  async stop(): Promise<void> {
    await this.stopRest();
  }
}

/** A TCP port free on 127.0.0.1 now (the system picks it), for a server whose address must be known before it starts. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
