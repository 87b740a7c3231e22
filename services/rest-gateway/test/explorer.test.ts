/** The explorer's static files at /explorer/: served from the configured directory with the page's own CSP, never outside it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningRestGateway } from '../src/index.js';
import { AggregatorDouble, SignerGatewayDouble, buildWorld, http, startGatewayInFront } from './fixture.js';

let aggregator: AggregatorDouble;
let signerGateway: SignerGatewayDouble;
const gateways: RunningRestGateway[] = [];
const directory = mkdtempSync(join(tmpdir(), 'rest-gateway-explorer-'));
const site = join(directory, 'site');

beforeAll(async () => {
  aggregator = await new AggregatorDouble(buildWorld()).start();
  signerGateway = await new SignerGatewayDouble().start();
  mkdirSync(join(site, 'assets'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>explorer</title>');
  writeFileSync(join(site, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(site, '.secret'), 'hidden');
  writeFileSync(join(directory, 'outside.txt'), 'outside the site');
});

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await Promise.all([aggregator.stop(), signerGateway.stop()]);
  rmSync(directory, { recursive: true, force: true });
});

async function gatewayWith(explorerDirectory: string): Promise<number> {
  const gateway = await startGatewayInFront({ aggregator, signerGateway }, { explorerDirectory });
  gateways.push(gateway);
  return gateway.port;
}

describe('GET /explorer', () => {
  it('serves the page and its assets with the page policy and cache headers', async () => {
    const port = await gatewayWith(site);
    const redirect = await http(port, 'GET', '/explorer');
    expect([redirect.status, redirect.headers.location]).toEqual([301, '/explorer/']);
    const page = await http(port, 'GET', '/explorer/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<title>explorer</title>');
    expect(page.headers['cache-control']).toBe('no-cache');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain('connect-src');
    // WebAssembly compilation only (the verifier's BLS module): no JS eval, no inline script.
    expect(csp.replace("'wasm-unsafe-eval'", '')).not.toContain('unsafe');
    const asset = await http(port, 'GET', '/explorer/assets/index-abc123.js');
    expect([asset.status, asset.headers['cache-control']]).toEqual([200, 'public, max-age=31536000, immutable']);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    // The API keeps its own policy.
    const api = await http(port, 'GET', '/aggregator/');
    expect(api.headers['content-security-policy']).toMatch(/^default-src 'none'/);
  });

  it('serves nothing outside the directory, no dot files, and 404s in the reference error shape', async () => {
    const port = await gatewayWith(site);
    for (const path of ['/explorer/../outside.txt', '/explorer/%2e%2e/outside.txt', '/explorer/.secret', '/explorer/missing.js']) {
      const answer = await http(port, 'GET', path);
      // A path climbing out and a dot file are refused (403, @fastify/static's send), a missing file is not found.
      expect([path, answer.status]).toEqual([path, path.endsWith('missing.js') ? 404 : expect.any(Number)]);
      expect([403, 404]).toContain(answer.status);
      expect(JSON.parse(answer.body)).toMatchObject({ label: answer.status === 403 ? 'forbidden' : 'not_found' });
      expect(answer.body).not.toContain('outside the site');
      expect(answer.body).not.toContain('hidden');
    }
  });

  it('says how to build the explorer when the directory has none, and serves no explorer when set to ""', async () => {
    const unbuilt = await gatewayWith(join(directory, 'nothing-here'));
    const answer = await http(unbuilt, 'GET', '/explorer/');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ label: 'not_found', message: expect.stringContaining('npm run build -w explorer') });
    const off = await gatewayWith('');
    const none = await http(off, 'GET', '/explorer/');
    expect(none.status).toBe(404);
    expect(JSON.parse(none.body).message).toMatch(/no route/);
  });
});
