/**
 * The aggregator's composition root: configuration in, a running replica (leader or follower,
 * leadership/replica.ts), its runtime and its gRPC server out.
 */
import {
  createChainObserver,
  EraChecker,
  eraReaderFromSettings,
  channelCredentials,
  ImmutableDbDigester,
  createLogger,
  startGrpcServer,
  serverTls,
  startTelemetry,
  type Logger,
} from '@mithril-ts/service-kit';
import { INTERNAL_RPCS, type AggregatorConfig } from './config.js';
import { FollowerView } from './leadership/follower-view.js';
import { NoLease, PostgresAdvisoryLease, SqliteExclusiveLease, sqliteLeaseRefused, type Lease } from './leadership/lease.js';
import { Replica } from './leadership/replica.js';
import { readGenesisSigner } from './genesis.js';
import { observeAggregator } from './metrics.js';
import { aggregatorGrpcService } from './grpc/service.js';
import { GrpcSnapshotter, SnapshotProducer } from './snapshots.js';
import { AggregatorRuntime } from './runtime/aggregator-runtime.js';
import { parametersSchedule } from './runtime/parameters.js';
import { openAggregatorStore, parseStoreUrl, type PrismaAggregatorStore } from './store/index.js';

export const AGGREGATOR_VERSION = '0.1.0';

export interface RunningAggregator {
  readonly port: number;
  /** Bound ports of the plaintext health server and the Prometheus endpoint, when configured. */
  readonly healthPort: number | undefined;
  readonly metricsPort: number | undefined;
  readonly runtime: AggregatorRuntime;
  /** Leader (runs the runtime) or follower (serves reads, waits for the lease); `fenced` after losing the lease. */
  readonly replica: Replica;
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
  const lease = leaseOf(config, logger);
  // SQLite: one replica only, refused before anything is opened (PostgreSQL followers wait instead).
  if (lease instanceof SqliteExclusiveLease && !(await lease.tryAcquire())) throw sqliteLeaseRefused(lease.path);
  let telemetry;
  try {
    telemetry = await startTelemetry('mithril-aggregator', AGGREGATOR_VERSION, config);
  } catch (error) {
    await lease.release();
    throw error;
  }
  let opened;
  try {
    opened = await openAggregatorStore({ url: config.storeUrl });
  } catch (error) {
    await lease.release();
    await telemetry.shutdown();
    throw error;
  }
  logger.info({ dialect: opened.store.dialect, applied: opened.migrations }, 'store ready');
  // Connects lazily (Ogmios): nothing is held open before the runtime's first cycle.
  const observer = createChainObserver(config, { tipTtlMs: Math.min(1000, config.runIntervalMs) });
  const chain = observer.chain;
  const schedule = parametersSchedule(config.protocolParameters);
  const runtime = new AggregatorRuntime({
    store: opened.store,
    chain,
    slotsPerKesPeriod: config.slotsPerKesPeriod,
    immutableDatabase: new ImmutableDbDigester(config.immutableDirectory),
    schedule,
    network: config.network,
    signedEntityKinds: config.signedEntityKinds,
    retentionEpochs: config.retentionEpochs,
    maxConsecutiveErrors: config.maxConsecutiveErrors,
    signatureBuffer: { ttlMs: config.signatureBufferTtlMs, maxPerSigner: config.signatureBufferMaxPerSigner, maxTotal: config.signatureBufferMaxTotal },
    era: new EraChecker(eraReaderFromSettings(config, observer.datums), { logger }),
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
  const replica = new Replica({
    lease,
    runtime,
    view: new FollowerView({ store: opened.store, chain, schedule, logger }),
    // The leader's work: the runtime and the snapshots of its certificates (the producer catches up on recent ones).
    lead: async () => {
      runtime.start(config.runIntervalMs);
      await snapshots?.start();
    },
    abdicate: async () => {
      await runtime.stop();
      await snapshots?.stop();
    },
    retryIntervalMs: config.leaseRetryIntervalMs,
    logger,
  });
  telemetry.meter
    .createObservableGauge('mithril_aggregator_leader', { description: '1 while this replica holds the runtime lease and runs the epoch runtime, else 0' })
    .addCallback((result) => result.observe(replica.role === 'leader' ? 1 : 0));
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
          node: replica,
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
    await lease.release();
    await opened.close();
    await telemetry.shutdown();
    throw error;
  }
  await replica.start();
  logger.info(
    { host: config.host, port: running.port, healthPort: running.healthPort, metricsPort: telemetry.metricsPort, role: replica.role },
    'aggregator listening',
  );
  return {
    port: running.port,
    healthPort: running.healthPort,
    metricsPort: telemetry.metricsPort,
    runtime,
    replica,
    store: opened.store,
    logger,
    close: async () => {
      // Requests first (in-flight ones finish), then the runtime: nothing is accepted that is not stored.
      await running.close();
      // Stops the runtime if it leads, then gives the lease up: a follower takes over.
      await replica.stop();
      snapshotter?.close();
      await observer.close();
      await opened.close();
      await telemetry.shutdown();
    },
  };
}

function leaseOf(config: AggregatorConfig, logger: Logger): Lease {
  if (config.leaderElection === 'none') return new NoLease();
  const location = parseStoreUrl(config.storeUrl);
  if (location.dialect === 'sqlite') return new SqliteExclusiveLease(`${location.path}.lease`);
  return new PostgresAdvisoryLease({ connectionString: location.connectionString, checkIntervalMs: config.leaseCheckIntervalMs, logger });
}
