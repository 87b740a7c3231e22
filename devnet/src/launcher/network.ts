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
import { encodeGenesisVerificationKey, type Certificate, type Epoch, type EraMarker } from '@mithril-ts/protocol';
import { createLogger, type Logger } from '@mithril-ts/service-kit';
import { signerConfigSchema, startSigner, type SignerEvent, type SignerHandle } from '@mithril-ts/signer';
import { signerGatewayConfigSchema, startSignerGateway, type RunningSignerGateway } from '@mithril-ts/signer-gateway';
import { snapshotterConfigSchema, startSnapshotter, type RunningSnapshotter } from '@mithril-ts/snapshotter';
import { restGatewayConfigSchema, startRestGateway } from '@mithril-ts/rest-gateway';
import { Devnet } from '../devnet.js';
import { devnetChainAccess, type ChainObserverKind } from '../observers.js';
import type { DevnetParameters } from '../parameters.js';
import { endpointsBlock, writeEndpoints, type DevnetEndpoints } from './endpoints.js';
import { publishEraMarkers } from './era.js';
import { ensureAncillaryKeys } from './ancillary.js';
import { ensureGenesisKeys } from './genesis.js';
import { newChainReason, readLauncherState, resumeClock, writeLauncherState } from './resume.js';
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
  /**
   * Fixed ports from this one up: aggregator gRPC, signer gateway, REST API, snapshot downloads,
   * snapshotter gRPC, certifier (base … base+5). Default: free ports chosen by the system.
   */
  readonly basePort?: number;
  /**
   * How the services read the chain: the files the chain writes (default), the devnet's stand-in
   * cardano-cli (bin/cardano-cli), or an Ogmios double fed by the chain.
   */
  readonly chainObserver?: ChainObserverKind;
  /**
   * Mithril era markers published on the devnet chain (signed, in a datum) and read by the
   * aggregator and the signers, e.g. a switch at epoch N; without them every service runs its own
   * era from epoch 0 (the bootstrap reader).
   */
  readonly eraMarkers?: readonly EraMarker[];
  readonly onEvent?: (event: NetworkEvent) => void;
}

