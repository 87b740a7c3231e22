/** The Prometheus endpoint of startTelemetry: the service's series and the process ones, on /metrics only. */
import { connect } from 'node:net';
import { startTelemetry, QUICK_DURATION_BUCKETS_SECONDS } from '../src/index.js';

const url = (port: number, path = '/metrics') => `http://127.0.0.1:${port}${path}`;

describe('telemetry', () => {
  it('serves counters, histograms and the process series on /metrics', async () => {
    const telemetry = await startTelemetry('mithril-test', '9.9.9', { metricsPort: 0 });
    try {
      const port = telemetry.metricsPort!;
      telemetry.meter.createCounter('mithril_test_things_total', { description: 'things' }).add(3, { outcome: 'accepted' });
      telemetry.meter
        .createHistogram('mithril_test_duration_seconds', { unit: 's', advice: { explicitBucketBoundaries: QUICK_DURATION_BUCKETS_SECONDS } })
        .record(0.003);
      const response = await fetch(url(port));
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('mithril_test_things_total{outcome="accepted"} 3');
      expect(text).toContain('mithril_test_duration_seconds_bucket{le="0.005"} 1');
      expect(text).toContain('mithril_test_duration_seconds_count 1');
      expect(text).toMatch(/target_info\{[^}]*service_name="mithril-test"/);
      expect(text).toMatch(/^process_resident_memory_bytes [1-9]/m);
      expect(text).toMatch(/^nodejs_heap_used_bytes [1-9]/m);
      expect(text).toMatch(/^process_cpu_seconds_total [0-9.]+/m);
      expect(text).toMatch(/^nodejs_eventloop_delay_p99_seconds [0-9.]+/m);
      // No scope labels repeated on every series.
      expect(text).not.toContain('otel_scope_name');
    } finally {
      await telemetry.shutdown();
    }
  });

  it('answers 404 off /metrics and 405 to other methods; a query string is fine', async () => {
    const telemetry = await startTelemetry('mithril-test', '9.9.9', { metricsPort: 0 });
    try {
      const port = telemetry.metricsPort!;
      expect((await fetch(url(port, '/'))).status).toBe(404);
      expect((await fetch(url(port, '/metrics/../admin'))).status).toBe(404);
      expect((await fetch(url(port), { method: 'POST', body: 'x' })).status).toBe(405);
      expect((await fetch(url(port, '/metrics?name[]=x'))).status).toBe(200);
    } finally {
      await telemetry.shutdown();
    }
  });

  it('keeps each service its own series when several run in one process', async () => {
    const first = await startTelemetry('mithril-first', '1.0.0', { metricsPort: 0 });
    const second = await startTelemetry('mithril-second', '1.0.0', { metricsPort: 0 });
    try {
      first.meter.createCounter('mithril_first_total').add(1);
      second.meter.createCounter('mithril_second_total').add(1);
      const firstText = await (await fetch(url(first.metricsPort!))).text();
      const secondText = await (await fetch(url(second.metricsPort!))).text();
      expect(firstText).toContain('mithril_first_total 1');
      expect(firstText).not.toContain('mithril_second_total');
      expect(secondText).toContain('mithril_second_total 1');
      expect(secondText).not.toContain('mithril_first_total');
    } finally {
      await Promise.all([first.shutdown(), second.shutdown()]);
    }
  });

  it('closes the port on shutdown, and opens none without a metricsPort', async () => {
    const telemetry = await startTelemetry('mithril-test', '9.9.9', { metricsPort: 0 });
    const port = telemetry.metricsPort!;
    await telemetry.shutdown();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    const none = await startTelemetry('mithril-test', '9.9.9');
    expect(none.metricsPort).toBeUndefined();
    await none.shutdown();
  });

  it('refuses to start on a port already taken', async () => {
    const taken = await startTelemetry('mithril-test', '9.9.9', { metricsPort: 0 });
    try {
      await expect(startTelemetry('mithril-test', '9.9.9', { metricsPort: taken.metricsPort })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await taken.shutdown();
    }
  });
});
