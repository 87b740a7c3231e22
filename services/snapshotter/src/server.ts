/**
 * The snapshotter's composition root: configuration in; the store (migrated), the digest cache,
 * the artifact storage, the download server (local storage) and the gRPC server out.
 */
import { dirname, join } from 'node:path';
import { AncillarySigner, ProtocolError, decodeAncillaryKey } from '@mithril-ts/protocol';
import {
  ConfigError,
  channelCredentials,
  createLogger,
  readSecretFileSync,
  startGrpcServer,
  serverTls,
  startTelemetry,
  type Logger,
} from '@mithril-ts/service-kit';
import { AggregatorCertificates } from './aggregator-client.js';
import { snapshotterConfigSchema, type SnapshotterConfigInput } from './config.js';
import { JsonFileDigestCache } from './digest-cache/json-file.js';
import { MemoryDigestCache } from './digest-cache/memory.js';
import type { DigestCache } from './digest-cache/port.js';
import { CachedImmutableDigester } from './digester.js';
import { snapshotterGrpcService } from './grpc.js';
import { startDownloadServer, type DownloadServer } from './http/download-server.js';
import { Snapshotter } from './snapshotter.js';
import { LocalDirectoryStorage } from './storage/local-directory.js';
import type { ArtifactStorage } from './storage/port.js';
import { S3Storage } from './storage/s3.js';
import { openSnapshotStore } from './store/open.js';

export const SNAPSHOTTER_VERSION = '0.1.0';
/**
 * Bound on a request's size: every snapshotter request is a beacon, a digest and a certificate hash
 * (a few hundred bytes); anything bigger is refused by gRPC before it is decoded.
 */
export const SNAPSHOTTER_MAX_REQUEST_BYTES = 64 * 1024;

export interface RunningSnapshotter {
  readonly grpcPort: number;
  /** Bound ports of the plaintext health server and the Prometheus endpoint, when configured. */
  readonly healthPort: number | undefined;
  readonly metricsPort: number | undefined;
  /** Port of the download server; undefined with S3 storage (downloads come from the bucket). */
  readonly httpPort: number | undefined;
  readonly snapshotter: Snapshotter;
  readonly storage: ArtifactStorage;
  close(): Promise<void>;
}

export async function startSnapshotter(input: SnapshotterConfigInput, options: { readonly logger?: Logger } = {}): Promise<RunningSnapshotter> {
  const parsed = snapshotterConfigSchema.safeParse(input);
  if (!parsed.success)
    throw new ConfigError(
      `invalid configuration: ${parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'configuration')}: ${issue.message}`).join('; ')}`,
    );
  const config = parsed.data;
  const logger = options.logger ?? createLogger('snapshotter', config.logLevel);
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const opened = await openSnapshotStore({ url: config.storePath });
    closers.push(() => opened.close());
    if (opened.migrationsApplied.length > 0) logger.info({ migrations: opened.migrationsApplied }, 'snapshotter store migrated');

    const cache: DigestCache =
      config.digestCache === 'sqlite'
        ? opened.store.digestCache()
        : config.digestCache === 'json'
          ? new JsonFileDigestCache(config.digestCachePath as string)
          : new MemoryDigestCache();

    let storage: ArtifactStorage;
    let download: DownloadServer | undefined;
    if (config.storage === 'local') {
      const directory = config.storageDirectory as string;
      // The download server serves the directory whatever URL the artifacts advertise.
      download = await startDownloadServer({ host: config.httpHost, port: config.httpPort, storage: new LocalDirectoryStorage(directory, ''), logger });
      closers.push(() => download?.close());
      storage = new LocalDirectoryStorage(directory, config.publicUrl ?? download.baseUrl);
    } else {
      const s3 = new S3Storage({
        endpoint: config.s3Endpoint,
        region: config.s3Region,
        bucket: config.s3Bucket as string,
        accessKeyId: config.s3AccessKeyId,
        secretAccessKey: config.s3SecretAccessKey,
        forcePathStyle: config.s3ForcePathStyle,
        keyPrefix: config.s3KeyPrefix,
        publicBaseUrl: config.publicUrl,
        partSizeBytes: config.s3PartSizeBytes,
      });
      closers.push(() => s3.close());
      storage = s3;
    }

    // Spans are exported where OTEL_EXPORTER_OTLP_ENDPOINT says; without it the tracer is a no-op.
    const telemetry = await startTelemetry('mithril-snapshotter', SNAPSHOTTER_VERSION, config);
    closers.push(() => telemetry.shutdown());
    const certificates = new AggregatorCertificates({
      address: config.aggregatorAddress,
      credentials: channelCredentials(config),
      deadlineMs: config.aggregatorDeadlineMs,
      nodeVersion: SNAPSHOTTER_VERSION,
      tracer: telemetry.tracer,
    });
    closers.push(() => certificates.close());
    const ancillary =
      config.ancillarySigningKeyFile === undefined
        ? undefined
        : {
            signer: readAncillarySigner(config.ancillarySigningKeyFile, config.allowInsecureKeyPermissions),
            ledgerDirectory: config.ledgerDirectory ?? join(dirname(config.immutableDirectory), 'ledger'),
          };
    const snapshotter = new Snapshotter({
      network: config.network,
      digester: new CachedImmutableDigester(config.immutableDirectory, cache),
      store: opened.store,
      storage,
      certificates,
      defaultCompression: config.compression,
      cardanoNodeVersion: config.cardanoNodeVersion,
      keepSnapshots: config.keepSnapshots,
      logger,
      meter: telemetry.meter,
      ...(ancillary === undefined ? {} : { ancillary }),
    });
    const grpc = await startGrpcServer({
      host: config.host,
      port: config.grpcPort,
      maxReceiveBytes: SNAPSHOTTER_MAX_REQUEST_BYTES,
      tls: serverTls(config, 'require'),
      logger,
      healthPort: config.healthPort,
      healthHost: config.healthHost,
      services: [
        snapshotterGrpcService(
          snapshotter,
          storage,
          SNAPSHOTTER_VERSION,
          logger,
          telemetry.tracer,
          config.insecure ? undefined : { methods: 'all', allowedClients: config.allowedClients },
        ),
      ],
    });
    closers.push(() => grpc.close());
    logger.info(
      {
        host: config.host,
        grpcPort: grpc.port,
        httpPort: download?.port,
        healthPort: grpc.healthPort,
        metricsPort: telemetry.metricsPort,
        storage: config.storage,
        digestCache: config.digestCache,
      },
      'snapshotter listening',
    );
    return { grpcPort: grpc.port, healthPort: grpc.healthPort, metricsPort: telemetry.metricsPort, httpPort: download?.port, snapshotter, storage, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The ancillary signer of a secret key file (checked like every secret file: owner-only unless allowed). */
function readAncillarySigner(path: string, allowInsecurePermissions: boolean): AncillarySigner {
  const bytes = readSecretFileSync(path, { allowInsecurePermissions });
  const text = bytes.toString('utf8');
  bytes.fill(0);
  try {
    return AncillarySigner.fromSecretKey(decodeAncillaryKey(text, 'secret'));
  } catch (error) {
    if (error instanceof ProtocolError) throw new ConfigError(`ancillarySigningKeyFile ${path}: ${error.message}`);
    throw error;
  }
}
