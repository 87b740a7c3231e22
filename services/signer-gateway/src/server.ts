/** The signer gateway's composition root: configuration in, a running gRPC server out. */
import type { Meter, Tracer } from '@opentelemetry/api';
import {
  GroupedMicroBatcher,
  channelCredentials,
  createLogger,
  startGrpcServer,
  serverTls,
  startTelemetry,
  type Logger,
  type RunningServer,
} from '@mithril-ts/service-kit';
import { EpochKeyCache } from '@mithril-ts/protocol';
import type { SignerGatewayConfig } from './config.js';
import { EpochSettingsCache } from './epoch-settings-cache.js';
import { SignerGateway, type SignatureBatcher } from './gateway.js';
import { signerGatewayGrpcService } from './grpc.js';
import { RateLimiter } from './rate-limiter.js';
import { RecentSignatures } from './recent-signatures.js';
import { GrpcAggregator, GrpcCertifier } from './upstream.js';

export const SIGNER_GATEWAY_VERSION = '0.1.0';
/** Registrations and signatures are a few kilobytes; nothing bigger has a reason to come in. */
export const MAX_REQUEST_BYTES = 256 * 1024;

/** Replaces what the configuration would build (tests observe spans and metrics this way). */
export interface SignerGatewayOverrides {
  readonly tracer?: Tracer;
  readonly meter?: Meter;
  readonly logger?: Logger;
}

export interface RunningSignerGateway extends RunningServer {
  readonly gateway: SignerGateway;
  /** Bound port of the Prometheus endpoint, when configured. */
  readonly metricsPort: number | undefined;
  shutdownTelemetry(): Promise<void>;
}

export async function startSignerGateway(config: SignerGatewayConfig, overrides: SignerGatewayOverrides = {}): Promise<RunningSignerGateway> {
  const logger = overrides.logger ?? createLogger('signer-gateway', config.logLevel);
  const telemetry = await startTelemetry('mithril-signer-gateway', SIGNER_GATEWAY_VERSION, config);
  const tracer = overrides.tracer ?? telemetry.tracer;
  const meter = overrides.meter ?? telemetry.meter;
  // One credentials object for both peers: its certificate files are re-read for new connections.
  const credentials = channelCredentials(config);
  const certifier = new GrpcCertifier({
    address: config.certifierAddress,
    credentials,
    deadlineMs: config.certifierDeadlineMs,
    nodeVersion: SIGNER_GATEWAY_VERSION,
    tracer,
    logger,
  });
  const aggregator = new GrpcAggregator({
    address: config.aggregatorAddress,
    credentials,
    deadlineMs: config.aggregatorDeadlineMs,
    nodeVersion: SIGNER_GATEWAY_VERSION,
    tracer,
    logger,
  });
  // One BLS check costs two pairings; a round's signatures come in a burst: each group (one signer
  // set, one message) is checked with one pairing product, a failing one bisected to name every bad signature.
  const batcher: SignatureBatcher = new GroupedMicroBatcher({
    windowMs: config.batchWindowMs,
    maxBatch: config.batchMaxSignatures,
    process: ({ clerk, message }, signatures) => clerk.verifySingleSignatures(signatures, message),
    groupSizes: meter.createHistogram('mithril_signer_gateway_verification_batch_size', {
      description: 'Single signatures verified together in one pairing product',
      advice: { explicitBucketBoundaries: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] },
    }),
  });
  const keys = new EpochKeyCache(config.rateLimitMaxPools * 3);
  const epochSettings = new EpochSettingsCache({
    ttlMs: config.epochSettingsTtlMs,
    keys,
    // Shared by every caller waiting for it: it belongs to the trace of the first, without its deadline.
    fetch: (trace) => aggregator.getEpochSettings({ trace }),
  });
  const gateway = new SignerGateway({
    certifier,
    aggregator,
    registrationLimiter: new RateLimiter({
      ratePerSecond: config.registrationRatePerSecond,
      burst: config.registrationBurst,
      maxKeys: config.rateLimitMaxPools,
    }),
    signatureLimiter: new RateLimiter({ ratePerSecond: config.signatureRatePerSecond, burst: config.signatureBurst, maxKeys: config.rateLimitMaxPools }),
    epochSettings,
    keys,
    recent: new RecentSignatures(),
    batcher,
    meter,
    logger,
  });
  let running;
  try {
    running = await startGrpcServer({
      host: config.host,
      port: config.port,
      tls: serverTls(config, 'none'),
      logger,
      services: [signerGatewayGrpcService(gateway, SIGNER_GATEWAY_VERSION, tracer)],
      maxReceiveBytes: MAX_REQUEST_BYTES,
      healthPort: config.healthPort,
      healthHost: config.healthHost,
    });
  } catch (error) {
    certifier.close();
    aggregator.close();
    await telemetry.shutdown();
    throw error;
  }
  // The settings are also kept fresh between requests: closing a new epoch's signer set (seconds
  // for thousands of signers: every key is decoded and its PoP checked) then happens when the
  // epoch starts, not on the round's first signature with every other signature behind it.
  // Refreshing more often than the TTL would do nothing (fresh settings are reused).
  const keepFresh = setInterval(
    () => {
      epochSettings.current().catch((error: unknown) => logger.debug({ err: error }, 'background refresh of the epoch settings failed'));
    },
    Math.max(config.epochSettingsRefreshMs, config.epochSettingsTtlMs),
  );
  keepFresh.unref();
  logger.info(
    {
      host: config.host,
      port: running.port,
      healthPort: running.healthPort,
      metricsPort: telemetry.metricsPort,
      certifier: config.certifierAddress,
      aggregator: config.aggregatorAddress,
    },
    'signer gateway listening',
  );
  return {
    ...running,
    gateway,
    metricsPort: telemetry.metricsPort,
    async close() {
      clearInterval(keepFresh);
      await running.close();
      await batcher.drain();
      certifier.close();
      aggregator.close();
    },
    shutdownTelemetry: () => telemetry.shutdown(),
  };
}
