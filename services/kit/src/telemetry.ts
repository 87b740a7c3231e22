/**
 * OpenTelemetry for a service: spans and metrics through the OTel API everywhere, exported over
 * OTLP/gRPC when an endpoint is configured (the standard OTEL_EXPORTER_OTLP_ENDPOINT or the
 * service's own setting), and metrics served to Prometheus on `GET /metrics` when a metrics port
 * is set. Both metric readers share one MeterProvider, so both see the same series. With neither,
 * nothing is exported and the API stays a no-op.
 *
 * The MeterProvider is the service's own (not registered globally): several services run in one
 * process in the devnet launcher and the tests, and each endpoint must show its own service's series.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Telemetry {
  readonly tracer: Tracer;
  readonly meter: Meter;
  /** The bound port of the Prometheus endpoint, when there is one. */
  readonly metricsPort: number | undefined;
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** OTLP/gRPC endpoint of traces and metrics (OTEL_EXPORTER_OTLP_ENDPOINT when absent). */
  readonly otlpEndpoint?: string | undefined;
  /** Port of the Prometheus endpoint; absent: none. */
  readonly metricsPort?: number | undefined;
  readonly metricsHost?: string | undefined;
}

/** Histogram buckets (seconds) for quick operations: store queries, REST requests. */
export const QUICK_DURATION_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Histogram buckets (seconds) for long work: signing rounds, digests of a whole immutable DB. */
export const LONG_DURATION_BUCKETS_SECONDS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800];

export async function startTelemetry(serviceName: string, serviceVersion: string, options: TelemetryOptions = {}): Promise<Telemetry> {
  const endpoint = options.otlpEndpoint || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const resource = resourceFromAttributes({ 'service.name': serviceName, 'service.version': serviceVersion });
  const stops: (() => Promise<unknown>)[] = [];
  if (endpoint) {
    const tracerProvider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }))] });
    tracerProvider.register();
    stops.push(() => tracerProvider.shutdown());
  }
  const readers: IMetricReader[] = [];
  if (endpoint) readers.push(new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: endpoint }), exportIntervalMillis: 15_000 }));
  // Scope labels on every series would only repeat the service name that target_info carries.
  const prometheus = options.metricsPort === undefined ? undefined : new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  if (prometheus !== undefined) readers.push(prometheus);

  let meter = metrics.getMeter(serviceName, serviceVersion);
  let metricsPort: number | undefined;
  if (readers.length > 0) {
    const meterProvider = new MeterProvider({ resource, readers });
    meter = meterProvider.getMeter(serviceName, serviceVersion);
    const stopProcessMetrics = observeProcess(meter);
    stops.push(async () => {
      stopProcessMetrics();
      await meterProvider.shutdown();
    });
    if (prometheus !== undefined) {
      try {
        const server = await serveMetrics(prometheus, options.metricsHost ?? '127.0.0.1', options.metricsPort ?? 0);
        metricsPort = (server.address() as AddressInfo).port;
        // Before the provider: no scrape is answered by a reader that is shut down.
        stops.unshift(() => closeServer(server));
      } catch (error) {
        await Promise.allSettled(stops.map((stop) => stop()));
        throw error;
      }
    }
  }
  return {
    tracer: trace.getTracer(serviceName, serviceVersion),
    meter,
    metricsPort,
    shutdown: async () => {
      for (const stop of stops.splice(0)) await stop().catch(() => {});
    },
  };
}

/**
 * The Prometheus endpoint: `GET`/`HEAD /metrics` (any query) answers the exposition text; any other
 * path is 404, any other method 405. It is plain HTTP and unauthenticated: it says how much work the
 * service did and how it went, never a key, a request's content or a caller-chosen string (every
 * label value comes from a fixed set: outcomes, error codes, route patterns, kinds), so its port is
 * meant for the cluster's scraper (NetworkPolicy) rather than the internet. A collection is a read
 * of in-memory aggregates; requests are bounded in time.
 */
async function serveMetrics(exporter: PrometheusExporter, host: string, port: number): Promise<Server> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    exporter.getMetricsRequestHandler(request, response);
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** How often the event loop delay percentiles are taken (and the histogram restarted). */
const EVENT_LOOP_WINDOW_MS = 10_000;

/**
 * A few process series, read when collected: resident memory, V8 heap in use, CPU time, and the
 * event loop delay's p99 and maximum over the last window (summarised every 10 s: a scrape and an
 * OTLP export both read the same window instead of resetting each other's).
 */
function observeProcess(meter: Meter): () => void {
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  let window = { p99: 0, max: 0 };
  const timer = setInterval(() => {
    // The histogram reads nanoseconds; max is 0 before any sample.
    window = { p99: delay.percentile(99) / 1e9, max: delay.max / 1e9 };
    delay.reset();
  }, EVENT_LOOP_WINDOW_MS).unref();
  meter
    .createObservableGauge('process_resident_memory_bytes', { description: 'Resident set size of the process', unit: 'By' })
    .addCallback((result) => result.observe(process.memoryUsage.rss()));
  meter
    .createObservableGauge('nodejs_heap_used_bytes', { description: 'V8 heap in use', unit: 'By' })
    .addCallback((result) => result.observe(process.memoryUsage().heapUsed));
  meter.createObservableCounter('process_cpu_seconds_total', { description: 'User and system CPU time of the process', unit: 's' }).addCallback((result) => {
    const { user, system } = process.cpuUsage();
    result.observe((user + system) / 1e6);
  });
  meter
    .createObservableGauge('nodejs_eventloop_delay_p99_seconds', { description: '99th percentile of the event loop delay over the last 10 s', unit: 's' })
    .addCallback((result) => result.observe(window.p99));
  meter
    .createObservableGauge('nodejs_eventloop_delay_max_seconds', { description: 'Longest event loop delay over the last 10 s', unit: 's' })
    .addCallback((result) => result.observe(window.max));
  return () => {
    clearInterval(timer);
    delay.disable();
  };
}
