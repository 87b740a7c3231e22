import { Client, Metadata, credentials, status, type ServiceError } from '@grpc/grpc-js';
import {
  AggregatorServiceService,
  CertifierServiceService,
  ErrorCode,
  readErrorDetail,
  setVersionMetadata,
  type CertifierServiceServer,
} from '@mithril-ts/proto';
import { PROTOCOL_VERSION } from '@mithril-ts/protocol';
import { hostedService, serverTls, startGrpcServer, type RunningServer } from '../src/index.js';

/** Field 2, length-delimited, of 5 bytes, none of which follow: no protobuf decoder accepts it. */
const UNDECODABLE = Buffer.from([0x12, 0x05]);
const identity = (bytes: Buffer) => bytes;
const versions = () => setVersionMetadata({ nodeVersion: '1.0.0', protocolVersion: PROTOCOL_VERSION });

let server: RunningServer;
let client: Client;
/** The handlers that ran, by RPC. */
const ran: string[] = [];

beforeAll(async () => {
  const certifier: CertifierServiceServer = {
    certify: (_call, callback) => {
      ran.push('Certify');
      callback(null, { certification: { partyId: 'pool1', stake: 1n, epoch: 1n } });
    },
  };
  const aggregator = {
    watchCertificates: (call: { end(): void }) => {
      ran.push('WatchCertificates');
      call.end();
    },
  };
  server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    tls: serverTls({ insecure: true }, 'none'),
    services: [
      hostedService({ definition: CertifierServiceService, implementation: certifier, nodeVersion: '9.9.9' }),
      hostedService({ definition: AggregatorServiceService, implementation: aggregator, nodeVersion: '9.9.9' }),
    ],
  });
  client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await server.close();
});

beforeEach(() => {
  ran.length = 0;
});

function unary(path: string, request: Buffer, metadata: Metadata): Promise<{ error?: ServiceError; response?: Buffer }> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(path, identity, identity, request, metadata, (error, response) => resolve(error ? { error } : { response })),
  );
}

function stream(path: string, request: Buffer, metadata: Metadata): Promise<ServiceError | undefined> {
  return new Promise((resolve) => {
    const call = client.makeServerStreamRequest(path, identity, identity, request, metadata);
    call.on('data', () => undefined);
    call.on('error', (error: ServiceError) => resolve(error));
    call.on('end', () => resolve(undefined));
  });
}

describe('a request that does not decode', () => {
  it('is answered INVALID_ARGUMENT MALFORMED_REQUEST, not INTERNAL, and reaches no handler', async () => {
    const { error } = await unary('/mithril.v1.CertifierService/Certify', UNDECODABLE, versions());
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(readErrorDetail(error!)?.code).toBe(ErrorCode.ERROR_CODE_MALFORMED_REQUEST);
    expect(error?.details).toMatch(/^the request does not decode: /);
    expect(ran).toEqual([]);
  });

  it('is refused by the version check first when the caller sends no versions', async () => {
    const { error } = await unary('/mithril.v1.CertifierService/Certify', UNDECODABLE, new Metadata());
    expect(readErrorDetail(error!)?.code).toBe(ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA);
    expect(ran).toEqual([]);
  });

  it('opening a server stream is answered the same way, after the same version check', async () => {
    const malformed = await stream('/mithril.v1.AggregatorService/WatchCertificates', UNDECODABLE, versions());
    expect(malformed?.code).toBe(status.INVALID_ARGUMENT);
    expect(readErrorDetail(malformed!)?.code).toBe(ErrorCode.ERROR_CODE_MALFORMED_REQUEST);
    const unversioned = await stream('/mithril.v1.AggregatorService/WatchCertificates', UNDECODABLE, new Metadata());
    expect(readErrorDetail(unversioned!)?.code).toBe(ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA);
    expect(ran).toEqual([]);
  });

  it('to the health service is answered INVALID_ARGUMENT too', async () => {
    const { error } = await unary('/grpc.health.v1.Health/Check', UNDECODABLE, new Metadata());
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('a request that decodes', () => {
  it('reaches its handler, unary or stream, and the health service answers', async () => {
    const { response } = await unary('/mithril.v1.CertifierService/Certify', Buffer.alloc(0), versions());
    expect(response?.length).toBeGreaterThan(0);
    expect(await stream('/mithril.v1.AggregatorService/WatchCertificates', Buffer.alloc(0), versions())).toBeUndefined();
    expect(ran).toEqual(['Certify', 'WatchCertificates']);
    // HealthCheckResponse { status: SERVING }
    expect((await unary('/grpc.health.v1.Health/Check', Buffer.alloc(0), new Metadata())).response).toEqual(Buffer.from([0x08, 0x01]));
  });
});
