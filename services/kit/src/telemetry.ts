/**
 * OpenTelemetry for a service: spans and metrics through the OTel API everywhere, exported over
 * OTLP/gRPC when an endpoint is configured (the standard OTEL_EXPORTER_OTLP_ENDPOINT or the
 * service's own setting). Without an endpoint nothing is exported and the API stays a no-op.
 */
import { metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Telemetry {
  readonly tracer: Tracer;
  readonly meter: Meter;
  shutdown(): Promise<void>;
}

export function startTelemetry(serviceName: string, serviceVersion: string, otlpEndpoint?: string): Telemetry {
  const endpoint = otlpEndpoint || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  let shutdown = async () => {};
  if (endpoint) {
    const resource = resourceFromAttributes({ 'service.name': serviceName, 'service.version': serviceVersion });
    const tracerProvider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }))] });
    tracerProvider.register();
    const meterProvider = new MeterProvider({
      resource,
      readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: endpoint }), exportIntervalMillis: 15_000 })],
    });
    metrics.setGlobalMeterProvider(meterProvider);
    shutdown = async () => {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
    };
  }
  return { tracer: trace.getTracer(serviceName, serviceVersion), meter: metrics.getMeter(serviceName, serviceVersion), shutdown };
}