/** The offset of each service's port from `basePort`. */
export const BASE_PORT_OFFSETS = { aggregator: 0, signerGateway: 1, rest: 2, snapshotterHttp: 3, snapshotterGrpc: 4, certifier: 5 } as const;

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
      readonly endpoints: DevnetEndpoints;
      /** The printable block of endpoints and how to use the client. */
      readonly summary: readonly string[];
    }
  /** The devnet carried on from where the previous run stopped (its clock runs late by the time it was stopped). */
  | { readonly type: 'resumed'; readonly slot: bigint; readonly epoch: Epoch; readonly stoppedForMs: number }
  /** A certificate chain began: the first one of this root, or a new one replacing the previous run's (with why). */
  | { readonly type: 'chain'; readonly chain: 'first' | 'new'; readonly epoch: Epoch; readonly genesisCertificateHash: string; readonly reason: string }
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

    const resume = await resumeClock(root);
    const devnet = await Devnet.create(root, options.devnet ?? {}, { clock: resume.clock });
    if (resume.resumedFrom !== undefined) emit({ type: 'resumed', ...resume.resumedFrom });
    await devnet.advance();
    const release = resume.hold();
    devnet.start();
    const { parameters } = devnet;

    const { signer: genesis, verificationKeyFile: genesisVerificationKeyFile } = await ensureGenesisKeys(root);
    const fixed = (service: keyof typeof BASE_PORT_OFFSETS) => (options.basePort === undefined ? 0 : options.basePort + BASE_PORT_OFFSETS[service]);
    const ancillaryKeys = await ensureAncillaryKeys(root);
    const pki = options.insecure === true ? undefined : await ensureDevnetPki(root);
    const era = options.eraMarkers === undefined ? {} : await publishEraMarkers(devnet.layout.cardanoCliDirectory, options.eraMarkers);
    const tls = (service: DevnetService) => (pki === undefined ? { insecure: true } : tlsSettingsOf(pki, service));
    const stops: (() => Promise<void>)[] = [() => devnet.stop()];
    try {
      const chainAccess = await devnetChainAccess(devnet, options.chainObserver ?? 'files');
      stops.push(() => chainAccess.stop());
      const layout = devnet.layout;
      const certifier = await startCertifier(
        certifierConfigSchema.parse({
          port: fixed('certifier'),
          ...chainAccess.settings,
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
      let port = options.basePort === undefined ? await freeLoopbackPort() : fixed('aggregator');
      // The snapshotter reads the same node database as the aggregator and serves the archives over HTTP.
      const snapshotter: RunningSnapshotter = await startSnapshotter(
        snapshotterConfigSchema.parse({
          grpcPort: fixed('snapshotterGrpc'),
          httpPort: fixed('snapshotterHttp'),
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
        ...chainAccess.settings,
        // The aggregator checks every registration's KES evidence itself, at its tip.
        slotsPerKesPeriod: parameters.slotsPerKesPeriod,
        immutableDirectory: layout.immutableDirectory(1),
        protocolParameters: options.protocolParameters ?? DEFAULT_NETWORK_PARAMETERS,
        runIntervalMs: options.aggregatorRunIntervalMs ?? Math.max(50, Math.floor(parameters.slotLengthMs * 2)),
        bootstrapGenesisSecretKeyFile: join(root, 'genesis', 'genesis.skey'),
        snapshotterAddress: `127.0.0.1:${snapshotter.grpcPort}`,
        logLevel: level,
        ...era,
        ...tls('aggregator'),
      });
      const aggregatorLogger = logger('aggregator');
      // Whether this run's certificate chain is the previous run's: a genesis certificate other than
      // the remembered one means a new chain, and the blocked state just before it says why.
      let previousChain = await readLauncherState(root);
      let lastBlockedReason: string | undefined;
      const noteCertificate = async (certificate: Certificate) => {
        if (certificate.previousHash !== '') return;
        const before = previousChain;
        const blockedReason = lastBlockedReason;
        previousChain = { genesisCertificateHash: certificate.hash, genesisEpoch: certificate.epoch.toString() };
        await writeLauncherState(root, previousChain);
        emit({
          type: 'chain',
          chain: before === undefined ? 'first' : 'new',
          epoch: certificate.epoch,
          genesisCertificateHash: certificate.hash,
          reason:
            before === undefined
              ? 'the first certificate chain of this devnet'
              : `${newChainReason(blockedReason, aggregatorConfig.storeUrl)} (the previous chain began at epoch ${before.genesisEpoch} with ${before.genesisCertificateHash})`,
        });
      };
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
        runtime.on('state', () => {
          // genesis-epoch follows a genesis certificate: what came before it is the reason.
          if (runtime.state.kind === 'blocked' && runtime.state.reason !== 'genesis-epoch') lastBlockedReason = runtime.state.reason;
          emit({ type: 'aggregator-state', description: describeState(runtime.state) });
        });
        runtime.on('registration', (record) => emit({ type: 'registration', partyId: record.partyId, recordingEpoch: record.epoch, stake: record.stake }));
        runtime.on('signature', (s) =>
          emit({ type: 'signature', partyId: s.partyId, kind: s.signedEntityType.kind, epoch: s.signedEntityType.epoch, indexes: s.indexes }),
        );
        runtime.on('certificate', (certificate) => {
          emit({ type: 'certificate', certificate });
          noteCertificate(certificate).catch((error: unknown) =>
            aggregatorLogger.warn({ err: error }, 'cannot record the certificate chain in launcher-state.json'),
          );
        });
        return aggregator;
      };
      const aggregator = await launchAggregator();
      const aggregatorAddress = () => `127.0.0.1:${port}`;

      const gateway: RunningSignerGateway = await startSignerGateway(
        signerGatewayConfigSchema.parse({
          port: fixed('signerGateway'),
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
          port: fixed('rest'),
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
            ...chainAccess.settings,
            immutableDirectory: layout.immutableDirectory(pool.index),
            aggregatorAddress: aggregatorAddress(),
            signerGatewayAddress: `127.0.0.1:${gateway.port}`,
            storeUrl: `file:${join(root, 'signers', `pool-${pool.index}.sqlite`)}`,
            slotsPerKesPeriod: parameters.slotsPerKesPeriod,
            ...era,
            ...tls('signer'),
            runIntervalMs: options.signerRunIntervalMs ?? Math.max(50, parameters.slotLengthMs * 2),
            logLevel: level,
          }),
          { logger: logger(`signer-pool-${pool.index}`), onEvent: (event) => emit({ type: 'signer', pool: pool.index, event }) },
        );
        signers.push(signer);
        stops.unshift(() => signer.stop());
      }
      const grpcScheme = pki === undefined ? 'grpc' : 'grpcs';
      const endpoints: DevnetEndpoints = {
        network: parameters.network,
        rest: `http://127.0.0.1:${rest.port}/aggregator`,
        aggregatorGrpc: `${grpcScheme}://127.0.0.1:${port}`,
        signerGatewayGrpc: `${grpcScheme}://127.0.0.1:${gateway.port}`,
        snapshotDownloads: snapshotter.httpPort === undefined ? undefined : `http://127.0.0.1:${snapshotter.httpPort}`,
        genesisVerificationKeyFile,
        caFile: pki?.caFile,
        explorer: `http://127.0.0.1:${rest.port}/explorer/#/?genesis=${encodeGenesisVerificationKey(genesis.verificationKey())}`,
        logs,
      };
      release();
      await writeEndpoints(root, endpoints, encodeGenesisVerificationKey(genesis.verificationKey()));
      emit({
        type: 'started',
        pools: devnet.pools.length,
        aggregatorPort: port,
        gatewayPort: gateway.port,
        snapshotterHttpPort: snapshotter.httpPort,
        restPort: rest.port,
        root,
        caFile: pki?.caFile,
        endpoints,
        summary: endpointsBlock(root, endpoints, devnet.pools.length),
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
