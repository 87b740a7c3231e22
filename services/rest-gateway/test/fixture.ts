/**
 * Test doubles and data for the REST gateway tests: an aggregator and a signer gateway as small
 * grpc-js servers that record what they receive and answer with values built by the real libs
 * (a certificate chain from the testkit's chain fixture, epoch settings with real STM keys and
 * a KES-certified signer, a Mithril stake distribution, a Cardano database snapshot), and an HTTP
 * client that returns status, headers and raw body.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Server, ServerCredentials, status, type Metadata, type ServerErrorResponse, type ServiceDefinition } from '@grpc/grpc-js';
import {
  ColdSigningKey,
  KesSigningKey,
  certifyMithrilKey,
  issueOperationalCertificate,
  operationalCertificateToCbor,
  poolIdFromColdVerificationKey,
  type OperationalCertificate,
} from '@mithril-ts/cardano';
import { encodeBech32 } from '@mithril-ts/codec';
import * as proto from '@mithril-ts/proto';
import { aggregatorStatusToProto, certificateListItemToProto, certificateToProto, protocolParametersToProto, timestampToProto } from '@mithril-ts/proto';
import {
  cardanoDatabaseSnapshotHash,
  certificateToJson,
  mithrilStakeDistributionHash,
  stakeDistributionSignerPart,
  type Certificate,
  type SignerRecord,
} from '@mithril-ts/protocol';
import { Initializer } from '@mithril-ts/stm';
import { HealthService, type Logger } from '@mithril-ts/service-kit';
import { buildChain, schedule, type ChainFixture } from '@mithril-ts/testkit';
import { restGatewayConfigSchema, startRestGateway, type RestGatewayConfigInput, type RunningRestGateway } from '../src/index.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest();
/** A bech32 pool id for a pool of the chain fixture (its party ids are plain names). */
export const poolIdOf = (name: string) => encodeBech32('pool', sha256(`pool ${name}`).subarray(0, 28));

/** A pool with real Cardano keys whose Mithril key is certified by its KES key. */
export interface CertifiedPool {
  readonly partyId: string;
  readonly initializer: Initializer;
  readonly opcert: OperationalCertificate;
  readonly kesSignature: Uint8Array;
  readonly kesEvolutions: number;
}

const SLOTS_PER_KES_PERIOD = 129_600n;

export function certifiedPool(label: string, stake: bigint): CertifiedPool {
  const cold = ColdSigningKey.fromSeed(sha256(`cold ${label}`));
  const kesKey = KesSigningKey.fromSeed(sha256(`kes ${label}`));
  const opcert = issueOperationalCertificate(cold, kesKey.verificationKey(), 3n, 100n);
  const initializer = Initializer.generate(schedule.at(5n), stake, sha256(`stm ${label}`));
  const certification = certifyMithrilKey({
    kesKey,
    opcert,
    mithrilKey: initializer.verificationKeyPoP.toBytes(),
    slot: 102n * SLOTS_PER_KES_PERIOD + 5n,
    slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
  });
  return {
    partyId: poolIdFromColdVerificationKey(cold.verificationKey()).bech32,
    initializer,
    opcert,
    kesSignature: certification.verificationKeySignature,
    kesEvolutions: certification.kesEvolutions,
  };
}

function signerOf(record: SignerRecord): proto.Signer {
  return { partyId: poolIdOf(record.partyId), verificationKey: Buffer.from(record.verificationKey), stake: record.stake };
}

function certifiedSignerOf(pool: CertifiedPool): proto.Signer {
  return {
    partyId: pool.partyId,
    verificationKey: Buffer.from(pool.initializer.verificationKeyPoP.toBytes()),
    verificationKeySignature: Buffer.from(pool.kesSignature),
    operationalCertificate: Buffer.from(operationalCertificateToCbor(pool.opcert)),
    kesEvolutions: pool.kesEvolutions,
    stake: pool.initializer.stake,
  };
}

/** What the aggregator double serves, built once per test file (the chain takes a few seconds). */
export interface World {
  readonly chain: ChainFixture;
  readonly certifiedPool: CertifiedPool;
  readonly epochSettings: proto.EpochSettings;
  readonly stakeDistribution: proto.MithrilStakeDistribution;
  readonly snapshot: proto.CardanoDatabaseSnapshot;
  readonly digests: proto.ImmutableFileDigest[];
  /** Registration epoch whose signers ListRegisteredSigners knows (recorded for it + 1). */
  readonly registrationEpoch: bigint;
  /** What GetAggregatorStatus answers: the epoch settings' figures, and a mainnet-size stake beyond 2^53. */
  readonly status: proto.AggregatorStatus;
}

