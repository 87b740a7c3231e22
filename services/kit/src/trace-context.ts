/**
 * Trace context across gRPC calls. grpc-js has no OpenTelemetry auto-instrumentation in this
 * project, so a caller writes its span context into the request metadata (W3C `traceparent`,
 * plus whatever else the registered propagator uses, e.g. `tracestate`) and the callee reads it
 * back as the parent of its own span. Both go through the global propagator that
 * `startTelemetry` registers; without one they carry nothing, which is the right no-op.
 */
import { context as otelContext, propagation, type Context } from '@opentelemetry/api';
import type { Metadata } from '@grpc/grpc-js';

/** Writes the trace context of `context` (the active one by default) into `metadata`, and returns it. */
export function injectTraceContext(metadata: Metadata, context: Context = otelContext.active()): Metadata {
  const carrier: Record<string, string> = {};
  propagation.inject(context, carrier);
  for (const [key, value] of Object.entries(carrier)) metadata.set(key, value);
  return metadata;
}

/**
 * The context whose remote parent is the span named in `metadata` (on top of `context`, the
 * active one by default); `context` unchanged when the metadata names none or names it badly.
 */
export function extractTraceContext(metadata: Metadata, context: Context = otelContext.active()): Context {
  const carrier: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.getMap())) {
    // Binary (-bin) metadata is never part of a text-map trace context.
    if (typeof value === 'string') carrier[key] = value;
  }
  return propagation.extract(context, carrier);
}
