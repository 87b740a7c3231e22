/**
 * Cardano database snapshots: once a CardanoDatabase certificate is sealed, the snapshotter
 * archives the certified immutable files (checking they have the certified Merkle root) and the
 * aggregator records where they are. A creation that fails (snapshotter down, still archiving) is
 * retried until it succeeds; the certificate does not wait for it. A refusal that no retry can change
 * (the snapshotter finds that the certificate does not certify those files) is logged and dropped.
 */
import type { ChannelCredentials, Metadata, ServiceError } from '@grpc/grpc-js';
import { trace, type Tracer } from '@opentelemetry/api';
import {
  CardanoDatabaseSnapshot as CardanoDatabaseSnapshotMessage,
  ErrorCode,
  SnapshotterServiceClient,
  readErrorDetail,
  setVersionMetadata,
  type CardanoDatabaseSnapshot,
  type CardanoDbBeacon,
  type ImmutableFileDigest,
} from '@mithril-ts/proto';
import { PROTOCOL_VERSION, certificateHeadFromJson, type CertificateHead } from '@mithril-ts/protocol';
import { clientTracingInterceptor, describeConnectionFailure, type Logger } from '@mithril-ts/service-kit';
import type { AggregatorStore } from './store/index.js';

/**
 * The snapshotter refused the snapshot for good: its answer depends only on the certificate and the
 * immutable files, which do not change, so retrying would repeat the refusal forever.
 */
export class SnapshotRefusedError extends Error {
  override readonly name = 'SnapshotRefusedError';
}

/** What the aggregator asks of a snapshotter. */
export interface Snapshotter {
  createSnapshot(beacon: CardanoDbBeacon, merkleRoot: string, certificateHash: string): Promise<CardanoDatabaseSnapshot>;
  listImmutableFileDigests(beacon: CardanoDbBeacon): Promise<ImmutableFileDigest[]>;
  close(): void;
}

export class GrpcSnapshotter implements Snapshotter {
  readonly #client: SnapshotterServiceClient;

  readonly #nodeVersion: string;
  readonly #createDeadlineMs: number;
  readonly #readDeadlineMs: number;

  constructor(options: {
    readonly address: string;
    /** TLS towards the snapshotter (the kit's channelCredentials: the aggregator's client certificate), or plaintext when insecure. */
    readonly credentials: ChannelCredentials;
    readonly nodeVersion: string;
    /** Deadline of a snapshot creation: archiving a large database takes minutes. */
    readonly createDeadlineMs: number;
    /** Deadline of the reads (digests lists); 30 s by default. */
    readonly readDeadlineMs?: number;
    /** Each call is a client span, child of the active one (the global provider's tracer by default, as startTelemetry's). */
    readonly tracer?: Tracer;
  }) {
    const { address, tracer = trace.getTracer('mithril-aggregator') } = options;
    this.#nodeVersion = options.nodeVersion;
    this.#createDeadlineMs = options.createDeadlineMs;
    this.#readDeadlineMs = options.readDeadlineMs ?? 30_000;
    this.#client = new SnapshotterServiceClient(address, options.credentials, {
      'grpc.max_receive_message_length': 256 * 1024 * 1024,
      interceptors: [clientTracingInterceptor(tracer)],
    });
  }

  #metadata(): Metadata {
    return setVersionMetadata({ nodeVersion: this.#nodeVersion, protocolVersion: PROTOCOL_VERSION });
  }

  createSnapshot(beacon: CardanoDbBeacon, merkleRoot: string, certificateHash: string): Promise<CardanoDatabaseSnapshot> {
    return new Promise((resolve, reject) => {
      this.#client.createSnapshot(
        { beacon, digest: merkleRoot, certificateHash, compressionAlgorithm: 0 },
        this.#metadata(),
        { deadline: Date.now() + this.#createDeadlineMs },
        (error, response) => {
          if (error) return reject(describe('CreateSnapshot', error));
          if (response.cardanoDatabaseSnapshot === undefined) return reject(new Error('the snapshotter answered without a Cardano database snapshot'));
          resolve(response.cardanoDatabaseSnapshot);
        },
      );
    });
  }

  listImmutableFileDigests(beacon: CardanoDbBeacon): Promise<ImmutableFileDigest[]> {
    return new Promise((resolve, reject) => {
      this.#client.listImmutableFileDigests({ beacon }, this.#metadata(), { deadline: Date.now() + this.#readDeadlineMs }, (error, response) => {
        if (error) return reject(describe('ListImmutableFileDigests', error));
        resolve(response.digests);
      });
    });
  }

  close(): void {
    this.#client.close();
  }
}

