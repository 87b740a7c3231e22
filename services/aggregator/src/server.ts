/** The aggregator's composition root: configuration in, a running runtime and gRPC server out. */
import {
  CardanoCliFilesChainObserver,
  channelCredentials,
  ImmutableDbDigester,
  createLogger,
  startGrpcServer,
  serverTls,
  startTelemetry,
  type Logger,
} from '@mithril-ts/service-kit';
import { INTERNAL_RPCS, type AggregatorConfig } from './config.js';
import { readGenesisSigner } from './genesis.js';
import { observeAggregator } from './metrics.js';
import { aggregatorGrpcService } from './grpc/service.js';
import { GrpcSnapshotter, SnapshotProducer } from './snapshots.js';
import { AggregatorRuntime } from './runtime/aggregator-runtime.js';
import { parametersSchedule } from './runtime/parameters.js';
import { openAggregatorStore, type PrismaAggregatorStore } from './store/index.js';

export const AGGREGATOR_VERSION = '0.1.0';

export interface RunningAggregator {
  readonly port: number;
  /** Bound ports of the plaintext health server and the Prometheus endpoint, when configured. */
  readonly healthPort: number | undefined;
  readonly metricsPort: number | undefined;
  readonly runtime: AggregatorRuntime;
  readonly store: PrismaAggregatorStore;
  readonly logger: Logger;
  /** Stops the runtime (finishing the cycle and aggregations in progress), the server and the store. */
  close(): Promise<void>;
}

export async function startAggregator(config: AggregatorConfig, options: { readonly logger?: Logger } = {}): Promise<RunningAggregator> {
  const logger = options.logger ?? createLogger('aggregator', config.logLevel);
  // The key file first: refused (permissions, size) or unreadable, nothing has been started yet.
  const bootstrapGenesisSigner =
    config.bootstrapGenesisSecretKeyFile === undefined
      ? undefined
      : readGenesisSigner(config.bootstrapGenesisSecretKeyFile, { allowInsecurePermissions: config.allowInsecureKeyPermissions });
  const telemetry = await startTelemetry('mithril-aggregator', AGGREGATOR_VERSION, config);
  let opened;
  try {
    opened = await openAggregatorStore({ url: config.storeUrl });
  } catch (error) {
    await telemetry.shutdown();
    throw error;
  }
  logger.info({ dialect: opened.store.dialect, applied: opened.migrations }, 'store ready');
  const runtime = new AggregatorRuntime({
    store: opened.store,
    chain: new CardanoCliFilesChainObserver(config.chainDirectory, Math.min(1000, config.runIntervalMs)),
    slotsPerKesPeriod: config.slotsPerKesPeriod,
    immutableDatabase: new ImmutableDbDigester(config.immutableDirectory),
    schedule: parametersSchedule(config.protocolParameters),
    network: config.network,
    signedEntityKinds: config.signedEntityKinds,
    retentionEpochs: config.retentionEpochs,
    maxConsecutiveErrors: config.maxConsecutiveErrors,
    ...(bootstrapGenesisSigner !== undefined ? { bootstrapGenesisSigner } : {}),
    logger,
  });
  observeAggregator(telemetry.meter, runtime, opened.store);
  const snapshotter =
    config.snapshotterAddress === undefined
      ? undefined
      : new GrpcSnapshotter({
          address: config.snapshotterAddress,
          credentials: channelCredentials(config),
          nodeVersion: AGGREGATOR_VERSION,
          createDeadlineMs: config.snapshotDeadlineMs,
          tracer: telemetry.tracer,
        });
  const snapshots =
    snapshotter === undefined ? undefined : new SnapshotProducer(opened.store, snapshotter, config.network, logger, Math.max(1000, config.runIntervalMs));
  if (snapshots !== undefined) runtime.on('certificate', (certificate) => snapshots.onCertificate(certificate));
  let running;
  try {
    running = await startGrpcServer({
      host: config.host,
      port: config.port,
      tls: serverTls(config, 'request'),
      logger,
      healthPort: config.healthPort,
      healthHost: config.healthHost,
      services: [
        aggregatorGrpcService({
          runtime,
          store: opened.store,
          snapshotter,
          nodeVersion: AGGREGATOR_VERSION,
          network: config.network,
          cardanoNodeVersion: config.cardanoNodeVersion,
          logger,
          tracer: telemetry.tracer,
          meter: telemetry.meter,
          authorization: config.insecure ? undefined : { methods: INTERNAL_RPCS, allowedClients: config.allowedClients },
        }),
      ],
    });
  } catch (error) {
    await opened.close();
    await telemetry.shutdown();
    throw error;
  }
  runtime.start(config.runIntervalMs);
  await snapshots?.start();
  logger.info({ host: config.host, port: running.port, healthPort: running.healthPort, metricsPort: telemetry.metricsPort }, 'aggregator listening');
  return {
    port: running.port,
    healthPort: running.healthPort,
    metricsPort: telemetry.metricsPort,
    runtime,
    store: opened.store,
    logger,
    close: async () => {
      // Requests first (in-flight ones finish), then the runtime: nothing is accepted that is not stored.
      await running.close();
      await runtime.stop();
      await snapshots?.stop();
      await opened.close();
      await telemetry.shutdown();
    },
  };
}
