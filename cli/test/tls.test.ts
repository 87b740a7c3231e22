/**
 * TLS to the aggregator with `--ca-file`: over HTTPS (REST) and gRPC over TLS, against servers
 * whose certificates a test CA issued. With the CA the client works; without it, with another CA,
 * with an expired certificate or one for another name, it refuses, saying which of these it was.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CODES } from '../src/index.js';
import { createTestCa, type TestCa } from './support/certificates.js';
import { buildFixture, type Fixture } from './support/fixture.js';
import { run, type CliRun } from './support/run.js';
import { startGrpcAggregator, startHttpServers, type GrpcAggregator, type HttpServers } from './support/servers.js';

let fixture: Fixture;
let ca: TestCa;
let otherCa: TestCa;
const started: { close(): Promise<void> }[] = [];
let https: HttpServers;
let grpcs: GrpcAggregator;

async function httpsServer(identity: { key: string; cert: string }): Promise<HttpServers> {
  const servers = await startHttpServers(fixture, { tls: identity });
  started.push(servers);
  return servers;
}

beforeAll(async () => {
  fixture = await buildFixture();
  ca = createTestCa('Mithril test CA');
  otherCa = createTestCa('Another CA');
  https = await httpsServer(ca.issue());
  grpcs = await startGrpcAggregator(https, { tls: ca.issue() });
  started.push(grpcs);
});

afterAll(async () => {
  for (const server of started.reverse()) await server.close();
  rmSync(fixture.root, { recursive: true, force: true });
});

function expectRefused(result: CliRun, problem: RegExp): void {
  expect(result.code).toBe(EXIT_CODES.network);
  const error = result.events.at(-1)!;
  expect(error).toMatchObject({ type: 'error', reason: 'TLS_CERTIFICATE' });
  expect(error.message).toMatch(/TLS certificate of .* was refused/);
  expect(error.message).toMatch(problem);
}

const UNKNOWN_CA = /not signed by a trusted CA \(unknown CA/;
const list = (endpoint: string, ...options: string[]) => run(['certificate', 'list', '--aggregator', endpoint, '--json', ...options]);

describe.each([
  ['REST over HTTPS', () => https.restUrl],
  ['gRPC over TLS', () => `grpcs://${grpcs.address}`],
])('%s', (_name, endpoint) => {
  it('works with --ca-file (or MITHRIL_CA_FILE) naming the CA that issued the server certificate', async () => {
    const result = await list(endpoint(), '--ca-file', ca.certFile);
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(result.events.at(-1)).toMatchObject({ type: 'result' });
    expect((await run(['certificate', 'list', '--aggregator', endpoint(), '--json'], { env: { MITHRIL_CA_FILE: ca.certFile } })).code).toBe(EXIT_CODES.ok);
  });

  it('refuses the server, saying the CA is unknown, without --ca-file or with another CA', async () => {
    expectRefused(await list(endpoint()), UNKNOWN_CA);
    expectRefused(await list(endpoint(), '--ca-file', otherCa.certFile), UNKNOWN_CA);
  });
});

it("downloads a snapshot from the private deployment's HTTPS file server under --ca-file, verifying everything", async () => {
  const target = join(fixture.root, 'restored-over-https');
  const result = await run(['snapshot', 'download', 'latest', '--aggregator', https.restUrl, '--ca-file', ca.certFile, '--target', target, '--json'], {
    env: { MITHRIL_GENESIS_VERIFICATION_KEY: fixture.genesisKey },
  });
  expect(result.events.at(-1)).toMatchObject({ type: 'result' });
  expect(result.code).toBe(EXIT_CODES.ok);
});

it('says when the certificate has expired or is issued for another name (HTTPS)', async () => {
  const expired = await httpsServer(ca.issue({ expired: true }));
  expectRefused(await list(expired.restUrl, '--ca-file', ca.certFile), /has expired/);
  const otherName = await httpsServer(ca.issue({ names: ['DNS:aggregator.example'] }));
  expectRefused(await list(otherName.restUrl, '--ca-file', ca.certFile), /not issued for this host name \(name mismatch\)/);
});

it('says when the certificate is issued for another name (gRPC over TLS)', async () => {
  const otherName = await startGrpcAggregator(https, { tls: ca.issue({ names: ['DNS:aggregator.example'] }) });
  started.push(otherName);
  expectRefused(await list(`grpcs://${otherName.address}`, '--ca-file', ca.certFile), /name mismatch/);
});

it('refuses a CA file that is missing or holds no certificate, and a CA for a plaintext endpoint', async () => {
  const missing = await list(https.restUrl, '--ca-file', join(fixture.root, 'absent.pem'));
  expect(missing.code).toBe(EXIT_CODES.usage);
  expect(missing.events.at(-1)).toMatchObject({ reason: 'INVALID_CA_FILE', message: expect.stringMatching(/cannot read the CA file .*absent\.pem/) });
  const garbage = join(fixture.root, 'garbage.pem');
  writeFileSync(garbage, 'not a certificate');
  expect((await list(https.restUrl, '--ca-file', garbage)).events.at(-1)).toMatchObject({
    reason: 'INVALID_CA_FILE',
    message: expect.stringMatching(/no PEM certificate/),
  });
  writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  expect((await list(https.restUrl, '--ca-file', garbage)).events.at(-1)).toMatchObject({
    reason: 'INVALID_CA_FILE',
    message: expect.stringMatching(/does not parse/),
  });
  const plaintext = await list(`grpc://${grpcs.address}`, '--ca-file', ca.certFile);
  expect(plaintext.code).toBe(EXIT_CODES.usage);
  expect(plaintext.events.at(-1)).toMatchObject({ reason: 'CONFLICTING_OPTIONS', message: expect.stringMatching(/for TLS endpoints/) });
});