function describe(call: string, error: ServiceError): Error {
  const detail = readErrorDetail(error);
  if (detail?.code === ErrorCode.ERROR_CODE_CERTIFICATE_MISMATCH)
    return new SnapshotRefusedError(`snapshotter ${call} refused: ${detail.message}`, { cause: error });
  return new Error(`snapshotter ${call}: ${detail?.message ?? describeConnectionFailure(error) ?? error.details ?? error.message}`, { cause: error });
}

/** Makes the snapshot of every CardanoDatabase certificate, retrying the failed ones. */
export class SnapshotProducer {
  readonly #pending = new Map<string, CertificateHead>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: AggregatorStore,
    private readonly snapshotter: Snapshotter,
    private readonly network: string,
    private readonly logger: Logger,
    private readonly retryIntervalMs: number,
  ) {}

  /** Queues the recent CardanoDatabase certificates without a snapshot (after a restart), then runs. */
  async start(recent = 20): Promise<void> {
    for (const record of await this.store.certificates.latestOfKind('CardanoDatabase', { limit: recent })) {
      if ((await this.store.cardanoDatabaseSnapshots.ofCertificate(record.hash)) === null) this.#pending.set(record.hash, certificateHeadFromJson(record.json));
    }
    const loop = () => {
      this.#running = this.#drain().finally(() => {
        if (this.#timer !== undefined) this.#timer = setTimeout(loop, this.retryIntervalMs);
      });
    };
    this.#timer = setTimeout(loop, 0);
  }

  onCertificate(certificate: CertificateHead): void {
    if (certificate.signedEntityType.kind !== 'CardanoDatabase' || certificate.previousHash === '') return;
    this.#pending.set(certificate.hash, certificate);
  }

  /** Stops producing (the snapshotter stays open: a replica that stops leading still serves digests through it). */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  async #drain(): Promise<void> {
    for (const [hash, certificate] of [...this.#pending]) {
      if (this.#timer === undefined) return;
      const type = certificate.signedEntityType;
      if (type.kind !== 'CardanoDatabase') continue;
      const merkleRoot = certificate.protocolMessage.get('cardano_database_merkle_root');
      if (merkleRoot === undefined) {
        this.#pending.delete(hash);
        continue;
      }
      try {
        const snapshot = await this.snapshotter.createSnapshot(
          { network: this.network, epoch: type.epoch, immutableFileNumber: type.immutableFileNumber },
          merkleRoot,
          hash,
        );
        await this.store.cardanoDatabaseSnapshots.save({
          hash: snapshot.hash,
          epoch: type.epoch,
          immutableFileNumber: type.immutableFileNumber,
          merkleRoot,
          certificateHash: hash,
          content: CardanoDatabaseSnapshotMessage.encode(snapshot).finish(),
          createdAt: new Date(),
        });
        this.#pending.delete(hash);
        this.logger.info({ hash: snapshot.hash, immutableFileNumber: String(type.immutableFileNumber) }, 'stored a Cardano database snapshot');
      } catch (error) {
        if (error instanceof SnapshotRefusedError) {
          this.#pending.delete(hash);
          this.logger.error({ err: error, certificate: hash }, 'the snapshotter refused this certificate for good; no snapshot for it');
          continue;
        }
        this.logger.warn({ err: error, certificate: hash }, 'snapshot creation failed; retrying later');
      }
    }
  }
}
