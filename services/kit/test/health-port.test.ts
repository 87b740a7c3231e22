/**
 * The plaintext health port (C3): kubelet's gRPC probes reach it without TLS, it tells the same
 * serving status as the TLS server's health service, and it serves nothing else.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  credentials,
  makeGenericClientConstructor,
  status,
  type ClientReadableStream,
  type ServiceDefinition,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { CertifierServiceClient, CertifierServiceService } from '@mithril-ts/proto';
import { createCertificateAuthority, writePemPair } from '@mithril-ts/testkit';
import { service as healthDefinition } from 'grpc-health-check';
import { channelCredentials, hostedService, serverTls, startGrpcServer, type RunningServer } from '../src/index.js';

type Callback = (error: ServiceError | null, response?: { status: string }) => void;
interface HealthClient {
  check(request: { service: string }, callback: Callback): void;
  watch(request: { service: string }): ClientReadableStream<{ status: string }>;
  close(): void;
}
const HealthClient = makeGenericClientConstructor(healthDefinition as unknown as ServiceDefinition, 'Health');

const directory = mkdtempSync(join(tmpdir(), 'kit-health-port-'));
let server: RunningServer;
let caFile: string;
let plaintext: HealthClient;
let overTls: HealthClient;

beforeAll(async () => {
  const ca = await createCertificateAuthority('health port CA');
  caFile = join(directory, 'ca.crt');
  writeFileSync(caFile, ca.certificatePem);
  const serverFiles = writePemPair(directory, 'certifier', await ca.issue({ commonName: 'certifier' }));
  const clientFiles = writePemPair(directory, 'signer-gateway', await ca.issue({ commonName: 'signer-gateway' }));
  const implementation: UntypedServiceImplementation = {
    certify: (_call: unknown, callback: (error: null, response: object) => void) => callback(null, {}),
  };
  server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    services: [
      hostedService({
        definition: CertifierServiceService,
        implementation,
        nodeVersion: '1.0.0',
        authorization: { methods: 'all', allowedClients: ['signer-gateway'] },
      }),
    ],
    tls: serverTls({ insecure: false, tlsCertFile: serverFiles.certFile, tlsKeyFile: serverFiles.keyFile, tlsCaFile: caFile }, 'require'),
    healthPort: 0,
    healthHost: '127.0.0.1',
  });
  plaintext = new HealthClient(`127.0.0.1:${server.healthPort}`, credentials.createInsecure()) as unknown as HealthClient;
  overTls = new HealthClient(
    `localhost:${server.port}`,
    channelCredentials({ insecure: false, tlsCertFile: clientFiles.certFile, tlsKeyFile: clientFiles.keyFile, tlsCaFile: caFile }),
  ) as unknown as HealthClient;
});

afterAll(async () => {
  plaintext.close();
  overTls.close();
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

const check = (client: HealthClient, service: string) =>
  new Promise<{ code: number; status?: string }>((resolve) =>
    client.check({ service }, (error, response) => resolve(error ? { code: error.code } : { code: status.OK, status: response!.status })),
  );

describe('health port', () => {
  it('is a separate plaintext port answering Check without any certificate', async () => {
    expect(server.healthPort).toEqual(expect.any(Number));
    expect(server.healthPort).not.toBe(server.port);
    expect(await check(plaintext, '')).toEqual({ code: status.OK, status: 'SERVING' });
    expect(await check(plaintext, 'mithril.v1.CertifierService')).toEqual({ code: status.OK, status: 'SERVING' });
    expect(await check(plaintext, 'mithril.v1.Unknown')).toEqual({ code: status.NOT_FOUND });
  });

  it('tells the same status as the TLS server: one status object behind both', async () => {
    server.health.setStatus('mithril.v1.CertifierService', 'NOT_SERVING');
    expect(await check(overTls, 'mithril.v1.CertifierService')).toEqual({ code: status.OK, status: 'NOT_SERVING' });
    expect(await check(plaintext, 'mithril.v1.CertifierService')).toEqual({ code: status.OK, status: 'NOT_SERVING' });
    server.health.setStatus('mithril.v1.CertifierService', 'SERVING');
    expect(await check(plaintext, 'mithril.v1.CertifierService')).toEqual({ code: status.OK, status: 'SERVING' });
  });

  it("answers the service's own RPCs UNIMPLEMENTED: nothing but health is hosted there", async () => {
    const client = new CertifierServiceClient(`127.0.0.1:${server.healthPort}`, credentials.createInsecure());
    const code = await new Promise<number>((resolve) => client.certify({}, (error) => resolve(error?.code ?? status.OK)));
    client.close();
    expect(code).toBe(status.UNIMPLEMENTED);
  });

  it('refuses Watch (no stream is held for a stranger) while the TLS port serves it', async () => {
    const watched = (client: HealthClient) =>
      new Promise<string | number>((resolve) => {
        const call = client.watch({ service: '' });
        call.on('data', (message: { status: string }) => {
          resolve(message.status);
          call.cancel();
        });
        call.on('error', (error: ServiceError) => resolve(error.code));
      });
    expect(await watched(plaintext)).toBe(status.UNIMPLEMENTED);
    expect(await watched(overTls)).toBe('SERVING');
  });

  it('is closed by a graceful stop', async () => {
    const other = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [], tls: serverTls({ insecure: true }, 'none'), healthPort: 0 });
    const client = new HealthClient(`127.0.0.1:${other.healthPort}`, credentials.createInsecure()) as unknown as HealthClient;
    expect(await check(client, '')).toEqual({ code: status.OK, status: 'SERVING' });
    await other.close();
    client.close();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(other.healthPort!, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('is not started without a healthPort', async () => {
    const other = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [], tls: serverTls({ insecure: true }, 'none') });
    expect(other.healthPort).toBeUndefined();
    await other.close();
  });
});
