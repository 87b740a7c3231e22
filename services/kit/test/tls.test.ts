/**
 * The kit's TLS layer against real gRPC servers on 127.0.0.1 with certificates from a test CA:
 * each row is an attack or a misconfiguration and what the caller sees.
 */
import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { status, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  AggregatorServiceClient,
  AggregatorServiceService,
  CertifierServiceClient,
  CertifierServiceService,
  ErrorCode,
  readErrorDetail,
  setVersionMetadata,
} from '@mithril-ts/proto';
import { PROTOCOL_VERSION } from '@mithril-ts/protocol';
import { createCertificateAuthority, writePemPair, type CertificateAuthority, type PemFiles } from '@mithril-ts/testkit';
import { z } from 'zod';
import {
  ConfigError,
  allowedClientsSetting,
  channelCredentials,
  describeConnectionFailure,
  hostedService,
  isLoopbackHost,
  loadConfig,
  requireTlsFiles,
  serverTls,
  startGrpcServer,
  tlsSettings,
  type ClientCertificateMode,
  type ClientTlsSettings,
  type Logger,
  type RunningServer,
} from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'kit-tls-'));
let ca: CertificateAuthority;
let caFile: string;
let otherCaFile: string;
let certifierFiles: PemFiles;
let gatewayFiles: PemFiles;
let intruderFiles: PemFiles;
let foreignGatewayFiles: PemFiles;
let expiredFiles: PemFiles;
let elsewhereFiles: PemFiles;
let foreignServerFiles: PemFiles;

const DAY_MS = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  ca = await createCertificateAuthority('kit test CA');
  const other = await createCertificateAuthority('another CA');
  caFile = join(directory, 'ca.crt');
  otherCaFile = join(directory, 'other-ca.crt');
  writeFileSync(caFile, ca.certificatePem);
  writeFileSync(otherCaFile, other.certificatePem);
  certifierFiles = writePemPair(directory, 'certifier', await ca.issue({ commonName: 'certifier' }));
  gatewayFiles = writePemPair(directory, 'signer-gateway', await ca.issue({ commonName: 'signer-gateway' }));
  intruderFiles = writePemPair(directory, 'intruder', await ca.issue({ commonName: 'intruder' }));
  foreignGatewayFiles = writePemPair(directory, 'foreign-gateway', await other.issue({ commonName: 'signer-gateway' }));
  expiredFiles = writePemPair(
    directory,
    'expired',
    await ca.issue({ commonName: 'certifier', notBefore: new Date(Date.now() - 10 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) }),
  );
  elsewhereFiles = writePemPair(directory, 'elsewhere', await ca.issue({ commonName: 'elsewhere', dnsNames: ['elsewhere.example'], ipAddresses: [] }));
  foreignServerFiles = writePemPair(directory, 'foreign-certifier', await other.issue({ commonName: 'certifier' }));
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

const servers: RunningServer[] = [];
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) await server.close();
});

const versions = () => setVersionMetadata({ nodeVersion: '1.0.0', protocolVersion: PROTOCOL_VERSION });

const certifierImplementation: UntypedServiceImplementation = {
  certify: (_call: unknown, callback: (error: null, response: object) => void) => callback(null, { certification: { partyId: 'pool1', stake: 7n, epoch: 3n } }),
};

async function certifierServer(files: PemFiles, options: { refreshIntervalMs?: number } = {}): Promise<RunningServer> {
  const service = hostedService({
    definition: CertifierServiceService,
    implementation: certifierImplementation,
    nodeVersion: '1.0.0',
    authorization: { methods: 'all', allowedClients: ['signer-gateway'] },
  });
  const tls = serverTls({ insecure: false, tlsCertFile: files.certFile, tlsKeyFile: files.keyFile, tlsCaFile: caFile }, 'require', options);
  const server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [service], tls });
  servers.push(server);
  return server;
}

async function aggregatorServer(mode: ClientCertificateMode = 'request'): Promise<RunningServer> {
  const implementation: UntypedServiceImplementation = {
    getEpochSettings: (_call: unknown, callback: (error: null, response: object) => void) => callback(null, {}),
    registerSigner: (_call: unknown, callback: (error: null, response: object) => void) => callback(null, {}),
  };
  const service = hostedService({
    definition: AggregatorServiceService,
    implementation,
    nodeVersion: '1.0.0',
    authorization: { methods: ['RegisterSigner', 'RegisterSignatures'], allowedClients: ['signer-gateway'] },
  });
  const tls = serverTls({ insecure: false, tlsCertFile: certifierFiles.certFile, tlsKeyFile: certifierFiles.keyFile, tlsCaFile: caFile }, mode);
  const server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [service], tls });
  servers.push(server);
  return server;
}

