/**
 * The generated grpc-js services and clients, the version metadata and the typed errors, end to end over
 * a loopback connection.
 */
import {
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  AggregatorServiceClient,
  AggregatorServiceService,
  createServiceError,
  ErrorCode,
  missingVersionMetadataKeys,
  readErrorDetail,
  readVersionMetadata,
  setVersionMetadata,
  type AggregatorServiceServer,
  type Certificate,
  type GetEpochSettingsRequest,
  type GetEpochSettingsResponse,
  type WatchCertificatesRequest,
  type WatchCertificatesResponse,
} from '../src/index.js';

const SERVER_VERSIONS = { nodeVersion: '0.9.0', protocolVersion: '0.1.0' };
const U64_MAX = 2n ** 64n - 1n;

const CERTIFICATE: Certificate = {
  hash: 'ab'.repeat(32),
  previousHash: 'cd'.repeat(32),
  epoch: U64_MAX,
  signedEntityType: { entity: { $case: 'cardanoDatabase', value: { epoch: 7n, immutableFileNumber: 1728n } } },
  metadata: {
    network: 'devnet',
    protocolVersion: '0.1.0',
    protocolParameters: { k: 5n, m: 100n, phiF: 0.65 },
    initiatedAt: { seconds: 1_700_000_000n, nanos: 123_456_789 },
    sealedAt: { seconds: 1_700_000_001n, nanos: 1 },
    signers: [{ partyId: 'pool1…', stake: 42n }],
  },
  protocolMessage: { parts: [{ key: 'current_epoch', value: '7' }] },
  signedMessage: 'ef'.repeat(32),
  aggregateVerificationKey: Buffer.from([1, 2, 3]),
  signature: { $case: 'multiSignature', value: Buffer.from([4, 5, 6]) },
};

/** Rejects calls without version metadata or with another protocol major.minor; stamps its own versions. */
function checkVersions(call: { metadata: Metadata; sendMetadata(metadata: Metadata): void }): ServiceError | undefined {
  call.sendMetadata(setVersionMetadata(SERVER_VERSIONS));
  const received = readVersionMetadata(call.metadata);
  const missing = missingVersionMetadataKeys(received);
  if (missing.length > 0) {
    return createServiceError({
      code: ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA,
      message: `missing metadata: ${missing.join(', ')}`,
    }) as ServiceError;
  }
  if (!received.protocolVersion?.startsWith('0.1.')) {
    return createServiceError({
      code: ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION,
      message: `protocol ${received.protocolVersion} is not supported`,
      metadata: { supported_protocol_versions: '0.1' },
    }) as ServiceError;
  }
  return undefined;
}

const unimplemented = (_call: unknown, callback: sendUnaryData<never>): void => callback({ code: status.UNIMPLEMENTED, details: 'not in this test' });

const implementation: AggregatorServiceServer = {
  getEpochSettings(call: ServerUnaryCall<GetEpochSettingsRequest, GetEpochSettingsResponse>, callback) {
    const error = checkVersions(call);
    if (error) return callback(error);
    callback(null, { epochSettings: { epoch: U64_MAX, currentSigners: [], nextSigners: [] } });
  },
  watchCertificates(call: ServerWritableStream<WatchCertificatesRequest, WatchCertificatesResponse>) {
    const error = checkVersions(call);
    if (error) return void call.emit('error', error);
    call.write({ certificate: CERTIFICATE });
    call.write({ certificate: { ...CERTIFICATE, epoch: 8n, signature: { $case: 'genesisSignature', value: Buffer.alloc(64, 7) } } });
    call.end();
  },
  getProtocolParameters: unimplemented,
  listCertificates: unimplemented,
  getCertificate: unimplemented,
  getGenesisCertificate: unimplemented,
  listSnapshots: unimplemented,
  getSnapshot: unimplemented,
  listMithrilStakeDistributions: unimplemented,
  getMithrilStakeDistribution: unimplemented,
  listRegisteredSigners: unimplemented,
  listCardanoDatabaseSnapshots: unimplemented,
  getCardanoDatabaseSnapshot: unimplemented,
  getCardanoDatabaseDigests: unimplemented,
  getAggregatorStatus: unimplemented,
  registerSigner: unimplemented,
  registerSignatures: unimplemented,
};

let server: Server;
let client: AggregatorServiceClient;

beforeAll(async () => {
  server = new Server();
  server.addService(AggregatorServiceService, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, boundPort) => (error ? reject(error) : resolve(boundPort))),
  );
  client = new AggregatorServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  server.forceShutdown();
});

function getEpochSettings(metadata: Metadata): Promise<{ response: GetEpochSettingsResponse; serverMetadata: Metadata }> {
  return new Promise((resolve, reject) => {
    let serverMetadata = new Metadata();
    const call = client.getEpochSettings({}, metadata, (error, response) => (error ? reject(error) : resolve({ response: response!, serverMetadata })));
    call.on('metadata', (received: Metadata) => (serverMetadata = received));
  });
}

describe('AggregatorService over gRPC', () => {
  it('serves a request carrying version metadata, answers with its own versions, keeps uint64 exact', async () => {
    const { response, serverMetadata } = await getEpochSettings(setVersionMetadata({ nodeVersion: '0.3.1', protocolVersion: '0.1.4' }));
    expect(response.epochSettings?.epoch).toBe(U64_MAX);
    expect(readVersionMetadata(serverMetadata)).toEqual(SERVER_VERSIONS);
  });

  it('rejects a request without version metadata with a typed error', async () => {
    const error = (await getEpochSettings(new Metadata()).catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(readErrorDetail(error)).toEqual({
      code: ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA,
      message: 'missing metadata: mithril-node-version, mithril-protocol-version',
      metadata: {},
    });
  });

  it('rejects an incompatible protocol version with a typed error', async () => {
    const metadata = setVersionMetadata({ nodeVersion: '1.0.0', protocolVersion: '0.2.0' });
    const error = (await getEpochSettings(metadata).catch((caught: unknown) => caught)) as ServiceError;
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.details).toBe('protocol 0.2.0 is not supported');
    expect(readErrorDetail(error)).toEqual({
      code: ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION,
      message: 'protocol 0.2.0 is not supported',
      metadata: { supported_protocol_versions: '0.1' },
    });
  });

  it('streams certificates with nanosecond timestamps and both signature kinds', async () => {
    const stream = client.watchCertificates({ signedEntityKinds: [] }, setVersionMetadata({ nodeVersion: '0.3.1', protocolVersion: '0.1.0' }));
    const received: WatchCertificatesResponse[] = [];
    for await (const message of stream) received.push(message as WatchCertificatesResponse);
    expect(received.map((message) => message.certificate?.signature?.$case)).toEqual(['multiSignature', 'genesisSignature']);
    expect(received[0]?.certificate).toEqual(CERTIFICATE);
    expect(received[0]?.certificate?.metadata?.initiatedAt).toEqual({ seconds: 1_700_000_000n, nanos: 123_456_789 });
  });

  it('ends a stream with a typed error', async () => {
    const stream = client.watchCertificates({ signedEntityKinds: [] }, new Metadata());
    const error = await new Promise<ServiceError>((resolve) => stream.on('error', resolve));
    expect(readErrorDetail(error)?.code).toBe(ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA);
  });
});