export function buildWorld(): World {
  const chain = buildChain({ lastEpoch: 4n });
  const pool = certifiedPool('certified', 2_500_000n);
  const current = chain.recordings.get(3n)!.records;
  const next = chain.recordings.get(4n)!.records;
  const epochSettings: proto.EpochSettings = {
    epoch: 4n,
    currentProtocolParameters: protocolParametersToProto(schedule.at(4n)),
    nextProtocolParameters: protocolParametersToProto(schedule.at(5n)),
    currentSigners: current.map(signerOf),
    nextSigners: [...next.map(signerOf), certifiedSignerOf(pool)],
    signerRegistrationProtocolParameters: protocolParametersToProto(schedule.at(6n)),
  };
  const msdCertificate = chain.certificates.find((c) => c.signedEntityType.kind === 'MithrilStakeDistribution' && c.epoch === 4n)!;
  const stakeDistribution: proto.MithrilStakeDistribution = {
    epoch: 4n,
    hash: mithrilStakeDistributionHash(4n, next.map(stakeDistributionSignerPart)),
    signers: next.map(signerOf),
    protocolParameters: protocolParametersToProto(schedule.at(5n)),
    certificateHash: msdCertificate.hash,
    createdAt: timestampToProto(msdCertificate.metadata.sealedAt + 1_000_000_007n),
  };
  const dbCertificate = chain.certificates.find((c) => c.signedEntityType.kind === 'CardanoDatabase' && c.epoch === 4n)!;
  const beacon = dbCertificate.signedEntityType as { epoch: bigint; immutableFileNumber: bigint };
  const merkleRoot = dbCertificate.protocolMessage.get('cardano_database_merkle_root')!;
  const location = (type: string, uri: string, isTemplate: boolean, compressionAlgorithm: proto.CompressionAlgorithm): proto.ArtifactLocation => ({
    type,
    uri,
    isTemplate,
    compressionAlgorithm,
  });
  const snapshot: proto.CardanoDatabaseSnapshot = {
    hash: cardanoDatabaseSnapshotHash(beacon.epoch, merkleRoot),
    merkleRoot,
    network: 'devnet',
    beacon: { network: 'devnet', epoch: beacon.epoch, immutableFileNumber: beacon.immutableFileNumber },
    certificateHash: dbCertificate.hash,
    totalDbSizeUncompressed: 123_456_789n,
    createdAt: timestampToProto(dbCertificate.metadata.sealedAt + 2_500_000_000n),
    digestsSizeUncompressed: 4_096n,
    digestsLocations: [
      location(
        'aggregator',
        'http://aggregator.example/artifact/cardano-database/digests',
        false,
        proto.CompressionAlgorithm.COMPRESSION_ALGORITHM_UNSPECIFIED,
      ),
    ],
    immutablesAverageSizeUncompressed: 1_048_576n,
    immutablesLocations: [
      location('cloud_storage', 'https://cdn.example/devnet/{immutable_file_number}.tar.zst', true, proto.CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD),
      // Not a template: the reference's shape has no place for it.
      location('cloud_storage', 'https://cdn.example/devnet/all.tar.zst', false, proto.CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD),
    ],
    fullArchiveSizeUncompressed: 123_456_789n,
    fullArchiveLocations: [location('cloud_storage', 'https://cdn.example/devnet/full.tar.zst', false, proto.CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD)],
    fullArchiveSize: 45_678_901n,
    ancillarySizeUncompressed: 2_345_678n,
    ancillaryLocations: [
      location('cloud_storage', 'https://cdn.example/devnet/ancillary.tar.zst', false, proto.CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD),
    ],
    ancillarySize: 1_234_567n,
    ancillarySha256: 'ab'.repeat(32),
    fullArchiveSha256: 'ab'.repeat(32),
    compressionAlgorithm: proto.CompressionAlgorithm.COMPRESSION_ALGORITHM_ZSTD,
    cardanoNodeVersion: '10.1.4',
  };
  const digests = ['chunk', 'primary', 'secondary'].flatMap((ext) =>
    [109n, 110n].map((n) => ({ immutableFileName: `${String(n).padStart(5, '0')}.${ext}`, digest: sha256(`${n}.${ext}`).toString('hex') })),
  );
  const tally = (signers: readonly proto.Signer[]) => ({ count: BigInt(signers.length), stake: signers.reduce((sum, signer) => sum + signer.stake, 0n) });
  const status = aggregatorStatusToProto({
    epoch: epochSettings.epoch,
    cardanoEra: 'Conway',
    cardanoNetwork: 'devnet',
    mithrilEra: 'pythagoras',
    cardanoNodeVersion: '10.1.4',
    aggregatorNodeVersion: '0.1.0',
    currentParameters: schedule.at(4n),
    nextParameters: schedule.at(5n),
    currentSigners: tally(epochSettings.currentSigners),
    nextSigners: tally(epochSettings.nextSigners),
    cardanoStake: { count: 3_012n, stake: 22_000_000_000_000_001n },
  });
  return { chain, certifiedPool: pool, epochSettings, stakeDistribution, snapshot, digests, registrationEpoch: 3n, status };
}