const asGateway = (): ClientTlsSettings => ({ insecure: false, tlsCertFile: gatewayFiles.certFile, tlsKeyFile: gatewayFiles.keyFile, tlsCaFile: caFile });

function certify(address: string, settings: ClientTlsSettings): Promise<{ error?: ServiceError; ok?: true }> {
  const client = new CertifierServiceClient(address, channelCredentials(settings));
  clients.push(client);
  return new Promise((resolve) => client.certify({}, versions(), { deadline: Date.now() + 5_000 }, (error) => resolve(error ? { error } : { ok: true })));
}

function aggregatorCall(port: number, settings: ClientTlsSettings, rpc: 'getEpochSettings' | 'registerSigner'): Promise<{ error?: ServiceError; ok?: true }> {
  const client = new AggregatorServiceClient(`127.0.0.1:${port}`, channelCredentials(settings));
  clients.push(client);
  return new Promise((resolve) => {
    const done = (error: ServiceError | null) => resolve(error ? { error } : { ok: true });
    if (rpc === 'getEpochSettings') client.getEpochSettings({}, versions(), { deadline: Date.now() + 5_000 }, done);
    else client.registerSigner({}, versions(), { deadline: Date.now() + 5_000 }, done);
  });
}

describe('internal service (client certificate required)', () => {
  it('serves an allowed client from the first call after start', async () => {
    const server = await certifierServer(certifierFiles);
    expect(await certify(`127.0.0.1:${server.port}`, asGateway())).toEqual({ ok: true });
  });

  it('refuses a client certificate of the same CA naming a non-allowed identity: PERMISSION_DENIED with CLIENT_NOT_ALLOWED', async () => {
    const server = await certifierServer(certifierFiles);
    const { error } = await certify(`127.0.0.1:${server.port}`, { ...asGateway(), tlsCertFile: intruderFiles.certFile, tlsKeyFile: intruderFiles.keyFile });
    expect(error?.code).toBe(status.PERMISSION_DENIED);
    expect(readErrorDetail(error!)).toMatchObject({ code: ErrorCode.ERROR_CODE_CLIENT_NOT_ALLOWED, metadata: { identities: 'intruder,localhost' } });
  });

  it('refuses the handshake without a client certificate: UNAVAILABLE saying a client certificate is required', async () => {
    const server = await certifierServer(certifierFiles);
    const { error } = await certify(`127.0.0.1:${server.port}`, { insecure: false, tlsCaFile: caFile });
    expect(error?.code).toBe(status.UNAVAILABLE);
    expect(describeConnectionFailure(error)).toMatch(/requires a client certificate/);
  });

  it('refuses the handshake with a client certificate of another CA, and keeps serving', async () => {
    const server = await certifierServer(certifierFiles);
    const { error } = await certify(`127.0.0.1:${server.port}`, {
      ...asGateway(),
      tlsCertFile: foreignGatewayFiles.certFile,
      tlsKeyFile: foreignGatewayFiles.keyFile,
    });
    expect(error?.code).toBe(status.UNAVAILABLE);
    expect(await certify(`127.0.0.1:${server.port}`, asGateway())).toEqual({ ok: true });
  });

  it('answers a plaintext client on the TLS port with UNAVAILABLE, and keeps serving', async () => {
    const server = await certifierServer(certifierFiles);
    const { error } = await certify(`127.0.0.1:${server.port}`, { insecure: true });
    expect(error?.code).toBe(status.UNAVAILABLE);
    expect(await certify(`127.0.0.1:${server.port}`, asGateway())).toEqual({ ok: true });
  });
});

