/**
 * What the gateway does to every request, over real sockets from distinct client addresses
 * (127.0.0.1 and 127.0.0.2 are both loopback): per-client rate limits with Retry-After, security
 * headers, one log line per request, and HTTPS from certificate files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@mithril-ts/service-kit';
import { rateLimitClassOf, restGatewayConfigSchema, type RestGatewayConfigInput, type RunningRestGateway } from '../src/index.js';
import { AggregatorDouble, SignerGatewayDouble, buildWorld, startGatewayInFront, type World } from './fixture.js';

const API_VERSION = { 'mithril-api-version': '0.1.0' };
let world: World;
let aggregator: AggregatorDouble;
let signerGateway: SignerGatewayDouble;
const gateways: RunningRestGateway[] = [];
const directory = mkdtempSync(join(tmpdir(), 'rest-gateway-hardening-'));

beforeAll(async () => {
  world = buildWorld();
  aggregator = await new AggregatorDouble(world).start();
  signerGateway = await new SignerGatewayDouble().start();
});

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await Promise.all([aggregator.stop(), signerGateway.stop()]);
  rmSync(directory, { recursive: true, force: true });
});

async function startGateway(extra: Partial<RestGatewayConfigInput> = {}, logFile?: string): Promise<RunningRestGateway> {
  const gateway = await startGatewayInFront(
    { aggregator, signerGateway },
    extra,
    logFile === undefined ? {} : { logger: createLogger('rest-gateway', 'info', logFile) },
  );
  gateways.push(gateway);
  return gateway;
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Keep-alive connections per client address, as a busy client would hold them. */
const agents = new Map<string, Agent>();
afterAll(() => agents.forEach((agent) => agent.destroy()));

function send(port: number, from: string, method: string, path: string, body?: string): Promise<Answer> {
  let agent = agents.get(from);
  if (agent === undefined) agents.set(from, (agent = new Agent({ keepAlive: true, maxSockets: 64 })));
  const headers = { ...API_VERSION, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method, path: `/aggregator${path}`, headers, localAddress: from, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('rate limits', () => {
  it('classifies POST routes as writes and the client-chosen or large reads as expensive', () => {
    expect(rateLimitClassOf('POST', '/aggregator/register-signatures')).toBe('write');
    expect(rateLimitClassOf('GET', '/aggregator/certificate/:hash')).toBe('expensive-read');
    expect(rateLimitClassOf(['GET', 'HEAD'], '/aggregator/artifact/cardano-database/digests')).toBe('expensive-read');
    expect(rateLimitClassOf('GET', '/aggregator/certificates')).toBeUndefined();
    expect(rateLimitClassOf('GET', '/aggregator/epoch-settings')).toBeUndefined();
    // A fixed route answered from the shared cache, like the settings.
    expect(rateLimitClassOf('GET', '/aggregator/status')).toBeUndefined();
  });

  it('1,000 POSTs at once from one client: 429 with Retry-After past the configured rate, while another client is served', async () => {
    const gateway = await startGateway({ rateLimitWriteMax: 50, rateLimitExpensiveReadMax: 5, rateLimitWindowMs: 60_000 });
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 1_000 }, () => send(gateway.port, '127.0.0.1', 'POST', '/register-signatures', '{}')));
    const seconds = (performance.now() - started) / 1000;
    const statuses = answers.map((answer) => answer.status);
    // The first 50 reach the handler (an empty body is a 400); every later one is refused.
    expect(statuses.filter((code) => code === 400)).toHaveLength(50);
    expect(statuses.filter((code) => code === 429)).toHaveLength(950);
    const refused = answers.find((answer) => answer.status === 429)!;
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(JSON.parse(refused.body)).toMatchObject({ label: 'too_many_requests' });
    expect(seconds).toBeLessThan(10);

    // Another client address has its own budget: its POST reaches the handler, its reads are answered.
    expect((await send(gateway.port, '127.0.0.2', 'POST', '/register-signatures', '{}')).status).toBe(400);
    const certificate = await send(gateway.port, '127.0.0.2', 'GET', `/certificate/${world.chain.latest.hash}`);
    expect(certificate.status).toBe(200);
    // The limited client is still limited, the unlimited routes still answer it.
    expect((await send(gateway.port, '127.0.0.1', 'POST', '/register-signer', '{}')).status).toBe(400);
    expect((await send(gateway.port, '127.0.0.1', 'POST', '/register-signatures', '{}')).status).toBe(429);
    expect((await send(gateway.port, '127.0.0.1', 'GET', '/epoch-settings')).status).toBe(200);
  });

  it('limits expensive reads per client too', async () => {
    const gateway = await startGateway({ rateLimitExpensiveReadMax: 5, rateLimitWindowMs: 60_000 });
    const path = `/certificate/${world.chain.latest.hash}`;
    const statuses = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await send(gateway.port, '127.0.0.1', 'GET', path)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect((await send(gateway.port, '127.0.0.2', 'GET', path)).status).toBe(200);
  });
});

describe('security headers and request log', () => {
  it('sends the headers of a JSON API (no HSTS over plain HTTP) and logs method, route, status and latency', async () => {
    const logFile = join(directory, 'gateway.log');
    const gateway = await startGateway({ logLevel: 'info' }, logFile);
    const answer = await send(gateway.port, '127.0.0.1', 'GET', `/certificate/${world.chain.latest.hash}`);
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
      'cross-origin-resource-policy': 'cross-origin',
    });
    expect(answer.headers['strict-transport-security']).toBeUndefined();
    expect((await send(gateway.port, '127.0.0.1', 'GET', '/no-such-route')).status).toBe(404);

    const lines = await linesOf(logFile, 2);
    expect(lines[0]).toMatchObject({ msg: 'request', method: 'GET', route: '/aggregator/certificate/:hash', status: 200, ip: '127.0.0.1' });
    expect(typeof lines[0]!.ms).toBe('number');
    expect(typeof lines[0]!.reqId).toBe('string');
    expect(lines[1]).toMatchObject({ msg: 'request', method: 'GET', status: 404 });
  });

  it('serves HTTPS from certificate and key files, with HSTS', async () => {
    const cert = join(directory, 'cert.pem');
    const key = join(directory, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const gateway = await startGateway({ httpsCertFile: cert, httpsKeyFile: key });
    const answer = await new Promise<Answer>((resolve, reject) => {
      const request = httpsRequest(
        { host: '127.0.0.1', port: gateway.port, path: '/aggregator/epoch-settings', headers: API_VERSION, ca: readFileSync(cert) },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(() => restGatewayConfigSchema.parse({ aggregatorAddress: 'a:1', signerGatewayAddress: 'b:1', httpsCertFile: cert })).toThrow(/httpsKeyFile/);
  });
});

/** The request lines of a log file once `count` are there (pino writes asynchronously). */
async function linesOf(file: string, count: number): Promise<Record<string, unknown>[]> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // Not created yet.
    }
    const lines = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'request');
    if (lines.length >= count) return lines;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`fewer than ${count} request lines in ${file}`);
}