type Callback = (error: ServerErrorResponse | null, response?: unknown) => void;
interface Call<T> {
  readonly request: T;
  readonly metadata: Metadata;
  getDeadline(): Date | number;
}

/** A grpc-js server recording each call (method, request, metadata, deadline) and answering as told. */
abstract class GrpcDouble {
  readonly calls: { method: string; request: unknown; metadata: Metadata; deadline: number }[] = [];
  /** The next call of a method fails with this error (consumed once). */
  readonly failures = new Map<string, ServerErrorResponse>();
  private readonly server = new Server();
  port = 0;
  /** The double's grpc.health.v1 (the kit's, as the real services host it); every name SERVING until a test says otherwise. */
  readonly health = new HealthService({ '': 'SERVING' });

  protected abstract implementation(): Record<string, (request: never) => unknown>;
  protected abstract readonly service: ServiceDefinition;

  async start(): Promise<this> {
    const handlers: Record<string, (call: Call<unknown>, callback: Callback) => void> = {};
    for (const [method, answer] of Object.entries(this.implementation())) {
      handlers[method] = (call, callback) => {
        this.calls.push({ method, request: call.request, metadata: call.metadata, deadline: Number(call.getDeadline()) });
        const failure = this.failures.get(method);
        if (failure !== undefined) {
          this.failures.delete(method);
          return callback(failure);
        }
        try {
          callback(null, (answer as (request: unknown) => unknown)(call.request));
        } catch (error) {
          callback(error as ServerErrorResponse);
        }
      };
    }
    this.server.addService(this.service, handlers);
    const [first] = Object.values(this.service);
    this.health.setStatus(first!.path.split('/')[1]!, 'SERVING');
    this.health.addToServer(this.server);
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    return this;
  }

  callsOf(method: string) {
    return this.calls.filter((call) => call.method === method);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }
}

const notFound = (code: proto.ErrorCode, message: string) => proto.createServiceError({ code, message });

export class AggregatorDouble extends GrpcDouble {
  protected readonly service = proto.AggregatorServiceService;
  /** Methods that answer UNIMPLEMENTED, as the snapshot RPCs did before they were wired. */
  readonly unimplemented = new Set<string>();
  /** Certificates served with a content that does not match their hash (a faulty or lying upstream). */
  readonly tampered = new Set<string>();

  /** What GetAggregatorStatus answers; a test may replace it (e.g. with a malformed one) and put it back. */
  status: proto.AggregatorStatus;

  /** Whether the reference JSON form is answered when asked for (as an aggregator of this version does), or only the message (as an older one). */
  answersJson = true;

  constructor(readonly world: World) {
    super();
    this.status = world.status;
  }

  private certificateAnswer(certificate: Certificate, form: proto.CertificateForm) {
    return form === proto.CertificateForm.CERTIFICATE_FORM_REFERENCE_JSON && this.answersJson
      ? { certificate: undefined, certificateJson: certificateToJson(certificate) }
      : { certificate: certificateToProto(certificate), certificateJson: '' };
  }

