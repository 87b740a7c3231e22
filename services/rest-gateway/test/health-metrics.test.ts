/**
 * The REST gateway's operator routes: GET /health (readiness: is its aggregator serving?) and the
 * Prometheus series of the requests it answered, on the metrics port.
 */
import { freePort } from '@mithril-ts/testkit';
import type { RestGatewayConfigInput, RunningRestGateway } from '../src/index.js';
import { AggregatorDouble, SignerGatewayDouble, buildWorld, http, startGatewayInFront } from './fixture.js';

let aggregator: AggregatorDouble;
let signerGateway: SignerGatewayDouble;
const gateways: RunningRestGateway[] = [];

async function startGateway(extra: Partial<RestGatewayConfigInput> = {}): Promise<RunningRestGateway> {
  const gateway = await startGatewayInFront({ aggregator, signerGateway }, { volatileCacheMs: 0, ...extra });
  gateways.push(gateway);
  return gateway;
}

beforeAll(async () => {
  aggregator = await new AggregatorDouble(buildWorld()).start();
  signerGateway = await new SignerGatewayDouble().start();
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  await aggregator.stop();
  await signerGateway.stop();
});

const json = (body: string) => JSON.parse(body) as unknown;

describe('GET /health', () => {
  it('is 200 while the aggregator serves, 503 naming what it said otherwise', async () => {
    const serving = await startGateway();
    const ok = await http(serving.port, 'GET', '/health');
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(json(ok.body)).toEqual({ status: 'ok', aggregator: 'SERVING' });

    aggregator.health.setStatus('mithril.v1.AggregatorService', 'NOT_SERVING');
    try {
      // A gateway of its own: the first one reuses its last check for a second.
      const draining = await startGateway();
      const refused = await http(draining.port, 'GET', '/health');
      expect(refused.status).toBe(503);
      expect(json(refused.body)).toEqual({ status: 'unavailable', aggregator: 'NOT_SERVING' });
    } finally {
      aggregator.health.setStatus('mithril.v1.AggregatorService', 'SERVING');
    }
  });

  it('is 503 UNREACHABLE when nothing answers at the aggregator address', async () => {
    const unused = await freePort();
    const orphan = await startGateway({ aggregatorAddress: `127.0.0.1:${unused}`, aggregatorDeadlineMs: 1_000 });
    const answer = await http(orphan.port, 'GET', '/health');
    expect(answer.status).toBe(503);
    expect(json(answer.body)).toEqual({ status: 'unavailable', aggregator: 'UNREACHABLE' });
  });
});

describe('request metrics', () => {
  it('counts requests by method, route pattern and status on /metrics', async () => {
    const gateway = await startGateway({ metricsPort: 0 });
    expect(gateway.metricsPort).toEqual(expect.any(Number));
    expect((await http(gateway.port, 'GET', '/aggregator/certificates')).status).toBe(200);
    expect((await http(gateway.port, 'GET', '/aggregator/certificates')).status).toBe(200);
    expect((await http(gateway.port, 'GET', `/aggregator/certificate/${'ab'.repeat(32)}`)).status).toBe(404);
    expect((await http(gateway.port, 'GET', '/no/such/path/a1b2c3')).status).toBe(404);
    const text = (await http(gateway.metricsPort!, 'GET', '/metrics')).body;
    expect(text).toContain('mithril_rest_gateway_request_duration_seconds_count{method="GET",route="/aggregator/certificates",status="200"} 2');
    expect(text).toContain('mithril_rest_gateway_request_duration_seconds_count{method="GET",route="/aggregator/certificate/:hash",status="404"} 1');
    expect(text).toContain('mithril_rest_gateway_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1');
    // The raw paths a caller chooses never become label values.
    expect(text).not.toContain('a1b2c3');
    expect(text).not.toContain('abababab');
  });
});
