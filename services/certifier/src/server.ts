/** The certifier's composition root: configuration in, a running gRPC server out. */
import {
  CardanoCliFilesChainObserver,
  createLogger,
  startGrpcServer,
  serverTls,
  startTelemetry,
  type Logger,
  type RunningServer,
} from '@mithril-ts/service-kit';
import { JsonFileCounterStore } from './adapters/json-file-counter-store.js';
import type { CertifierConfig } from './config.js';
import { certifierGrpcService } from './grpc.js';
import { Certifier } from './service.js';

export const CERTIFIER_VERSION = '0.1.0';

export async function startCertifier(
  config: CertifierConfig,
  options: { readonly logger?: Logger } = {},
): Promise<RunningServer & { readonly metricsPort: number | undefined; shutdownTelemetry(): Promise<void> }> {
  const logger = options.logger ?? createLogger('certifier', config.logLevel);
  const telemetry = await startTelemetry('mithril-certifier', CERTIFIER_VERSION, config);
  const certifier = new Certifier({
    chain: new CardanoCliFilesChainObserver(config.chainDirectory),
    counters: new JsonFileCounterStore(config.counterStorePath),
    slotsPerKesPeriod: config.slotsPerKesPeriod,
    tracer: telemetry.tracer,
    meter: telemetry.meter,
    logger,
  });
  let running;
  try {
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
    await telemetry.shutdown();
    throw error;
  }
  logger.info({ host: config.host, port: running.port, healthPort: running.healthPort, metricsPort: telemetry.metricsPort }, 'certifier listening');
  return { ...running, metricsPort: telemetry.metricsPort, shutdownTelemetry: () => telemetry.shutdown() };
}