  protected implementation() {
    const { chain, epochSettings, stakeDistribution, snapshot, digests } = this.world;
    const newestFirst = [...chain.certificates].reverse();
    const unimplemented = (method: string) => {
      if (this.unimplemented.has(method))
        throw Object.assign(new Error(`${method} is not implemented`), { code: status.UNIMPLEMENTED, details: `${method} is not implemented` });
    };
    return {
      getEpochSettings: () => ({ epochSettings }),
      getProtocolParameters: (request: proto.GetProtocolParametersRequest) => {
        if (request.epoch > 100n) throw notFound(proto.ErrorCode.ERROR_CODE_UNKNOWN_EPOCH, `epoch ${request.epoch} is unknown`);
        return { protocolParameters: protocolParametersToProto(schedule.at(request.epoch)) };
      },
      listCertificates: (request: proto.ListCertificatesRequest) => ({
        certificates: newestFirst.slice(0, request.pageSize || 20).map((certificate) => certificateListItemToProto(certificate)),
        nextPageToken: '',
      }),
      getCertificate: (request: proto.GetCertificateRequest) => {
        const certificate = chain.byHash.get(request.hash);
        if (certificate === undefined) throw notFound(proto.ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND, `no certificate ${request.hash}`);
        const served = this.tampered.has(request.hash) ? { ...certificate, epoch: certificate.epoch + 1n } : certificate;
        return this.certificateAnswer(served, request.form);
      },
      getGenesisCertificate: (request: proto.GetGenesisCertificateRequest) => this.certificateAnswer(chain.certificates[0]!, request.form),
      listMithrilStakeDistributions: () => ({
        mithrilStakeDistributions: [
          {
            epoch: stakeDistribution.epoch,
            hash: stakeDistribution.hash,
            certificateHash: stakeDistribution.certificateHash,
            createdAt: stakeDistribution.createdAt,
          },
        ],
        nextPageToken: '',
      }),
      getMithrilStakeDistribution: (request: proto.GetMithrilStakeDistributionRequest) => {
        if (request.hash !== stakeDistribution.hash) throw notFound(proto.ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND, `no stake distribution ${request.hash}`);
        return { mithrilStakeDistribution: stakeDistribution };
      },
      listRegisteredSigners: (request: proto.ListRegisteredSignersRequest) => {
        const records = chain.recordings.get(request.epoch)?.records ?? [];
        return { epoch: request.epoch, signers: records.map(signerOf) };
      },
      listCardanoDatabaseSnapshots: (request: proto.ListCardanoDatabaseSnapshotsRequest) => {
        unimplemented('listCardanoDatabaseSnapshots');
        return { snapshots: request.epoch === undefined || request.epoch === snapshot.beacon!.epoch ? [snapshot] : [], nextPageToken: '' };
      },
      getCardanoDatabaseSnapshot: (request: proto.GetCardanoDatabaseSnapshotRequest) => {
        unimplemented('getCardanoDatabaseSnapshot');
        if (request.hash !== snapshot.hash) throw notFound(proto.ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND, `no snapshot ${request.hash}`);
        return { snapshot };
      },
      getAggregatorStatus: () => {
        unimplemented('getAggregatorStatus');
        return { status: this.status };
      },
      getCardanoDatabaseDigests: () => {
        unimplemented('getCardanoDatabaseDigests');
        return { hash: snapshot.hash, digests };
      },
    };
  }
}

export class SignerGatewayDouble extends GrpcDouble {
  protected readonly service = proto.SignerGatewayServiceService;
  signatureStatus = proto.SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_ACCEPTED;

  protected implementation() {
    return {
      registerSigner: (request: proto.SignerGatewayServiceRegisterSignerRequest) => ({
        signer: { partyId: request.registration!.partyId, stake: 1n, epoch: request.registration!.epoch },
      }),
      registerSignature: () => ({ status: this.signatureStatus }),
    };
  }
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body as received, read as UTF-8 (compressed bodies: see `raw`). */
  readonly body: string;
  readonly raw: Buffer;
}

/** One HTTP request with exactly the headers given (browsers' Origin included), body as sent. */
export function http(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method, path, headers: options.headers ?? {}, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: raw.toString('utf8'), raw });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    if (options.body !== undefined) request.write(options.body);
    request.end();
  });
}

/** A REST gateway in front of the doubles: plaintext, a port of its own, silent, with `extra` settings on top. */
export function startGatewayInFront(
  doubles: { readonly aggregator: AggregatorDouble; readonly signerGateway: SignerGatewayDouble },
  extra: Partial<RestGatewayConfigInput> = {},
  options: { readonly logger?: Logger } = {},
): Promise<RunningRestGateway> {
  const config = restGatewayConfigSchema.parse({
    insecure: true,
    port: 0,
    aggregatorAddress: `127.0.0.1:${doubles.aggregator.port}`,
    signerGatewayAddress: `127.0.0.1:${doubles.signerGateway.port}`,
    logLevel: 'silent',
    ...extra,
  });
  return startRestGateway(config, options);
}
