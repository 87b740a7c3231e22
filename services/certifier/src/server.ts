/** The certifier's composition root: configuration in, a running gRPC server out. */
import { createChainObserver, createLogger, startGrpcServer, serverTls, startTelemetry, type Logger, type RunningServer } from '@mithril-ts/service-kit';
import type { CertifierConfig } from './config.js';
import { certifierGrpcService } from './grpc.js';
import { Certifier } from './service.js';
import { importLegacyCounters, openCertifierStore, type PrismaOpcertCounterStore } from './store/index.js';

export const CERTIFIER_VERSION = '0.1.0';

export interface RunningCertifier extends RunningServer {
  readonly store: PrismaOpcertCounterStore;
  readonly metricsPort: number | undefined;
  /** Stops the server (in-flight certifications finish), then closes the store. */
  close(): Promise<void>;
  shutdownTelemetry(): Promise<void>;
}

export async function startCertifier(config: CertifierConfig, options: { readonly logger?: Logger } = {}): Promise<RunningCertifier> {
  const logger = options.logger ?? createLogger('certifier', config.logLevel);
  const { store, migrations } = await openCertifierStore({ url: config.storeUrl });
  let telemetry;
  try {
    telemetry = await startTelemetry('mithril-certifier', CERTIFIER_VERSION, config);
  } catch (error) {
    await store.close();
    throw error;
  }
  // Connects lazily (Ogmios): nothing is held open until a registration comes.
  const observer = createChainObserver(config);
  let running: RunningServer;
  try {
    logger.info({ dialect: store.dialect, applied: migrations.applied }, 'store ready');
    if (config.counterStorePath !== undefined) await importLegacyCounters(config.counterStorePath, store, logger);
    const certifier = new Certifier({
      chain: observer.chain,
      counters: store,
      slotsPerKesPeriod: config.slotsPerKesPeriod,
      tracer: telemetry.tracer,
      meter: telemetry.meter,
      logger,
    });
    running = await startGrpcServer({
      host: config.host,
      port: config.port,
      tls: serverTls(config, 'require'),
      logger,
      healthPort: config.healthPort,
      healthHost: config.healthHost,
      services: [
        certifierGrpcService(
          certifier,
          CERTIFIER_VERSION,
          logger,
          telemetry.tracer,
          config.insecure ? undefined : { methods: 'all', allowedClients: config.allowedClients },
        ),
      ],
    });
  } catch (error) {
    await store.close();
    await telemetry.shutdown();
    throw error;
  }
  logger.info({ host: config.host, port: running.port, healthPort: running.healthPort, metricsPort: telemetry.metricsPort }, 'certifier listening');
  return {
    ...running,
    store,
    metricsPort: telemetry.metricsPort,
    close: async () => {
      await running.close();
      await observer.close();
      await store.close();
    },
    shutdownTelemetry: () => telemetry.shutdown(),
  };
}
