/**
 * The gRPC adapters against stand-in aggregator and signer gateway services on loopback (built
 * with service-kit's server plumbing and version check): version metadata both ways, deadlines,
 * strict decoding, and the classification of typed errors the runtime reacts to.
 */
import { credentials, type ServerUnaryCall, type sendUnaryData, type UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  AggregatorServiceService,
  ErrorCode,
  SignatureRegistrationStatus,
  SignerGatewayServiceService,
  createServiceError,
  readVersionMetadata,
  type EpochSettings,
  type SignerGatewayServiceRegisterSignatureRequest,
  type SignerGatewayServiceRegisterSignerRequest,
  type SignerGatewayServiceRegisterSignatureResponse,
  type SignerGatewayServiceRegisterSignerResponse,
  withVersionCheck,
} from '@mithril-ts/proto';
import { PROTOCOL_VERSION, cardanoDatabase } from '@mithril-ts/protocol';
import { serverTls, startGrpcServer, type RunningServer } from '@mithril-ts/service-kit';
import { GrpcAggregator, GrpcSignerGateway, RemoteCallError, SIGNER_VERSION } from '../src/index.js';

const VERSIONS = { nodeVersion: SIGNER_VERSION, protocolVersion: PROTOCOL_VERSION };
const servers: RunningServer[] = [];
const clients: { close(): void }[] = [];
afterAll(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) await server.close();
});

type Unary<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

async function serve(
  definition: typeof AggregatorServiceService | typeof SignerGatewayServiceService,
  implementation: UntypedServiceImplementation,
  checkVersions = true,
): Promise<string> {
  const server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    tls: serverTls({ insecure: true }, 'none'),
    services: [{ name: 'test', definition, implementation: checkVersions ? withVersionCheck(implementation, '9.9.9') : implementation }],
  });
  servers.push(server);
  return `127.0.0.1:${server.port}`;
}

function aggregatorAt(address: string, deadlineMs = 5_000): GrpcAggregator {
  const client = new GrpcAggregator(address, credentials.createInsecure(), VERSIONS, deadlineMs);
  clients.push(client);
  return client;
}

function gatewayAt(address: string): GrpcSignerGateway {
  const client = new GrpcSignerGateway(address, credentials.createInsecure(), VERSIONS, 5_000);
  clients.push(client);
  return client;
}

async function failure(promise: Promise<unknown>): Promise<RemoteCallError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RemoteCallError);
    return error as RemoteCallError;
  }
  throw new Error('expected the call to fail');
}

const vk = (seed: number) => Buffer.alloc(192, seed);
const settings = (overrides: Partial<EpochSettings> = {}): EpochSettings => ({
  epoch: 7n,
  currentProtocolParameters: { k: 5n, m: 50n, phiF: 0.9 },
  nextProtocolParameters: { k: 6n, m: 60n, phiF: 0.8 },
  signerRegistrationProtocolParameters: { k: 7n, m: 70n, phiF: 0.7 },
  currentSigners: [{ partyId: 'pool1a', verificationKey: vk(1), stake: 10n }],
  nextSigners: [
    { partyId: 'pool1a', verificationKey: vk(2), stake: 11n },
    {
      partyId: 'pool1b',
      verificationKey: vk(3),
      stake: 12n,
      verificationKeySignature: Buffer.alloc(448),
      operationalCertificate: Buffer.alloc(100),
      kesEvolutions: 3,
    },
  ],
  ...overrides,
});

