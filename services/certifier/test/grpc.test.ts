import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, makeGenericClientConstructor, Metadata, status, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { CertifierServiceClient, ErrorCode, readErrorDetail, setVersionMetadata, type CertifierServiceCertifyResponse } from '@mithril-ts/proto';
import { PROTOCOL_VERSION } from '@mithril-ts/protocol';
import { startCertifier, type RegistrationRequest } from '../src/index.js';
import { EPOCH, SLOTS_PER_KES_PERIOD, chainDirectory, testPool } from '@mithril-ts/testkit';

const pools = [testPool(0), testPool(1)];
let server: Awaited<ReturnType<typeof startCertifier>>;
let client: CertifierServiceClient;

beforeAll(async () => {
  server = await startCertifier({
    host: '127.0.0.1',
    port: 0,
    chainDirectory: chainDirectory(pools),
    slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
    storeUrl: `file:${join(mkdtempSync(join(tmpdir(), 'certifier-')), 'certifier.sqlite')}`,
    logLevel: 'fatal',
    insecure: true,
    allowInsecureKeyPermissions: false,
    allowedClients: ['signer-gateway'],
  });
  client = new CertifierServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await server.close();
});

function certify(registration: RegistrationRequest, metadata: Metadata = setVersionMetadata({ nodeVersion: '0.1.0', protocolVersion: PROTOCOL_VERSION })) {
  return new Promise<CertifierServiceCertifyResponse>((resolve, reject) =>
    client.certify(
      {
        registration: {
          ...registration,
          verificationKey: Buffer.from(registration.verificationKey),
          verificationKeySignature: registration.verificationKeySignature && Buffer.from(registration.verificationKeySignature),
          operationalCertificate: registration.operationalCertificate && Buffer.from(registration.operationalCertificate),
        },
      },
      metadata,
      (error, response) => (error ? reject(error) : resolve(response!)),
    ),
  );
}

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail');
}

describe('CertifierService over gRPC on loopback', () => {
  it('certifies a registration', async () => {
    const response = await certify(pools[1]!.registration());
    expect(response.certification).toEqual({ partyId: pools[1]!.pool.bech32, stake: pools[1]!.stake, epoch: EPOCH });
  });

  it('rejects a failed check with PERMISSION_DENIED naming the check', async () => {
    const error = await failure(certify(pools[0]!.registration({ partyId: pools[1]!.pool.bech32 })));
    expect(error.code).toBe(status.PERMISSION_DENIED);
    const detail = readErrorDetail(error);
    expect(detail?.code).toBe(ErrorCode.ERROR_CODE_CERTIFICATION_DENIED);
    expect(detail?.metadata.check).toBe('pool-id');
    expect(error.details).toMatch(/pool-id/);
  });

  it('rejects a malformed registration with INVALID_ARGUMENT', async () => {
    const error = await failure(certify({ ...pools[0]!.registration(), verificationKey: new Uint8Array(3) }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(readErrorDetail(error)?.code).toBe(ErrorCode.ERROR_CODE_MALFORMED_REQUEST);
  });

  it('refuses requests without version metadata or from an incompatible protocol version', async () => {
    const missing = await failure(certify(pools[0]!.registration(), new Metadata()));
    expect(missing.code).toBe(status.INVALID_ARGUMENT);
    expect(readErrorDetail(missing)?.code).toBe(ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA);
    const incompatible = await failure(certify(pools[0]!.registration(), setVersionMetadata({ nodeVersion: '9.0.0', protocolVersion: '9.0.0' })));
    expect(incompatible.code).toBe(status.FAILED_PRECONDITION);
    expect(readErrorDetail(incompatible)?.code).toBe(ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION);
  });

  it('answers the standard health check', async () => {
    const HealthClient = makeGenericClientConstructor(healthService as unknown as ServiceDefinition, 'Health');
    const health = new HealthClient(`127.0.0.1:${server.port}`, credentials.createInsecure()) as InstanceType<typeof HealthClient> & {
      check(request: { service: string }, callback: (error: Error | null, response: { status: unknown }) => void): void;
    };
    const answer = await new Promise<{ status: unknown }>((resolve, reject) =>
      health.check({ service: 'mithril.v1.CertifierService' }, (error, response) => (error ? reject(error) : resolve(response))),
    );
    expect(answer.status).toBe('SERVING');
    health.close();
  });
});