describe('public and internal RPCs on one port (client certificate requested)', () => {
  it('serves public reads without a client certificate', async () => {
    const server = await aggregatorServer();
    expect(await aggregatorCall(server.port, { insecure: false, tlsCaFile: caFile }, 'getEpochSettings')).toEqual({ ok: true });
  });

  it('answers an internal RPC without a client certificate with UNAUTHENTICATED and CLIENT_CERTIFICATE_REQUIRED', async () => {
    const server = await aggregatorServer();
    const { error } = await aggregatorCall(server.port, { insecure: false, tlsCaFile: caFile }, 'registerSigner');
    expect(error?.code).toBe(status.UNAUTHENTICATED);
    expect(readErrorDetail(error!)?.code).toBe(ErrorCode.ERROR_CODE_CLIENT_CERTIFICATE_REQUIRED);
  });

  it('treats a client certificate of another CA as none: UNAUTHENTICATED', async () => {
    const server = await aggregatorServer();
    const foreign = { ...asGateway(), tlsCertFile: foreignGatewayFiles.certFile, tlsKeyFile: foreignGatewayFiles.keyFile };
    const { error } = await aggregatorCall(server.port, foreign, 'registerSigner');
    expect(error?.code).toBe(status.UNAUTHENTICATED);
    expect(await aggregatorCall(server.port, foreign, 'getEpochSettings')).toEqual({ ok: true });
  });

  it('answers an internal RPC from a non-allowed identity with PERMISSION_DENIED, and serves the allowed one', async () => {
    const server = await aggregatorServer();
    const { error } = await aggregatorCall(
      server.port,
      { ...asGateway(), tlsCertFile: intruderFiles.certFile, tlsKeyFile: intruderFiles.keyFile },
      'registerSigner',
    );
    expect(error?.code).toBe(status.PERMISSION_DENIED);
    expect(readErrorDetail(error!)?.code).toBe(ErrorCode.ERROR_CODE_CLIENT_NOT_ALLOWED);
    expect(await aggregatorCall(server.port, asGateway(), 'registerSigner')).toEqual({ ok: true });
  });

  it('refuses to reserve an RPC the service does not have (a typo would leave the real one open)', () => {
    expect(() =>
      hostedService({
        definition: AggregatorServiceService,
        implementation: {},
        nodeVersion: '1.0.0',
        authorization: { methods: ['RegisterSigners'], allowedClients: ['signer-gateway'] },
      }),
    ).toThrow(/no RPC RegisterSigners/);
  });
});

describe('the client refuses a server certificate, saying what did not match', () => {
  it.each([
    ['of another CA', () => foreignServerFiles, /not issued by a trusted CA/],
    ['expired', () => expiredFiles, /has expired/],
    ['issued for another name', () => elsewhereFiles, /does not name the address dialled/],
  ])('%s', async (_row, files, cause) => {
    const server = await certifierServer(files());
    const { error } = await certify(`127.0.0.1:${server.port}`, asGateway());
    expect(error?.code).toBe(status.UNAVAILABLE);
    expect(describeConnectionFailure(error)).toMatch(cause);
  });

  it('a pinned fingerprint that differs', async () => {
    const server = await certifierServer(certifierFiles);
    const { error } = await certify(`127.0.0.1:${server.port}`, { ...asGateway(), serverCertificateFingerprint: 'AB:'.repeat(31) + 'AB' });
    expect(describeConnectionFailure(error)).toMatch(/not the pinned one/);
  });

  it('a pinned fingerprint that matches (colons and case do not matter)', async () => {
    const server = await certifierServer(certifierFiles);
    const fingerprint = await presentedFingerprint(server.port);
    expect(await certify(`127.0.0.1:${server.port}`, { ...asGateway(), serverCertificateFingerprint: fingerprint })).toEqual({ ok: true });
  });
});

/** The SHA-256 fingerprint ("AB:CD:…") of the certificate a server presents to a new connection. */
function presentedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: ca.certificatePem, servername: 'certifier', ALPNProtocols: ['h2'], cert: undefined }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.destroy();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

describe('rotation', () => {
  it('a new connection sees the replaced certificate without a restart', async () => {
    const files = writePemPair(directory, 'rotating', await ca.issue({ commonName: 'certifier' }));
    const server = await certifierServer(files, { refreshIntervalMs: 100 });
    const before = await presentedFingerprint(server.port);
    const next = writePemPair(join(directory, 'next'), 'rotating', await ca.issue({ commonName: 'certifier' }));
    // Atomic replacement, as an operator (or cert-manager) does it.
    renameSync(next.keyFile, files.keyFile);
    renameSync(next.certFile, files.certFile);
    let after = before;
    for (let attempt = 0; attempt < 50 && after === before; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await presentedFingerprint(server.port);
    }
    expect(after).not.toBe(before);
    expect(await certify(`127.0.0.1:${server.port}`, asGateway())).toEqual({ ok: true });
  });
});

