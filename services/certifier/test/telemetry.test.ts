import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createLogger } from '@mithril-ts/service-kit';
import { Certifier, openCertifierStore } from '../src/index.js';
import { CardanoCliFilesChainObserver } from '@mithril-ts/service-kit';
import { SLOTS_PER_KES_PERIOD, chainDirectory, testPool } from '@mithril-ts/testkit';

describe('certifier telemetry', () => {
  it('records a span per certification and counts outcomes by reason', async () => {
    const spans = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const metricsExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: metricsExporter, exportIntervalMillis: 3_600_000 })] });
    const pools = [testPool(0), testPool(1)];
    const { store } = await openCertifierStore({ url: `file:${join(mkdtempSync(join(tmpdir(), 'counters-')), 'certifier.sqlite')}` });
    const certifier = new Certifier({
      chain: new CardanoCliFilesChainObserver(chainDirectory(pools)),
      counters: store,
      slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
      tracer: tracerProvider.getTracer('test'),
      meter: meterProvider.getMeter('test'),
      logger: createLogger('test', 'silent'),
    });
    await certifier.certify(pools[0]!.registration());
    await expect(certifier.certify(pools[0]!.registration({ evolution: 5 }))).rejects.toThrow();
    await expect(certifier.certify(pools[1]!.registration({ partyId: pools[0]!.pool.bech32 }))).rejects.toThrow();

    const finished = spans.getFinishedSpans();
    expect(finished.map((s) => s.name)).toEqual(['certifier.certify', 'certifier.certify', 'certifier.certify']);
    expect(finished[1]!.attributes['mithril.rejection']).toBe('kes-period');

    await meterProvider.forceFlush();
    const points = metricsExporter
      .getMetrics()
      .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
      .filter((m) => m.descriptor.name === 'mithril_certifier_certifications_total')
      .flatMap((m) => m.dataPoints.map((p) => ({ ...p.attributes, value: p.value })));
    expect(points).toEqual(
      expect.arrayContaining([
        { outcome: 'accepted', value: 1 },
        { outcome: 'rejected', reason: 'kes-period', value: 1 },
        { outcome: 'rejected', reason: 'pool-id', value: 1 },
      ]),
    );
    await meterProvider.shutdown();
    await store.close();
  });
});