describe('GrpcAggregator', () => {
  it('sends its versions, reads the server protocol version and decodes the epoch settings', async () => {
    const received: ReturnType<typeof readVersionMetadata>[] = [];
    const getEpochSettings: Unary<object, { epochSettings: EpochSettings }> = (call, callback) => {
      received.push(readVersionMetadata(call.metadata));
      callback(null, { epochSettings: settings() });
    };
    const answer = await aggregatorAt(await serve(AggregatorServiceService, { getEpochSettings })).epochSettings();
    expect(received).toEqual([{ nodeVersion: SIGNER_VERSION, protocolVersion: PROTOCOL_VERSION }]);
    expect(answer.serverProtocolVersion).toBe(PROTOCOL_VERSION);
    expect(answer.value).toEqual({
      epoch: 7n,
      currentParameters: { k: 5n, m: 50n, phiF: 0.9 },
      nextParameters: { k: 6n, m: 60n, phiF: 0.8 },
      registrationParameters: { k: 7n, m: 70n, phiF: 0.7 },
      currentSigners: [{ partyId: 'pool1a', verificationKey: new Uint8Array(vk(1)), stake: 10n }],
      nextSigners: [
        { partyId: 'pool1a', verificationKey: new Uint8Array(vk(2)), stake: 11n },
        { partyId: 'pool1b', verificationKey: new Uint8Array(vk(3)), stake: 12n },
      ],
    });
  });

  it('reports a server that does not say its protocol version', async () => {
    const getEpochSettings: Unary<object, { epochSettings: EpochSettings }> = (_call, callback) => callback(null, { epochSettings: settings() });
    const answer = await aggregatorAt(await serve(AggregatorServiceService, { getEpochSettings }, false)).epochSettings();
    expect(answer.serverProtocolVersion).toBeUndefined();
  });

  it.each([
    ['a missing answer', {}, /epoch_settings is missing/],
    [
      'a short verification key',
      { epochSettings: settings({ nextSigners: [{ partyId: 'pool1a', verificationKey: vk(1).subarray(0, 191), stake: 1n }] }) },
      /next_signers\[0\]\.verification_key must be 192 bytes/,
    ],
    [
      'a party listed twice',
      {
        epochSettings: settings({
          currentSigners: [
            { partyId: 'pool1a', verificationKey: vk(1), stake: 1n },
            { partyId: 'pool1a', verificationKey: vk(2), stake: 1n },
          ],
        }),
      },
      /listed twice/,
    ],
    [
      'a signer without stake',
      { epochSettings: settings({ currentSigners: [{ partyId: 'pool1a', verificationKey: vk(1), stake: 0n }] }) },
      /stake must be a positive u64/,
    ],
    [
      'missing parameters',
      { epochSettings: settings({ signerRegistrationProtocolParameters: undefined }) },
      /signer_registration_protocol_parameters is missing/,
    ],
    ['invalid parameters', { epochSettings: settings({ nextProtocolParameters: { k: 9n, m: 5n, phiF: 0.5 } }) }, /next_protocol_parameters/],
  ])('refuses %s as a malformed response naming the field', async (_what, response, message) => {
    const getEpochSettings: Unary<object, object> = (_call, callback) => callback(null, response);
    const error = await failure(aggregatorAt(await serve(AggregatorServiceService, { getEpochSettings })).epochSettings());
    expect(error.failure).toBe('malformed-response');
    expect(error.message).toMatch(message);
  });

  it('classifies typed errors: not ready, incompatible version, refusal', async () => {
    const codes = [ErrorCode.ERROR_CODE_NOT_READY, ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION, ErrorCode.ERROR_CODE_UNKNOWN_EPOCH];
    let next = 0;
    const getEpochSettings: Unary<object, object> = (_call, callback) => callback(createServiceError({ code: codes[next++]!, message: 'because' }));
    const aggregator = aggregatorAt(await serve(AggregatorServiceService, { getEpochSettings }));
    const failures = [];
    for (let i = 0; i < codes.length; i += 1) failures.push(await failure(aggregator.epochSettings()));
    expect(failures.map((f) => [f.failure, f.errorCode])).toEqual([
      ['not-ready', ErrorCode.ERROR_CODE_NOT_READY],
      ['incompatible-version', ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION],
      ['rejected', ErrorCode.ERROR_CODE_UNKNOWN_EPOCH],
    ]);
    expect(failures[0]!.message).toMatch(/AggregatorService\.GetEpochSettings: ERROR_CODE_NOT_READY: because/);
  });

  it('gives up at the deadline, and on an unreachable server, as transient failures', async () => {
    let release: (() => void) | undefined;
    const getEpochSettings: Unary<object, object> = (_call, callback) => {
      release = () => callback(null, { epochSettings: settings() });
    };
    const slow = await failure(aggregatorAt(await serve(AggregatorServiceService, { getEpochSettings }), 100).epochSettings());
    release?.();
    expect(slow.failure).toBe('unavailable');
    expect(slow.message).toMatch(/DEADLINE_EXCEEDED/);
    const closed = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [], tls: serverTls({ insecure: true }, 'none') });
    await closed.close();
    const unreachable = await failure(aggregatorAt(`127.0.0.1:${closed.port}`, 2_000).epochSettings());
    expect(unreachable.failure).toBe('unavailable');
  });
});