describe('settings', () => {
  const schema = z
    .object({ port: z.coerce.number().default(0), ...tlsSettings, ...allowedClientsSetting(['signer-gateway']) })
    .superRefine(requireTlsFiles(['tlsCertFile', 'tlsKeyFile', 'tlsCaFile']));
  const load = (argv: string[]) => loadConfig(schema, { envPrefix: 'TEST', argv, env: {} });

  it('reads insecure strictly: "false" is false, "yes" is refused', () => {
    expect(load(['--insecure', 'true']).insecure).toBe(true);
    expect(() => load(['--insecure', 'false'])).toThrow(/tlsCertFile \(default\): required unless insecure is true/);
    expect(() => load(['--insecure', 'yes'])).toThrow(/insecure \(command line\)/);
  });

  it('names each missing file without insecure, and parses the allowed clients', () => {
    expect(() => load(['--tls-cert-file', 'a.crt'])).toThrow(ConfigError);
    expect(() => load(['--tls-cert-file', 'a.crt'])).toThrow(/tlsKeyFile .*tlsCaFile|tlsKeyFile/);
    const config = load(['--tls-cert-file', 'a', '--tls-key-file', 'b', '--tls-ca-file', 'c', '--allowed-clients', ' aggregator , signer-gateway ']);
    expect(config.allowedClients).toEqual(['aggregator', 'signer-gateway']);
    expect(load(['--insecure', 'true']).allowedClients).toEqual(['signer-gateway']);
  });

  it('fails at start, naming the setting, on a file it cannot read', () => {
    expect(() =>
      serverTls({ insecure: false, tlsCertFile: join(directory, 'missing.crt'), tlsKeyFile: certifierFiles.keyFile, tlsCaFile: caFile }, 'require'),
    ).toThrow(/tlsCertFile: cannot read/);
    expect(() => channelCredentials({ insecure: false, tlsCaFile: join(directory, 'missing-ca.crt') })).toThrow(/tlsCaFile: cannot read/);
    expect(() => serverTls({ insecure: false, tlsCertFile: certifierFiles.certFile, tlsKeyFile: gatewayFiles.keyFile }, 'none')).toThrow(
      /not a usable certificate and key/,
    );
  });
});

describe('plaintext listeners', () => {
  const warnings: string[] = [];
  const logger = { warn: (_fields: unknown, message: string) => warnings.push(message) } as unknown as Logger;
  beforeEach(() => (warnings.length = 0));

  it('warn at start on a non-loopback address', async () => {
    servers.push(await startGrpcServer({ host: '0.0.0.0', port: 0, services: [], tls: serverTls({ insecure: true }, 'none'), logger }));
    expect(warnings).toEqual([expect.stringMatching(/plaintext gRPC \(insecure\) on 0\.0\.0\.0:\d+/)]);
  });

  it('stay quiet on loopback', async () => {
    servers.push(await startGrpcServer({ host: '127.0.0.1', port: 0, services: [], tls: serverTls({ insecure: true }, 'none'), logger }));
    expect(warnings).toEqual([]);
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', 'aggregator.example'].some(isLoopbackHost)).toBe(false);
  });
});

describe('TLS private keys on disk', () => {
  it('refuses a key file that group or others may read, at start, naming the fix; allowInsecureKeyPermissions accepts it', async () => {
    const exposed = writePemPair(directory, 'exposed', await ca.issue({ commonName: 'certifier' }));
    chmodSync(exposed.keyFile, 0o644);
    const settings = { insecure: false, tlsCertFile: exposed.certFile, tlsKeyFile: exposed.keyFile, tlsCaFile: caFile };
    expect(() => serverTls(settings, 'require')).toThrow(/chmod 600/);
    expect(() => channelCredentials(settings)).toThrow(/chmod 600/);
    expect(() => serverTls({ ...settings, allowInsecureKeyPermissions: true }, 'require')).not.toThrow();
    chmodSync(exposed.keyFile, 0o600);
    expect(() => serverTls(settings, 'require')).not.toThrow();
  });
});
