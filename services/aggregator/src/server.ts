/** The aggregator's composition root: configuration in, a running runtime and gRPC server out. */
import { CardanoCliFilesChainObserver, ImmutableDbDigester, createLogger, startGrpcServer, startTelemetry, type Logger } from '@mithril-ts/service-kit';
import type { AggregatorConfig } from './config.js';
import { readGenesisSigner } from './genesis.js';
import { aggregatorGrpcService } from './grpc/service.js';
import { GrpcSnapshotter, SnapshotProducer } from './snapshots.js';
import { AggregatorRuntime } from './runtime/aggregator-runtime.js';
import { parametersSchedule } from './runtime/parameters.js';
import { openAggregatorStore, type PrismaAggregatorStore } from './store/index.js';

export const AGGREGATOR_VERSION = '0.1.0';

export interface RunningAggregator {
  readonly port: number;
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
  const telemetry = startTelemetry('mithril-aggregator', AGGREGATOR_VERSION, config.otlpEndpoint);
  const opened = await openAggregatorStore({ url: config.storeUrl });
  logger.info({ dialect: opened.store.dialect, applied: opened.migrations }, 'store ready');
  const runtime = new AggregatorRuntime({
    store: opened.store,
    chain: new CardanoCliFilesChainObserver(config.chainDirectory, Math.min(1000, config.runIntervalMs)),
    immutableDatabase: new ImmutableDbDigester(config.immutableDirectory),
    schedule: parametersSchedule(config.protocolParameters),
    network: config.network,
    signedEntityKinds: config.signedEntityKinds,
    retentionEpochs: config.retentionEpochs,
    maxConsecutiveErrors: config.maxConsecutiveErrors,
    ...(bootstrapGenesisSigner !== undefined ? { bootstrapGenesisSigner } : {}),
    logger,
  });
  const certificates = telemetry.meter.createCounter('mithril_aggregator_certificates_total', { description: 'certificates sealed' });
  const roundLatency = telemetry.meter.createHistogram('mithril_aggregator_round_seconds', {
    description: 'from message opened to certificate sealed',
    unit: 's',
  });
  runtime.on('certificate', (certificate) => {
    certificates.add(1, { kind: certificate.signedEntityType.kind, genesis: String(certificate.previousHash === '') });
    const seconds = Number(certificate.metadata.sealedAt - certificate.metadata.initiatedAt) / 1e9;
    if (certificate.previousHash !== '') roundLatency.record(seconds, { kind: certificate.signedEntityType.kind });
  });
  const snapshotter =
    config.snapshotterAddress === undefined
      ? undefined
      : new GrpcSnapshotter({
          address: config.snapshotterAddress,
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
      services: [
        aggregatorGrpcService({
          runtime,
          store: opened.store,
          snapshotter,
          nodeVersion: AGGREGATOR_VERSION,
          logger,
          tracer: telemetry.tracer,
          meter: telemetry.meter,
        }),
      ],
    });
  } catch (error) {
    await opened.close();
    throw error;
  }
  runtime.start(config.runIntervalMs);
  await snapshots?.start();
  logger.info({ host: config.host, port: running.port }, 'aggregator listening');
  return {
    port: running.port,
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