describe('GrpcSignerGateway', () => {
  it('sends a registration field by field and reads what the gateway recorded', async () => {
    const requests: SignerGatewayServiceRegisterSignerRequest[] = [];
    const registerSigner: Unary<SignerGatewayServiceRegisterSignerRequest, SignerGatewayServiceRegisterSignerResponse> = (call, callback) => {
      requests.push(call.request);
      callback(null, { signer: { partyId: call.request.registration!.partyId, stake: 42n, epoch: call.request.registration!.epoch } });
    };
    const gateway = gatewayAt(await serve(SignerGatewayServiceService, { registerSigner }));
    const answer = await gateway.registerSigner({
      epoch: 7n,
      partyId: 'pool1xyz',
      verificationKey: new Uint8Array(vk(5)),
      verificationKeySignature: new Uint8Array(448).fill(6),
      operationalCertificate: new Uint8Array(120).fill(7),
      kesEvolutions: 12,
    });
    expect(answer).toEqual({ value: { partyId: 'pool1xyz', stake: 42n, epoch: 7n }, serverProtocolVersion: PROTOCOL_VERSION });
    expect(requests[0]!.registration).toEqual({
      epoch: 7n,
      partyId: 'pool1xyz',
      verificationKey: vk(5),
      verificationKeySignature: Buffer.alloc(448, 6),
      operationalCertificate: Buffer.alloc(120, 7),
      kesEvolutions: 12,
    });
  });

  it('sends a single signature with its signed message and maps the statuses and typed errors', async () => {
    const requests: SignerGatewayServiceRegisterSignatureRequest[] = [];
    const answers: (SignatureRegistrationStatus | ErrorCode)[] = [
      SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_ACCEPTED,
      SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_BUFFERED,
      SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_UNSPECIFIED,
    ];
    const errors = [
      ErrorCode.ERROR_CODE_NO_OPEN_MESSAGE,
      ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE,
      ErrorCode.ERROR_CODE_RATE_LIMITED,
      ErrorCode.ERROR_CODE_SIGNATURE_INVALID,
    ];
    const registerSignature: Unary<SignerGatewayServiceRegisterSignatureRequest, SignerGatewayServiceRegisterSignatureResponse> = (call, callback) => {
      requests.push(call.request);
      const answer = answers.shift();
      if (answer !== undefined) callback(null, { status: answer as SignatureRegistrationStatus });
      else callback(createServiceError({ code: errors.shift()!, message: 'no' }));
    };
    const gateway = gatewayAt(await serve(SignerGatewayServiceService, { registerSignature }));
    const submission = {
      signedEntityType: cardanoDatabase(7n, 123n),
      partyId: 'pool1xyz',
      signature: new Uint8Array([1, 2, 3]),
      wonIndexes: [4, 9],
      signedMessage: 'ab'.repeat(32),
    };
    expect((await gateway.registerSignature(submission)).value).toBe('accepted');
    expect(requests[0]!.signature).toEqual({
      signedEntityType: { entity: { $case: 'cardanoDatabase', value: { epoch: 7n, immutableFileNumber: 123n } } },
      partyId: 'pool1xyz',
      signature: Buffer.from([1, 2, 3]),
      wonIndexes: [4n, 9n],
      signedMessage: 'ab'.repeat(32),
    });
    expect((await gateway.registerSignature(submission)).value).toBe('buffered');
    expect((await failure(gateway.registerSignature(submission))).failure).toBe('malformed-response');
    const failures = [];
    for (let i = 0; i < 4; i += 1) failures.push(await failure(gateway.registerSignature(submission)));
    expect(failures.map((f) => [f.failure, f.errorCode])).toEqual([
      ['rejected', ErrorCode.ERROR_CODE_NO_OPEN_MESSAGE],
      ['rejected', ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE],
      ['unavailable', ErrorCode.ERROR_CODE_RATE_LIMITED],
      ['rejected', ErrorCode.ERROR_CODE_SIGNATURE_INVALID],
    ]);
  });
});
